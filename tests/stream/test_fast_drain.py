"""The fast drain: eager delivery, order and once-only per partition, acks, stock fallback.

No broker: the consumer's fetch (`_getmany`) is fed prepared record batches; everything from
there on (drain loop, Faust's conductor, the topic's queue, a stream's take_events and the
consumer's ack bookkeeping) is Faust's real code.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faust
import pytest
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP

from stream.app import build_app
from stream.fast_drain import (
    FastDrainConsumer,
    FastDrainTransport,
    TopicsKnownConsumer,
    TopicsKnownTransport,
    start_eagerly,
    topics_known,
)
from stream.settings import Settings

Record = namedtuple(
    "Record",
    "topic partition offset timestamp timestamp_type headers key value checksum "
    "serialized_key_size serialized_value_size",
)
TOPIC = "listings.test"
P0, P1 = TP(TOPIC, 0), TP(TOPIC, 1)


def record(tp: TP, offset: int) -> Record:
    value = f"{tp.partition}:{offset}".encode()
    return Record(tp.topic, tp.partition, offset, 1_700_000_000_000, 0, [], b"k", value, None, 1,
                  len(value))


def batch(tp: TP, offsets: Iterable[int]) -> dict[TP, list[Record]]:
    return {tp: [record(tp, offset) for offset in offsets]}


class Fetcher:
    """What the drain loop reads of Faust's Fetcher service: its stop flag."""

    def __init__(self) -> None:
        self._stopped = asyncio.Event()


def fast_app(tmp_path: Path) -> faust.App:
    return build_app(Settings(app_id="fast-drain-test", data_dir=tmp_path, fast_drain=True))


def feed(
    consumer: FastDrainConsumer, fetcher: Fetcher, batches: list[dict[TP, list[Record]]]
) -> None:
    """Serve `batches` from the consumer's fetch, then stop the fetcher."""
    pending = list(batches)

    async def getmany(active_partitions: Any, timeout: float) -> dict[TP, list[Record]]:
        if pending:
            return pending.pop(0)
        fetcher._stopped.set()
        return {}

    consumer._getmany = getmany  # type: ignore[method-assign]
    consumer.highwater = lambda tp: 100  # type: ignore[method-assign]
    consumer._active_partitions = {P0, P1}


def values(messages: list[Any], tp: TP) -> list[int]:
    return [message.offset for message in messages if message.tp == tp]


def test_start_eagerly_runs_to_completion_without_a_task() -> None:
    ran: list[str] = []

    async def quick() -> None:
        ran.append("done")

    async def main() -> None:
        tasks_before = len(asyncio.all_tasks())
        assert start_eagerly(quick()) is None
        assert ran == ["done"]
        assert len(asyncio.all_tasks()) == tasks_before

    asyncio.run(main())


def test_start_eagerly_hands_a_suspended_coroutine_to_a_task() -> None:
    async def slow(gate: asyncio.Future[int]) -> int:
        return await gate + 1

    async def failing(gate: asyncio.Future[int]) -> int:
        await gate
        raise ValueError("boom")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        gate = loop.create_future()
        task = start_eagerly(slow(gate))
        assert task is not None and not task.done()
        gate.set_result(41)
        assert await task == 42
        other = loop.create_future()
        failed = start_eagerly(failing(other))
        assert failed is not None
        other.set_result(0)
        with pytest.raises(ValueError, match="boom"):
            await failed

    asyncio.run(main())


def test_start_eagerly_cancellation_reaches_the_coroutine() -> None:
    cleaned: list[bool] = []

    async def waits_forever(gate: asyncio.Future[None]) -> None:
        try:
            await gate
        finally:
            cleaned.append(True)

    async def main() -> None:
        gate = asyncio.get_running_loop().create_future()
        task = start_eagerly(waits_forever(gate))
        assert task is not None
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert cleaned == [True] and gate.cancelled()

    asyncio.run(main())


def test_drain_delivers_every_record_once_in_order_per_partition(tmp_path: Path) -> None:
    delivered: list[Any] = []

    async def deliver(message: Any) -> None:
        if message.offset == 2:  # this one blocks: the slow path must keep the order
            await asyncio.sleep(0.01)
        delivered.append(message)

    async def main() -> None:
        consumer = fast_app(tmp_path).consumer
        assert isinstance(consumer, FastDrainConsumer)
        consumer.callback = deliver
        fetcher = Fetcher()
        feed(consumer, fetcher, [
            {**batch(P0, range(0, 4)), **batch(P1, range(0, 3))},
            {**batch(P0, [1, 2, 4, 5]), **batch(P1, [3])},  # P0 1, 2 fetched again
        ])
        await asyncio.wait_for(consumer._drain_messages(fetcher), 10)

    asyncio.run(main())
    assert values(delivered, P0) == [0, 1, 2, 3, 4, 5]
    assert values(delivered, P1) == [0, 1, 2, 3]


