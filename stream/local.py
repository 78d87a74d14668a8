"""Run and observe a worker on a local broker: shared by the demo, the bench and the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from prometheus_client.parser import text_string_to_metric_families

from stream.tables import TABLE_NAMES

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """An unused loopback port for a worker's web or metrics server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TopicSet:
    """A private set of the worker's topics, so tests never see each other's records."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    partitions: int = 4

    @property
    def listings(self) -> str:
        return f"listings.new.{self.suffix}"

    @property
    def outcomes(self) -> str:
        return f"takedown.outcomes.{self.suffix}"

    @property
    def candidates(self) -> str:
        return f"takedown.candidates.{self.suffix}"

    @property
    def dead_letters(self) -> str:
        return f"listings.dlq.{self.suffix}"

    def all(self) -> list[str]:
        return [self.listings, self.outcomes, self.candidates, self.dead_letters]

    @property
    def app_id(self) -> str:
        return f"listing-guard-test-{self.suffix}"

    def changelogs(self, app_id: str | None = None) -> list[str]:
        """The tables' changelog topics, named as Faust names them for this (or another) app id."""
        return [f"{app_id or self.app_id}-{table}-changelog" for table in TABLE_NAMES]

    def create(self, bootstrap: str, timeout_s: float = 30.0) -> None:
        """Create the topics and the changelogs, as a deployment does before workers start."""
        _create_topics(bootstrap, self.partitions, self.all(), self.changelogs(), timeout_s)

    def create_changelogs(self, bootstrap: str, app_id: str, timeout_s: float = 30.0) -> None:
        """The changelogs of one more app id (consumer group) reading these topics."""
        _create_topics(bootstrap, self.partitions, [], self.changelogs(app_id), timeout_s)

    def worker_env(self, bootstrap: str) -> dict[str, str]:
        return {
            "LG_BROKER": f"kafka://{bootstrap}",
            "LG_APP_ID": self.app_id,
            "LG_TOPIC_LISTINGS": self.listings,
            "LG_TOPIC_OUTCOMES": self.outcomes,
            "LG_TOPIC_CANDIDATES": self.candidates,
            "LG_TOPIC_DEAD_LETTERS": self.dead_letters,
            "LG_PARTITIONS": str(self.partitions),
        }


def _create_topics(
    bootstrap: str, partitions: int, plain: list[str], compacted: list[str], timeout_s: float
) -> None:
    """Create topics, then wait until every partition has a leader.

    A worker producing to a partition of a topic created a moment ago got NotLeaderForPartition
    and aiokafka's producer stalled: its sends went unacknowledged for over a minute.
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics(
            [NewTopic(name, partitions, 1) for name in plain]
            + [
                NewTopic(name, partitions, 1, topic_configs={"cleanup.policy": "compact"})
                for name in compacted
            ]
        )
        names = plain + compacted
        deadline = time.monotonic() + timeout_s
        while not _all_led(admin.describe_topics(names), partitions):
            if time.monotonic() > deadline:
                raise RuntimeError(f"partitions of {names} still without a leader")
            time.sleep(0.2)
    finally:
        admin.close()


def _all_led(descriptions: list[dict], partitions: int) -> bool:
    """Every topic described has all its partitions, each with a leader."""
    return all(
        topic["error_code"] == 0
        and len(topic["partitions"]) == partitions
        and all(partition["leader_id"] >= 0 for partition in topic["partitions"])
        for topic in descriptions
    )


def produce(bootstrap: str, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> int:
    """Send keyed records with kafka-python (Java-compatible murmur2 partitioning)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    count = 0
    for key, value in records:
        producer.send(topic, key=key, value=value)
        count += 1
    producer.flush()
    producer.close()
    return count


def drain(bootstrap: str, topic: str, expected: int, timeout_s: float = 60.0) -> list:
    """Read a topic from the start until `expected` records arrived or time ran out."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    partitions = consumer.partitions_for_topic(topic) or set()
    consumer.assign([TopicPartition(topic, p) for p in partitions])
    consumer.seek_to_beginning()
    records: list = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(records) < expected:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    # a short grace period shows extra (unexpected) records too
    for batch in consumer.poll(timeout_ms=1000).values():
        records.extend(batch)
    consumer.close()
    return records


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Parse /metrics with prometheus_client's own parser into {(sample, labels): value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


class WorkerProcess:
    """`listing-guard worker` as a real subprocess, as an operator would run it."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        metrics_port: int | None = None,
        web_port: int | None = None,
    ) -> None:
        self.metrics_port = metrics_port or free_port()
        self.web_port = web_port or free_port()
        self.log_path = log_path
        self.env = {
            **os.environ,
            "LG_LOG_LEVEL": "INFO",
            **env,
            "LG_METRICS_PORT": str(self.metrics_port),
            "LG_WEB_PORT": str(self.web_port),
            "LG_DATA_DIR": str(log_path.parent / f"worker-{self.web_port}"),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout_s: float = 60.0) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "offline.cli", "worker"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited {self.process.returncode}: {self.log()}")
            try:
                if scrape(self.metrics_port).get(("listing_guard_worker_up", ())) == 1:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in {ready_timeout_s}s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)
