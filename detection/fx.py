"""Listing prices to USD, so one price floor per category works for every currency."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

# USD per one unit of each currency: approximate mid-market rates of June 2025, rounded to three
# significant figures. Price floors only need the right order of magnitude; a registry file's own
# `fx_to_usd` overrides any of these per currency.
DEFAULT_FX_TO_USD: Mapping[str, float] = MappingProxyType(
    {
        "AED": 0.272,
        "AUD": 0.651,
        "BRL": 0.181,
        "CAD": 0.731,
        "CHF": 1.22,
        "CNY": 0.139,
        "CZK": 0.0463,
        "DKK": 0.154,
        "EUR": 1.15,
        "GBP": 1.35,
        "HKD": 0.127,
        "HUF": 0.00288,
        "IDR": 0.0000614,
        "INR": 0.0116,
        "JPY": 0.00690,
        "KRW": 0.000733,
        "MXN": 0.0527,
        "MYR": 0.236,
        "NOK": 0.0993,
        "NZD": 0.603,
        "PHP": 0.0176,
        "PLN": 0.270,
        "RUB": 0.0127,
        "SAR": 0.267,
        "SEK": 0.105,
        "SGD": 0.781,
        "THB": 0.0307,
        "TRY": 0.0253,
        "TWD": 0.0341,
        "USD": 1.0,
        "VND": 0.0000383,
        "ZAR": 0.0560,
    }
)


def merged_rates(registry_rates: Mapping[str, float] | None) -> dict[str, float]:
    """The default table with the registry's rates laid over it, keys upper-case and sorted."""
    rates = dict(DEFAULT_FX_TO_USD)
    for currency, rate in (registry_rates or {}).items():
        rates[currency.upper()] = float(rate)
    return dict(sorted(rates.items()))


def to_usd(amount: Decimal, currency: str, fx_to_usd: Mapping[str, float]) -> float | None:
    """The amount in USD, or None when no rate is known (unknown is not the same as cheap)."""
    rate = fx_to_usd.get(currency.upper())
    if rate is None:
        return None
    return float(amount * Decimal(repr(rate)))
