"""Price against the brand's retail floor for the category, in USD, with bands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from detection.fx import to_usd
from detection.ruleset import PriceBand
from schemas.listing import Listing
from schemas.registry import Brand


@dataclass(frozen=True, slots=True)
class PriceAssessment:
    """The listing's price as a share of the genuine retail floor, and the band it falls in."""

    amount: str
    currency: str
    usd: float
    floor_usd: float
    category: str
    ratio: float
    band: PriceBand | None

    def evidence(self) -> dict[str, Any]:
        """The figures behind a price reason, JSON-able."""
        return {
            "price": self.amount,
            "currency": self.currency,
            "usd": round(self.usd, 2),
            "floor_usd": self.floor_usd,
            "category": self.category,
            "ratio": round(self.ratio, 4),
            "band": self.band.name if self.band else None,
        }


def assess_price(
    listing: Listing, brand: Brand, rates: Mapping[str, float], bands: list[PriceBand]
) -> PriceAssessment | None:
    """None when the brand has no floor in this category or the currency has no known rate."""
    floor = brand.retail_floor_usd.get(listing.category)
    if floor is None:
        return None
    usd = to_usd(listing.price.amount, listing.price.currency, rates)
    if usd is None:
        return None
    ratio = usd / floor
    band = next((band for band in bands if ratio < band.below_ratio), None)
    return PriceAssessment(
        str(listing.price.amount),
        listing.price.currency,
        usd,
        float(floor),
        str(listing.category),
        ratio,
        band,
    )
