"""Bytes to validated models, or a dead-letter error saying exactly what was wrong."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from schemas.dead_letter import DeadLetterError
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome

SUPPORTED_SCHEMA_VERSION = 1
EVENT_MODELS: dict[str, type[BaseModel]] = {
    "listing.created": ListingEvent,
    "listing.updated": ListingEvent,
    "takedown.outcome": TakedownOutcome,
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    """`('listing', 'price', 'amount')` -> `listing.price.amount`."""
    return ".".join(str(part) for part in loc) or "(root)"


def error_from_validation(error: ValidationError) -> DeadLetterError:
    details = [f"{_field_path(item['loc'])}: {item['msg']}" for item in error.errors()]
    first = error.errors()[0]
    return DeadLetterError(
        reason="schema_violation",
        field=_field_path(first["loc"]),
        message=details[0],
        details=details,
    )


def _error(reason: str, message: str, field: str | None = None) -> DeadLetterError:
    return DeadLetterError(reason=reason, field=field, message=message, details=[message])  # type: ignore[arg-type]


def decode_document(raw: bytes) -> dict[str, Any] | DeadLetterError:
    """Decode one JSON object; anything else is an error value, never an exception."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return _error("not_utf8", "payload is not valid UTF-8")
        return _error("invalid_json", f"not JSON: {exc}")
    if not isinstance(document, dict):
        return _error("not_an_object", f"expected a JSON object, got {type(document).__name__}")
    return document


def parse_event(
    raw: bytes, accepted: frozenset[str] = frozenset(EVENT_MODELS)
) -> BaseModel | DeadLetterError:
    """Validate one input record as the event type it declares, if that type is accepted here."""
    document = decode_document(raw)
    if isinstance(document, DeadLetterError):
        return document
    version = document.get("schema_version")
    if version != SUPPORTED_SCHEMA_VERSION:
        return _error(
            "unsupported_schema_version",
            f"schema_version {version!r} is not supported (expected {SUPPORTED_SCHEMA_VERSION})",
            "schema_version",
        )
    event_type = document.get("event_type")
    if event_type not in accepted:
        return _error(
            "unknown_event_type",
            f"event_type {event_type!r} is not one of {sorted(accepted)}",
            "event_type",
        )
    try:
        return EVENT_MODELS[event_type].model_validate(document)
    except ValidationError as exc:
        return error_from_validation(exc)


LISTING_EVENT_TYPES = frozenset({"listing.created", "listing.updated"})
OUTCOME_EVENT_TYPES = frozenset({"takedown.outcome"})
