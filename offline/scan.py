"""Offline scan: the worker's batch processor over a JSONL file, with dicts as tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from detection.batch import BatchProcessor, BatchResult, InputRecord, encode_state
from detection.detector import Detector
from detection.engine import Engine
from schemas.parse import EVENT_MODELS

ALL_EVENT_TYPES = frozenset(EVENT_MODELS)
BATCH_LINES = 1000


@dataclass
class ScanSummary:
    """Totals printed at the end of a scan."""

    lines: int = 0
    listings: Counter[str] = field(default_factory=Counter)
    candidates: int = 0
    dead_letters: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class DictState:
    """The offline stand-in for the worker's two Faust tables: same bytes, same keys."""

    reputation: dict[str, bytes] = field(default_factory=dict)
    listings: dict[str, bytes] = field(default_factory=dict)

    def apply(self, result: BatchResult) -> None:
        """Same serialization as the worker's table writes."""
        for seller_id, (reputation, _) in result.reputation_writes.items():
            self.reputation[seller_id] = encode_state(reputation.to_dict())
        for listing_id, (memory, _) in result.memory_writes.items():
            self.listings[listing_id] = encode_state(memory.to_dict())


def read_records(path: Path) -> Iterator[InputRecord]:
    """One record per non-empty line; `offset` is the 1-based line number."""
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield InputRecord(
                    topic=str(path), partition=None, offset=line_number, key=None, value=stripped
                )


def batches(records: Iterator[InputRecord], size: int = BATCH_LINES) -> Iterator[list[InputRecord]]:
    """Chunk records in file order."""
    batch: list[InputRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def scan_file(
    path: Path,
    detector: Detector,
    candidates_out: IO[bytes] | None,
    dead_letters_out: IO[bytes] | None,
    state: DictState | None = None,
    on_batch: Callable[[int, BatchResult], None] | None = None,
    processor: BatchProcessor | None = None,
) -> tuple[ScanSummary, DictState]:
    """Run listings and outcomes from the file, in file order, through the worker's code."""
    state = state or DictState()
    processor = processor or BatchProcessor(Engine(detector))
    summary = ScanSummary()
    for batch in batches(read_records(path)):
        result = processor.process(batch, ALL_EVENT_TYPES, state.reputation.get, state.listings.get)
        state.apply(result)
        summary.lines += len(batch)
        summary.listings.update(result.stats.listings)
        summary.outcomes.update(result.stats.outcomes)
        summary.candidates += len(result.candidates)
        summary.dead_letters += len(result.dead_letters)
        if candidates_out is not None:
            candidates_out.writelines(value + b"\n" for _, value in result.candidates)
        if dead_letters_out is not None:
            dead_letters_out.writelines(value + b"\n" for _, value in result.dead_letters)
        if on_batch is not None:
            on_batch(len(batch), result)
    return summary, state
