"""Faust agents: take batches of raw records, hand them to the pure batch processor."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from typing import cast

import faust
from faust.types import EventT, StreamT, TableT

from detection.batch import BatchProcessor, InputRecord
from schemas.parse import LISTING_EVENT_TYPES, OUTCOME_EVENT_TYPES
from stream.publish import RecordBatches, delivered, publish, record_metrics, send_state
from stream.settings import Settings
from stream.tables import Tables
from stream.topics import Topics

EXIT_BATCH_FAILED = 70  # EX_SOFTWARE
log = logging.getLogger("listing_guard")


def to_records(events: Sequence[EventT]) -> list[InputRecord]:
    """Faust events to the core's plain records, keeping where each was read."""
    records = []
    for event in events:
        message = event.message
        records.append(
            InputRecord(
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                key=message.key,
                value=message.value
                if isinstance(message.value, bytes)
                else bytes(message.value or b""),
                timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
            )
        )
    return records


def register_agents(
    app: faust.App,
    settings: Settings,
    topics: Topics,
    tables: Tables,
    processor: BatchProcessor,
) -> None:
    """Two agents share the reputation table; both topics are keyed by seller id."""

    def lookup(table: TableT) -> Callable[[str], bytes | None]:
        def get(key: str) -> bytes | None:
            return table.get(key.encode())

        return get

    reputation_lookup = lookup(tables.reputation)
    memory_lookup = lookup(tables.listings)

    async def decide(events: list[EventT], accepted: frozenset[str]) -> None:
        """Outputs first, state after: a changelog never records a candidate Kafka lacks."""
        result = processor.process(to_records(events), accepted, reputation_lookup, memory_lookup)
        outputs = RecordBatches(app.producer)
        await publish(result, topics, outputs)
        await delivered(await outputs.submit_all())
        await delivered(await send_state(result, events, tables, RecordBatches(app.producer)))
        record_metrics(result, len(events))

    async def handle(stream: StreamT, accepted: frozenset[str]) -> None:
        """Batches are acked only once Kafka has every output; a failed one ends the worker.

        `noack_take`, since `take_events` acks a batch in a `finally`, even one whose sends
        failed or were cancelled. A cancelled batch (rebalance, stop) stays unacked and is read
        again from the committed offset. A batch whose sends failed cannot be retried in this
        process (its records were taken and the tables may hold its state), so the worker exits
        at once, as after kill -9: its successor re-reads from the last commit.
        """
        taken = cast(faust.Stream, stream).noack_take(
            settings.batch_size, within=settings.batch_within_s
        )
        async for events in cast(AsyncIterator[list[EventT]], taken):
            try:
                await decide(events, accepted)
            except Exception:
                log.critical("a batch of %d failed; exit, unacked", len(events), exc_info=True)
                logging.shutdown()
                os._exit(EXIT_BATCH_FAILED)
            for event in events:
                await stream.ack(event)

    @app.agent(topics.listings, name="decide-listings", concurrency=1)
    async def decide_listings(stream: StreamT) -> None:
        """Listing events -> decisions, candidates, dead letters."""
        await handle(stream, LISTING_EVENT_TYPES)

    @app.agent(topics.outcomes, name="apply-outcomes", concurrency=1)
    async def apply_outcomes(stream: StreamT) -> None:
        """Takedown outcomes -> seller reputation."""
        await handle(stream, OUTCOME_EVENT_TYPES)
