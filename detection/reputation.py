"""Seller reputation as signals for the Detector: the same code behind a Faust Table or a dict.

A seller's history alone never makes a candidate; the Detector gates on a registered mark or a
registry image and only then weighs these signals.
"""

from __future__ import annotations

from typing import Any

from detection.reputation_config import ReputationConfig
from detection.reputation_listings import (
    DAY_SECONDS,
    HOUR_SECONDS,
    branded_in_window,
    is_new_listing,
    observe_listing,
    was_observed,
)
from detection.reputation_outcomes import apply_outcome, risk_profile
from detection.reputation_state import SellerReputation, iso_utc
from schemas.listing import ListingEvent

__all__ = [
    "ReputationConfig",
    "SellerReputation",
    "apply_outcome",
    "observe_listing",
    "risk_profile",
    "seller_signals",
]

RULE_CONFIRMED_HISTORY = "seller.confirmed_history"
RULE_NEW_ACCOUNT = "seller.new_account"
RULE_UNVERIFIED = "seller.unverified"
RULE_LOW_RATING = "seller.low_rating"
RULE_BRANDED_BURST = "seller.branded_burst"
RULE_NEW_ACCOUNT_HIGH_VALUE = "seller.new_account_high_value"
RULE_CLEARED_HISTORY = "seller.cleared_history"

Signal = tuple[str, dict[str, Any]]


def _history_signals(profile: dict[str, Any], config: ReputationConfig) -> list[Signal]:
    """Confirmed history raises risk; a mostly rejected history protects (never both)."""
    share = profile["confirmed_share"]
    if share is None:
        return []
    if (
        profile["confirmed_weight"] >= config.confirmed_history_min_weight
        and share >= config.confirmed_history_min_share
    ):
        return [(RULE_CONFIRMED_HISTORY, dict(profile))]
    if (
        profile["cleared_weight"] >= config.cleared_history_min_weight
        and 1 - share >= config.cleared_history_min_share
    ):
        return [(RULE_CLEARED_HISTORY, dict(profile))]
    return []


def _account_signals(
    event: ListingEvent, retail_floor_usd: float | None, config: ReputationConfig
) -> list[Signal]:
    """What the platform says about the account at event time: age, verification, rating."""
    seller = event.seller
    signals: list[Signal] = []
    age_days = max(0.0, (event.occurred_at - seller.registered_at).total_seconds() / DAY_SECONDS)
    is_new = age_days < config.new_account_days
    if is_new:
        signals.append(
            (
                RULE_NEW_ACCOUNT,
                {
                    "age_days": round(age_days, 2),
                    "registered_at": iso_utc(seller.registered_at),
                    "new_account_days": config.new_account_days,
                },
            )
        )
    if not seller.verified:
        signals.append((RULE_UNVERIFIED, {"verified": False}))
    if seller.rating is not None and seller.rating < config.low_rating_below:
        signals.append(
            (
                RULE_LOW_RATING,
                {"rating": seller.rating, "low_rating_below": config.low_rating_below},
            )
        )
    if is_new and retail_floor_usd is not None and retail_floor_usd >= config.high_value_floor_usd:
        signals.append(
            (
                RULE_NEW_ACCOUNT_HIGH_VALUE,
                {
                    "age_days": round(age_days, 2),
                    "retail_floor_usd": float(retail_floor_usd),
                    "high_value_floor_usd": config.high_value_floor_usd,
                },
            )
        )
    return signals


def _burst_signals(
    rep: SellerReputation | None, event: ListingEvent, branded: bool, config: ReputationConfig
) -> list[Signal]:
    """Branded listings in the last hour and day, this one included exactly once."""
    this_one = int(branded and is_new_listing(event) and not (rep and was_observed(rep, event)))
    last_hour, last_day = this_one, this_one
    if rep is not None:
        last_hour += branded_in_window(rep, event.occurred_at, HOUR_SECONDS, config)
        last_day += branded_in_window(rep, event.occurred_at, DAY_SECONDS, config)
    if last_hour < config.burst_per_hour and last_day < config.burst_per_day:
        return []
    return [
        (
            RULE_BRANDED_BURST,
            {
                "branded_last_hour": last_hour,
                "branded_last_day": last_day,
                "burst_per_hour": config.burst_per_hour,
                "burst_per_day": config.burst_per_day,
                "bucket_minutes": config.velocity_bucket_minutes,
            },
        )
    ]


def seller_signals(
    rep: SellerReputation | None,
    event: ListingEvent,
    retail_floor_usd: float | None,
    config: ReputationConfig,
    *,
    branded: bool = True,
) -> list[tuple[str, dict[str, Any]]]:
    """(rule_id, evidence) pairs about the seller, in a fixed order, with JSON-able evidence.

    `branded` says whether this listing itself carries a mark (it counts toward the burst);
    the state may have observed the event already or not: a redelivery is never counted twice.
    """
    history = _history_signals(risk_profile(rep, event.occurred_at, config), config) if rep else []
    return [
        *history,
        *_account_signals(event, retail_floor_usd, config),
        *_burst_signals(rep, event, branded, config),
    ]
