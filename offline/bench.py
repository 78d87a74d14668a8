"""`make bench`: the worker beside three baselines, same broker, same pre-loaded events.

One local broker (deploy/kafka.sh, port LG_BENCH_KAFKA_PORT or 39192) gets N generated listing
events (default 100,000, ~510 bytes). Every run drains them from offset 0 with a fresh group:
  (a) raw aiokafka getmany loop, orjson decode only;
  (b) raw aiokafka passthrough, decode and produce each event;
  (c) an empty Faust agent (`async for _ in stream`) built by stream.app.build_app with the
      project's settings and stock Faust's drain (LG_FAST_DRAIN=false), in its own process;
  (d) the full worker (`listing-guard worker`: default registry, ruleset, reputation, fast
      drain as configured), events/s read off its /metrics from first to last decision.
Each baseline runs twice, interleaved (a b c d a b c d); the best of the two counts, since
noise on a shared machine only ever slows a run down. Also printed, for the profile: the
pure detection core in this process (BatchProcessor over the same events, dict state), and
with --with-fast-empty the empty agent on the fast drain. Then a short fixed-load latency
run (offline.bench_latency, default 2,000 events/s for 20 s) on fresh topics. Last line:
`ratio=<d/b> processor_eps=<d> passthrough_eps=<b> faust_empty_eps=<c> p99_ms=<latency>`.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import faust
import mode.loop
import orjson
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from offline.bench_latency import measure_latency, processed
from offline.generate import generate
from stream.local import REPO, TopicSet, WorkerProcess, free_port, produce

BENCH_KAFKA_PORT = int(os.environ.get("LG_BENCH_KAFKA_PORT", "39192"))
SCRAPE_EVERY_S = 0.25  # /metrics costs the worker CPU; a quarter second is accurate enough
CORE_SAMPLE = 20_000


def kafka(command: str, data_dir: Path, port: int = BENCH_KAFKA_PORT) -> None:
    env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_DATA_DIR": str(data_dir)}
    subprocess.run(["bash", str(REPO / "deploy" / "kafka.sh"), command], env=env, check=True)


def generated(count: int) -> list[tuple[bytes, bytes]]:
    """N generated listing events (outcomes left out: they go to their own topic)."""
    return [
        (record.key.encode(), orjson.dumps(record.document))
        for record in generate(count, seed=11, with_outcomes=False)
    ]


def new_consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=2000,
    )


async def drain_rate(
    consumer: AIOKafkaConsumer,
    count: int,
    on_record: Callable[[ConsumerRecord], Awaitable[None] | None],
    commit: bool,
    finish: Callable[[], Awaitable[None]] | None = None,
) -> float:
    """Events/s from the first fetched batch until `count` records were handled (and `finish`)."""
    seen, started = 0, 0.0
    while seen < count:
        batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
        if not started and batches:
            started = time.perf_counter()
        for records in batches.values():
            for record in records:
                pending = on_record(record)
                if pending is not None:
                    await pending
            seen += len(records)
        if commit and batches:
            await consumer.commit()
    if finish is not None:
        await finish()
    return count / (time.perf_counter() - started)


async def raw_drain(bootstrap: str, source: str, count: int) -> float:
    """Consume and decode with orjson: the floor of reading the events at all."""
    consumer = new_consumer(bootstrap, source)
    await consumer.start()

    def decode(record: ConsumerRecord) -> None:
        orjson.loads(record.value)

    try:
        return await drain_rate(consumer, count, decode, False)
    finally:
        await consumer.stop()


async def passthrough(bootstrap: str, source: str, sink: str, count: int) -> float:
    """Consume, decode with orjson, produce each event: the floor any processor pays."""
    consumer = new_consumer(bootstrap, source)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await consumer.start()
    await producer.start()

    async def forward(record: ConsumerRecord) -> None:
        await producer.send(sink, orjson.dumps(orjson.loads(record.value)), key=record.key)

    try:
        return await drain_rate(consumer, count, forward, True, producer.flush)
    finally:
        await producer.stop()
        await consumer.stop()


def run_empty_agent(count: int) -> None:
    """Child process of (c): an agent doing nothing per event; prints `rate=<events/s>`."""
    from stream.app import build_app
    from stream.settings import Settings
    from stream.topics import declare_topics

    settings = Settings()
    app = build_app(settings)
    listings = declare_topics(app, settings).listings
    seen, started = 0, 0.0

    @app.agent(listings, name="empty", concurrency=1)
    async def empty(stream: faust.StreamT) -> None:
        nonlocal seen, started
        async for _ in stream:
            if not seen:
                started = time.perf_counter()
            seen += 1
            if seen == count:
                print(f"rate={(count - 1) / (time.perf_counter() - started):.1f}", flush=True)
                os.kill(os.getpid(), signal.SIGTERM)

    mode.loop.use("uvloop")
    faust.Worker(app, loglevel="WARNING", redirect_stdouts=False).execute_from_commandline()


def faust_empty_rate(
    bootstrap: str, topics: TopicSet, count: int, fast_drain: bool, log: Path
) -> float:
    """Events/s of `run_empty_agent` in its own process, as the worker runs."""
    env = {
        **os.environ,
        **topics.worker_env(bootstrap),
        "LG_APP_ID": f"bench-empty-{uuid.uuid4().hex[:8]}",
        "LG_WEB_PORT": str(free_port()),
        "LG_DATA_DIR": str(log.parent / f"empty-{uuid.uuid4().hex[:8]}"),
        "LG_FAST_DRAIN": "true" if fast_drain else "false",
        "LG_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "offline.bench", "--empty-agent-child", str(count)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(b"rate="):
                return float(line.split(b"=", 1)[1])
        raise RuntimeError(f"empty agent exited {child.wait()}: {log.read_text()[-3000:]}")
    finally:
        if child.poll() is None:
            child.terminate()
        child.wait(timeout=60)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class GroupRun:
    """Events/s of a consumer group of workers, and the CPU each process used meanwhile."""

    events_per_s: float
    cpu_share: list[float]  # per worker, cores busy (1.0 = one core) from first to last decision
    broker_cpu_share: float | None  # when the broker's pid was given


def group_rate(
    bootstrap: str, topics: TopicSet, count: int, log: Path, workers: int = 1,
    broker_pid: int | None = None,
) -> GroupRun:
    """The real workers (one group), from the first decision to the last, read off /metrics."""
    app_id = f"bench-worker-{uuid.uuid4().hex[:8]}"
    topics.create_changelogs(bootstrap, app_id)
    env = {**topics.worker_env(bootstrap), "LG_APP_ID": app_id, "LG_LOG_LEVEL": "WARNING"}
    started = [WorkerProcess(env, log).start() for _ in range(workers)]
    pids = [worker.process.pid for worker in started if worker.process is not None]
    measured = [*pids, *([broker_pid] if broker_pid else [])]
    try:
        first_at, first_count, done = 0.0, 0.0, 0.0
        cpu_before: list[float] = []
        deadline = time.monotonic() + 900
        while done < count and time.monotonic() < deadline:
            done = sum(processed(worker.metrics_port) for worker in started)
            if not first_at and done > 0:
                first_at, first_count = time.perf_counter(), done
                cpu_before = [cpu_seconds(pid) for pid in measured]
            if done < count:
                time.sleep(SCRAPE_EVERY_S)
        if done < count:
            raise RuntimeError(f"workers processed {done:.0f}/{count} in time: {started[0].log()}")
        elapsed = time.perf_counter() - first_at
        shares = [
            (cpu_seconds(pid) - before) / elapsed
            for pid, before in zip(measured, cpu_before, strict=True)
        ]
        broker_share = shares.pop() if broker_pid else None
        return GroupRun((done - first_count) / elapsed, shares, broker_share)
    finally:
        for worker in started:
            worker.stop()


def worker_rate(bootstrap: str, topics: TopicSet, count: int, log: Path) -> float:
    """Events/s of one real worker, from its first decision to its last, read off /metrics."""
    return group_rate(bootstrap, topics, count, log).events_per_s


def core_rate(events: list[tuple[bytes, bytes]], batch_size: int = 1000) -> float:
    """The pure core (BatchProcessor, dict state, no Kafka) over the same events, one core."""
    from detection.batch import BatchProcessor, InputRecord
    from detection.engine import Engine
    from detection.loading import load_detector
    from schemas.parse import LISTING_EVENT_TYPES

    processor = BatchProcessor(Engine(load_detector(None, None, None)))
    now_ms = int(time.time() * 1000)
    records = [
        InputRecord("bench", 0, offset, key, value, now_ms)
        for offset, (key, value) in enumerate(events)
    ]
    reputation: dict[str, bytes] = {}
    memory: dict[str, bytes] = {}
    started = time.process_time()
    for start in range(0, len(records), batch_size):
        result = processor.process(
            records[start : start + batch_size], LISTING_EVENT_TYPES, reputation.get, memory.get
        )
        for key, (state, _) in result.reputation_writes.items():
            reputation[key] = orjson.dumps(state.to_dict())
        for key, (memo, _) in result.memory_writes.items():
            memory[key] = orjson.dumps(memo.to_dict())
    return len(records) / (time.process_time() - started)


def best_of(name: str, runs: list[float]) -> float:
    print(f"  {name}: best {max(runs):,.0f} events/s of {', '.join(f'{r:,.0f}' for r in runs)}")
    return max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--latency-rate", type=float, default=2000.0)
    parser.add_argument(
        "--with-fast-empty", action="store_true", help="also run the empty agent on the fast drain"
    )
    parser.add_argument(
        "--scale-out", action="store_true", help="also one worker vs two in one group, with CPU"
    )
    parser.add_argument("--empty-agent-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.empty_agent_child:
        run_empty_agent(args.empty_agent_child)
        return
    with tempfile.TemporaryDirectory(prefix="lg-bench-") as scratch:
        data_dir = Path(scratch) / "kafka"
        kafka("start", data_dir)
        try:
            bootstrap = f"127.0.0.1:{BENCH_KAFKA_PORT}"
            topics = TopicSet(partitions=args.partitions)
            topics.create(bootstrap)
            events = generated(args.events)
            count = produce(bootstrap, topics.listings, events)
            size = sum(len(value) for _, value in events) / len(events)
            print(
                f"preloaded {count} listing events (~{size:.0f} bytes) on {topics.listings} "
                f"({args.partitions} partitions)",
                flush=True,
            )
            log = Path(scratch) / "bench.log"
            baselines: dict[str, Callable[[], float]] = {
                "a raw drain (aiokafka getmany + orjson)": lambda: uvloop.run(
                    raw_drain(bootstrap, topics.listings, count)
                ),
                "b raw passthrough (decode + produce each)": lambda: uvloop.run(
                    passthrough(bootstrap, topics.listings, topics.dead_letters, count)
                ),
                "c empty Faust agent (project settings, stock drain)": lambda: faust_empty_rate(
                    bootstrap, topics, count, False, log
                ),
                "d listing-guard worker": lambda: worker_rate(bootstrap, topics, count, log),
            }
            if args.with_fast_empty:
                baselines["c' empty Faust agent (fast drain)"] = lambda: faust_empty_rate(
                    bootstrap, topics, count, True, log
                )
            rates: dict[str, list[float]] = {name: [] for name in baselines}
            for run in range(1, args.runs + 1):
                for name, measure in baselines.items():
                    rates[name].append(measure())
                    print(f"run {run} {name}: {rates[name][-1]:,.0f} events/s", flush=True)
            core = core_rate(events[:CORE_SAMPLE])
            print(
                f"detection core alone (BatchProcessor, this process, {CORE_SAMPLE:,} events): "
                f"{core:,.0f} events/s = {1e6 / core:.0f} µs/event CPU",
                flush=True,
            )
            best = {name: best_of(name, runs) for name, runs in rates.items()}
            drain_eps, passthrough_eps, empty_eps, processor_eps = list(best.values())[:4]
            print(
                f"worker µs/event {1e6 / processor_eps:.0f}, of which outside the core "
                f"~{1e6 / processor_eps - 1e6 / core:.0f}; raw drain {drain_eps:,.0f} events/s"
            )
            latency_topics = TopicSet(partitions=args.partitions)
            latency_topics.create(bootstrap)
            latency = measure_latency(
                bootstrap,
                latency_topics,
                Path(scratch) / "latency.log",
                args.latency_rate,
                args.latency_seconds,
            )
            print(latency.line(), flush=True)
            if args.scale_out:
                broker = int((data_dir / "kafka.pid").read_text())
                for workers in (1, 2):
                    group = group_rate(bootstrap, topics, count, log, workers, broker)
                    assert group.broker_cpu_share is not None
                    cpu = ", ".join(f"{share:.2f}" for share in group.cpu_share)
                    print(
                        f"scale-out: {workers} worker(s) {group.events_per_s:,.0f} events/s; "
                        f"CPU cores used per worker [{cpu}], broker {group.broker_cpu_share:.2f}",
                        flush=True,
                    )
            print(
                f"ratio={processor_eps / passthrough_eps:.3f} processor_eps={processor_eps:.0f} "
                f"passthrough_eps={passthrough_eps:.0f} faust_empty_eps={empty_eps:.0f} "
                f"p99_ms={latency.p99_ms:.1f}"
            )
        finally:
            kafka("stop", data_dir)


if __name__ == "__main__":
    main()
