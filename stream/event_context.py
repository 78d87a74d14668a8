"""Route table writes of a batch to the partition of the event they belong to."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from faust.streams import _current_event
from faust.types import EventT


@contextmanager
def writing_as(event: EventT) -> Iterator[None]:
    """Make `event` Faust's current event while writing tables.

    Faust picks the changelog partition (and the RocksDB partition store) from the current
    event. A batch from `take_events` mixes partitions, and the current event is only the
    last one buffered; writing each key under its own event keeps state co-partitioned.
    """
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)
