"""The real Kafka broker for integration tests, started by the project's own script."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream.local import REPO, TopicSet

TEST_KAFKA_PORT = os.environ.get("LG_TEST_KAFKA_PORT", "39092")


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh single-node KRaft broker for this test session (deploy/kafka.sh start/stop)."""
    data_dir: Path = tmp_path_factory.mktemp("kafka")
    env = {**os.environ, "KAFKA_PORT": TEST_KAFKA_PORT, "KAFKA_DATA_DIR": str(data_dir)}
    script = str(REPO / "deploy" / "kafka.sh")
    started = subprocess.run(["bash", script, "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"deploy/kafka.sh start failed:\n{started.stderr[-3000:]}")
    try:
        yield f"127.0.0.1:{TEST_KAFKA_PORT}"
    finally:
        subprocess.run(["bash", script, "stop"], env=env, capture_output=True, text=True)


@pytest.fixture
def topics(kafka_bootstrap: str) -> TopicSet:
    """A private set of the worker's topics (4 partitions) on the session's broker."""
    topic_set = TopicSet()
    topic_set.create(kafka_bootstrap)
    return topic_set
