"""Apply a batch result to Kafka and Prometheus: record batches, table writes, counters."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from aiokafka.producer.message_accumulator import BatchBuilder
from faust.types import EventT, ProducerT, TableT

from detection.batch import BatchResult, encode_state
from stream import metrics
from stream.event_context import writing_as
from stream.tables import Tables
from stream.topics import Topics

DELIVERY_TIMEOUT_S = 60.0

Delivery = Awaitable[Any]


class RecordBatches:
    """A batch's outgoing records, grouped per topic partition into aiokafka record batches.

    One `send_batch` per partition instead of one `send` per record: aiokafka's per-record
    path (metadata wait, partitioner, accumulator) costs more than the append into a record
    batch. Keys are partitioned as `send` does (Faust's `key_partition`: murmur2). Straight to
    the producer rather than Faust's `send_soon` buffer: that buffer's flush gives up after
    100 ms without progress (`ProducerBuffer.flush_atmost`), and we saw it stall for good
    after a rebalance, so its futures never resolved.
    """

    def __init__(self, producer: ProducerT) -> None:
        self._producer = producer
        self._kafka = producer._ensure_producer()  # type: ignore[attr-defined]
        self._open: dict[tuple[str, int], BatchBuilder] = {}
        self._known_topics: set[str] = set()
        self._deliveries: list[Delivery] = []

    async def add(
        self, topic: str, key: bytes | None, value: bytes, partition: int | None = None
    ) -> None:
        """Queue one record; a full record batch is handed to the producer at once."""
        if topic not in self._known_topics:
            await self._kafka.client._wait_on_metadata(topic)  # what `send` awaits first
            self._known_topics.add(topic)
        if partition is None:
            # a None key gets a random available partition, as `send` does
            partition = self._producer.key_partition(topic, key).partition  # type: ignore[arg-type]
        where = (topic, partition)
        builder = self._open.get(where)
        if builder is not None:
            if builder.append(timestamp=None, key=key, value=value) is not None:
                return
            await self._submit(where, builder)  # full: on its way, a new one takes the record
        builder = self._open[where] = self._kafka.create_batch()
        if builder.append(timestamp=None, key=key, value=value) is None:
            raise ValueError(f"a {len(value)}-byte record does not fit an empty batch of {topic}")

    async def _submit(self, where: tuple[str, int], builder: BatchBuilder) -> None:
        topic, partition = where
        builder.close()  # complete: the sender takes a closed batch at once, without linger
        self._deliveries.append(await self._kafka.send_batch(builder, topic, partition=partition))

    async def submit_all(self) -> list[Delivery]:
        """Hand every open record batch to the producer; returns all delivery futures."""
        for where, builder in self._open.items():
            await self._submit(where, builder)
        self._open.clear()
        return self._deliveries


async def publish(result: BatchResult, topics: Topics, batches: RecordBatches) -> None:
    """Candidates (keyed by listing id) and dead letters (keyed as the input was)."""
    candidates = topics.candidates.get_topic_name()
    for key, value in result.candidates:
        await batches.add(candidates, key, value)
    dead_letters = topics.dead_letters.get_topic_name()
    for dead_key, value in result.dead_letters:
        await batches.add(dead_letters, dead_key, value)


StoreWrites = list[tuple[TableT, EventT, list[tuple[bytes, bytes]]]]


async def _queue_changelog(
    table: TableT,
    events: Sequence[EventT],
    writes: list[tuple[bytes, bytes, int]],
    batches: RecordBatches,
    store_writes: StoreWrites,
) -> None:
    """The changelog half of `table[key] = value`, grouped by the partition of each key's event.

    The store half is kept in `store_writes` with that event, which is where Faust (and its
    RocksDB store) looks for the partition.
    """
    changelog = table.changelog_topic.get_topic_name()
    by_partition: defaultdict[int, list[tuple[bytes, bytes, int]]] = defaultdict(list)
    for write in writes:
        by_partition[events[write[2]].message.partition].append(write)
    for partition, partition_writes in by_partition.items():
        for key, value, _ in partition_writes:
            await batches.add(changelog, key, value, partition)
        pairs = [(key, value) for key, value, _ in partition_writes]
        store_writes.append((table, events[partition_writes[0][2]], pairs))


async def send_state(
    result: BatchResult, events: Sequence[EventT], tables: Tables, batches: RecordBatches
) -> list[Delivery]:
    """One table write per key per batch: every record handed to the producer, then the stores.

    Stores change only once the whole batch is on its way, so a batch cancelled before that
    (a rebalance, a stop) leaves no local state its changelog will not have: read again, its
    events are decided again rather than skipped as duplicates.
    """
    store_writes: StoreWrites = []
    per_table: tuple[tuple[TableT, Mapping[str, tuple[Any, int]]], ...] = (
        (tables.reputation, result.reputation_writes),
        (tables.listings, result.memory_writes),
    )
    for table, writes in per_table:
        encoded = [
            (key.encode(), encode_state(state.to_dict()), index)
            for key, (state, index) in writes.items()
        ]
        await _queue_changelog(table, events, encoded, batches, store_writes)
    deliveries = await batches.submit_all()
    for table, event, pairs in store_writes:
        with writing_as(event):
            for key, value in pairs:
                table.data[key] = value
    return deliveries


async def delivered(deliveries: list[Delivery]) -> None:
    """Wait until Kafka acknowledged every send of the batch, before its offsets are acked."""
    if deliveries:
        try:
            await asyncio.wait_for(asyncio.gather(*deliveries), DELIVERY_TIMEOUT_S)
        except TimeoutError as exc:
            raise RuntimeError(
                f"{len(deliveries)} sends not acknowledged in {DELIVERY_TIMEOUT_S}s; "
                "the batch stays unacked and is read again"
            ) from exc


def record_metrics(result: BatchResult, batch_size: int) -> None:
    """Turn the batch's own counters into Prometheus samples, a few calls per batch."""
    stats = result.stats
    metrics.BATCH_SIZE.observe(batch_size)
    for outcome, count in stats.listings.items():
        metrics.LISTINGS_PROCESSED.labels(outcome).inc(count)
    for (brand, severity), count in stats.candidates.items():
        metrics.CANDIDATES.labels(brand, severity).inc(count)
    for (rule_id, mode), count in stats.rule_hits.items():
        metrics.RULE_HITS.labels(rule_id, mode).inc(count)
    for (reason, topic), count in stats.dead_letters.items():
        metrics.DEAD_LETTERS.labels(reason, topic).inc(count)
    for outcome, count in stats.outcomes.items():
        metrics.OUTCOMES.labels(outcome).inc(count)
    for brand, count in stats.exemptions.items():
        metrics.EXEMPTIONS_USED.labels(brand).inc(count)
    for seconds in stats.latencies_s:
        metrics.DECISION_LATENCY.observe(seconds)
    for seconds in stats.processing_s:
        metrics.PROCESSING_TIME.observe(seconds)
