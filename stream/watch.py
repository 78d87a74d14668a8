"""`listing-guard watch`: takedown candidates live in the terminal, as an updating table."""

from __future__ import annotations

import time
from collections import Counter, deque

import orjson
from kafka import KafkaConsumer, TopicPartition
from rich.live import Live
from rich.table import Table

from stream.settings import Settings

SEVERITY_STYLE = {"low": "yellow", "medium": "dark_orange", "high": "red", "critical": "bold red"}


def render(recent: deque[dict], severities: Counter[str], total: int) -> Table:
    """Newest first, with running counts by severity in the title."""
    counts = "  ".join(f"{name}={severities[name]}" for name in SEVERITY_STYLE)
    table = Table(title=f"takedown candidates: {total}   {counts}", expand=True)
    for column in ("detected", "severity", "score", "listing", "seller", "brand", "rules"):
        table.add_column(column)
    for candidate in recent:
        severity = candidate["severity"]
        table.add_row(
            candidate["detected_at"][11:19],
            f"[{SEVERITY_STYLE.get(severity, 'white')}]{severity}[/]",
            f"{candidate['score']:.2f}",
            candidate["listing_id"],
            candidate["seller_id"],
            candidate["brand_id"] or "-",
            ", ".join(reason["rule_id"] for reason in candidate["reasons"]),
        )
    return table


def watch(settings: Settings, from_beginning: bool, rows: int, seconds: float | None) -> int:
    """Follow the candidates topic until Ctrl-C (or `seconds`); returns candidates seen."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker.removeprefix("kafka://"), enable_auto_commit=False
    )
    topic = settings.topic_candidates
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(partitions)
    (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)()
    recent: deque[dict] = deque(maxlen=rows)
    severities: Counter[str] = Counter()
    total = 0
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        with Live(render(recent, severities, total), refresh_per_second=4) as live:
            while deadline is None or time.monotonic() < deadline:
                for batch in consumer.poll(timeout_ms=250).values():
                    for record in batch:
                        candidate = orjson.loads(record.value)
                        recent.appendleft(candidate)
                        severities[candidate["severity"]] += 1
                        total += 1
                live.update(render(recent, severities, total))
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return total
