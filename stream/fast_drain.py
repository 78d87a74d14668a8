"""Faust's aiokafka consumer with a drain loop that spends no asyncio task per record.

Stock Faust hands every fetched record to the streams with
`await self.wait_first(callback(message), self.suspend_flow.wait())`: four tasks and an
`asyncio.wait` per record (~135 µs), so that a delivery blocked on a full stream buffer or on
flow control can be abandoned when a rebalance suspends the flow. The delivery callback
(Faust's conductor) almost never blocks, so `FastDrainConsumer` runs it eagerly, in the drain
loop's own task, up to its first real suspension; only a delivery that does block is wrapped in
a task and raced against `suspend_flow` exactly as stock Faust does. After each record the loop
yields one turn, which is what Faust's stream iterator needs to take that record. Everything else
(which records are delivered, read offsets, gap tracking, acks, commits, rebalances) is Faust's.

`TopicsKnownConsumer`, the base of both transports the worker uses, fixes a start-up race of
stock Faust: it subscribes only once the broker's metadata lists every topic, new changelogs
included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Generator, Iterable
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as aiokafka_driver
from mode import Service, ServiceT

from stream.consumer import SeekSafeConsumer

TOPICS_KNOWN_ATTEMPTS = 50
TOPICS_KNOWN_RETRY_S = 0.2


class _Resumed(Awaitable[Any]):
    """The rest of a coroutine already stepped once: re-yields what it waits on to the task."""

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        # What `yield from coro` does, started from the point the first step stopped at:
        # the running task sees the very future the coroutine yielded, and its sends, throws
        # and cancellation reach the coroutine unchanged.
        waiting_on = self.waiting_on
        while True:
            try:
                sent = yield waiting_on
            except BaseException as exc:  # thrown in by the task (e.g. cancellation)
                try:
                    waiting_on = self.coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    waiting_on = self.coro.send(sent)
                except StopIteration as stop:
                    return stop.value


async def _finish(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Any:
    return await _Resumed(coro, waiting_on)


def start_eagerly(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any] | None:
    """Run `coro` now, in the caller's task; a task for the remainder only if it suspends.

    Returns None when the coroutine finished without suspending (its result is dropped, its
    exception raised here), else a task completing when the coroutine does.
    """
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coro, waiting_on))


class TopicsKnownConsumer(SeekSafeConsumer):
    """Stock Faust consumer that subscribes only once the broker's metadata lists every topic."""

    async def subscribe(self, topics: Iterable[str]) -> None:
        """Subscribe once the broker's metadata lists every topic (see `topics_known`)."""
        names = set(topics)
        await self._thread.call_thread(self._wait_topics_known, names)
        await super().subscribe(names)

    async def _wait_topics_known(self, names: set[str]) -> None:
        # Runs in the consumer thread. Faust creates the table changelogs just before it
        # subscribes; when the broker's metadata does not list them yet, the group's first
        # assignment leaves them out and, with records already waiting, the first table write
        # fails with PartitionsMismatch ("changelog has 0 partitions") and the agent dies.
        client = self._thread._ensure_consumer()._client
        for _ in range(TOPICS_KNOWN_ATTEMPTS):
            if topics_known(await client.fetch_all_metadata(), names):
                return
            await asyncio.sleep(TOPICS_KNOWN_RETRY_S)
        self.log.warning("Subscribing before the metadata lists all of %r", sorted(names))


class FastDrainConsumer(TopicsKnownConsumer):
    """aiokafka consumer whose `_drain_messages` delivers records without a task per record."""

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # noqa: C901 (mirrors Faust's)
        """Fetch batches and deliver each record in order; same checks as `Consumer.getmany`."""
        callback = self.callback
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set
        read_offset = self._read_offset
        acks_enabled_for = self.app.topics.acks_enabled_for
        to_message = self._to_message
        track_end_offset = self.app.monitor.track_tp_end_offset
        sleep = asyncio.sleep
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                self.diag.set_flag(CONSUMER_FETCHING)
                records, active_partitions = await self._wait_next_records(1.0)
                generation_id = self.app.consumer_generation_id
                if records is None or self.should_stop:
                    continue
                if not self.flow_active:
                    # as Consumer.getmany: records fetched while suspended are re-read later
                    await self.perform_seek()
                    continue
                for tp in records:
                    track_end_offset(tp, self.highwater(tp))
                for tp, record in self.scheduler.iterate(records):
                    if not self.flow_active or self.app.consumer_generation_id != generation_id:
                        break
                    if not (
                        active_partitions is None
                        or tp in active_partitions
                        or tp in self._buffered_partitions
                    ):
                        continue
                    message = to_message(tp, record)
                    offset = message.offset
                    r_offset = read_offset[tp]
                    if r_offset is not None and offset < r_offset:
                        continue  # already delivered (Faust's "DROPPED MESSAGE")
                    if r_offset and offset - r_offset > 1 and acks_enabled_for(message.topic):
                        await self._add_gap(tp, r_offset + 1, offset)
                    if self._commit_every is not None and self._n_acked >= self._commit_every:
                        self._n_acked = 0
                        await self.commit()
                    blocked = start_eagerly(cast(Coroutine[Any, Any, Any], callback(message)))
                    if blocked is not None:
                        await self.wait_first(blocked, self.suspend_flow.wait())
                    read_offset[tp] = offset
                    # One loop turn per record: Faust's stream iterator takes one event per
                    # turn (it awaits sleep(0) each time), so the streams keep pace instead
                    # of their buffers filling and every delivery taking the slow path.
                    await sleep(0)
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)


def topics_known(cluster: Any, names: Iterable[str]) -> bool:
    """True when the cluster metadata has partitions for every topic named."""
    return all(cluster.partitions_for_topic(name) for name in names)


class TopicsKnownTransport(aiokafka_driver.Transport):
    """Faust's aiokafka transport with `TopicsKnownConsumer`: stock drain, no start-up race."""

    Consumer = TopicsKnownConsumer


class FastDrainTransport(aiokafka_driver.Transport):
    """Faust's aiokafka transport with `FastDrainConsumer` as its consumer class."""

    Consumer = FastDrainConsumer
