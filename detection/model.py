"""The detection core's output: plain, immutable values that adapters turn into messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired: its id, its weight in the score and what it saw."""

    rule_id: str
    weight: float
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one listing event; identical for the same inputs, online or offline."""

    score: float
    severity: str | None
    is_candidate: bool
    brand_id: str | None
    reasons: tuple[Reason, ...]
    ruleset_version: str
    shadow_reasons: tuple[Reason, ...] = ()
    exemption_brand_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
