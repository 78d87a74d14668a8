"""`listing-guard backtest`: scan a labelled file with the worker's code, then score it."""

from __future__ import annotations

from pathlib import Path

from detection.batch import BatchProcessor, BatchResult
from detection.engine import Engine
from detection.loading import load_detector
from offline.backtest import DecidedListing, load_labels, render_report, score_decisions
from offline.scan import scan_file


def decide_listings(
    events: Path, registry: Path | None, rules: Path | None, threshold: float | None
) -> tuple[dict[str, DecidedListing], str]:
    """Every listing's verdict: flagged when any of its events was a candidate."""
    detector = load_detector(registry, rules, threshold)
    decided: dict[str, DecidedListing] = {}

    def collect(_: int, result: BatchResult) -> None:
        for listing_id, _outcome, decision in result.decisions:
            if decision is None:
                continue
            before = decided.get(listing_id, DecidedListing(False, 0.0, ()))
            rules_fired = tuple(sorted({*before.rule_ids, *(r.rule_id for r in decision.reasons)}))
            decided[listing_id] = DecidedListing(
                before.flagged or decision.is_candidate,
                max(before.max_score, decision.score),
                rules_fired,
            )

    processor = BatchProcessor(Engine(detector), keep_decisions=True)
    scan_file(events, detector, None, None, on_batch=collect, processor=processor)
    return decided, detector.ruleset_version


def run_backtest(
    events: Path, labels: Path, registry: Path | None, rules: Path | None, threshold: float | None
) -> str:
    """The rendered report (precision, recall, F1; per rule; per kind; errors listed)."""
    decided, version = decide_listings(events, registry, rules, threshold)
    report = score_decisions(load_labels(labels), decided)
    return f"ruleset {version}\n" + render_report(report)
