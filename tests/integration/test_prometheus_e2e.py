"""A real Prometheus server scrapes a running worker while traffic flows, then is queried."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from detection.loading import load_detector
from offline.generate import generate
from offline.scan import scan_file
from stream.local import REPO, TopicSet, WorkerProcess, drain, free_port, produce, scrape
from tests.integration.test_pipeline import keyed_lines

pytestmark = pytest.mark.kafka

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
OUTCOMES_QUERY = "sum by (outcome) (listing_guard_listings_processed_total)"
GENERATED_EVENTS = 1500
CHUNKS = 3
WAIT_S = 45.0

Vector = dict[tuple[tuple[str, str], ...], float]


def wait_until(check: Callable[[], Any], what: str, timeout_s: float = WAIT_S) -> Any:
    """Poll `check` until it returns something truthy; fail naming what never happened."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout_s}s waiting for {what} (last: {last!r})")


def as_vector(answer: dict[str, Any]) -> Vector:
    """An /api/v1/query answer as {sorted labels: value}."""
    return {
        tuple(sorted(series["metric"].items())): float(series["value"][1])
        for series in answer["data"]["result"]
    }


class PrometheusServer:
    """Debian's `prometheus` binary on a loopback port, scraping one worker every second."""

    def __init__(self, binary: str, workdir: Path, job: str, target: str) -> None:
        self.port = free_port()
        self.log_path = workdir / "prometheus.log"
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(self.config(job, target)))
        self.command = [
            binary,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def config(job: str, target: str) -> dict[str, Any]:
        """The project's scrape job and rule files, at a 1 s cadence, aimed at one worker."""
        project = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
        [scrape_job] = [entry for entry in project["scrape_configs"] if entry["job_name"] == job]
        return {
            "global": {
                "scrape_interval": "1s",
                "scrape_timeout": "1s",
                "evaluation_interval": "1s",
            },
            "rule_files": [str(PROMETHEUS_DIR / name) for name in project["rule_files"]],
            "scrape_configs": [
                {
                    "job_name": job,
                    "metrics_path": scrape_job.get("metrics_path", "/metrics"),
                    "static_configs": [{"targets": [target]}],
                }
            ],
        }

    def start(self) -> PrometheusServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self.ready, "Prometheus /-/ready", timeout_s=30)
        return self

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"prometheus exited {self.process.returncode}: {self.log()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def query_raw(self, expr: str) -> dict[str, Any]:
        """The JSON answer of /api/v1/query for an instant query at the current time."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": expr}
        )
        with urllib.request.urlopen(url, timeout=5) as response:
            answer = json.load(response)
        assert answer["status"] == "success", answer
        return answer

    def query(self, expr: str) -> Vector:
        """{sorted labels: value} of an instant vector query."""
        return as_vector(self.query_raw(expr))

    def scalar(self, expr: str) -> float | None:
        """The value of a query answering exactly one series, or None otherwise (not yet)."""
        values = list(self.query(expr).values())
        return values[0] if len(values) == 1 else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def prometheus_binary() -> str:
    """CI installs Debian's `prometheus` package; without it this test cannot say anything."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("the `prometheus` server binary is not on PATH (apt-get install prometheus)")
    return binary


