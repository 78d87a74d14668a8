"""Scan with a progress bar when a person is watching (a terminal), silently otherwise."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from detection.batch import BatchResult
from detection.detector import Detector
from offline.scan import ScanSummary, scan_file


def scan_with_progress(
    events: Path, detector: Detector, out: IO[bytes], dead: IO[bytes] | None
) -> ScanSummary:
    """rich's bar counts lines; non-terminals (CI, pipes) get no control characters."""
    if not sys.stderr.isatty():
        return scan_file(events, detector, out, dead)[0]
    with events.open("rb") as handle:
        total = sum(1 for _ in handle)
    columns = (
        TextColumn("scan"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} lines"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("scan", total=total)

        def advance(lines: int, _: BatchResult) -> None:
            progress.advance(task, lines)

        return scan_file(events, detector, out, dead, on_batch=advance)[0]
