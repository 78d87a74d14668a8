"""The batch processor: dead letters with reasons, candidates, state writes, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from detection.batch import BatchProcessor, InputRecord, encode_state
from detection.detector import Detector
from detection.engine import Engine
from schemas.parse import LISTING_EVENT_TYPES

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def processor() -> BatchProcessor:
    return BatchProcessor(Engine(Detector.default()), clock=lambda: NOW)


def records(path: Path, topic: str = "listings.new") -> list[InputRecord]:
    return [
        InputRecord(topic, 3, offset, b"k", line, timestamp_ms=int(NOW.timestamp() * 1000) - 20)
        for offset, line in enumerate(path.read_bytes().splitlines())
    ]


def test_contract_examples(processor: BatchProcessor, contract_examples: Path) -> None:
    batch = records(contract_examples / "listing-events.jsonl")
    batch += records(contract_examples / "invalid-events.jsonl")
    result = processor.process(batch, LISTING_EVENT_TYPES, lambda _: None, lambda _: None)
    flagged = {orjson.loads(value)["listing_id"] for _, value in result.candidates}
    assert {"L-1001", "L-1003", "L-1004"} <= flagged
    assert not flagged & {"L-1002", "L-1005", "L-1006"}
    assert len(result.dead_letters) == 4
    assert sum(result.stats.dead_letters.values()) == 4
    assert set(result.reputation_writes) >= {"S-7731", "S-5120", "S-0042"}
    assert result.memory_writes["L-1002"][1] == 6  # the update, the last record for that listing
    assert len(result.stats.latencies_s) == 7 and all(
        0.01 < s < 0.03 for s in result.stats.latencies_s
    )


def test_a_bug_becomes_a_dead_letter_not_a_crash(contract_examples: Path) -> None:
    class Broken(Engine):
        def on_listing(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            raise RuntimeError("boom")

    processor = BatchProcessor(Broken(Detector.default()), clock=lambda: NOW)
    result = processor.process(
        records(contract_examples / "listing-events.jsonl")[:1],
        LISTING_EVENT_TYPES,
        lambda _: None,
        lambda _: None,
    )
    letter = orjson.loads(result.dead_letters[0][1])
    assert letter["error"]["reason"] == "processing_error"
    assert "boom" in letter["error"]["message"]


def test_binary_payload_is_kept_as_base64(processor: BatchProcessor) -> None:
    record = InputRecord("listings.new", 0, 9, None, b"\xff\x00\xfe")
    result = processor.process([record], LISTING_EVENT_TYPES, lambda _: None, lambda _: None)
    letter = orjson.loads(result.dead_letters[0][1])
    assert (letter["payload_encoding"], letter["payload"]) == ("base64", "/wD+")
    assert (letter["source_partition"], letter["source_offset"]) == (0, 9)


def test_encoded_state_is_exact_sized() -> None:
    import sys
    import tracemalloc

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [encode_state({"e": [f"ev-{i}"], "s": None, "c": None}) for i in range(1000)]
    per_value = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    tracemalloc.stop()
    assert per_value < 4 * sys.getsizeof(kept[0])  # orjson's own bytes keep ~4 KiB each
