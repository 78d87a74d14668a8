"""Write the JSON Schema of every contract beside the models (`python -m schemas.generate`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.candidate import TakedownCandidate
from schemas.dead_letter import DeadLetter
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome
from schemas.registry import BrandRegistry

SCHEMA_DIR = Path(__file__).parent / "json"
MODELS: dict[str, type[BaseModel]] = {
    "listing-event.v1.json": ListingEvent,
    "takedown-outcome.v1.json": TakedownOutcome,
    "brand-registry.v1.json": BrandRegistry,
    "takedown-candidate.v1.json": TakedownCandidate,
    "dead-letter.v1.json": DeadLetter,
}


def render(model: type[BaseModel]) -> str:
    """Stable text: sorted keys, trailing newline, so diffs show real changes only."""
    schema = model.model_json_schema(mode="validation")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Regenerate all files; commit them with the model change."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for filename, model in MODELS.items():
        (SCHEMA_DIR / filename).write_text(render(model), encoding="utf-8")
        print(f"wrote {SCHEMA_DIR / filename}")


if __name__ == "__main__":
    main()