@pytest.fixture
def worker(kafka_bootstrap: str, topics: TopicSet, tmp_path: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(topics.worker_env(kafka_bootstrap), tmp_path / "worker.log").start()
    yield process
    process.stop()


@pytest.fixture
def prometheus(worker: WorkerProcess, tmp_path: Path) -> Iterator[PrometheusServer]:
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    server = PrometheusServer(
        prometheus_binary(), workdir, "listing-guard", f"127.0.0.1:{worker.metrics_port}"
    )
    try:
        yield server.start()
    finally:
        server.stop()


def traffic(contract_examples: Path) -> list[tuple[bytes | None, bytes]]:
    """Contract examples (valid and invalid) then seeded generated listings, keyed by seller."""
    records = keyed_lines(contract_examples / "listing-events.jsonl")
    records += keyed_lines(contract_examples / "invalid-events.jsonl")
    records += [
        (record.key.encode(), orjson.dumps(record.document))
        for record in generate(GENERATED_EVENTS, seed=11, with_outcomes=False)
    ]
    return records


def offline_expectation(
    records: list[tuple[bytes | None, bytes]], workdir: Path
) -> tuple[dict[str, int], int, dict[str, int]]:
    """What the same events imply, by the offline scan: outcomes, candidates, dead letters."""
    events = workdir / "events.jsonl"
    events.write_bytes(b"".join(value + b"\n" for _, value in records))
    candidates, dead_letters = BytesIO(), BytesIO()
    summary, _ = scan_file(events, load_detector(), candidates, dead_letters)
    reasons = Counter(
        orjson.loads(line)["error"]["reason"] for line in dead_letters.getvalue().splitlines()
    )
    return dict(summary.listings), summary.candidates, dict(reasons)


def processed_by_worker(worker: WorkerProcess) -> float:
    return sum(
        value
        for (name, _), value in scrape(worker.metrics_port).items()
        if name == "listing_guard_listings_processed_total"
    )


def seen_by_worker_and_prometheus(
    worker: WorkerProcess, prometheus: PrometheusServer, count: int
) -> None:
    """Wait until the worker counted `count` listings and Prometheus scraped that figure."""
    wait_until(lambda: processed_by_worker(worker) == count, f"the worker to process {count}")
    wait_until(
        lambda: prometheus.scalar("sum(listing_guard_listings_processed_total)") == count,
        f"Prometheus to see {count} processed listings",
    )


def by_label(result: Vector, label: str) -> dict[str, float]:
    return {dict(labels)[label]: value for labels, value in result.items()}


def test_prometheus_scrapes_the_worker_while_traffic_flows(
    kafka_bootstrap: str,
    topics: TopicSet,
    worker: WorkerProcess,
    prometheus: PrometheusServer,
    contract_examples: Path,
    tmp_path: Path,
) -> None:
    records = traffic(contract_examples)
    outcomes, candidate_count, dead_letter_reasons = offline_expectation(records, tmp_path)
    wait_until(lambda: prometheus.scalar('up{job="listing-guard"}') == 1, "the target to be up")

    # Several chunks, each seen by Prometheus before the next: counters rise between scrapes.
    chunk = -(-len(records) // CHUNKS)
    sent = 0
    for start in range(0, len(records), chunk):
        sent += produce(kafka_bootstrap, topics.listings, records[start : start + chunk])
        seen_by_worker_and_prometheus(worker, prometheus, sent)

    answer = prometheus.query_raw(OUTCOMES_QUERY)
    print(f"\n{OUTCOMES_QUERY} ->", json.dumps(answer, sort_keys=True))
    assert by_label(as_vector(answer), "outcome") == outcomes

    dead_letters = prometheus.query("sum by (reason) (listing_guard_dead_letters_total)")
    assert by_label(dead_letters, "reason") == dead_letter_reasons

    published = drain(kafka_bootstrap, topics.candidates, expected=candidate_count)
    assert len(published) == candidate_count
    assert prometheus.scalar("sum(listing_guard_candidates_total)") == candidate_count

    assert prometheus.scalar("listing_guard_worker_up") == 1
    assert prometheus.scalar('up{job="listing-guard"}') == 1

    rates = wait_until(
        lambda: prometheus.query("listing_guard:listings:rate1m"), "the recording rule's series"
    )
    assert set(by_label(rates, "outcome")) <= set(outcomes)
    assert sum(rates.values()) > 0

    lag = f'listing_guard:consumer_lag:sum{{topic="{topics.listings}"}}'
    wait_until(lambda: prometheus.scalar(lag) == 0, "the recorded consumer lag to reach 0")
