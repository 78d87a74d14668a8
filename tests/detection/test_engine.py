"""The engine's idempotency: redelivery, updates that get worse or not, deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from detection.detector import Detector
from detection.engine import Engine, ListingMemory, candidate_id_for
from detection.reputation import SellerReputation
from schemas import ListingEvent
from schemas.parse import parse_event

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Detector.default())


@pytest.fixture
def fake(contract_examples: Path) -> ListingEvent:
    event = parse_event(
        contract_examples.joinpath("listing-events.jsonl").read_bytes().splitlines()[0]
    )
    assert isinstance(event, ListingEvent)
    return event


def test_same_event_twice_gives_one_candidate(engine: Engine, fake: ListingEvent) -> None:
    reputation, memory = SellerReputation(), ListingMemory()
    first = engine.on_listing(fake, reputation, memory, None, NOW)
    second = engine.on_listing(fake, reputation, memory, None, NOW)
    assert first.outcome == "candidate" and first.candidate is not None
    assert second.outcome == "duplicate" and second.candidate is None
    assert reputation.listings_seen == 1


def test_candidate_id_is_deterministic(engine: Engine, fake: ListingEvent) -> None:
    a = engine.on_listing(fake, SellerReputation(), ListingMemory(), None, NOW).candidate
    b = engine.on_listing(fake, SellerReputation(), ListingMemory(), None, NOW).candidate
    assert a is not None and b is not None
    assert (
        a.candidate_id == b.candidate_id == candidate_id_for(fake, engine.detector.ruleset_version)
    )


def test_update_that_is_not_worse_gives_no_new_candidate(
    engine: Engine, fake: ListingEvent
) -> None:
    reputation, memory = SellerReputation(), ListingMemory()
    engine.on_listing(fake, reputation, memory, None, NOW)
    update = fake.model_copy(update={"event_id": "ev-0001-b", "event_type": "listing.updated"})
    result = engine.on_listing(update, reputation, memory, None, NOW)
    assert result.outcome == "not_worse" and result.candidate is None


def test_update_that_gets_worse_gives_a_new_candidate(engine: Engine, fake: ListingEvent) -> None:
    reputation, memory = SellerReputation(), ListingMemory()
    memory.emitted_severity = "low"  # an earlier, milder candidate for this listing
    update = fake.model_copy(update={"event_id": "ev-0001-c", "event_type": "listing.updated"})
    result = engine.on_listing(update, reputation, memory, None, NOW)
    assert result.outcome == "candidate" and result.candidate is not None
    assert memory.emitted_severity == result.candidate.severity != "low"


def test_memory_round_trips(engine: Engine, fake: ListingEvent) -> None:
    memory = ListingMemory()
    engine.on_listing(fake, SellerReputation(), memory, None, NOW)
    assert ListingMemory.from_dict(memory.to_dict()) == memory
