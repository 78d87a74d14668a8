"""The seek at the end of a rebalance's recovery loses no record delivered around it (issue #5).

No broker: the consumer's fetch (`_getmany`) and its seek to the committed offsets are a fake
partition log with a read position; the drain loop, Faust's flow control and the stream queue
it clears on resume are Faust's real code, driven in the order `faust.tables.recovery` uses:
flow resumed, input partitions resumed, `await perform_seek()`, `flow_control.resume()`
(clears the queues), `resume_flow()`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from faust.types import TP

from stream.app import build_app
from stream.consumer import SeekSafeConsumer
from stream.settings import Settings
from tests.stream.test_fast_drain import Fetcher, record

P0 = TP("listings.test", 0)
LOG_END = 10
SEEK_ROUND_TRIP_S = 0.05


class PartitionLog:
    """Offsets 0..LOG_END-1 of one partition, fetched three at a time from a position."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.position = LOG_END  # the recovery seeks back to the committed offset, 0
        self.done = False

    async def getmany(self, active_partitions: Any, timeout: float) -> dict[TP, list[Any]]:
        await asyncio.sleep(0.001)
        if self.position >= LOG_END:
            if self.done:
                self.fetcher._stopped.set()
            return {}
        offsets = range(self.position, min(self.position + 3, LOG_END))
        self.position = offsets[-1] + 1
        return {P0: [record(P0, offset) for offset in offsets]}

    async def seek_to_committed(self) -> dict[TP, int]:
        # The consumer thread moves the position at once; the answer reaches the event loop
        # later (a busy machine took ~100 ms), and records fetched meanwhile are delivered.
        self.position = 0
        await asyncio.sleep(SEEK_ROUND_TRIP_S)
        return {P0: 0}


@pytest.mark.parametrize("fast_drain", [False, True])
def test_records_delivered_during_the_recovery_seek_are_read_again(
    tmp_path: Path, fast_drain: bool
) -> None:
    async def main() -> list[int]:
        app = build_app(Settings(app_id="seek-test", data_dir=tmp_path, fast_drain=fast_drain))
        consumer = app.consumer
        assert isinstance(consumer, SeekSafeConsumer)
        fetcher = Fetcher()
        log = PartitionLog(fetcher)
        consumer._getmany = log.getmany  # type: ignore[method-assign]
        consumer.seek_to_committed = log.seek_to_committed  # type: ignore[method-assign]
        consumer.highwater = lambda tp: LOG_END  # type: ignore[method-assign]
        queue = app.FlowControlQueue(maxsize=100, clear_on_resume=True)  # a stream's queue

        async def deliver(message: Any) -> None:
            await queue.put(message)

        consumer.callback = deliver
        consumer._active_partitions = set()
        # recovery: flow resumed to read the changelogs, then the input partitions resumed
        app.flow_control.resume()
        consumer.resume_flow()
        draining = asyncio.ensure_future(consumer._drain_messages(fetcher))
        consumer.resume_partitions({P0})
        await consumer.perform_seek()
        app.flow_control.resume()  # clears every stream queue
        consumer.resume_flow()
        log.done = True
        await asyncio.wait_for(draining, 10)
        return [queue.get_nowait().offset for _ in range(queue.qsize())]

    assert asyncio.run(main()) == list(range(LOG_END))
