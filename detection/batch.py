"""Process a batch of raw input records against keyed state: the whole worker minus I/O.

The Faust agent and the offline scan both call `BatchProcessor.process`; they differ only in
where records come from, where state is kept and where outputs go.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from detection.engine import Engine, ListingMemory, ListingOutcome
from detection.model import Decision
from detection.reputation import SellerReputation
from schemas.candidate import SourcePosition
from schemas.dead_letter import DeadLetterError, dead_letter_for
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome
from schemas.parse import parse_event

StateLookup = Callable[[str], bytes | None]
S = TypeVar("S")


def encode_state(value: dict[str, Any]) -> bytes:
    """JSON for a table value, in a bytes object of its own size.

    orjson returns bytes that keep its ~4 KiB working buffer allocated; a table holding one per
    key grew by ~5 KB per listing. The copy through memoryview is exact-sized.
    """
    return bytes(memoryview(orjson.dumps(value)))


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One raw record and where it was read (topic/partition/offset, or file/line)."""

    topic: str
    partition: int | None
    offset: int | None
    key: bytes | None
    value: bytes
    timestamp_ms: int | None = None


@dataclass(slots=True)
class BatchStats:
    """Everything the metrics need, counted per batch instead of per-event sensor calls."""

    listings: Counter[str] = field(default_factory=Counter)
    candidates: Counter[tuple[str, str]] = field(default_factory=Counter)
    rule_hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    dead_letters: Counter[tuple[str, str]] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    exemptions: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    processing_s: list[float] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    """Messages to publish and state to write, each write tagged with its record's index."""

    candidates: list[tuple[bytes, bytes]] = field(default_factory=list)
    dead_letters: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    reputation_writes: dict[str, tuple[SellerReputation, int]] = field(default_factory=dict)
    memory_writes: dict[str, tuple[ListingMemory, int]] = field(default_factory=dict)
    decisions: list[tuple[str, ListingOutcome, Decision | None]] = field(default_factory=list)
    stats: BatchStats = field(default_factory=BatchStats)


class BatchProcessor:
    """Validates, decides and updates state for a batch, reading each key's state once."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        keep_decisions: bool = False,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.keep_decisions = keep_decisions

    def process(
        self,
        records: Sequence[InputRecord],
        accepted_types: frozenset[str],
        reputation_lookup: StateLookup,
        memory_lookup: StateLookup,
    ) -> BatchResult:
        """Decide every record in order; invalid ones become dead letters, never exceptions."""
        result = BatchResult()
        now = self.clock()
        now_ms = now.timestamp() * 1000
        for index, record in enumerate(records):
            started = time.perf_counter()
            parsed = parse_event(record.value, accepted_types)
            try:
                if isinstance(parsed, DeadLetterError):
                    self._dead_letter(result, record, parsed, now)
                elif isinstance(parsed, ListingEvent):
                    self._listing(
                        result, index, record, parsed, reputation_lookup, memory_lookup, now
                    )
                elif isinstance(parsed, TakedownOutcome):
                    self._outcome(result, index, parsed, reputation_lookup)
            except Exception as exc:  # a bug must not lose the record: keep it with the reason
                error = DeadLetterError(
                    reason="processing_error",
                    field=None,
                    message=f"{type(exc).__name__}: {exc}",
                    details=[repr(exc)],
                )
                self._dead_letter(result, record, error, now)
            if isinstance(parsed, ListingEvent):
                result.stats.processing_s.append(time.perf_counter() - started)
                if record.timestamp_ms is not None:
                    result.stats.latencies_s.append(max(0.0, (now_ms - record.timestamp_ms) / 1000))
        return result

    @staticmethod
    def _state(
        writes: dict[str, tuple[S, int]],
        key: str,
        lookup: StateLookup,
        index: int,
        from_dict: Callable[[dict[str, Any]], S],
        empty: Callable[[], S],
    ) -> S:
        """A key's state, read once per batch; the write is tagged with the latest record."""
        known = writes.get(key)
        if known is not None:
            state = known[0]
        else:
            stored = lookup(key)
            state = from_dict(orjson.loads(stored)) if stored else empty()
        writes[key] = (state, index)
        return state

    def _reputation(
        self, result: BatchResult, seller_id: str, lookup: StateLookup, index: int
    ) -> SellerReputation:
        return self._state(
            result.reputation_writes,
            seller_id,
            lookup,
            index,
            SellerReputation.from_dict,
            SellerReputation,
        )

    def _memory(
        self, result: BatchResult, listing_id: str, lookup: StateLookup, index: int
    ) -> ListingMemory:
        return self._state(
            result.memory_writes, listing_id, lookup, index, ListingMemory.from_dict, ListingMemory
        )

    def _listing(
        self,
        result: BatchResult,
        index: int,
        record: InputRecord,
        event: ListingEvent,
        reputation_lookup: StateLookup,
        memory_lookup: StateLookup,
        now: datetime,
    ) -> None:
        reputation = self._reputation(result, event.seller.seller_id, reputation_lookup, index)
        memory = self._memory(result, event.listing.listing_id, memory_lookup, index)
        source = (
            SourcePosition(topic=record.topic, partition=record.partition, offset=record.offset)
            if record.offset is not None
            else None
        )
        verdict = self.engine.on_listing(event, reputation, memory, source, now)
        stats = result.stats
        stats.listings[verdict.outcome] += 1
        decision = verdict.decision
        if decision is not None:
            for reason in decision.reasons:
                stats.rule_hits[(reason.rule_id, "enforce")] += 1
            for reason in decision.shadow_reasons:
                stats.rule_hits[(reason.rule_id, "shadow")] += 1
            if decision.exemption_brand_id:
                stats.exemptions[decision.exemption_brand_id] += 1
        if self.keep_decisions:
            result.decisions.append((event.listing.listing_id, verdict.outcome, decision))
        candidate = verdict.candidate
        if candidate is not None:
            stats.candidates[(candidate.brand_id or "none", candidate.severity)] += 1
            result.candidates.append(
                (candidate.listing_id.encode(), candidate.model_dump_json().encode())
            )

    def _outcome(
        self, result: BatchResult, index: int, outcome: TakedownOutcome, lookup: StateLookup
    ) -> None:
        reputation = self._reputation(result, outcome.seller_id, lookup, index)
        applied = self.engine.on_outcome(outcome, reputation)
        result.stats.outcomes[outcome.outcome if applied else "duplicate"] += 1

    def _dead_letter(
        self, result: BatchResult, record: InputRecord, error: DeadLetterError, now: datetime
    ) -> None:
        letter = dead_letter_for(
            record.value, record.key, error, record.topic, record.partition, record.offset, now
        )
        result.stats.dead_letters[(error.reason, record.topic)] += 1
        result.stats.listings["dead_letter"] += 1
        result.dead_letters.append((record.key, letter.model_dump_json().encode()))
