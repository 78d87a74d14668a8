"""Dead letter v1 (topic `listings.dlq`): invalid input kept with the reason it failed."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Literal

from schemas.common import OutputModel

DeadLetterReason = Literal[
    "not_utf8",
    "invalid_json",
    "not_an_object",
    "unsupported_schema_version",
    "schema_violation",
    "unknown_event_type",
    "processing_error",
]


class DeadLetterError(OutputModel):
    """What was wrong: a bounded reason code, the first field at fault and all messages."""

    reason: DeadLetterReason
    field: str | None
    message: str
    details: list[str]


class DeadLetter(OutputModel):
    """The original bytes (UTF-8 text, else base64) and where they came from."""

    schema_version: Literal[1] = 1
    source_topic: str
    source_partition: int | None
    source_offset: int | None
    key: str | None
    payload: str
    payload_encoding: Literal["utf-8", "base64"]
    error: DeadLetterError
    failed_at: datetime


def dead_letter_for(
    payload: bytes,
    key: bytes | None,
    error: DeadLetterError,
    source_topic: str,
    source_partition: int | None,
    source_offset: int | None,
    failed_at: datetime,
) -> DeadLetter:
    """Keep the original bytes verbatim: UTF-8 text when it is text, else base64."""
    try:
        text, encoding = payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode("ascii"), "base64"
    return DeadLetter(
        source_topic=source_topic,
        source_partition=source_partition,
        source_offset=source_offset,
        key=None if key is None else key.decode("utf-8", errors="replace"),
        payload=text,
        payload_encoding=encoding,  # type: ignore[arg-type]
        error=error,
        failed_at=failed_at,
    )
