"""`listing-guard worker`: wire settings, detector, app and metrics endpoint, then run."""

from __future__ import annotations

import gc
import logging
import sys

import faust
import mode.loop
from prometheus_client import start_http_server

from detection.batch import BatchProcessor
from detection.engine import Engine
from detection.loading import load_detector
from schemas.loading import ConfigError
from stream import metrics
from stream.agents import register_agents
from stream.app import build_app
from stream.observe import register_observers
from stream.registry_sync import follow_registry
from stream.settings import Settings
from stream.tables import declare_tables
from stream.topics import declare_topics


def build_worker_app(settings: Settings) -> faust.App:
    """Everything but the event loop: importable by tests and by `faust` tooling."""
    detector = load_detector(settings.registry_path, settings.rules_path, settings.threshold)
    metrics.REGISTRY_BRANDS.set(len(detector.brand_ids))
    app = build_app(settings)
    topics = declare_topics(app, settings)
    tables = declare_tables(app, settings)
    engine = Engine(detector)
    register_agents(app, settings, topics, tables, BatchProcessor(engine))
    follow_registry(app, settings, engine, topics.dead_letters)
    register_observers(app, settings, tables)
    return app


def run_worker(settings: Settings | None = None) -> int:
    """Start serving; a bad registry or ruleset is refused before anything connects."""
    settings = settings or Settings()
    try:
        app = build_worker_app(settings)
    except ConfigError as exc:
        print(f"listing-guard worker: {exc}", file=sys.stderr)
        return 2
    # The registry, ruleset, vocabulary and confusables tables live as long as the process: out
    # of the collector's reach, a full collection no longer walks them (58 ms at start-up).
    gc.freeze()
    mode.loop.use("uvloop")
    start_http_server(settings.metrics_port, addr=settings.web_host)
    metrics.WORKER_UP.set(1)
    logging.getLogger("listing_guard").info(
        "metrics on http://%s:%d/metrics", settings.web_host, settings.metrics_port
    )
    worker = faust.Worker(app, loglevel=settings.log_level, redirect_stdouts=False)
    worker.execute_from_commandline()
    return 0
