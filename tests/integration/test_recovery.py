"""kill -9 mid-stream, restart: every listing decided once, reputation equal to the offline scan."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from detection.loading import load_detector
from offline.generate import generate
from offline.scan import scan_file
from stream.local import TopicSet, WorkerProcess, drain, produce, scrape

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 3000


def processed(worker: WorkerProcess, name: str) -> float:
    return sum(
        value for (sample, _), value in scrape(worker.metrics_port).items() if sample == name
    )


def wait_for(worker: WorkerProcess, name: str, target: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while processed(worker, name) < target:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{name} stuck at {processed(worker, name)}/{target}: {worker.log()}"
            )
        time.sleep(0.1)


def candidate_ids(
    bootstrap: str, topic: str, expected: set[str], timeout_s: float = 180
) -> list[str]:
    """All candidate ids on the topic once every expected id arrived (or time ran out)."""
    deadline = time.monotonic() + timeout_s
    while True:
        ids = [
            orjson.loads(r.value)["candidate_id"] for r in drain(bootstrap, topic, len(expected), 5)
        ]
        if expected <= set(ids) or time.monotonic() > deadline:
            return ids
        time.sleep(1)


def changelog_state(bootstrap: str, topic: str) -> dict[str, dict]:
    """Last value per key of a table's changelog: the state any worker would recover."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    ends = consumer.end_offsets(partitions)
    state: dict[str, dict] = {}
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        for records in consumer.poll(timeout_ms=1000).values():
            for record in records:
                state[record.key.decode()] = orjson.loads(record.value)
    consumer.close()
    return state


def test_kill_9_mid_stream_loses_nothing_and_state_matches_offline(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    records = list(generate(EVENTS, seed=23))
    outcomes = [r for r in records if r.label is None]
    listings = [r for r in records if r.label is not None]
    events_file = tmp_path / "events.jsonl"
    # Offline order: outcomes first, as the worker will see them (risk ignores future outcomes).
    events_file.write_bytes(b"".join(orjson.dumps(r.document) + b"\n" for r in outcomes + listings))
    candidates_file = tmp_path / "candidates.jsonl"
    with candidates_file.open("wb") as out:
        _, offline_state = scan_file(events_file, load_detector(), out, None)
    offline_ids = {
        orjson.loads(line)["candidate_id"] for line in candidates_file.read_bytes().splitlines()
    }

    topics = TopicSet(partitions=4)
    topics.create(kafka_bootstrap)
    env = topics.worker_env(kafka_bootstrap)
    first = WorkerProcess(env, tmp_path / "worker-1.log").start()
    produce(
        kafka_bootstrap,
        topics.outcomes,
        ((r.key.encode(), orjson.dumps(r.document)) for r in outcomes),
    )
    wait_for(first, "listing_guard_outcomes_total", len(outcomes))
    produce(
        kafka_bootstrap,
        topics.listings,
        ((r.key.encode(), orjson.dumps(r.document)) for r in listings),
    )
    wait_for(first, "listing_guard_listings_processed_total", len(listings) // 3)
    first.stop(signal.SIGKILL)
    assert first.process is not None and first.process.returncode == -signal.SIGKILL

    second = WorkerProcess(env, tmp_path / "worker-2.log").start()
    try:
        online = candidate_ids(kafka_bootstrap, topics.candidates, offline_ids)
    finally:
        second.stop()

    online_ids = online
    redelivered = len(online_ids) - len(set(online_ids))
    print(
        f"\nrecovery: offline {len(offline_ids)} candidates; online {len(online_ids)} records, "
        f"{len(set(online_ids))} distinct ids, {redelivered} redelivered copies"
    )
    assert set(online_ids) == offline_ids  # no listing missing, none decided differently

    state = changelog_state(kafka_bootstrap, f"{env['LG_APP_ID']}-seller-reputation-changelog")
    expected = {seller: orjson.loads(raw) for seller, raw in offline_state.reputation.items()}
    assert state == expected
