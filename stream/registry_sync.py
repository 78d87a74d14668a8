"""Follow the compacted brand registry topic on every worker and swap in a rebuilt detector.

A plain aiokafka consumer with no group, not a Faust GlobalTable: every worker must read every
partition whatever the group's assignment, the topic belongs to the brand team (a table would
write to it and declare it), and an invalid record must go to the dead letters, not into state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import faust
import mode
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faust.transport.drivers.aiokafka import server_list

from detection.detector import Detector
from detection.engine import Engine
from detection.registry_merge import apply_brand_updates, parse_brand_record
from schemas.dead_letter import DeadLetterError, dead_letter_for
from schemas.registry import Brand, BrandRegistry
from stream import metrics
from stream.settings import Settings

logger = logging.getLogger("listing_guard.registry")

REBUILD_INTERVAL_S = 1.0
POLL_TIMEOUT_MS = 500
CATCH_UP_TIMEOUT_S = 60.0
MISSING_TOPIC_RETRY_S = 5.0
DEFAULT_KAFKA_PORT = 9092

DetectorFactory = Callable[[BrandRegistry], Detector]


class RecordSink(Protocol):
    """Where dead letters go: the worker's dead-letter topic (a Faust topic)."""

    async def send(self, *, key: bytes | None = None, value: bytes | None = None) -> Any: ...


class RegistryFollower(mode.Service):
    """Reads the registry topic from the start, then follows it; rebuilds at most once a second."""

    def __init__(
        self,
        *,
        bootstrap_servers: list[str],
        topic: str,
        base: BrandRegistry,
        build: DetectorFactory,
        engine: Engine,
        dead_letters: RecordSink,
        client_id: str,
    ) -> None:
        super().__init__()
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.base = base
        self.build = build
        self.engine = engine
        self.dead_letters = dead_letters
        self.client_id = client_id
        self.updates: dict[str, Brand | None] = {}
        self.dirty = False
        self._last_rebuild = float("-inf")
        self._consumer: AIOKafkaConsumer | None = None

    async def on_start(self) -> None:
        """Catch up before the app's consumer starts, so no listing sees a stale registry."""
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await self._consumer.start()
        if await self._subscribe_if_present():
            await self._catch_up()
        else:
            logger.warning("registry topic %s not found yet: using the registry file", self.topic)

    async def _subscribe_if_present(self) -> bool:
        """No group: aiokafka then assigns every partition to this consumer, new ones too."""
        assert self._consumer is not None
        if self.topic not in await self._consumer.topics():
            return False
        self._consumer.subscribe([self.topic])
        return True

    async def on_stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def _catch_up(self) -> None:
        """Read to the end offsets seen now (bounded in time), then build the merged registry."""
        assert self._consumer is not None
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
        while not self._consumer.assignment() and time.monotonic() < deadline:
            await asyncio.sleep(POLL_TIMEOUT_MS / 1000 / 10)
        ends = await self._consumer.end_offsets(list(self._consumer.assignment()))
        while await self._behind(ends):
            if time.monotonic() > deadline:
                logger.warning(
                    "registry topic %s not read to its end in %.0fs: following on",
                    self.topic,
                    CATCH_UP_TIMEOUT_S,
                )
                break
            await self._read()
        if self.dirty:
            await self.rebuild()

    async def _behind(self, ends: dict[TopicPartition, int]) -> bool:
        assert self._consumer is not None
        for partition, end in ends.items():
            if await self._consumer.position(partition) < end:
                return True
        return False

    @mode.Service.task
    async def _follow(self) -> None:
        while not self.should_stop:
            assert self._consumer is not None
            if not self._consumer.subscription() and not await self._subscribe_if_present():
                await self.sleep(MISSING_TOPIC_RETRY_S)
                continue
            await self._read()
            if self.dirty and time.monotonic() - self._last_rebuild >= REBUILD_INTERVAL_S:
                await self.rebuild()

    async def _read(self) -> None:
        assert self._consumer is not None
        batches = await self._consumer.getmany(timeout_ms=POLL_TIMEOUT_MS)
        for records in batches.values():
            for record in records:
                await self.handle(record)

    async def handle(self, record: ConsumerRecord) -> None:
        """Remember the latest valid brand (or tombstone) per id; dead-letter anything invalid."""
        parsed = parse_brand_record(record.key, record.value)
        if isinstance(parsed, DeadLetterError):
            metrics.REGISTRY_UPDATES.labels("rejected").inc()
            metrics.DEAD_LETTERS.labels(parsed.reason, record.topic).inc()
            letter = dead_letter_for(
                record.value or b"",
                record.key,
                parsed,
                record.topic,
                record.partition,
                record.offset,
                datetime.now(UTC),
            )
            logger.warning(
                "registry record %s@%d rejected: %s", record.key, record.offset, parsed.message
            )
            await self.dead_letters.send(key=record.key, value=letter.model_dump_json().encode())
            return
        self.updates[parsed.brand_id] = parsed.brand
        metrics.REGISTRY_UPDATES.labels("deleted" if parsed.brand is None else "applied").inc()
        self.dirty = True

    async def rebuild(self) -> None:
        """Compile the merged registry in a thread, then swap the engine's detector in one store."""
        registry = apply_brand_updates(self.base, self.updates)
        self.dirty = False
        self._last_rebuild = time.monotonic()
        try:
            detector = await asyncio.to_thread(self.build, registry)
        except Exception:
            logger.exception(
                "registry from %s not compiled: keeping the detector in use", self.topic
            )
            return
        self.engine.detector = detector
        metrics.REGISTRY_BRANDS.set(len(detector.brand_ids))
        logger.info(
            "registry in use: %d brands (%d from %s)",
            len(detector.brand_ids),
            len(self.updates),
            self.topic,
        )


def follow_registry(
    app: faust.App, settings: Settings, engine: Engine, dead_letters: RecordSink
) -> RegistryFollower:
    """Start the follower with the app, ahead of the consumer; the engine's detector is the base."""
    base = engine.detector

    def build(registry: BrandRegistry) -> Detector:
        return Detector(registry, base.ruleset, settings.threshold, vocabulary=base.vocabulary)

    follower = RegistryFollower(
        bootstrap_servers=server_list(app.conf.broker, DEFAULT_KAFKA_PORT),
        topic=settings.topic_registry,
        base=base.registry,
        build=build,
        engine=engine,
        dead_letters=dead_letters,
        client_id=f"{settings.app_id}-registry",
    )
    app.add_dependency(follower)
    return follower
