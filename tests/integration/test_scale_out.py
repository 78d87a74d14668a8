"""Three workers in one consumer group share 12 partitions; when one stops, no listing is lost."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from offline.generate import generate
from stream.local import TopicSet, WorkerProcess, drain, produce, scrape
from tests.integration.expected import flagged_offline

pytestmark = pytest.mark.kafka

PARTITIONS = 12
WORKERS = 3
EVENTS = 2000
WAIT_S = 60.0

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def wait_until(
    check: Callable[[], Any], what: str, workers: list[WorkerProcess], timeout_s: float = WAIT_S
) -> Any:
    """Poll `check` until it returns something truthy; fail with what each worker counted."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    report = "\n".join(
        f"worker {index}: processed {processed(scrape(worker.metrics_port))}\n{worker.log()}"
        if worker.process is not None and worker.process.poll() is None
        else f"worker {index}: stopped"
        for index, worker in enumerate(workers)
    )
    pytest.fail(f"timed out after {timeout_s}s waiting for {what}\n{report}")


def owned_partitions(samples: Samples, topic: str) -> set[int] | None:
    """Partitions of `topic` a worker owns (its lag series), if its assignment gauge agrees."""
    owned = {
        int(dict(labels)["partition"])
        for (name, labels), _ in samples.items()
        if name == "listing_guard_consumer_lag" and dict(labels)["topic"] == topic
    }
    assigned = samples.get(("listing_guard_assigned_partitions", (("topic", topic),)))
    return owned if owned and assigned == len(owned) else None


def settled_assignment(workers: list[WorkerProcess], topic: str) -> list[list[int]] | None:
    """Each worker's partitions once every partition has exactly one owner, else None."""
    owned = [owned_partitions(scrape(worker.metrics_port), topic) for worker in workers]
    if any(partitions is None for partitions in owned):
        return None
    every = [partition for partitions in owned for partition in partitions]
    if sorted(every) != list(range(PARTITIONS)):
        return None
    return [sorted(partitions) for partitions in owned]


def processed(samples: Samples) -> float:
    return sum(
        value
        for (name, _), value in samples.items()
        if name == "listing_guard_listings_processed_total"
    )


def decided(samples: Samples) -> float:
    """Events decided for the first time: every outcome but `duplicate` (a re-read event).

    After a rebalance a worker re-reads from the last commit, so `processed` overcounts; each
    event must be decided exactly once, whichever worker read it.
    """
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "listing_guard_listings_processed_total"
        and dict(labels).get("outcome") != "duplicate"
    )


def published_candidates(bootstrap: str, topic: str, expected: int) -> set[str]:
    return {
        orjson.loads(record.value)["listing_id"]
        for record in drain(bootstrap, topic, expected=expected, timeout_s=10)
    }


@pytest.fixture
def topics(kafka_bootstrap: str) -> TopicSet:
    topic_set = TopicSet(partitions=PARTITIONS)
    topic_set.create(kafka_bootstrap)
    return topic_set


@pytest.fixture
def workers(
    kafka_bootstrap: str, topics: TopicSet, tmp_path: Path
) -> Iterator[list[WorkerProcess]]:
    env = topics.worker_env(kafka_bootstrap)  # one LG_APP_ID: one consumer group
    started: list[WorkerProcess] = []
    try:
        for index in range(WORKERS):
            started.append(WorkerProcess(env, tmp_path / f"worker-{index}.log").start())
        yield started
    finally:
        for worker in started:
            worker.stop()


def test_survivors_take_over_a_stopped_workers_partitions(
    kafka_bootstrap: str, topics: TopicSet, workers: list[WorkerProcess], tmp_path: Path
) -> None:
    records = [
        (record.key.encode(), orjson.dumps(record.document))
        for record in generate(EVENTS, seed=23, with_outcomes=False)
    ]
    flagged = flagged_offline([value for _, value in records], tmp_path)
    assert flagged
    first_half, second_half = records[: EVENTS // 2], records[EVENTS // 2 :]

    before = wait_until(
        lambda: settled_assignment(workers, topics.listings),
        "12 partitions over 3 workers",
        workers,
    )
    print(f"\nassignment before ({topics.listings}):", dict(enumerate(before)))
    assert all(before)

    produce(kafka_bootstrap, topics.listings, first_half)
    wait_until(
        lambda: sum(decided(scrape(w.metrics_port)) for w in workers) >= len(first_half),
        "the first half to be decided",
        workers,
    )
    stopped, survivors = workers[0], workers[1:]
    stopped_last = decided(scrape(stopped.metrics_port))
    assert stopped_last > 0
    exit_code = stopped.stop(signal.SIGTERM)
    print(f"worker 0 stopped by SIGTERM, exit code {exit_code}")

    produce(kafka_bootstrap, topics.listings, second_half)
    after = wait_until(
        lambda: settled_assignment(survivors, topics.listings),
        "12 partitions over 2 survivors",
        workers,
    )
    print("assignment after worker 0 stopped:", dict(enumerate(after, start=1)))

    def decided_by_all() -> float:
        return stopped_last + sum(decided(scrape(w.metrics_port)) for w in survivors)

    wait_until(
        lambda: decided_by_all() >= EVENTS, f"all {EVENTS} listing events to be decided", workers
    )

    def all_flagged_published() -> set[str] | None:
        ids = published_candidates(kafka_bootstrap, topics.candidates, len(flagged))
        return ids if flagged <= ids else None

    published = wait_until(all_flagged_published, f"the {len(flagged)} flagged listings", workers)
    print(f"listings sent {EVENTS}, flagged offline {len(flagged)}, published {len(published)}")
    assert published == flagged
    assert decided_by_all() == EVENTS, "an event was decided twice (not as a duplicate)"
