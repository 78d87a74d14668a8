"""`python -m offline.bench_latency`: event-to-decision latency at a fixed load; worker memory.

Latency: the worker runs on a local broker (deploy/kafka.sh); generated listing events are
offered at a fixed rate (default 2,000/s for 60 s, paced every 10 ms). Measured exactly per
candidate: the candidate record's timestamp (stamped by the worker's producer when it queues
the candidate, right after the decision) minus the wall time the bench handed the listing
to its producer. Only candidates carry a decision out of the worker, so that is the sample;
the worker's `listing_guard_decision_latency_seconds` histogram (every decided listing,
produce timestamp to batch start) is printed beside it, percentiles interpolated in buckets.

Memory: a fresh worker gets N events (default 1,000,000) as fast as the bench can produce
them; VmRSS of the worker process (/proc/<pid>/status) is printed at the start, every 10%
and at the end, with the table sizes, since in-memory tables hold state that grows by design.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from offline.generate import generate
from stream.local import TopicSet, WorkerProcess, scrape

LATENCY_KAFKA_PORT = int(os.environ.get("LG_BENCH_LATENCY_KAFKA_PORT", "39196"))
TICK_S = 0.01
WARMUP_EVENTS = 500


@dataclass(frozen=True)
class LatencyResult:
    """Percentiles in milliseconds; exact ones from candidates, others from the histogram."""

    offered_eps: float
    sent: int
    candidates: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    histogram_p50_ms: float
    histogram_p99_ms: float

    def line(self) -> str:
        return (
            f"latency at {self.offered_eps:,.0f} events/s offered ({self.sent} sent, "
            f"{self.candidates} candidates): p50={self.p50_ms:.1f} ms p99={self.p99_ms:.1f} ms "
            f"max={self.max_ms:.1f} ms; worker histogram p50~{self.histogram_p50_ms:.1f} ms "
            f"p99~{self.histogram_p99_ms:.1f} ms"
        )


def listing_records(count: int, seed: int) -> Iterator[tuple[bytes, bytes, str]]:
    """(key, value, listing id) of generated listing events."""
    for record in generate(count, seed=seed, with_outcomes=False):
        listing_id = record.document["listing"]["listing_id"]
        yield record.key.encode(), orjson.dumps(record.document), listing_id


def processed(port: int) -> float:
    """Listing events the worker has handled so far, all outcomes."""
    return sum(
        value for (name, _), value in scrape(port).items()
        if name == "listing_guard_listings_processed_total"
    )


def wait_processed(worker: WorkerProcess, count: float, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while processed(worker.metrics_port) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker did not process {count:.0f} events: {worker.log()}")
        time.sleep(0.2)


def histogram_buckets(port: int) -> list[tuple[float, float]]:
    """(upper bound, cumulative count) of the decision latency histogram."""
    buckets = []
    for (name, labels), value in scrape(port).items():
        if name == "listing_guard_decision_latency_seconds_bucket":
            bound = dict(labels)["le"]
            buckets.append((float("inf") if bound == "+Inf" else float(bound), value))
    return sorted(buckets)


def histogram_quantile(before: list[tuple[float, float]], after: list[tuple[float, float]],
                       q: float) -> float:
    """Prometheus-style quantile over the samples added between two scrapes, in seconds."""
    counts = [(bound, end - start) for (bound, end), (_, start) in zip(after, before, strict=True)]
    total = counts[-1][1]
    if total <= 0:
        return float("nan")
    rank, lower, below = q * total, 0.0, 0.0
    for bound, cumulative in counts:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 0.0)
        lower, below = bound, cumulative
    return lower


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def offer(bootstrap: str, topic: str, rate: float, seconds: float,
                records: Iterator[tuple[bytes, bytes, str]]) -> dict[str, float]:
    """Send `rate` events/s for `seconds`, paced per tick; returns listing id -> send time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=1)
    await producer.start()
    sent_at: dict[str, float] = {}
    try:
        started = time.monotonic()
        due = 0.0
        while (elapsed := time.monotonic() - started) < seconds:
            target = int(rate * elapsed)
            while due < target:
                key, value, listing_id = next(records)
                sent_at[listing_id] = time.time()
                await producer.send(topic, value, key=key)
                due += 1
            await asyncio.sleep(TICK_S)
        await producer.flush()
    finally:
        await producer.stop()
    return sent_at


