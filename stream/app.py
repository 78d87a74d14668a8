"""The Faust application: configuration only; topics, tables and agents live beside it."""

from __future__ import annotations

import faust

from stream.fast_drain import FastDrainTransport, TopicsKnownTransport
from stream.monitor import BatchMonitor
from stream.settings import Settings

# A processed batch goes out as one record batch per partition (stream.publish.RecordBatches);
# Faust's default 16 KiB would split it. Well under the broker's 1 MiB message.max.bytes.
PRODUCER_BATCH_BYTES = 256 * 1024


def build_app(settings: Settings) -> faust.App:
    """One Faust app per worker process, configured from settings.

    `settings.fast_drain` (LG_FAST_DRAIN, default on) swaps in `FastDrainTransport`, Faust's
    aiokafka transport with a drain loop spending no task per record; `LG_FAST_DRAIN=false`
    falls back to stock Faust's drain. A short session timeout lets the group notice a worker
    that died without leaving (kill -9, OOM) in seconds rather than Faust's default minute.
    """
    app = faust.App(
        settings.app_id,
        broker=settings.broker,
        store=settings.store,
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_disable_leader=True,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        stream_recovery_delay=0.0,
        broker_commit_interval=1.0,
        producer_linger=0.005,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        stream_buffer_maxsize=max(4096, settings.batch_size * 2),
        monitor=BatchMonitor(),
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
    )
    # App.transport is settable; the producer keeps its own (stock) transport.
    transport = FastDrainTransport if settings.fast_drain else TopicsKnownTransport
    app.transport = transport(app.conf.broker_consumer, app)
    return app
