"""Takedown outcome v1 (topic `takedown.outcomes`): the enforcement feedback."""

from __future__ import annotations

from typing import Literal

from schemas.common import Identifier, InputModel, Timestamp

OutcomeKind = Literal["confirmed_counterfeit", "rejected", "reinstated"]


class TakedownOutcome(InputModel):
    """A decision on a candidate or a brand's complaint."""

    schema_version: Literal[1]
    event_id: Identifier
    event_type: Literal["takedown.outcome"]
    occurred_at: Timestamp
    listing_id: Identifier
    seller_id: Identifier
    brand_id: str | None = None
    outcome: OutcomeKind
    decided_by: Literal["enforcement", "brand"]
    candidate_id: str | None = None
