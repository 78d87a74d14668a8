"""Every valid contract example parses; every invalid one gives the reason a reviewer expects."""

from pathlib import Path

import orjson
import pytest

from schemas import ListingEvent, TakedownOutcome
from schemas.dead_letter import DeadLetterError
from schemas.parse import LISTING_EVENT_TYPES, parse_event

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"


def lines(name: str) -> list[bytes]:
    return [line for line in (EXAMPLES / name).read_bytes().splitlines() if line.strip()]


def test_every_contract_listing_parses() -> None:
    parsed = [parse_event(line) for line in lines("listing-events.jsonl")]
    assert all(isinstance(event, ListingEvent) for event in parsed)
    assert len(parsed) == 7


def test_every_contract_outcome_parses() -> None:
    assert all(isinstance(parse_event(line), TakedownOutcome) for line in lines("outcomes.jsonl"))


def test_unknown_fields_are_ignored() -> None:
    document = orjson.loads(lines("listing-events.jsonl")[0])
    document["brand_new_field"] = {"x": 1}
    document["listing"]["another"] = 3
    assert isinstance(parse_event(orjson.dumps(document)), ListingEvent)


@pytest.mark.parametrize(
    ("index", "reason", "field"),
    [
        (0, "schema_violation", "listing.price.amount"),
        (1, "unsupported_schema_version", "schema_version"),
        (2, "invalid_json", None),
        (3, "schema_violation", "occurred_at"),
    ],
)
def test_invalid_examples_name_their_fault(index: int, reason: str, field: str | None) -> None:
    error = parse_event(lines("invalid-events.jsonl")[index])
    assert isinstance(error, DeadLetterError)
    assert (error.reason, error.field) == (reason, field)


def test_bad_currency_is_reported_with_the_date() -> None:
    error = parse_event(lines("invalid-events.jsonl")[3])
    assert isinstance(error, DeadLetterError)
    assert any("listing.price.currency" in detail for detail in error.details)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"\xff\xfe\x00", "not_utf8"), (b"[1, 2]", "not_an_object"), (b"", "invalid_json")],
)
def test_malformed_bytes_become_errors_not_exceptions(raw: bytes, reason: str) -> None:
    error = parse_event(raw)
    assert isinstance(error, DeadLetterError) and error.reason == reason


def test_an_outcome_on_the_listing_topic_is_refused() -> None:
    error = parse_event(lines("outcomes.jsonl")[0], LISTING_EVENT_TYPES)
    assert isinstance(error, DeadLetterError) and error.reason == "unknown_event_type"


def test_mismatched_seller_ids_are_refused() -> None:
    document = orjson.loads(lines("listing-events.jsonl")[0])
    document["seller"]["seller_id"] = "someone-else"
    error = parse_event(orjson.dumps(document))
    assert isinstance(error, DeadLetterError) and error.reason == "schema_violation"
