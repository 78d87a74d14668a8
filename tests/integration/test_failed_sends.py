"""A batch whose candidates Kafka refuses is never acked: the worker exits, its successor decides
the same events again and every flagged listing is published."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from offline.generate import generate
from stream.agents import EXIT_BATCH_FAILED
from stream.local import TopicSet, WorkerProcess, drain, produce
from tests.integration.expected import flagged_offline

pytestmark = pytest.mark.kafka

EVENTS = 300
REFUSING_BYTES = "200"  # every candidate is larger: the broker answers MessageSizeTooLarge
DEFAULT_BYTES = "1048588"


def set_max_message_bytes(bootstrap: str, topic: str, value: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": value})]
        )
    finally:
        admin.close()


def test_refused_candidates_end_the_worker_unacked_and_a_restart_publishes_them(
    kafka_bootstrap: str, topics: TopicSet, tmp_path: Path
) -> None:
    records = [
        (record.key.encode(), orjson.dumps(record.document))
        for record in generate(EVENTS, seed=31, with_outcomes=False)
    ]
    flagged = flagged_offline([value for _, value in records], tmp_path)
    assert flagged
    set_max_message_bytes(kafka_bootstrap, topics.candidates, REFUSING_BYTES)
    env = topics.worker_env(kafka_bootstrap)

    refused = WorkerProcess(env, tmp_path / "refused.log").start()
    produce(kafka_bootstrap, topics.listings, records)
    assert refused.process is not None
    deadline = time.monotonic() + 90
    while refused.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    exit_code = refused.stop()
    assert exit_code == EXIT_BATCH_FAILED, refused.log()
    assert "exit, unacked" in refused.log()
    assert drain(kafka_bootstrap, topics.candidates, expected=1, timeout_s=2) == []

    set_max_message_bytes(kafka_bootstrap, topics.candidates, DEFAULT_BYTES)
    successor = WorkerProcess(env, tmp_path / "successor.log").start()
    try:
        published = drain(kafka_bootstrap, topics.candidates, expected=len(flagged), timeout_s=90)
    finally:
        successor.stop()
    listing_ids = [orjson.loads(record.value)["listing_id"] for record in published]
    print(f"\nflagged offline {len(flagged)}, published after the restart {len(listing_ids)}")
    assert set(listing_ids) == flagged
