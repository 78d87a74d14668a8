"""The registry topic on the real broker: a published brand is detected, a tombstone ends that."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from detection.loading import load_detector
from stream.local import TopicSet, WorkerProcess, drain, produce, scrape

pytestmark = pytest.mark.kafka

SELLER = "S-ZB-1"
ZORBLAX = {
    "brand_id": "zorblax",
    "name": "Zorblax",
    "owner": "Zorblax Group",
    "retail_floor_usd": {"handbags": 900},
}


def replica_listing(number: int) -> bytes:
    """A 1:1 replica of a Zorblax bag far below the floor, from a brand-new unverified seller."""
    return orjson.dumps(
        {
            "schema_version": 1,
            "event_id": f"ev-zb-{number}",
            "event_type": "listing.created",
            "occurred_at": "2026-11-02T09:14:05Z",
            "listing": {
                "listing_id": f"L-ZB-{number}",
                "seller_id": SELLER,
                "title": "Zorblax tote bag 1:1 replica top quality",
                "category": "handbags",
                "price": {"amount": "45.00", "currency": "USD"},
            },
            "seller": {"seller_id": SELLER, "registered_at": "2026-10-28T16:40:00Z"},
        }
    )


def metric(worker: WorkerProcess, name: str, **labels: str) -> float:
    """Sum of the samples named `name` whose labels include `labels`."""
    return sum(
        value
        for (sample, sample_labels), value in scrape(worker.metrics_port).items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


def wait_for(worker: WorkerProcess, name: str, target: float, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while metric(worker, name) != target:
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} is {metric(worker, name)}, not {target}: {worker.log()}")
        time.sleep(0.1)


@pytest.fixture
def registry_topic(kafka_bootstrap: str) -> str:
    name = f"brands.registry.{TopicSet().suffix}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(name, 1, 1, topic_configs={"cleanup.policy": "compact"})])
    finally:
        admin.close()
    return name


@pytest.fixture
def topics(kafka_bootstrap: str) -> TopicSet:
    topic_set = TopicSet(partitions=1)
    topic_set.create(kafka_bootstrap)
    return topic_set


@pytest.fixture
def start_worker(
    kafka_bootstrap: str, topics: TopicSet, registry_topic: str, tmp_path: Path
) -> Iterator[Callable[[], WorkerProcess]]:
    env = {**topics.worker_env(kafka_bootstrap), "LG_TOPIC_REGISTRY": registry_topic}
    process = WorkerProcess(env, tmp_path / "worker.log")
    yield process.start
    assert process.stop() is not None


def test_brand_published_then_deleted_on_the_registry_topic(
    kafka_bootstrap: str,
    topics: TopicSet,
    registry_topic: str,
    start_worker: Callable[[], WorkerProcess],
) -> None:
    base = load_detector()
    base_brands = len(base.brand_ids)
    processed = "listing_guard_listings_processed_total"
    brands = "listing_guard_registry_brands"
    updates = "listing_guard_registry_updates_total"
    listing = [(SELLER.encode(), replica_listing(n)) for n in range(3)]

    # already on the topic when the worker starts: read while catching up, before any listing
    invalid = orjson.dumps({"brand_id": "zorblax", "name": "Zorblax"})  # no retail floor
    produce(kafka_bootstrap, registry_topic, [(b"zorblax", invalid)])
    worker = start_worker()
    [dead] = drain(kafka_bootstrap, topics.dead_letters, expected=1, timeout_s=30)
    letter = orjson.loads(dead.value)
    assert (letter["source_topic"], letter["source_offset"]) == (registry_topic, 0)
    assert (letter["error"]["reason"], letter["error"]["field"]) == (
        "schema_violation",
        "retail_floor_usd",
    )
    assert letter["payload"] == invalid.decode()

    produce(kafka_bootstrap, topics.listings, listing[:1])
    wait_for(worker, processed, 1)
    assert metric(worker, processed, outcome="candidate") == 0

    produce(kafka_bootstrap, registry_topic, [(b"zorblax", orjson.dumps(ZORBLAX))])
    wait_for(worker, brands, base_brands + 1)
    produce(kafka_bootstrap, topics.listings, listing[1:2])
    [record] = drain(kafka_bootstrap, topics.candidates, expected=1, timeout_s=30)
    candidate = orjson.loads(record.value)
    assert (candidate["listing_id"], candidate["brand_id"]) == ("L-ZB-1", "zorblax")
    assert candidate["ruleset_version"] == base.ruleset_version

    produce(kafka_bootstrap, registry_topic, [(b"zorblax", None)])
    wait_for(worker, brands, base_brands)
    produce(kafka_bootstrap, topics.listings, listing[2:])
    wait_for(worker, processed, 3)
    assert metric(worker, processed, outcome="candidate") == 1
    assert len(drain(kafka_bootstrap, topics.candidates, expected=2, timeout_s=2)) == 1
    assert [metric(worker, updates, outcome=o) for o in ("rejected", "applied", "deleted")] == [
        1,
        1,
        1,
    ]