def test_drain_stops_delivering_when_the_flow_is_suspended(tmp_path: Path) -> None:
    delivered: list[Any] = []

    async def main() -> FastDrainConsumer:
        consumer = fast_app(tmp_path).consumer

        async def deliver(message: Any) -> None:
            delivered.append(message)
            if message.offset == 1:
                consumer.stop_flow()  # a rebalance starts mid-batch

        consumer.callback = deliver
        fetcher = Fetcher()
        feed(consumer, fetcher, [batch(P0, range(0, 5))])
        consumer._wait_next_records = _once_then_stop(consumer, fetcher)  # type: ignore[method-assign]
        await asyncio.wait_for(consumer._drain_messages(fetcher), 10)
        return consumer

    consumer = asyncio.run(main())
    assert values(delivered, P0) == [0, 1]
    assert consumer._read_offset[P0] == 1


def _once_then_stop(consumer: FastDrainConsumer, fetcher: Fetcher) -> Any:
    """Serve one batch regardless of flow state, then stop (Faust would block on resume)."""
    served = False

    async def wait_next_records(timeout: float) -> tuple[Any, Any]:
        nonlocal served
        if served:
            fetcher._stopped.set()
            return None, {P0, P1}
        served = True
        return await consumer._getmany({P0, P1}, timeout), {P0, P1}

    return wait_next_records


def test_streams_ack_only_what_the_agent_processed(tmp_path: Path) -> None:
    """Through Faust's conductor, queue and take_events: committable offsets follow the acks."""
    processed: list[list[bytes]] = []

    async def main() -> dict[TP, int | None]:
        app = fast_app(tmp_path)
        consumer = app.consumer
        topic = app.topic(TOPIC, partitions=2, key_type=bytes, value_type=bytes,
                          key_serializer="raw", value_serializer="raw")
        fetcher = Fetcher()
        feed(consumer, fetcher, [{**batch(P0, range(0, 5)), **batch(P1, range(0, 2))}])
        app.flow_control.resume()
        stream = app.stream(topic)
        batches = stream.take_events(4, within=0.05)
        taking = asyncio.ensure_future(batches.__anext__())
        await asyncio.sleep(0)  # the stream subscribes its topic to the conductor
        await app.topics._update_indices()
        await app.topics.on_partitions_assigned({P0, P1})
        await consumer._drain_messages(fetcher)
        events = await asyncio.wait_for(taking, 5)
        processed.append([event.value for event in events])
        # the first batch is being processed: nothing is acked, nothing can be committed
        assert consumer._new_offset(P0) is None and consumer._new_offset(P1) is None
        events = await asyncio.wait_for(batches.__anext__(), 5)  # acks the first batch
        processed.append([event.value for event in events])
        committable = {tp: consumer._new_offset(tp) for tp in (P0, P1)}
        await batches.aclose()
        await stream.stop()
        return committable

    committable = asyncio.run(main())
    # Faust's scheduler takes partitions round-robin: the first batch of 4 holds P0 0-1, P1 0-1
    assert processed == [[b"0:0", b"1:0", b"0:1", b"1:1"], [b"0:2", b"0:3", b"0:4"]]
    # after the first batch only (the second is being processed), offsets 2 and 2 commit
    assert committable == {P0: 2, P1: 2}


def test_fast_drain_false_selects_stock_drain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LG_FAST_DRAIN", "false")
    app = build_app(Settings(data_dir=tmp_path))
    assert type(app.transport) is TopicsKnownTransport
    assert type(app.consumer) is TopicsKnownConsumer
    # stock Faust's drain loop, only the start-up wait added
    assert TopicsKnownConsumer._drain_messages is aiokafka_driver.Consumer._drain_messages
    monkeypatch.setenv("LG_FAST_DRAIN", "true")
    fast = build_app(Settings(data_dir=tmp_path))
    assert type(fast.transport) is FastDrainTransport
    assert type(fast.consumer) is FastDrainConsumer


def test_topics_known_needs_partitions_for_every_topic() -> None:
    class Cluster:
        def partitions_for_topic(self, name: str) -> set[int] | None:
            return {0, 1} if name == "listings" else None

    assert topics_known(Cluster(), ["listings"])
    assert not topics_known(Cluster(), ["listings", "app-listing-memory-changelog"])
