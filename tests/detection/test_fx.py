"""Currency conversion: the default table, registry overrides, unknown currencies."""

from __future__ import annotations

from decimal import Decimal

from detection.fx import DEFAULT_FX_TO_USD, merged_rates, to_usd

REQUIRED = frozenset(
    {"USD", "EUR", "GBP", "CNY", "JPY", "HKD", "KRW", "SGD", "AUD", "CAD", "CHF", "SEK", "NOK"}
    | {"DKK", "PLN", "CZK", "HUF", "TRY", "RUB", "INR", "IDR", "THB", "MYR", "PHP", "VND", "TWD"}
    | {"AED", "SAR", "BRL", "MXN", "ZAR", "NZD"}
)


def test_default_table_covers_the_common_currencies() -> None:
    assert set(DEFAULT_FX_TO_USD) >= REQUIRED
    assert DEFAULT_FX_TO_USD["USD"] == 1.0
    assert all(rate > 0 for rate in DEFAULT_FX_TO_USD.values())


def test_conversion_is_exact_in_decimal_before_the_float() -> None:
    assert to_usd(Decimal("420.00"), "CNY", {"CNY": 0.14}) == 58.8
    assert to_usd(Decimal("89.00"), "usd", {"USD": 1.0}) == 89.0


def test_unknown_currency_gives_none_not_zero() -> None:
    assert to_usd(Decimal("10"), "XAU", merged_rates(None)) is None


def test_registry_rates_override_the_default_per_currency() -> None:
    rates = merged_rates({"eur": 1.08, "XYZ": 2.0})
    assert rates["EUR"] == 1.08
    assert rates["XYZ"] == 2.0
    assert rates["GBP"] == DEFAULT_FX_TO_USD["GBP"]
    assert list(rates) == sorted(rates)
