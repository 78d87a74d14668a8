"""Registry topic over the registry file: per-record parsing, merging, and the follower's swap."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from aiokafka import ConsumerRecord
from prometheus_client import REGISTRY

from detection.detector import Detector
from detection.engine import Engine
from detection.registry import load_registry
from detection.registry_merge import BrandUpdate, apply_brand_updates, parse_brand_record
from schemas.dead_letter import DeadLetterError
from schemas.registry import Brand, BrandRegistry
from stream.registry_sync import RegistryFollower

TOPIC = "brands.registry"
ZORBLAX = {"brand_id": "zorblax", "name": "Zorblax", "retail_floor_usd": {"handbags": 900}}


def brand(**fields: object) -> Brand:
    return Brand.model_validate({**ZORBLAX, **fields})


@pytest.fixture(scope="module")
def base() -> BrandRegistry:
    return load_registry()


def test_valid_record_parses_to_its_brand() -> None:
    parsed = parse_brand_record(b"zorblax", orjson.dumps(ZORBLAX))
    assert parsed == BrandUpdate("zorblax", brand())


def test_tombstone_parses_to_a_deletion() -> None:
    assert parse_brand_record(b"gucci", None) == BrandUpdate("gucci", None)


@pytest.mark.parametrize(
    ("key", "value", "reason", "field"),
    [
        (
            b"zorblax",
            b'{"brand_id": "zorblax", "name": "Zorblax"}',
            "schema_violation",
            "retail_floor_usd",
        ),
        (b"zorblax", b"{not json", "invalid_json", None),
        (b"zorblax", b"[1, 2]", "not_an_object", None),
        (b"zorblax", b"\xff\xfe", "not_utf8", None),
        (b"other", orjson.dumps(ZORBLAX), "schema_violation", "brand_id"),
        (None, orjson.dumps(ZORBLAX), "schema_violation", "key"),
    ],
)
def test_invalid_record_is_an_error_with_its_reason(
    key: bytes | None, value: bytes, reason: str, field: str | None
) -> None:
    parsed = parse_brand_record(key, value)
    assert isinstance(parsed, DeadLetterError)
    assert (parsed.reason, parsed.field) == (reason, field)


def test_update_replaces_the_base_brand_in_place(base: BrandRegistry) -> None:
    cheaper = base.brands[1].model_copy(update={"retail_floor_usd": {"handbags": 1.0}})
    merged = apply_brand_updates(base, {cheaper.brand_id: cheaper})
    assert [b.brand_id for b in merged.brands] == [b.brand_id for b in base.brands]
    assert merged.brands[1] == cheaper
    assert merged.brands[0] == base.brands[0]


def test_tombstone_deletes_a_base_brand_and_an_unknown_one_is_a_no_op(base: BrandRegistry) -> None:
    merged = apply_brand_updates(base, {"gucci": None, "never-registered": None})
    assert [b.brand_id for b in merged.brands] == [b.brand_id for b in base.brands[1:]]


def test_new_brands_follow_the_base_sorted_whatever_the_arrival_order(
    base: BrandRegistry,
) -> None:
    first = apply_brand_updates(base, {"zz": brand(brand_id="zz"), "aa": brand(brand_id="aa")})
    second = apply_brand_updates(base, {"aa": brand(brand_id="aa"), "zz": brand(brand_id="zz")})
    assert first == second
    assert [b.brand_id for b in first.brands[-2:]] == ["aa", "zz"]


def test_merge_leaves_the_base_untouched(base: BrandRegistry) -> None:
    before = base.model_dump()
    apply_brand_updates(base, {"gucci": None, "zorblax": brand()})
    assert base.model_dump() == before


class SentRecords:
    """Stands in for the dead-letter topic: keeps what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, bytes]] = []

    async def send(self, *, key: bytes | None = None, value: bytes | None = None) -> None:
        assert value is not None
        self.sent.append((key, value))


def record(offset: int, key: bytes | None, value: bytes | None) -> ConsumerRecord:
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, key, value, None, 0, 0, [])


@pytest.fixture
def sink() -> SentRecords:
    return SentRecords()


@pytest.fixture
def follower(base: BrandRegistry, sink: SentRecords) -> RegistryFollower:
    detector = Detector.default()
    return RegistryFollower(
        bootstrap_servers=[],
        topic=TOPIC,
        base=base,
        build=lambda registry: Detector(registry, detector.ruleset, vocabulary=detector.vocabulary),
        engine=Engine(detector),
        dead_letters=sink,
        client_id="test",
    )


def updates_total(outcome: str) -> float:
    return (
        REGISTRY.get_sample_value("listing_guard_registry_updates_total", {"outcome": outcome})
        or 0.0
    )


def test_follower_swaps_in_a_detector_with_the_brand_and_the_same_ruleset(
    follower: RegistryFollower,
) -> None:
    version = follower.engine.detector.ruleset_version
    applied = updates_total("applied")
    asyncio.run(follower.handle(record(0, b"zorblax", orjson.dumps(ZORBLAX))))
    assert follower.dirty and "zorblax" not in follower.engine.detector.brand_ids
    asyncio.run(follower.rebuild())
    assert "zorblax" in follower.engine.detector.brand_ids
    assert follower.engine.detector.ruleset_version == version
    assert updates_total("applied") == applied + 1

    asyncio.run(follower.handle(record(1, b"zorblax", None)))
    asyncio.run(follower.rebuild())
    assert "zorblax" not in follower.engine.detector.brand_ids


def test_follower_dead_letters_an_invalid_record_and_keeps_the_last_valid_one(
    follower: RegistryFollower, sink: SentRecords
) -> None:
    asyncio.run(follower.handle(record(0, b"zorblax", orjson.dumps(ZORBLAX))))
    asyncio.run(follower.handle(record(1, b"zorblax", b'{"brand_id": "zorblax"}')))
    asyncio.run(follower.rebuild())
    assert brand() in follower.engine.detector.registry.brands
    [(key, value)] = sink.sent
    letter = orjson.loads(value)
    assert key == b"zorblax"
    assert (letter["source_topic"], letter["source_partition"], letter["source_offset"]) == (
        TOPIC,
        0,
        1,
    )
    assert letter["error"]["reason"] == "schema_violation"
    assert letter["payload"] == '{"brand_id": "zorblax"}'
