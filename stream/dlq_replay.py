"""`listing-guard dlq replay`: re-send dead letters that validate now; keep the rest queued."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata

from schemas.dead_letter import DeadLetter, DeadLetterError, dead_letter_for
from schemas.parse import LISTING_EVENT_TYPES, OUTCOME_EVENT_TYPES, parse_event
from stream.settings import Settings


@dataclass
class ReplayReport:
    """What one replay did."""

    read: int = 0
    replayed: int = 0
    still_failing: int = 0
    unreadable: int = 0


def original_bytes(letter: DeadLetter) -> bytes:
    """The payload exactly as it first arrived."""
    if letter.payload_encoding == "base64":
        return base64.b64decode(letter.payload)
    return letter.payload.encode("utf-8")


def accepted_for(source_topic: str, settings: Settings) -> frozenset[str]:
    """A letter is re-validated as what its source topic carries."""
    return OUTCOME_EVENT_TYPES if source_topic == settings.topic_outcomes else LISTING_EVENT_TYPES


def replay(settings: Settings, bootstrap: str, dry_run: bool = False) -> ReplayReport:
    """Read the DLQ up to its current end (group-tracked), re-send or re-queue each letter."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"{settings.app_id}-dlq-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    report = ReplayReport()
    try:
        partitions = [
            TopicPartition(settings.topic_dead_letters, p)
            for p in sorted(consumer.partitions_for_topic(settings.topic_dead_letters) or [])
        ]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if consumer.position(tp) < ends[tp]}
        while pending:
            for tp, records in consumer.poll(timeout_ms=1000).items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue  # re-queued by this very run: next replay's business
                    _handle(record, settings, producer, report, dry_run)
                if consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        producer.flush()
        if not dry_run:
            consumer.commit({tp: OffsetAndMetadata(ends[tp], "", -1) for tp in partitions})
    finally:
        producer.close()
        consumer.close()
    return report


def _handle(
    record: ConsumerRecord,
    settings: Settings,
    producer: KafkaProducer,
    report: ReplayReport,
    dry_run: bool,
) -> None:
    report.read += 1
    try:
        letter = DeadLetter.model_validate_json(record.value)
    except ValueError:
        report.unreadable += 1
        return
    payload = original_bytes(letter)
    key = None if letter.key is None else letter.key.encode()
    parsed = parse_event(payload, accepted_for(letter.source_topic, settings))
    if isinstance(parsed, DeadLetterError):
        report.still_failing += 1
        if not dry_run:
            renewed = dead_letter_for(
                payload,
                key,
                parsed,
                letter.source_topic,
                letter.source_partition,
                letter.source_offset,
                datetime.now(UTC),
            )
            producer.send(
                settings.topic_dead_letters, key=key, value=renewed.model_dump_json().encode()
            )
        return
    report.replayed += 1
    if not dry_run:
        producer.send(letter.source_topic, key=key, value=payload)


def main_replay(dry_run: bool) -> int:
    """CLI entry: prints what happened."""
    settings = Settings()
    bootstrap = settings.broker.removeprefix("kafka://")
    report = replay(settings, bootstrap, dry_run=dry_run)
    verb = "would re-send" if dry_run else "re-sent"
    print(
        f"read {report.read} dead letters: {verb} {report.replayed}, "
        f"{report.still_failing} still failing (kept), {report.unreadable} unreadable"
    )
    return 0
