"""Faust agents: take batches of raw records, hand them to the pure batch processor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import faust
from faust.types import EventT, StreamT, TableT

from detection.batch import BatchProcessor, InputRecord
from schemas.parse import LISTING_EVENT_TYPES, OUTCOME_EVENT_TYPES
from stream.publish import RecordBatches, delivered, publish, record_metrics, write_state
from stream.settings import Settings
from stream.tables import Tables
from stream.topics import Topics


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

    async def handle(stream: StreamT, accepted: frozenset[str]) -> None:
        async for events in cast(faust.Stream, stream).take_events(
            settings.batch_size, within=settings.batch_within_s
        ):
            result = processor.process(
                to_records(events), accepted, reputation_lookup, memory_lookup
            )
            batches = RecordBatches(app.producer)
            await publish(result, topics, batches)
            await write_state(result, events, tables, batches)
            await delivered(await batches.submit_all())
            record_metrics(result, len(events))

    @app.agent(topics.listings, name="decide-listings", concurrency=1)
    async def decide_listings(stream: StreamT) -> None:
        """Listing events -> decisions, candidates, dead letters."""
        await handle(stream, LISTING_EVENT_TYPES)

    @app.agent(topics.outcomes, name="apply-outcomes", concurrency=1)
    async def apply_outcomes(stream: StreamT) -> None:
        """Takedown outcomes -> seller reputation."""
        await handle(stream, OUTCOME_EVENT_TYPES)
