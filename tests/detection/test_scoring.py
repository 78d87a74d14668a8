"""Noisy-OR, dampening and severity bands."""

from detection.ruleset import SeverityBands
from detection.scoring import combine, noisy_or, raise_severity, severity_for


def test_noisy_or_combines_independent_evidence() -> None:
    assert noisy_or([]) == 0.0
    assert abs(noisy_or([0.5, 0.5]) - 0.75) < 1e-12


def test_dampen_multiplies_the_score() -> None:
    assert abs(combine([0.5, 0.5], [0.6]) - 0.45) < 1e-12


def test_severity_bands() -> None:
    bands = SeverityBands()
    assert severity_for(0.49, bands) is None
    assert severity_for(0.5, bands) == "low"
    assert severity_for(0.86, bands) == "high"
    assert severity_for(0.99, bands) == "critical"


def test_raise_severity_only_raises() -> None:
    assert raise_severity("medium", "high") == "high"
    assert raise_severity("critical", "high") == "critical"
    assert raise_severity("low", None) == "low"
