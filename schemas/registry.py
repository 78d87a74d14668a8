"""Brand registry v1: what rights holders registered (file, or compacted topic)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from schemas.common import Identifier, InputModel, PHash
from schemas.listing import Category

BrandId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]


class Exemption(InputModel):
    """A seller cleared for this brand until a date (brand-approved reseller, appeal won)."""

    seller_id: Identifier
    until: date
    reason: str = ""


class Brand(InputModel):
    """One registered brand with its marks, prices and known images."""

    brand_id: BrandId
    name: Annotated[str, StringConstraints(min_length=1)]
    owner: str | None = None
    aliases: list[str] = Field(default_factory=list)
    trademark_refs: list[str] = Field(default_factory=list)
    retail_floor_usd: dict[Category, Annotated[float, Field(gt=0)]]
    authorized_sellers: list[Identifier] = Field(default_factory=list)
    official_image_phashes: list[PHash] = Field(default_factory=list)
    counterfeit_image_phashes: list[PHash] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)


class BrandRegistry(InputModel):
    """The whole registry document."""

    registry_version: Literal[1]
    brands: list[Brand]
    fx_to_usd: dict[str, Annotated[float, Field(gt=0)]] | None = None

    @field_validator("brands")
    @classmethod
    def _unique_ids(cls, brands: list[Brand]) -> list[Brand]:
        """Two entries for one brand id would make every decision ambiguous."""
        seen: set[str] = set()
        for brand in brands:
            if brand.brand_id in seen:
                raise ValueError(f"duplicate brand_id {brand.brand_id!r}")
            seen.add(brand.brand_id)
        return brands
