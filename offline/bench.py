"""`make bench`: the worker against a raw aiokafka passthrough, same broker, same events.

Prints events/s of each and, last, `ratio=<processor/passthrough> processor_eps=.. passthrough_eps=..`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from offline.generate import generate
from stream.local import REPO, TopicSet, WorkerProcess, produce, scrape

BENCH_KAFKA_PORT = int(os.environ.get("LG_BENCH_KAFKA_PORT", "39192"))


def kafka(command: str, data_dir: Path) -> None:
    env = {**os.environ, "KAFKA_PORT": str(BENCH_KAFKA_PORT), "KAFKA_DATA_DIR": str(data_dir)}
    subprocess.run(["bash", str(REPO / "deploy" / "kafka.sh"), command], env=env, check=True)


def preload(bootstrap: str, topics: TopicSet, count: int) -> int:
    """N generated listing events (outcomes left out: they go to their own topic)."""
    records = (
        (record.key.encode(), orjson.dumps(record.document))
        for record in generate(count, seed=11, with_outcomes=False)
    )
    return produce(bootstrap, topics.listings, records)


async def passthrough(bootstrap: str, source: str, sink: str, count: int) -> float:
    """Consume, decode with orjson, produce each event: the floor any processor pays."""
    consumer = AIOKafkaConsumer(
        source, bootstrap_servers=bootstrap, group_id=f"bench-pass-{time.time_ns()}",
        auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=2000,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await consumer.start()
    await producer.start()
    seen, started = 0, None
    try:
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
            if started is None and batches:
                started = time.perf_counter()
            for records in batches.values():
                for record in records:
                    document = orjson.loads(record.value)
                    await producer.send(sink, orjson.dumps(document), key=record.key)
                seen += len(records)
            if batches:
                await consumer.commit()
        await producer.flush()
        elapsed = time.perf_counter() - (started or time.perf_counter())
    finally:
        await producer.stop()
        await consumer.stop()
    return count / elapsed


def worker_rate(bootstrap: str, topics: TopicSet, count: int, log: Path) -> float:
    """Events/s of the real worker, from its first decision to its last, read off /metrics."""
    worker = WorkerProcess({**topics.worker_env(bootstrap), "LG_LOG_LEVEL": "WARNING"}, log).start()
    try:
        first_at, first_count, done = None, 0.0, 0.0
        deadline = time.monotonic() + 600
        while done < count and time.monotonic() < deadline:
            samples = scrape(worker.metrics_port)
            done = sum(
                value for (name, _), value in samples.items()
                if name == "listing_guard_listings_processed_total"
            )
            if first_at is None and done > 0:
                first_at, first_count = time.perf_counter(), done
            time.sleep(0.05)
        if done < count:
            raise RuntimeError(f"worker processed {done:.0f}/{count} in time: {worker.log()}")
        return (done - first_count) / (time.perf_counter() - first_at)
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lg-bench-") as scratch:
        data_dir = Path(scratch) / "kafka"
        kafka("start", data_dir)
        try:
            bootstrap = f"127.0.0.1:{BENCH_KAFKA_PORT}"
            topics = TopicSet(partitions=args.partitions)
            topics.create(bootstrap)
            count = preload(bootstrap, topics, args.events)
            print(f"preloaded {count} listing events on {topics.listings} ({args.partitions} partitions)")
            passthrough_eps = asyncio.run(
                passthrough(bootstrap, topics.listings, topics.dead_letters, count)
            )
            print(f"passthrough (aiokafka consume-decode-produce): {passthrough_eps:,.0f} events/s")
            processor_eps = worker_rate(bootstrap, topics, count, Path(scratch) / "worker.log")
            print(f"processor (listing-guard worker, default registry): {processor_eps:,.0f} events/s")
            print(
                f"ratio={processor_eps / passthrough_eps:.3f} processor_eps={processor_eps:.0f} "
                f"passthrough_eps={passthrough_eps:.0f}"
            )
        finally:
            kafka("stop", data_dir)


if __name__ == "__main__":
    main()
