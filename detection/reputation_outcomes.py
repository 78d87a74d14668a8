"""Takedown outcomes in a seller's reputation: idempotent, order-free, fading with a half-life."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from detection.reputation_config import ReputationConfig
from detection.reputation_state import OutcomeRecord, SellerReputation, iso_utc, parse_iso
from schemas.outcome import TakedownOutcome

CONFIRMED = "confirmed_counterfeit"
REJECTED = "rejected"
REINSTATED = "reinstated"

# At one instant a confirmation comes before the reinstatement that overturns it.
_KIND_ORDER = {CONFIRMED: 0, REJECTED: 1, REINSTATED: 2}
_LISTING_IDS_IN_EVIDENCE = 3
_WEIGHT_DIGITS = 4


def _event_order(record: OutcomeRecord) -> tuple[datetime, int, str]:
    """Event time, not arrival: the same set of outcomes gives the same state in any order."""
    return parse_iso(record.occurred_at), _KIND_ORDER[record.outcome], record.event_id


def apply_outcome(
    rep: SellerReputation, outcome: TakedownOutcome, config: ReputationConfig
) -> bool:
    """Record an outcome; False when it changes nothing (a redelivery, or older than a full cap)."""
    if any(kept.event_id == outcome.event_id for kept in rep.outcomes):
        return False
    record = OutcomeRecord(
        occurred_at=iso_utc(outcome.occurred_at),
        outcome=outcome.outcome,
        listing_id=outcome.listing_id,
        event_id=outcome.event_id,
    )
    kept = sorted([*rep.outcomes, record], key=_event_order)
    dropped = kept[: max(0, len(kept) - config.max_outcomes_kept)]
    if record in dropped:
        return False
    rep.outcomes = kept[len(dropped) :]
    return True


def _decayed(occurred_at: datetime, at: datetime, half_life_days: float) -> float:
    """Halve an outcome's weight every half-life after it happened."""
    age_days = (at - occurred_at).total_seconds() / 86_400
    return 0.5 ** (age_days / half_life_days)


def _split_outcomes(
    known: list[OutcomeRecord],
) -> tuple[list[OutcomeRecord], list[OutcomeRecord], list[OutcomeRecord]]:
    """Standing confirmations, rejections, and reinstatements that overturned a confirmation."""
    open_confirmations: dict[str, list[OutcomeRecord]] = defaultdict(list)
    rejections: list[OutcomeRecord] = []
    reversals: list[OutcomeRecord] = []
    for record in known:
        if record.outcome == CONFIRMED:
            open_confirmations[record.listing_id].append(record)
        elif record.outcome == REJECTED:
            rejections.append(record)
        elif open_confirmations[record.listing_id]:
            open_confirmations[record.listing_id].pop()
            reversals.append(record)
    standing = sorted(
        (record for records in open_confirmations.values() for record in records), key=_event_order
    )
    return standing, rejections, reversals


def risk_profile(rep: SellerReputation, at: datetime, config: ReputationConfig) -> dict[str, Any]:
    """The seller's decayed record as known at `at`: outcomes after `at` do not count yet."""
    known = [record for record in rep.outcomes if parse_iso(record.occurred_at) <= at]
    standing, rejections, reversals = _split_outcomes(known)
    cleared = sorted([*rejections, *reversals], key=_event_order)

    def weight(records: list[OutcomeRecord]) -> float:
        total = sum(_decayed(parse_iso(r.occurred_at), at, config.half_life_days) for r in records)
        return round(total, _WEIGHT_DIGITS)

    confirmed_weight = weight(standing)
    cleared_weight = weight(cleared)
    flagged_weight = confirmed_weight + cleared_weight
    return {
        "confirmed_count": len(standing),
        "confirmed_weight": confirmed_weight,
        "last_confirmed_at": standing[-1].occurred_at if standing else None,
        "confirmed_listing_ids": [r.listing_id for r in reversed(standing)][
            :_LISTING_IDS_IN_EVIDENCE
        ],
        "rejected_count": len(rejections),
        "reinstated_count": len(reversals),
        "cleared_weight": cleared_weight,
        "last_cleared_at": cleared[-1].occurred_at if cleared else None,
        "confirmed_share": (
            round(confirmed_weight / flagged_weight, _WEIGHT_DIGITS) if flagged_weight else None
        ),
        "half_life_days": config.half_life_days,
    }
