"""Worker health metrics Faust does not export: lag, assignment, rebalances, table sizes."""

from __future__ import annotations

import time
from typing import Any

import faust

from stream import metrics
from stream.settings import Settings
from stream.tables import LISTING_MEMORY_TABLE, REPUTATION_TABLE, Tables

LAG_INTERVAL_S = 5.0


def register_observers(app: faust.App, settings: Settings, tables: Tables) -> None:
    """Signal handlers for rebalances and a timer exporting lag and table sizes."""
    inputs = {settings.topic_listings, settings.topic_outcomes}
    rebalance_started: list[float] = []
    exported: set[tuple[str, int]] = set()

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # stubs omit positionals
    async def on_revoked(sender: Any, revoked: set, **_: Any) -> None:
        rebalance_started[:] = [time.monotonic()]
        metrics.REBALANCES.inc()

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def on_assigned(sender: Any, assigned: set, **_: Any) -> None:
        for topic in inputs:
            count = sum(1 for tp in assigned if tp.topic == topic)
            metrics.ASSIGNED_PARTITIONS.labels(topic).set(count)
        owned = {(tp.topic, tp.partition) for tp in assigned}
        for topic, partition in exported - owned:
            metrics.CONSUMER_LAG.remove(topic, str(partition))
        exported.intersection_update(owned)

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def on_complete(sender: Any, **_: Any) -> None:
        if rebalance_started:
            metrics.CHANGELOG_RECOVERY.set(time.monotonic() - rebalance_started[0])

    @app.timer(interval=LAG_INTERVAL_S)
    async def export_lag() -> None:
        """Log end offset minus committed offset for every input partition this worker owns."""
        # Off the hot path: len() of a RocksDB-backed table walks its keys.
        metrics.TABLE_KEYS.labels(REPUTATION_TABLE).set(len(tables.reputation))
        metrics.TABLE_KEYS.labels(LISTING_MEMORY_TABLE).set(len(tables.listings))
        consumer = app.consumer
        owned = [tp for tp in consumer.assignment() if tp.topic in inputs]
        if not owned:
            return
        ends = await consumer.highwaters(*owned)
        for tp in owned:
            # Faust keeps the last offset it committed (the next to read) per partition.
            committed = consumer._committed_offset.get(tp) or 0  # type: ignore[attr-defined]
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
                max(0, (ends.get(tp) or 0) - committed)
            )
            exported.add((tp.topic, tp.partition))
