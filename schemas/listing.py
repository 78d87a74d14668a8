"""Listing event v1 (topic `listings.new`), as fixed by the platform upstream."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from schemas.common import CountryCode, CurrencyCode, Identifier, InputModel, PHash, Timestamp


class Category(StrEnum):
    """The platform's closed set of listing categories."""

    HANDBAGS = "handbags"
    SHOES = "shoes"
    WATCHES = "watches"
    JEWELRY = "jewelry"
    APPAREL = "apparel"
    ACCESSORIES = "accessories"
    EYEWEAR = "eyewear"
    FRAGRANCE = "fragrance"
    ELECTRONICS = "electronics"
    HOME = "home"
    HEALTH = "health"
    BOOKS = "books"
    OTHER = "other"


class Price(InputModel):
    """A positive decimal amount in an ISO 4217 currency."""

    amount: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    currency: CurrencyCode


class Listing(InputModel):
    """The listing as the seller wrote it; an update carries all of it again."""

    listing_id: Identifier
    seller_id: Identifier
    title: Annotated[str, StringConstraints(max_length=500)]
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    category: Category
    brand: str | None = None
    price: Price
    image_phashes: list[PHash] = Field(default_factory=list)
    ships_from: CountryCode | None = None


class Seller(InputModel):
    """The seller account as the platform knows it at event time."""

    seller_id: Identifier
    registered_at: Timestamp
    country: CountryCode | None = None
    rating: Annotated[float, Field(ge=0, le=5)] | None = None
    verified: bool = False


class ListingEvent(InputModel):
    """One created or updated listing."""

    schema_version: Literal[1]
    event_id: Identifier
    event_type: Literal["listing.created", "listing.updated"]
    occurred_at: Timestamp
    listing: Listing
    seller: Seller

    @model_validator(mode="after")
    def _seller_ids_agree(self) -> ListingEvent:
        """The contract says both seller ids are the same; a mismatch is corrupt input."""
        if self.listing.seller_id != self.seller.seller_id:
            raise ValueError(
                f"listing.seller_id {self.listing.seller_id!r} differs from "
                f"seller.seller_id {self.seller.seller_id!r}"
            )
        return self
