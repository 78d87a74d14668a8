"""Price against the retail floor, converted to USD."""

from decimal import Decimal

from detection.fx import merged_rates
from detection.price import assess_price
from detection.ruleset import PriceBand
from schemas.listing import Listing
from schemas.registry import Brand

BANDS = [
    PriceBand(name="extreme", below_ratio=0.2, weight=0.55),
    PriceBand(name="low", below_ratio=0.6, weight=0.15),
]
BRAND = Brand(brand_id="gucci", name="Gucci", retail_floor_usd={"handbags": 890})


def listing(amount: str, currency: str, category: str = "handbags") -> Listing:
    return Listing(
        listing_id="L-1",
        seller_id="S-1",
        title="t",
        category=category,
        price={"amount": amount, "currency": currency},
    )


def test_ratio_and_band_after_conversion() -> None:
    price = assess_price(listing("420.00", "CNY"), BRAND, {"CNY": 0.14, "USD": 1.0}, BANDS)
    assert price is not None
    assert abs(price.usd - 58.8) < 1e-9
    assert price.band is not None and price.band.name == "extreme"
    assert price.evidence()["ratio"] == round(58.8 / 890, 4)
    assert price.evidence()["price"] == str(Decimal("420.00"))


def test_plausible_price_has_no_band() -> None:
    price = assess_price(listing("800", "USD"), BRAND, merged_rates(None), BANDS)
    assert price is not None and price.band is None


def test_no_floor_or_no_rate_is_no_assessment() -> None:
    assert assess_price(listing("10", "USD", "shoes"), BRAND, merged_rates(None), BANDS) is None
    assert assess_price(listing("10", "XAU"), BRAND, merged_rates(None), BANDS) is None
