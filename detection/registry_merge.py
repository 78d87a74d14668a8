"""The brand registry topic over the registry file: per-brand replace or delete, pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.dead_letter import DeadLetterError
from schemas.parse import decode_document, error_from_validation
from schemas.registry import Brand, BrandRegistry


@dataclass(frozen=True, slots=True)
class BrandUpdate:
    """One registry record that may be applied: the brand, or None for a tombstone."""

    brand_id: str
    brand: Brand | None


def _violation(field: str, message: str) -> DeadLetterError:
    return DeadLetterError(
        reason="schema_violation", field=field, message=message, details=[message]
    )


def parse_brand_record(key: bytes | None, value: bytes | None) -> BrandUpdate | DeadLetterError:
    """Key = brand_id, value = one brand object (None: tombstone); anything else is an error."""
    brand_id = key.decode("utf-8", errors="replace") if key is not None else None
    if not brand_id:
        return _violation("key", "record key must be the brand_id")
    if value is None:
        return BrandUpdate(brand_id, None)
    document = decode_document(value)
    if isinstance(document, DeadLetterError):
        return document
    try:
        brand = Brand.model_validate(document)
    except ValidationError as exc:
        return error_from_validation(exc)
    if brand.brand_id != brand_id:
        return _violation(
            "brand_id", f"brand_id {brand.brand_id!r} does not match the record key {brand_id!r}"
        )
    return BrandUpdate(brand_id, brand)


def apply_brand_updates(base: BrandRegistry, updates: Mapping[str, Brand | None]) -> BrandRegistry:
    """Replace or delete base brands in place; new brands follow sorted by id, so order is free."""
    brands = []
    for brand in base.brands:
        replacement = updates.get(brand.brand_id, brand)
        if replacement is not None:
            brands.append(replacement)
    known = {brand.brand_id for brand in base.brands}
    brands.extend(
        brand
        for brand_id, brand in sorted(updates.items())
        if brand is not None and brand_id not in known
    )
    return base.model_copy(update={"brands": brands})
