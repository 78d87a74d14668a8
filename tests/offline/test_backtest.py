"""Backtest metrics on hand-built decisions whose right answers are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.backtest import (
    DecidedListing,
    KindStats,
    Label,
    Miss,
    RuleStats,
    load_labels,
    render_report,
    score_decisions,
)

DATA = Path(__file__).resolve().parents[1] / "data"

LABELS = {
    "L-a": Label("counterfeit", "plain_fake"),
    "L-b": Label("counterfeit", "plain_fake"),
    "L-c": Label("counterfeit", "homoglyph_mark"),
    "L-d": Label("genuine", "innocent_lookalike"),
    "L-e": Label("genuine", "brand_store"),
}
DECIDED = {
    "L-a": DecidedListing(True, 0.95, ("mark.exact", "text.replica_cue")),
    "L-b": DecidedListing(True, 0.7, ("mark.exact",)),
    "L-c": DecidedListing(False, 0.3, ("mark.homoglyph",)),
    "L-d": DecidedListing(True, 0.8, ("text.replica_cue",)),
    "L-e": DecidedListing(False, 0.0, ()),
}


def test_overall_counts_and_rates() -> None:
    report = score_decisions(LABELS, DECIDED)
    assert (report.listings, report.counterfeit, report.genuine) == (5, 3, 2)
    assert (report.true_positives, report.false_positives,
            report.false_negatives, report.true_negatives) == (2, 1, 1, 1)
    assert report.precision == pytest.approx(2 / 3)
    assert report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(2 / 3)


def test_per_rule_counts_only_flagged_listings() -> None:
    report = score_decisions(LABELS, DECIDED)
    assert report.per_rule == (
        RuleStats("mark.exact", 2, 2, 1.0, 1.0),
        RuleStats("text.replica_cue", 2, 1, 0.5, 0.5),
    )  # mark.homoglyph fired only on an unflagged listing: not listed


def test_per_kind_gives_recall_or_false_positive_rate() -> None:
    report = score_decisions(LABELS, DECIDED)
    assert report.per_kind == (
        KindStats("homoglyph_mark", "counterfeit", 1, 0, 0.0),
        KindStats("plain_fake", "counterfeit", 2, 2, 1.0),
        KindStats("brand_store", "genuine", 1, 0, 0.0),
        KindStats("innocent_lookalike", "genuine", 1, 1, 1.0),
    )


def test_misses_are_listed_most_confident_first() -> None:
    decided = dict(DECIDED, **{"L-e": DecidedListing(True, 0.9, ("price.below_floor",))})
    report = score_decisions(LABELS, decided)
    assert report.false_positive_listings == (
        Miss("L-e", "brand_store", 0.9, ("price.below_floor",)),
        Miss("L-d", "innocent_lookalike", 0.8, ("text.replica_cue",)),
    )
    assert report.false_negative_listings == (
        Miss("L-c", "homoglyph_mark", 0.3, ("mark.homoglyph",)),
    )


def test_a_listing_without_decision_counts_as_unflagged_and_is_reported() -> None:
    decided = {k: v for k, v in DECIDED.items() if k != "L-a"}
    decided["L-zzz"] = DecidedListing(True, 1.0, ("mark.exact",))
    report = score_decisions(LABELS, decided)
    assert report.undecided == ("L-a",)
    assert report.unlabelled == 1
    assert (report.true_positives, report.false_negatives) == (1, 2)
    assert "1 labelled listings got no decision" in render_report(report)


def test_nothing_flagged_gives_zeros_not_errors() -> None:
    report = score_decisions(LABELS, {})
    assert (report.precision, report.recall, report.f1) == (0.0, 0.0, 0.0)
    assert report.per_rule == ()


def test_an_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown label"):
        score_decisions({"L-x": Label("fake", "plain_fake")}, {})


def test_render_report_shows_every_table() -> None:
    text = render_report(score_decisions(LABELS, DECIDED))
    assert "precision 0.667  recall 0.667  f1 0.667" in text
    assert any(line.split() == ["text.replica_cue", "2", "1", "0.500", "0.500"]
               for line in text.splitlines())
    assert any(line.split() == ["innocent_lookalike", "genuine", "1", "1", "-", "1.000"]
               for line in text.splitlines())
    assert "false positives (1)" in text and "L-d" in text
    assert "false negatives (1)" in text and "L-c" in text


def test_render_report_caps_long_lists() -> None:
    labels = {f"L-{i:03d}": Label("counterfeit", "plain_fake") for i in range(8)}
    text = render_report(score_decisions(labels, {}), max_rows=3)
    assert "... and 5 more" in text


def test_load_labels_reads_the_committed_corpus() -> None:
    labels = load_labels(DATA / "corpus-labels.json")
    assert len(labels) >= 2400
    assert {label.label for label in labels.values()} == {"counterfeit", "genuine"}
