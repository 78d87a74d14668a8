"""One seller's reputation state: small, bounded and JSON-able, for a Faust Table or a dict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

STATE_FORMAT_VERSION = 1


def iso_utc(moment: datetime) -> str:
    """One spelling per instant, so stored times and evidence compare and diff cleanly."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The inverse of iso_utc (and of any RFC 3339 time with an offset)."""
    return datetime.fromisoformat(text)


class OutcomeRecord(NamedTuple):
    """A takedown outcome as reputation keeps it: when, what, on which listing, which event."""

    occurred_at: str
    outcome: str
    listing_id: str
    event_id: str


@dataclass(slots=True)
class SellerReputation:
    """Mutable state of one seller; every collection in it is capped or pruned."""

    first_seen: str | None = None
    listings_seen: int = 0
    branded_listings: int = 0
    candidates_raised: int = 0
    outcomes: list[OutcomeRecord] = field(default_factory=list)
    branded_velocity: dict[int, int] = field(default_factory=dict)
    recent_event_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A compact JSON-able dict; from_dict(to_dict()) gives back an equal state."""
        return {
            "v": STATE_FORMAT_VERSION,
            "first_seen": self.first_seen,
            "listings_seen": self.listings_seen,
            "branded_listings": self.branded_listings,
            "candidates_raised": self.candidates_raised,
            "outcomes": [list(record) for record in self.outcomes],
            "branded_velocity": [list(bucket) for bucket in sorted(self.branded_velocity.items())],
            "recent_event_ids": list(self.recent_event_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SellerReputation:
        """Rebuild a state stored by to_dict; refuses a format this code does not know."""
        if data.get("v") != STATE_FORMAT_VERSION:
            raise ValueError(f"unknown seller reputation format {data.get('v')!r}")
        return cls(
            first_seen=data["first_seen"],
            listings_seen=int(data["listings_seen"]),
            branded_listings=int(data["branded_listings"]),
            candidates_raised=int(data["candidates_raised"]),
            outcomes=[OutcomeRecord(*record) for record in data["outcomes"]],
            branded_velocity={int(start): int(count) for start, count in data["branded_velocity"]},
            recent_event_ids=list(data["recent_event_ids"]),
        )
