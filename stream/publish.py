"""Apply a batch result to Kafka and Prometheus: sends, table writes, counters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

from faust.types import EventT, ProducerT, TableT

from detection.batch import BatchResult, encode_state
from stream import metrics
from stream.event_context import writing_as
from stream.tables import Tables
from stream.topics import Topics

DELIVERY_TIMEOUT_S = 60.0


Delivery = Awaitable[Any]


async def publish(result: BatchResult, topics: Topics, producer: ProducerT) -> list[Delivery]:
    """Hand candidates and dead letters to the Kafka producer; returns delivery futures.

    Straight to the producer rather than Faust's `send_soon` buffer: that buffer's flush gives
    up after 100 ms without progress (`ProducerBuffer.flush_atmost`), and we saw it stall for
    good after a rebalance, so its futures never resolved.
    """
    deliveries = [
        await producer.send(topics.candidates.get_topic_name(), key, value, None, None, None)
        for key, value in result.candidates
    ]
    for key, value in result.dead_letters:
        deliveries.append(
            await producer.send(topics.dead_letters.get_topic_name(), key, value, None, None, None)
        )
    return deliveries


async def _write(
    producer: ProducerT, table: TableT, event: EventT, key: bytes, value: bytes
) -> Delivery:
    """What `table[key] = value` does (store, then changelog), keeping the delivery future."""
    with writing_as(event):
        table.data[key] = value
    changelog = table.changelog_topic.get_topic_name()
    return await producer.send(changelog, key, value, event.message.partition, None, None)


async def write_state(
    result: BatchResult, events: Sequence[EventT], tables: Tables, producer: ProducerT
) -> list[Delivery]:
    """One table write per key per batch, in the partition of the event that key came from."""
    deliveries = []
    for seller_id, (reputation, index) in result.reputation_writes.items():
        value = encode_state(reputation.to_dict())
        deliveries.append(
            await _write(producer, tables.reputation, events[index], seller_id.encode(), value)
        )
    for listing_id, (memory, index) in result.memory_writes.items():
        value = encode_state(memory.to_dict())
        deliveries.append(
            await _write(producer, tables.listings, events[index], listing_id.encode(), value)
        )
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
