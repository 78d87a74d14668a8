"""`listing-guard` command line: worker, scan, backtest, rules check, watch, dlq replay."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from schemas.loading import ConfigError

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"listing-guard: {message}", file=sys.stderr)
    return EXIT_USAGE


def _existing_file(path: Path, what: str) -> str | None:
    if not path.is_file():
        return f"{what} {path}: no such file"
    return None


def cmd_worker(_: argparse.Namespace) -> int:
    """Run the Faust worker with settings from LG_* environment variables."""
    from stream.worker import run_worker

    return run_worker()


def cmd_scan(args: argparse.Namespace) -> int:
    """Offline scan: the worker's decisions over a JSONL file."""
    from detection.loading import load_detector
    from offline.progress import scan_with_progress

    problem = _existing_file(args.events, "events file")
    if problem:
        return _fail(problem)
    try:
        detector = load_detector(args.registry, args.rules, args.threshold)
    except ConfigError as exc:
        return _fail(str(exc))
    with ExitStack() as stack:
        out = stack.enter_context(args.out.open("wb"))
        dead = stack.enter_context(args.dead_letters.open("wb")) if args.dead_letters else None
        summary = scan_with_progress(args.events, detector, out, dead)
    listings = sum(summary.listings.values()) - summary.listings["dead_letter"]
    print(
        f"scanned {summary.lines} lines: {listings} listing events, "
        f"{sum(summary.outcomes.values())} outcomes, {summary.candidates} candidates, "
        f"{summary.dead_letters} dead letters (ruleset {detector.ruleset_version})"
    )
    for outcome, count in sorted(summary.listings.items()):
        print(f"  {outcome:<12} {count}")
    if summary.dead_letters and not args.dead_letters:
        print("  (dead letters not written: pass --dead-letters FILE to keep them)")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Precision/recall of the ruleset on a labelled file."""
    from offline.backtest_run import run_backtest

    for path, what in ((args.events, "events file"), (args.labels, "labels file")):
        problem = _existing_file(path, what)
        if problem:
            return _fail(problem)
    try:
        print(run_backtest(args.events, args.labels, args.registry, args.rules, args.threshold))
    except ConfigError as exc:
        return _fail(str(exc))
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    """Validate a ruleset file; names the line at fault."""
    from detection.ruleset import check_ruleset

    problem = _existing_file(args.file, "ruleset")
    if problem:
        return _fail(problem)
    try:
        ruleset = check_ruleset(args.file)
    except ConfigError as exc:
        return _fail(str(exc))
    print(f"{args.file}: ok, version {ruleset.version}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Live table of candidates (settings: LG_* env)."""
    from stream.settings import Settings
    from stream.watch import watch

    watch(Settings(), args.from_beginning, args.rows, args.seconds)
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    """Re-send dead letters that validate now (settings: LG_* env)."""
    from stream.dlq_replay import main_replay

    return main_replay(args.dry_run)


def build_parser() -> argparse.ArgumentParser:
    """All subcommands; argparse exits 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="listing-guard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    worker = commands.add_parser("worker", help="run the stream worker (settings: LG_* env)")
    worker.set_defaults(handler=cmd_worker)

    def detection_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--registry", type=Path, help="brand registry YAML/JSON (default: packaged)"
        )
        sub.add_argument("--rules", type=Path, help="ruleset YAML (default: packaged)")
        sub.add_argument("--threshold", type=float, help="candidate score threshold override")

    scan = commands.add_parser("scan", help="run detection over a JSONL file of events")
    scan.add_argument("events", type=Path)
    scan.add_argument("--out", type=Path, required=True, help="candidates JSONL to write")
    scan.add_argument("--dead-letters", type=Path, help="dead letters JSONL to write")
    detection_options(scan)
    scan.set_defaults(handler=cmd_scan)

    backtest = commands.add_parser("backtest", help="precision/recall on labelled events")
    backtest.add_argument("events", type=Path)
    backtest.add_argument("--labels", type=Path, required=True)
    detection_options(backtest)
    backtest.set_defaults(handler=cmd_backtest)

    watch = commands.add_parser("watch", help="show takedown candidates live")
    watch.add_argument("--from-beginning", action="store_true")
    watch.add_argument("--rows", type=int, default=25)
    watch.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C)")
    watch.set_defaults(handler=cmd_watch)

    dlq = commands.add_parser("dlq", help="dead-letter tools")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_commands.add_parser("replay", help="re-send dead letters that now validate")
    replay.add_argument("--dry-run", action="store_true")
    replay.set_defaults(handler=cmd_dlq_replay)

    rules = commands.add_parser("rules", help="ruleset tools")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_commands.add_parser("check", help="validate a ruleset file")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=cmd_rules_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
