"""Prometheus metrics of the worker. Label values come from bounded sets only."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
PROCESSING_BUCKETS = (
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05,
)

LISTINGS_PROCESSED = Counter(
    "listing_guard_listings_processed",
    "Listing events handled, by outcome (candidate, clean, duplicate, exempt, dead_letter).",
    ["outcome"],
)
CANDIDATES = Counter(
    "listing_guard_candidates",
    "Takedown candidates published, by brand and severity.",
    ["brand", "severity"],
)
RULE_HITS = Counter(
    "listing_guard_rule_hits",
    "Rules that fired, by rule id and mode (enforce or shadow).",
    ["rule_id", "mode"],
)
DEAD_LETTERS = Counter(
    "listing_guard_dead_letters",
    "Invalid input records sent to the dead-letter topic, by reason and source topic.",
    ["reason", "topic"],
)
DECISION_LATENCY = Histogram(
    "listing_guard_decision_latency_seconds",
    "From the record's produce timestamp to the decision being made.",
    buckets=LATENCY_BUCKETS,
)
PROCESSING_TIME = Histogram(
    "listing_guard_processing_seconds",
    "CPU time of validation plus detection for one listing event.",
    buckets=PROCESSING_BUCKETS,
)
BATCH_SIZE = Histogram(
    "listing_guard_batch_size",
    "Records handled per batch taken from the stream.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000),
)
OUTCOMES = Counter(
    "listing_guard_outcomes",
    "Takedown outcomes applied to seller reputation, by outcome.",
    ["outcome"],
)
EXEMPTIONS_USED = Counter(
    "listing_guard_exemptions_used",
    "Decisions cleared by a seller exemption, by brand.",
    ["brand"],
)
TABLE_KEYS = Gauge(
    "listing_guard_table_keys",
    "Keys held in each state table on this worker.",
    ["table"],
)
CHANGELOG_RECOVERY = Gauge(
    "listing_guard_changelog_recovery_seconds",
    "Seconds the last table recovery from changelog took.",
)
CONSUMER_LAG = Gauge(
    "listing_guard_consumer_lag",
    "Log end offset minus committed offset of the worker's group, per topic and partition.",
    ["topic", "partition"],
)
WORKER_UP = Gauge("listing_guard_worker_up", "1 while the worker is running and assigned.")
ASSIGNED_PARTITIONS = Gauge(
    "listing_guard_assigned_partitions",
    "Partitions currently assigned to this worker, per topic.",
    ["topic"],
)
REBALANCES = Counter("listing_guard_rebalances", "Consumer group rebalances seen by this worker.")
REGISTRY_BRANDS = Gauge("listing_guard_registry_brands", "Brands in the registry in use.")
REGISTRY_UPDATES = Counter(
    "listing_guard_registry_updates",
    "Records read from the brand registry topic, by outcome (applied, deleted, rejected).",
    ["outcome"],
)
