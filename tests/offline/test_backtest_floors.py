"""The default ruleset on the committed labelled corpus meets the quality floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.backtest import BacktestReport, load_labels, score_decisions
from offline.backtest_run import decide_listings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def report() -> BacktestReport:
    decided, _ = decide_listings(DATA / "corpus-events.jsonl", None, None, None)
    return score_decisions(load_labels(DATA / "corpus-labels.json"), decided)


def test_precision_and_recall_floors(report: BacktestReport) -> None:
    assert report.undecided == ()
    assert report.precision >= 0.95, report.false_positive_listings[:10]
    assert report.recall >= 0.90, report.false_negative_listings[:10]


def test_repeat_offenders_are_caught(report: BacktestReport) -> None:
    kind = next(k for k in report.per_kind if k.kind == "repeat_offender")
    assert kind.listings >= 30 and kind.rate >= 0.9


def test_cleared_resellers_are_not_flagged(report: BacktestReport) -> None:
    kind = next(k for k in report.per_kind if k.kind == "cleared_reseller")
    assert kind.listings >= 30 and kind.rate <= 0.02


def test_every_disguise_kind_is_mostly_caught(report: BacktestReport) -> None:
    weak = {k.kind: k.rate for k in report.per_kind if k.label == "counterfeit" and k.rate < 0.6}
    assert not weak
