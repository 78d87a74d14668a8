"""Shared paths for all tests."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTRACT_EXAMPLES = REPO.parent / "shared" / "contracts" / "examples"


@pytest.fixture(scope="session")
def contract_examples() -> Path:
    """The upstream contract's example files (shared/ lies beside the clone)."""
    if not CONTRACT_EXAMPLES.is_dir():
        pytest.fail(f"contract examples not found at {CONTRACT_EXAMPLES}")
    return CONTRACT_EXAMPLES
