"""The committed JSON Schema files are exactly what the models generate."""

import pytest

from schemas.generate import MODELS, SCHEMA_DIR, render


@pytest.mark.parametrize("filename", sorted(MODELS))
def test_committed_schema_is_fresh(filename: str) -> None:
    committed = (SCHEMA_DIR / filename).read_text(encoding="utf-8")
    assert committed == render(MODELS[filename]), f"run `make schemas`: {filename} is stale"
