"""The brand registry file: the packaged default, or an operator's own."""

from __future__ import annotations

from pathlib import Path

from schemas.loading import load_yaml_model
from schemas.registry import BrandRegistry


def default_registry_path() -> Path:
    """The registry shipped inside the package, so a bare install detects something."""
    return Path(__file__).resolve().parent / "data" / "brand-registry.yaml"


def load_registry(path: Path | None = None) -> BrandRegistry:
    """Load and validate a registry file (the packaged one when no path is given)."""
    return load_yaml_model(path if path is not None else default_registry_path(), BrandRegistry)
