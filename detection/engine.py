"""One record in, state updated, what must go out: the same code online and offline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from detection.detector import Detector
from detection.model import Decision
from detection.reputation import (
    ReputationConfig,
    SellerReputation,
    apply_outcome,
    observe_listing,
)
from schemas.candidate import CandidateReason, Severity, SourcePosition, TakedownCandidate
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome

ListingOutcome = Literal["candidate", "clean", "duplicate", "exempt", "not_worse"]
SEVERITY_RANK = {None: 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
REMEMBERED_EVENT_IDS = 16


@dataclass(slots=True)
class ListingMemory:
    """What we already decided for one listing: makes redelivery and updates idempotent."""

    event_ids: list[str] = field(default_factory=list)
    emitted_severity: str | None = None
    candidate_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Short keys: this is stored once per listing in a changelog."""
        return {"e": self.event_ids, "s": self.emitted_severity, "c": self.candidate_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListingMemory:
        """Inverse of `to_dict`."""
        return cls(list(data["e"]), data["s"], data["c"])


@dataclass(frozen=True, slots=True)
class ListingResult:
    """The verdict on one event and the candidate to publish, if any."""

    outcome: ListingOutcome
    decision: Decision | None
    candidate: TakedownCandidate | None


def candidate_id_for(event: ListingEvent, ruleset_version: str) -> str:
    """Deterministic: the same event under the same ruleset always gets the same id."""
    material = f"{event.listing.listing_id}\x1f{event.event_id}\x1f{ruleset_version}"
    return "cand-" + hashlib.sha256(material.encode()).hexdigest()[:32]


def build_candidate(
    event: ListingEvent,
    decision: Decision,
    source: SourcePosition | None,
    detected_at: datetime,
) -> TakedownCandidate:
    """Turn a decision into the versioned output message, evidence and all."""
    return TakedownCandidate(
        candidate_id=candidate_id_for(event, decision.ruleset_version),
        listing_id=event.listing.listing_id,
        seller_id=event.seller.seller_id,
        brand_id=decision.brand_id,
        event_id=event.event_id,
        event_type=event.event_type,
        score=round(decision.score, 6),
        severity=cast(Severity, decision.severity or "low"),
        reasons=[
            CandidateReason(rule_id=r.rule_id, weight=r.weight, evidence=r.evidence)
            for r in decision.reasons
        ],
        ruleset_version=decision.ruleset_version,
        detected_at=detected_at,
        occurred_at=event.occurred_at,
        source=source,
    )


class Engine:
    """Applies listings and outcomes to seller and listing state, in arrival order."""

    def __init__(self, detector: Detector, reputation_config: ReputationConfig | None = None):
        self.detector = detector
        self.reputation_config = reputation_config or detector.reputation_config

    def on_listing(
        self,
        event: ListingEvent,
        reputation: SellerReputation,
        memory: ListingMemory,
        source: SourcePosition | None,
        detected_at: datetime,
    ) -> ListingResult:
        """Decide one listing event; mutates `reputation` and `memory` in place."""
        if event.event_id in memory.event_ids:
            return ListingResult("duplicate", None, None)
        decision = self.detector.evaluate(event, reputation)
        memory.event_ids = [*memory.event_ids, event.event_id][-REMEMBERED_EVENT_IDS:]
        raises_candidate = decision.is_candidate and (
            SEVERITY_RANK[decision.severity] > SEVERITY_RANK[memory.emitted_severity]
        )
        observe_listing(
            reputation,
            event,
            branded=decision.brand_id is not None,
            candidate=raises_candidate,
            config=self.reputation_config,
        )
        if not decision.is_candidate:
            outcome: ListingOutcome = "exempt" if decision.exemption_brand_id else "clean"
            return ListingResult(outcome, decision, None)
        if not raises_candidate:
            return ListingResult("not_worse", decision, None)
        candidate = build_candidate(event, decision, source, detected_at)
        memory.emitted_severity = decision.severity
        memory.candidate_id = candidate.candidate_id
        return ListingResult("candidate", decision, candidate)

    def on_outcome(self, outcome: TakedownOutcome, reputation: SellerReputation) -> bool:
        """Apply enforcement feedback; False when this outcome was already applied."""
        return apply_outcome(reputation, outcome, self.reputation_config)
