"""`make profile`: where the worker's time goes per event, sampled by py-spy while it drains.

A local broker gets N generated listing events (as `make bench`); one worker drains them while
`py-spy record --format raw` samples it. Each sample (one stack of one thread) goes to the first
bucket, in BUCKETS order, whose pattern matches any of its frames; the buckets are printed as
µs of sampled CPU per event.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from offline.bench import BENCH_KAFKA_PORT, generated, kafka
from offline.bench_latency import processed
from stream.local import TopicSet, WorkerProcess, produce

SAMPLE_RATE_HZ = 250
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(:\d+)?\)$")
# (bucket, pattern on "file:function"), tried in this order: the first that any frame matches
BUCKETS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("candidate JSON (pydantic dump)", r"model_dump_json"),
        ("pydantic: input validation, candidate models", r"(^|/)schemas/parse\.py|pydantic"),
        ("detection core (detection/)", r"(^|/)detection/"),
        ("state encode + table writes", r"stream/publish\.py:(_queue_changelog|send_state)"),
        ("producer sends (aiokafka)", r"aiokafka/producer|faust/transport/producer|publish\.py"),
        ("consumer fetch (aiokafka, consumer thread)", r"aiokafka/consumer|aiokafka/conn"),
        ("drain loop (fast_drain / Faust consumer)", r"fast_drain\.py|faust/transport/consumer"),
        ("Faust stream, conductor, acks", r"faust/(streams|channels|transport/conductor|events)"),
        ("metrics (prometheus)", r"prometheus_client|stream/metrics\.py|stream/monitor\.py"),
        ("event loop, timers, other", r"."),
    )
)


def bucket_of(frames: list[str]) -> str:
    """The first bucket, in BUCKETS order, whose pattern matches any frame of the stack."""
    for name, pattern in BUCKETS:
        if any(pattern.search(frame) for frame in frames):
            return name
    return BUCKETS[-1][0]


def read_raw(path: Path) -> Counter[str]:
    """py-spy's raw format: `frame;frame;... count` per line, outermost frame first."""
    buckets: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [FRAME.sub(r"\g<file>:\g<function>", frame) for frame in stack.split(";")]
        buckets[bucket_of(frames)] += int(count)
    return buckets


def profile(
    bootstrap: str, topics: TopicSet, count: int, scratch: Path, env: dict[str, str],
    raw_out: Path | None,
) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    worker = WorkerProcess(
        {**topics.worker_env(bootstrap), "LG_LOG_LEVEL": "WARNING", **env},
        scratch / "worker.log",
    ).start()
    raw = scratch / "profile.txt"
    try:
        assert worker.process is not None
        sampler = subprocess.Popen(
            [py_spy, "record", "--format", "raw", "--rate", str(SAMPLE_RATE_HZ), "--nonblocking",
             "--threads", "--pid", str(worker.process.pid), "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started, first, done = 0.0, 0.0, 0.0
        deadline = time.monotonic() + 900
        while done < count and time.monotonic() < deadline:
            done = processed(worker.metrics_port)
            if done and not started:
                started, first = time.perf_counter(), done
            time.sleep(0.25)
        wall_s = time.perf_counter() - started
        sampler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        sampler.wait(timeout=60)
    finally:
        worker.stop()
    if raw_out is not None:
        shutil.copyfile(raw, raw_out)
    buckets = read_raw(raw)
    samples = sum(buckets.values())
    events = done - first
    cpu_us = samples / SAMPLE_RATE_HZ / events * 1e6
    print(f"{events:,.0f} events in {wall_s:.1f} s = {events / wall_s:,.0f} events/s; "
          f"{samples} samples = {cpu_us:.0f} µs of sampled CPU per event (all threads)")
    for name, hits in buckets.most_common():
        print(f"  {hits / samples * cpu_us:6.1f} µs/event  {hits / samples:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the worker")
    parser.add_argument("--raw-out", type=Path, help="keep py-spy's raw stacks in this file")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory(prefix="lg-profile-") as scratch_dir:
        scratch = Path(scratch_dir)
        kafka("start", scratch / "kafka")
        try:
            bootstrap = f"127.0.0.1:{BENCH_KAFKA_PORT}"
            topics = TopicSet(partitions=args.partitions)
            topics.create(bootstrap)
            produce(bootstrap, topics.listings, generated(args.events))
            profile(bootstrap, topics, args.events, scratch, env, args.raw_out)
        finally:
            kafka("stop", scratch / "kafka")


if __name__ == "__main__":
    main()
