"""Group health metrics Faust does not export: lag per partition, assignment, rebalances."""

from __future__ import annotations

import time
from typing import Any

import faust

from stream import metrics
from stream.settings import Settings

LAG_INTERVAL_S = 5.0


def register_observers(app: faust.App, settings: Settings) -> None:
    """Signal handlers for rebalances and a timer exporting consumer lag."""
    inputs = {settings.topic_listings, settings.topic_outcomes}
    rebalance_started: list[float] = []

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # stubs omit positionals
    async def on_revoked(sender: Any, revoked: set, **_: Any) -> None:
        rebalance_started[:] = [time.monotonic()]
        metrics.REBALANCES.inc()

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def on_assigned(sender: Any, assigned: set, **_: Any) -> None:
        for topic in inputs:
            count = sum(1 for tp in assigned if tp.topic == topic)
            metrics.ASSIGNED_PARTITIONS.labels(topic).set(count)
        for topic, partition in list(_exported):
            if (topic, partition) not in {(tp.topic, tp.partition) for tp in assigned}:
                metrics.CONSUMER_LAG.remove(topic, str(partition))
                _exported.discard((topic, partition))

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def on_complete(sender: Any, **_: Any) -> None:
        if rebalance_started:
            metrics.CHANGELOG_RECOVERY.set(time.monotonic() - rebalance_started[0])

    _exported: set[tuple[str, int]] = set()

    @app.timer(interval=LAG_INTERVAL_S)
    async def export_lag() -> None:
        """Log end offset minus committed offset for every input partition this worker owns."""
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
            _exported.add((tp.topic, tp.partition))
