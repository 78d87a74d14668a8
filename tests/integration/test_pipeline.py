"""The worker on the real broker: contract examples in; candidates, dead letters, metrics out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from stream.local import TopicSet, WorkerProcess, drain, produce, scrape

pytestmark = pytest.mark.kafka

FAKES = {"L-1001", "L-1003", "L-1004"}  # L-1004: Cyrillic homoglyphs
GENUINE = {"L-1002", "L-1005", "L-1006"}


def keyed_lines(path: Path) -> list[tuple[bytes | None, bytes]]:
    """Key each valid event by its seller id, as the platform does; junk goes unkeyed."""
    records = []
    for line in path.read_bytes().splitlines():
        try:
            seller = orjson.loads(line).get("listing", {}).get("seller_id")
        except orjson.JSONDecodeError:
            seller = None
        records.append((seller.encode() if seller else None, line))
    return records


@pytest.fixture(params=["memory://", "rocksdb://"])
def worker(request: pytest.FixtureRequest, kafka_bootstrap: str, topics: TopicSet, tmp_path: Path):
    """The worker with each table store: memory for tests, RocksDB as in production."""
    env = {**topics.worker_env(kafka_bootstrap), "LG_STORE": request.param}
    process = WorkerProcess(env, tmp_path / "worker.log").start()
    yield process
    assert process.stop() is not None


def test_contract_examples_end_to_end(
    kafka_bootstrap: str, topics: TopicSet, worker: WorkerProcess, contract_examples: Path
) -> None:
    listings = keyed_lines(contract_examples / "listing-events.jsonl")
    invalid = keyed_lines(contract_examples / "invalid-events.jsonl")
    produce(kafka_bootstrap, topics.listings, listings + invalid)

    dead = drain(kafka_bootstrap, topics.dead_letters, expected=len(invalid))
    letters = [orjson.loads(record.value) for record in dead]
    assert sorted(letter["error"]["reason"] for letter in letters) == sorted(
        ["schema_violation", "unsupported_schema_version", "invalid_json", "schema_violation"]
    )
    assert all(letter["source_topic"] == topics.listings for letter in letters)
    assert all(letter["source_offset"] is not None for letter in letters)
    assert {letter["payload"] for letter in letters} == {value.decode() for _, value in invalid}

    candidates = [
        orjson.loads(record.value)
        for record in drain(kafka_bootstrap, topics.candidates, expected=len(FAKES))
    ]
    flagged = {candidate["listing_id"] for candidate in candidates}
    assert flagged >= FAKES
    assert not flagged & GENUINE
    for candidate in candidates:
        assert candidate["reasons"] and candidate["source"]["topic"] == topics.listings
        assert candidate["candidate_id"].startswith("cand-")

    samples = scrape(worker.metrics_port)
    processed = {
        dict(labels)["outcome"]: value
        for (name, labels), value in samples.items()
        if name == "listing_guard_listings_processed_total"
    }
    assert processed.get("dead_letter") == len(invalid)
    assert sum(processed.values()) == len(listings) + len(invalid)
    assert processed.get("candidate") == len(candidates)
    assert samples[("listing_guard_decision_latency_seconds_count", ())] == len(listings)


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed (CI installs it)")
def test_events_from_kcat_are_processed_the_same(
    kafka_bootstrap: str, topics: TopicSet, worker: WorkerProcess, contract_examples: Path
) -> None:
    fake = (contract_examples / "listing-events.jsonl").read_bytes().splitlines()[0]
    subprocess.run(
        [
            "kcat",
            "-P",
            "-b",
            kafka_bootstrap,
            "-t",
            topics.listings,
            "-k",
            "S-7731",
            "-X",
            "topic.partitioner=murmur2_random",
        ],
        input=fake + b"\n",
        check=True,
        timeout=30,
    )
    candidates = drain(kafka_bootstrap, topics.candidates, expected=1)
    assert [orjson.loads(record.value)["listing_id"] for record in candidates] == ["L-1001"]
    assert candidates[0].key == b"L-1001"
