"""What the offline scan decides over the events a test sends: the reference for online runs."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import orjson

from detection.loading import load_detector
from offline.scan import scan_file


def flagged_offline(values: list[bytes], workdir: Path) -> set[str]:
    """Listing ids the offline scan flags over the very same events, in the same order."""
    events = workdir / "events.jsonl"
    events.write_bytes(b"".join(value + b"\n" for value in values))
    candidates = BytesIO()
    scan_file(events, load_detector(), candidates, None)
    return {orjson.loads(line)["listing_id"] for line in candidates.getvalue().splitlines()}
