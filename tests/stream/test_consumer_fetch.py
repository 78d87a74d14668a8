"""The worker's aiokafka consumer waits at most FETCH_MAX_WAIT_MS on a fetch, on both drains."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from stream.app import build_app
from stream.consumer import FETCH_MAX_WAIT_MS, ShortFetchWaitThread
from stream.settings import Settings


@pytest.mark.parametrize("fast_drain", [False, True])
def test_consumer_thread_builds_a_consumer_with_the_short_fetch_wait(
    tmp_path: Path, fast_drain: bool
) -> None:
    async def built_wait_ms() -> int:
        app = build_app(Settings(app_id="fetch-test", data_dir=tmp_path, fast_drain=fast_drain))
        thread = app.consumer._thread  # type: ignore[attr-defined]
        assert isinstance(thread, ShortFetchWaitThread)
        consumer = thread._create_worker_consumer(app.transport)
        return int(consumer._fetch_max_wait_ms)

    assert FETCH_MAX_WAIT_MS < 1500  # Faust's own value, which held listings back
    assert asyncio.run(built_wait_ms()) == FETCH_MAX_WAIT_MS
