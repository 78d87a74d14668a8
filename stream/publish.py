"""Apply a batch result to Kafka and Prometheus: sends, table writes, counters."""

from __future__ import annotations

from collections.abc import Sequence

from faust.types import EventT

from detection.batch import BatchResult, encode_state
from stream import metrics
from stream.event_context import writing_as
from stream.tables import Tables
from stream.topics import Topics


def publish(result: BatchResult, topics: Topics) -> None:
    """Queue candidates and dead letters on the producer; flushed before offsets commit."""
    for listing_key, candidate in result.candidates:
        topics.candidates.send_soon(key=listing_key, value=candidate)
    for original_key, letter in result.dead_letters:
        topics.dead_letters.send_soon(key=original_key, value=letter)


def write_state(result: BatchResult, events: Sequence[EventT], tables: Tables) -> None:
    """One table write per key per batch, under the event that key came from."""
    for seller_id, (reputation, index) in result.reputation_writes.items():
        with writing_as(events[index]):
            tables.reputation[seller_id.encode()] = encode_state(reputation.to_dict())
    for listing_id, (memory, index) in result.memory_writes.items():
        with writing_as(events[index]):
            tables.listings[listing_id.encode()] = encode_state(memory.to_dict())


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
