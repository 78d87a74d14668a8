"""Backtest metrics: how the detector's decisions compare with a labelled corpus.

Pure: the caller scans the corpus and hands over one `DecidedListing` per listing (flagged when
any of its events produced a candidate); this module only counts and renders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

COUNTERFEIT = "counterfeit"
GENUINE = "genuine"


@dataclass(frozen=True, slots=True)
class Label:
    """The truth about one listing: counterfeit or genuine, and which kind of case it is."""

    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class DecidedListing:
    """What the detector made of all events of one listing."""

    flagged: bool
    max_score: float
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleStats:
    """How one rule contributed to the flags."""

    rule_id: str
    fired_on_flagged: int
    true_positives: int
    precision: float
    recall_share: float  # share of all true positives on which this rule fired


@dataclass(frozen=True, slots=True)
class KindStats:
    """One kind of case: recall when it is counterfeit, false-positive rate when genuine."""

    kind: str
    label: str
    listings: int
    flagged: int
    rate: float


@dataclass(frozen=True, slots=True)
class Miss:
    """A listing the detector got wrong."""

    listing_id: str
    kind: str
    score: float
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """Every figure of one backtest."""

    listings: int
    counterfeit: int
    genuine: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    f1: float
    per_rule: tuple[RuleStats, ...]
    per_kind: tuple[KindStats, ...]
    false_positive_listings: tuple[Miss, ...]
    false_negative_listings: tuple[Miss, ...]
    undecided: tuple[str, ...] = ()  # labelled, but no decision came back
    unlabelled: int = 0  # decided, but absent from the labels: not scored


def load_labels(path: Path) -> dict[str, Label]:
    """Read a `{listing_id: {"label": ..., "kind": ...}}` file written by offline.generate."""
    raw = orjson.loads(path.read_bytes())
    return {listing_id: Label(entry["label"], entry["kind"]) for listing_id, entry in raw.items()}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score_decisions(labels: Mapping[str, Label],
                    decided: Mapping[str, DecidedListing]) -> BacktestReport:
    """Score decisions against labels; a labelled listing with no decision counts as not flagged."""
    for listing_id, truth in labels.items():
        if truth.label not in (COUNTERFEIT, GENUINE):
            raise ValueError(f"listing {listing_id!r} has an unknown label {truth.label!r}")
    not_flagged = DecidedListing(flagged=False, max_score=0.0)
    outcomes = {listing_id: (truth, decided.get(listing_id, not_flagged))
                for listing_id, truth in sorted(labels.items())}
    tp = [i for i, (t, d) in outcomes.items() if t.label == COUNTERFEIT and d.flagged]
    fp = [i for i, (t, d) in outcomes.items() if t.label == GENUINE and d.flagged]
    fn = [i for i, (t, d) in outcomes.items() if t.label == COUNTERFEIT and not d.flagged]
    counterfeit = sum(1 for t, _ in outcomes.values() if t.label == COUNTERFEIT)
    precision, recall = _ratio(len(tp), len(tp) + len(fp)), _ratio(len(tp), counterfeit)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BacktestReport(
        listings=len(outcomes),
        counterfeit=counterfeit,
        genuine=len(outcomes) - counterfeit,
        true_positives=len(tp),
        false_positives=len(fp),
        false_negatives=len(fn),
        true_negatives=len(outcomes) - counterfeit - len(fp),
        precision=precision,
        recall=recall,
        f1=f1,
        per_rule=_per_rule(outcomes, len(tp)),
        per_kind=_per_kind(outcomes),
        false_positive_listings=_misses(outcomes, fp),
        false_negative_listings=_misses(outcomes, fn),
        undecided=tuple(i for i in outcomes if i not in decided),
        unlabelled=sum(1 for i in decided if i not in labels),
    )


def _per_rule(outcomes: Mapping[str, tuple[Label, DecidedListing]],
              true_positives: int) -> tuple[RuleStats, ...]:
    fired: dict[str, list[bool]] = {}
    for truth, decision in outcomes.values():
        if decision.flagged:
            for rule_id in set(decision.rule_ids):
                fired.setdefault(rule_id, []).append(truth.label == COUNTERFEIT)
    stats = [RuleStats(rule_id, len(hits), sum(hits), _ratio(sum(hits), len(hits)),
                       _ratio(sum(hits), true_positives))
             for rule_id, hits in fired.items()]
    return tuple(sorted(stats, key=lambda s: (-s.fired_on_flagged, s.rule_id)))


def _per_kind(outcomes: Mapping[str, tuple[Label, DecidedListing]]) -> tuple[KindStats, ...]:
    counts: dict[tuple[str, str], list[int]] = {}
    for truth, decision in outcomes.values():
        tally = counts.setdefault((truth.label, truth.kind), [0, 0])
        tally[0] += 1
        tally[1] += decision.flagged
    return tuple(KindStats(kind, label, listings, flagged, _ratio(flagged, listings))
                 for (label, kind), (listings, flagged) in sorted(counts.items()))


def _misses(outcomes: Mapping[str, tuple[Label, DecidedListing]],
            listing_ids: Iterable[str]) -> tuple[Miss, ...]:
    misses = [Miss(i, outcomes[i][0].kind, outcomes[i][1].max_score,
                   tuple(sorted(set(outcomes[i][1].rule_ids))))
              for i in listing_ids]
    return tuple(sorted(misses, key=lambda m: (-m.score, m.listing_id)))


def _table(headers: tuple[str, ...], align: str, rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns aligned `l`eft or `r`ight, one letter per header."""
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h)
              for c, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) if a == "l" else cell.rjust(w)
                         for cell, w, a in zip(cells, widths, align, strict=True)).rstrip()

    return [line(headers), line(tuple("-" * w for w in widths)), *map(line, rows)]


