"""Takedown candidate v1 (topic `takedown.candidates`): our output for enforcement."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from schemas.common import OutputModel

Severity = Literal["low", "medium", "high", "critical"]


class CandidateReason(OutputModel):
    """One rule that fired, with what it saw, so a reviewer can check it."""

    rule_id: str
    weight: float = Field(ge=0, le=1)
    evidence: dict[str, Any]


class SourcePosition(OutputModel):
    """Where the deciding event was read (topic or file; partition is null for a file)."""

    topic: str
    partition: int | None
    offset: int


class TakedownCandidate(OutputModel):
    """A listing that looks counterfeit, with score, severity and every reason."""

    schema_version: Literal[1] = 1
    candidate_id: str
    listing_id: str
    seller_id: str
    brand_id: str | None
    event_id: str
    event_type: str
    score: float = Field(ge=0, le=1)
    severity: Severity
    reasons: list[CandidateReason]
    ruleset_version: str
    detected_at: datetime
    occurred_at: datetime
    source: SourcePosition | None
