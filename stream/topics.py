"""Topic handles. Partition counts are explicit so tables stay co-partitioned with sources."""

from __future__ import annotations

from dataclasses import dataclass

import faust
from faust.types import TopicT

from stream.settings import Settings


@dataclass(frozen=True)
class Topics:
    """All topics the worker reads or writes, as raw-bytes Faust topics."""

    listings: TopicT
    outcomes: TopicT
    candidates: TopicT
    dead_letters: TopicT


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    """Raw bytes in and out: we validate ourselves so invalid input reaches the dead letters."""

    def raw(name: str) -> TopicT:
        return app.topic(
            name,
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )

    return Topics(
        listings=raw(settings.topic_listings),
        outcomes=raw(settings.topic_outcomes),
        candidates=raw(settings.topic_candidates),
        dead_letters=raw(settings.topic_dead_letters),
    )