def _miss_rows(misses: tuple[Miss, ...], max_rows: int) -> list[str]:
    rows = [(m.listing_id, m.kind, f"{m.score:.3f}", ",".join(m.rule_ids) or "-")
            for m in misses[:max_rows]]
    lines = _table(("listing", "kind", "score", "rules"), "llrl", rows)
    if len(misses) > max_rows:
        lines.append(f"... and {len(misses) - max_rows} more")
    return lines


def render_report(report: BacktestReport, max_rows: int = 50) -> str:
    """Plain-text tables for a terminal or a CI log; `max_rows` caps each list of misses."""
    out = [
        f"listings {report.listings}  counterfeit {report.counterfeit}  "
        f"genuine {report.genuine}",
        f"precision {report.precision:.3f}  recall {report.recall:.3f}  f1 {report.f1:.3f}",
        f"TP {report.true_positives}  FP {report.false_positives}  "
        f"FN {report.false_negatives}  TN {report.true_negatives}",
    ]
    if report.undecided:
        out.append(f"warning: {len(report.undecided)} labelled listings got no decision "
                   f"(counted as not flagged), e.g. {report.undecided[0]}")
    if report.unlabelled:
        out.append(f"note: {report.unlabelled} decided listings have no label (not scored)")
    out += ["", "per rule (flagged listings it fired on)"]
    out += _table(("rule", "fired", "TP", "precision", "recall share"), "lrrrr",
                  [(s.rule_id, str(s.fired_on_flagged), str(s.true_positives),
                    f"{s.precision:.3f}", f"{s.recall_share:.3f}") for s in report.per_rule])
    out += ["", "per kind (recall for counterfeit kinds, false-positive rate for genuine kinds)"]
    out += _table(("kind", "label", "listings", "flagged", "recall", "FPR"), "llrrrr",
                  [(s.kind, s.label, str(s.listings), str(s.flagged),
                    *((f"{s.rate:.3f}", "-") if s.label == COUNTERFEIT else ("-", f"{s.rate:.3f}")))
                   for s in report.per_kind])
    out += ["", f"false positives ({report.false_positives})"]
    out += _miss_rows(report.false_positive_listings, max_rows)
    out += ["", f"false negatives ({report.false_negatives})"]
    out += _miss_rows(report.false_negative_listings, max_rows)
    return "\n".join(out) + "\n"
