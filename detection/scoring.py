"""How reasons become a score and a severity.

## Scoring

Every rule that fires gives a **reason** with a weight in [0, 1] (from the ruleset YAML). The score
of a listing is the **noisy-OR** of the weights of its `enforce`-mode reasons:

    score = 1 - (1 - w1) * (1 - w2) * ... * (1 - wn)

so independent pieces of evidence reinforce each other, no single weak one dominates and the
score never exceeds 1. Rules with a `dampen` factor (negative evidence, e.g.
`seller.cleared_history`: a seller whose past candidates were mostly rejected) then multiply the
score: `score *= dampen`. `shadow`-mode rules are evaluated and reported in
`Decision.shadow_reasons` but never scored; `off` rules are not evaluated.

Defaults are set so that a registered mark alone never makes a candidate (`mark.registered` 0.2,
with `seller.unauthorized` 0.25: 0.4), while a mark with counterfeit vocabulary, an extreme price,
a disguise or a known counterfeit photo does.

## Candidates and severity

A listing is a **candidate** when its score reaches `candidate_threshold` (default 0.5; the
Detector's `threshold` argument overrides it), some brand evidence names the brand it infringes,
and at least one enforce reason is **corroborating evidence** about the listing itself: a
disguised or misspelt mark, counterfeit vocabulary or a dupe pattern, a price below the floor, or
a registry image match. A registered mark and facts about the seller (unauthorized, new account,
unverified, history) raise the score but are context, not proof: on their own they never make a
candidate. **Severity** comes from the score bands (default: low >= 0.5, medium >= 0.7,
high >= 0.85, critical >= 0.95). A price band may carry a `min_severity` that raises the severity
of a candidate: a $79 "Balenciaga" at 12% of the retail floor is at least `high`.
"""

from __future__ import annotations

from collections.abc import Iterable

from detection.ruleset import SEVERITIES, Severity, SeverityBands

CORROBORATING_PREFIXES = ("mark.obfuscated", "mark.fuzzy", "vocab.", "price.", "image.")


def is_corroborating(rule_id: str) -> bool:
    """Evidence about the listing itself, beyond naming a brand and who sells it."""
    return rule_id.startswith(CORROBORATING_PREFIXES)


def noisy_or(weights: Iterable[float]) -> float:
    """1 - prod(1 - w): the chance at least one independent piece of evidence is right."""
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def combine(weights: Iterable[float], dampens: Iterable[float] = ()) -> float:
    """Noisy-OR of the weights, times every dampen factor, clamped to [0, 1]."""
    score = noisy_or(weights)
    for factor in dampens:
        score *= factor
    return min(1.0, max(0.0, score))


def severity_for(score: float, bands: SeverityBands) -> Severity | None:
    """The highest band the score reaches, or None below the lowest."""
    found: Severity | None = None
    for severity in SEVERITIES:
        if score >= getattr(bands, severity):
            found = severity
    return found


def raise_severity(severity: Severity | None, minimum: Severity | None) -> Severity | None:
    """The higher of two severities (None is lowest)."""
    if minimum is None:
        return severity
    if severity is None:
        return minimum
    return max(severity, minimum, key=SEVERITIES.index)
