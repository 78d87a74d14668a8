"""`make demo`: broker, worker, generated traffic, candidates and metrics on screen, then stop."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from rich.console import Console

from offline.generate import generate
from stream.local import WorkerProcess, scrape
from stream.settings import Settings

REPO = Path(__file__).resolve().parents[1]
console = Console()
SEVERITY_STYLE = {"low": "yellow", "medium": "dark_orange", "high": "red", "critical": "bold red"}


def kafka(command: str, port: int) -> None:
    """The project's own broker script (fetches jars on first use)."""
    env = {**os.environ, "KAFKA_PORT": str(port)}
    subprocess.run(["bash", str(REPO / "deploy" / "kafka.sh"), command], env=env, check=True)


def latest_positions(consumer: KafkaConsumer, topic: str) -> None:
    """Show only this run's candidates: start at the current end of the topic."""
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for partition in partitions:
        consumer.position(partition)


def show(candidate: dict) -> None:
    style = SEVERITY_STYLE.get(candidate["severity"], "white")
    rules = ", ".join(reason["rule_id"] for reason in candidate["reasons"])
    console.print(
        f"[{style}]{candidate['severity']:<8}[/] {candidate['score']:.2f} "
        f"{candidate['listing_id']:<15} {candidate['brand_id'] or '-':<16} {rules}",
        overflow="ellipsis",
        no_wrap=True,
    )


def run(count: int, port: int, linger_s: float) -> None:
    settings = Settings(broker=f"kafka://127.0.0.1:{port}")
    kafka("start", port)
    log_path = REPO / "var" / "demo-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    worker = WorkerProcess(
        {"LG_BROKER": settings.broker}, log_path, settings.metrics_port, settings.web_port
    )
    try:
        worker.start()
        console.print(
            f"worker up; metrics at [bold]http://127.0.0.1:{settings.metrics_port}/metrics[/]"
        )
        bootstrap = f"127.0.0.1:{port}"
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        latest_positions(consumer, settings.topic_candidates)
        producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
        sent = 0
        for record in generate(count, seed=int(time.time()) % 100_000):
            topic = settings.topic_outcomes if record.label is None else settings.topic_listings
            producer.send(topic, key=record.key.encode(), value=orjson.dumps(record.document))
            sent += 1
        producer.flush()
        console.print(
            f"sent {sent} generated events to {settings.topic_listings}/{settings.topic_outcomes}"
        )
        shown, quiet_since, strongest = 0, time.monotonic(), None
        while time.monotonic() - quiet_since < linger_s:
            for batch in consumer.poll(timeout_ms=500).values():
                for message in batch:
                    candidate = orjson.loads(message.value)
                    show(candidate)
                    shown += 1
                    quiet_since = time.monotonic()
                    if strongest is None or candidate["score"] > strongest["score"]:
                        strongest = candidate
        if strongest is not None:
            console.print("\nThe strongest candidate, as enforcement receives it:")
            console.print_json(orjson.dumps(strongest).decode())
        samples = scrape(settings.metrics_port)
        console.print(
            f"\n{shown} candidates. Metrics (http://127.0.0.1:{settings.metrics_port}/metrics):"
        )
        for (name, labels), value in sorted(samples.items()):
            if name == "listing_guard_listings_processed_total" or name.startswith(
                "listing_guard_dead_letters_total"
            ):
                console.print(f"  {name}{dict(labels)} = {value:g}")
    except KeyboardInterrupt:
        console.print("interrupted; stopping")
    finally:
        worker.stop()
        kafka("stop", port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="generated events to send")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KAFKA_PORT", "9092")))
    parser.add_argument("--linger", type=float, default=8.0, help="seconds without news to stop")
    args = parser.parse_args()
    run(args.count, args.port, args.linger)
    return 0


if __name__ == "__main__":
    sys.exit(main())
