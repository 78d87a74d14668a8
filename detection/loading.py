"""Build a Detector from files, or from the packaged defaults."""

from __future__ import annotations

from pathlib import Path

from detection.detector import Detector
from detection.registry import load_registry
from detection.ruleset import check_ruleset, default_ruleset_path


def load_detector(
    registry_path: Path | None = None,
    rules_path: Path | None = None,
    threshold: float | None = None,
) -> Detector:
    """Raises schemas.loading.ConfigError naming the file and line at fault."""
    registry = load_registry(registry_path)
    ruleset = check_ruleset(rules_path or default_ruleset_path())
    return Detector(registry, ruleset, threshold=threshold)