async def candidate_times(bootstrap: str, topic: str, stop: asyncio.Event) -> dict[str, float]:
    """Listing id -> candidate record timestamp (s), read until `stop` and a quiet second."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-latency-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[str, float] = {}
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    seen[orjson.loads(record.value)["listing_id"]] = record.timestamp / 1000
            if stop.is_set() and not batches:
                return seen
    finally:
        await consumer.stop()


async def offered_load(bootstrap: str, topics: TopicSet, rate: float, seconds: float,
                       records: Iterator[tuple[bytes, bytes, str]]) -> tuple[dict, dict]:
    stop = asyncio.Event()
    reader = asyncio.create_task(candidate_times(bootstrap, topics.candidates, stop))
    sent_at = await offer(bootstrap, topics.listings, rate, seconds, records)
    await asyncio.sleep(2.0)  # the last batches drain
    stop.set()
    return sent_at, await reader


def measure_latency(bootstrap: str, topics: TopicSet, log: Path, rate: float = 2000,
                    seconds: float = 60, env: dict[str, str] | None = None) -> LatencyResult:
    """A fresh worker on `topics` (empty), warmed up, then `rate` events/s for `seconds`."""
    worker = WorkerProcess(
        {**topics.worker_env(bootstrap), "LG_LOG_LEVEL": "WARNING", **(env or {})}, log
    ).start()
    try:
        records = listing_records(WARMUP_EVENTS + int(rate * seconds) + 1000, seed=23)
        warmup = [next(records) for _ in range(WARMUP_EVENTS)]
        asyncio.run(produce_fast(bootstrap, topics.listings, iter(warmup)))
        wait_processed(worker, WARMUP_EVENTS, 120)
        before = histogram_buckets(worker.metrics_port)
        sent_at, decided_at = uvloop.run(offered_load(bootstrap, topics, rate, seconds, records))
        after = histogram_buckets(worker.metrics_port)
    finally:
        worker.stop()
    latencies = [
        max(0.0, decided - sent_at[listing_id]) * 1000
        for listing_id, decided in decided_at.items() if listing_id in sent_at
    ]
    return LatencyResult(
        offered_eps=rate, sent=len(sent_at), candidates=len(latencies),
        p50_ms=percentile(latencies, 0.50), p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=float("nan")),
        histogram_p50_ms=histogram_quantile(before, after, 0.50) * 1000,
        histogram_p99_ms=histogram_quantile(before, after, 0.99) * 1000,
    )


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc/<pid>/status VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def produce_fast(
    bootstrap: str, topic: str, records: Iterator[tuple[bytes, bytes, str]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    try:
        for key, value, _ in records:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


def measure_memory(bootstrap: str, topics: TopicSet, log: Path, count: int,
                   env: dict[str, str] | None = None) -> tuple[int, int]:
    """VmRSS (KiB) of a fresh worker after warm-up and after `count` more events."""
    worker = WorkerProcess(
        {**topics.worker_env(bootstrap), "LG_LOG_LEVEL": "WARNING", **(env or {})}, log
    ).start()
    assert worker.process is not None
    pid = worker.process.pid
    try:
        records = listing_records(WARMUP_EVENTS + count, seed=29)
        warmup = [next(records) for _ in range(WARMUP_EVENTS)]
        asyncio.run(produce_fast(bootstrap, topics.listings, iter(warmup)))
        wait_processed(worker, WARMUP_EVENTS, 120)
        start_kib = rss_kib(pid)
        print(f"memory: start VmRSS={start_kib / 1024:.0f} MiB", flush=True)
        feeder = threading.Thread(
            target=lambda: asyncio.run(produce_fast(bootstrap, topics.listings, records)),
            daemon=True,
        )
        feeder.start()
        step, next_report = count // 10, WARMUP_EVENTS + count // 10
        started = time.monotonic()
        while (done := processed(worker.metrics_port)) < WARMUP_EVENTS + count:
            if time.monotonic() - started > 3600:
                raise RuntimeError(f"memory run stalled at {done:.0f}: {worker.log()}")
            if done >= next_report:
                keys = {dict(labels)["table"]: value for (name, labels), value
                        in scrape(worker.metrics_port).items()
                        if name == "listing_guard_table_keys"}
                handled = done - WARMUP_EVENTS
                rate = handled / (time.monotonic() - started)
                print(f"memory: {handled:>9,.0f} events VmRSS={rss_kib(pid) / 1024:.0f} MiB "
                      f"table keys {keys} ({rate:,.0f}/s)",
                      flush=True)
                next_report += step
            time.sleep(1.0)
        feeder.join()
        end_kib = rss_kib(pid)
    finally:
        worker.stop()
    return start_kib, end_kib


def main() -> None:
    from offline.bench import kafka

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=2000, help="offered events/s")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--memory-events", type=int, default=1_000_000,
                        help="0 skips the memory run")
    parser.add_argument("--partitions", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lg-bench-latency-") as scratch:
        data_dir = Path(scratch) / "kafka"
        kafka("start", data_dir, LATENCY_KAFKA_PORT)
        try:
            bootstrap = f"127.0.0.1:{LATENCY_KAFKA_PORT}"
            topics = TopicSet(partitions=args.partitions)
            topics.create(bootstrap)
            result = measure_latency(bootstrap, topics, Path(scratch) / "latency.log",
                                     args.rate, args.seconds)
            print(result.line(), flush=True)
            if args.memory_events:
                memory_topics = TopicSet(partitions=args.partitions)
                memory_topics.create(bootstrap)
                start_kib, end_kib = measure_memory(
                    bootstrap, memory_topics, Path(scratch) / "memory.log", args.memory_events
                )
                print(f"memory over {args.memory_events:,} events: "
                      f"start VmRSS={start_kib / 1024:.0f} MiB "
                      f"end VmRSS={end_kib / 1024:.0f} MiB")
            print(f"p50_ms={result.p50_ms:.1f} p99_ms={result.p99_ms:.1f}")
        finally:
            kafka("stop", data_dir, LATENCY_KAFKA_PORT)


if __name__ == "__main__":
    main()
