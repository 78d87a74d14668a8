"""Seller reputation: outcomes, decay, velocity, state round-trip and the signals it gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from detection.reputation import (
    ReputationConfig,
    SellerReputation,
    apply_outcome,
    observe_listing,
    risk_profile,
    seller_signals,
)
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome

NOW = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
CONFIG = ReputationConfig()


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def listing_event(
    event_id: str = "ev-1",
    at: datetime = NOW,
    *,
    seller_id: str = "S-7731",
    title: str = "Saint Laurent Tribute sandals, new",
    amount: str = "357.75",
    registered_at: datetime = NOW - timedelta(days=400),
    verified: bool = True,
    rating: float | None = 4.8,
    event_type: str = "listing.created",
    listing_id: str | None = None,
) -> ListingEvent:
    seller: dict[str, Any] = {
        "seller_id": seller_id,
        "registered_at": iso(registered_at),
        "verified": verified,
    }
    if rating is not None:
        seller["rating"] = rating
    return ListingEvent.model_validate(
        {
            "schema_version": 1,
            "event_id": event_id,
            "event_type": event_type,
            "occurred_at": iso(at),
            "listing": {
                "listing_id": listing_id or f"L-{event_id}",
                "seller_id": seller_id,
                "title": title,
                "category": "shoes",
                "price": {"amount": amount, "currency": "USD"},
            },
            "seller": seller,
        }
    )


def outcome(event_id: str, kind: str, at: datetime, listing_id: str = "L-1") -> TakedownOutcome:
    return TakedownOutcome.model_validate(
        {
            "schema_version": 1,
            "event_id": event_id,
            "event_type": "takedown.outcome",
            "occurred_at": iso(at),
            "listing_id": listing_id,
            "seller_id": "S-7731",
            "outcome": kind,
            "decided_by": "enforcement",
        }
    )


def rule_ids(signals: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [rule_id for rule_id, _ in signals]


def test_applying_the_same_outcome_twice_is_a_no_op() -> None:
    rep = SellerReputation()
    confirmed = outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=7))
    assert apply_outcome(rep, confirmed, CONFIG) is True
    once = rep.to_dict()
    assert apply_outcome(rep, confirmed, CONFIG) is False
    assert rep.to_dict() == once
    assert risk_profile(rep, NOW, CONFIG)["confirmed_count"] == 1


def test_outcomes_give_the_same_state_in_any_arrival_order() -> None:
    outcomes = [
        outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=30), "L-1"),
        outcome("out-2", "reinstated", NOW - timedelta(days=20), "L-1"),
        outcome("out-3", "rejected", NOW - timedelta(days=10), "L-2"),
        outcome("out-4", "confirmed_counterfeit", NOW - timedelta(days=5), "L-3"),
    ]
    forward, backward = SellerReputation(), SellerReputation()
    for item in outcomes:
        apply_outcome(forward, item, CONFIG)
    for item in reversed(outcomes):
        apply_outcome(backward, item, CONFIG)
    assert forward.to_dict() == backward.to_dict()


def test_reinstatement_reverses_the_confirmation_of_the_same_listing() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=7)), CONFIG)
    apply_outcome(rep, outcome("out-2", "reinstated", NOW - timedelta(days=2)), CONFIG)
    profile = risk_profile(rep, NOW, CONFIG)
    assert profile["confirmed_count"] == 0
    assert profile["confirmed_weight"] == 0
    assert profile["reinstated_count"] == 1
    assert "seller.confirmed_history" not in rule_ids(
        seller_signals(rep, listing_event(), 795.0, CONFIG)
    )


def test_reinstatement_of_another_listing_leaves_the_confirmation_standing() -> None:
    rep = SellerReputation()
    apply_outcome(
        rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=7), "L-1"), CONFIG
    )
    apply_outcome(rep, outcome("out-2", "reinstated", NOW - timedelta(days=2), "L-9"), CONFIG)
    profile = risk_profile(rep, NOW, CONFIG)
    assert (profile["confirmed_count"], profile["reinstated_count"]) == (1, 0)


def test_a_confirmation_after_the_reinstatement_stands() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=9)), CONFIG)
    apply_outcome(rep, outcome("out-2", "reinstated", NOW - timedelta(days=8)), CONFIG)
    apply_outcome(rep, outcome("out-3", "confirmed_counterfeit", NOW - timedelta(days=1)), CONFIG)
    profile = risk_profile(rep, NOW, CONFIG)
    assert profile["confirmed_count"] == 1
    assert profile["last_confirmed_at"] == iso(NOW - timedelta(days=1))


def test_a_confirmation_one_half_life_old_weighs_half() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=90)), CONFIG)
    assert risk_profile(rep, NOW, CONFIG)["confirmed_weight"] == 0.5
    assert risk_profile(rep, NOW + timedelta(days=90), CONFIG)["confirmed_weight"] == 0.25


def test_the_half_life_is_configurable() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=10)), CONFIG)
    short = ReputationConfig(half_life_days=10)
    assert risk_profile(rep, NOW, short)["confirmed_weight"] == 0.5


def test_outcomes_after_the_listing_time_do_not_count_yet() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW + timedelta(hours=1)), CONFIG)
    assert risk_profile(rep, NOW, CONFIG)["confirmed_count"] == 0
    assert "seller.confirmed_history" not in rule_ids(
        seller_signals(rep, listing_event(), None, CONFIG)
    )


def test_rejected_only_history_clears_and_never_confirms() -> None:
    rep = SellerReputation()
    for day in (3, 40, 200):
        apply_outcome(
            rep, outcome(f"out-{day}", "rejected", NOW - timedelta(days=day), f"L-{day}"), CONFIG
        )
    signals = dict(seller_signals(rep, listing_event(seller_id="S-7731"), 1990.0, CONFIG))
    assert "seller.confirmed_history" not in signals
    assert signals["seller.cleared_history"]["rejected_count"] == 3
    assert signals["seller.cleared_history"]["confirmed_share"] == 0


def test_faded_rejections_no_longer_clear() -> None:
    rep = SellerReputation()
    apply_outcome(rep, outcome("out-1", "rejected", NOW - timedelta(days=365)), CONFIG)
    assert rule_ids(seller_signals(rep, listing_event(), None, CONFIG)) == []


def test_confirmed_history_needs_a_fair_share_of_the_flags() -> None:
    rep = SellerReputation()
    apply_outcome(
        rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=7), "L-1"), CONFIG
    )
    apply_outcome(rep, outcome("out-2", "rejected", NOW - timedelta(days=7), "L-2"), CONFIG)
    assert rule_ids(seller_signals(rep, listing_event(), None, CONFIG)) == [
        "seller.confirmed_history"
    ]
    for n in range(3, 7):
        apply_outcome(
            rep, outcome(f"out-{n}", "rejected", NOW - timedelta(days=7), f"L-{n}"), CONFIG
        )
    assert rule_ids(seller_signals(rep, listing_event(), None, CONFIG)) == [
        "seller.cleared_history"
    ]


def test_saint_laurent_sandals_from_a_seller_confirmed_last_week() -> None:
    rep = SellerReputation()
    last_week = NOW - timedelta(days=7)
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", last_week, "L-1001"), CONFIG)
    event = listing_event(title="Saint Laurent Tribute sandals, new", amount="357.75")
    signals = dict(seller_signals(rep, event, 795.0, CONFIG))
    evidence = signals["seller.confirmed_history"]
    assert evidence["confirmed_count"] == 1
    assert evidence["last_confirmed_at"] == "2026-11-02T12:00:00Z"
    assert evidence["confirmed_listing_ids"] == ["L-1001"]
    assert 0.94 < evidence["confirmed_weight"] < 0.96
    assert "seller.cleared_history" not in signals
    json.dumps(signals)


def test_new_unverified_low_rated_account_listing_high_value_luxury() -> None:
    event = listing_event(registered_at=NOW - timedelta(days=5), verified=False, rating=2.9)
    signals = dict(seller_signals(None, event, 795.0, CONFIG))
    assert list(signals) == [
        "seller.new_account",
        "seller.unverified",
        "seller.low_rating",
        "seller.new_account_high_value",
    ]
    assert signals["seller.new_account"]["age_days"] == 5.0
    assert signals["seller.new_account_high_value"]["retail_floor_usd"] == 795.0
    assert signals["seller.low_rating"]["rating"] == 2.9
    json.dumps(signals)


def test_established_verified_seller_without_history_gives_no_signal() -> None:
    assert seller_signals(SellerReputation(), listing_event(rating=None), 795.0, CONFIG) == []


def test_new_account_below_the_high_value_floor_is_only_new() -> None:
    event = listing_event(registered_at=NOW - timedelta(days=5))
    assert rule_ids(seller_signals(None, event, 120.0, CONFIG)) == ["seller.new_account"]
    assert rule_ids(seller_signals(None, event, None, CONFIG)) == ["seller.new_account"]


def burst_rep(
    count: int, start: datetime, step: timedelta, branded: bool = True
) -> SellerReputation:
    rep = SellerReputation()
    for n in range(count):
        observe_listing(rep, listing_event(f"ev-{n}", start + n * step), branded, False, CONFIG)
    return rep


def test_a_burst_counts_the_current_listing() -> None:
    rep = burst_rep(9, NOW - timedelta(minutes=45), timedelta(minutes=5))
    signals = dict(seller_signals(rep, listing_event("ev-now"), 795.0, CONFIG))
    assert signals["seller.branded_burst"]["branded_last_hour"] == 10
    quieter = burst_rep(8, NOW - timedelta(minutes=45), timedelta(minutes=5))
    assert "seller.branded_burst" not in rule_ids(
        seller_signals(quieter, listing_event("ev-now"), None, CONFIG)
    )


def test_an_observed_listing_is_not_counted_twice() -> None:
    rep = burst_rep(9, NOW - timedelta(minutes=45), timedelta(minutes=5))
    current = listing_event("ev-now")
    assert observe_listing(rep, current, True, False, CONFIG) is True
    assert observe_listing(rep, current, True, False, CONFIG) is False
    signals = dict(seller_signals(rep, current, None, CONFIG))
    assert signals["seller.branded_burst"]["branded_last_hour"] == 10
    assert rep.branded_listings == 10


def test_a_daily_burst_spread_over_the_day() -> None:
    rep = burst_rep(39, NOW - timedelta(hours=20), timedelta(minutes=30))
    signals = dict(seller_signals(rep, listing_event("ev-now"), None, CONFIG))
    assert signals["seller.branded_burst"]["branded_last_day"] == 40
    assert signals["seller.branded_burst"]["branded_last_hour"] < 10


def test_unbranded_listings_and_updates_are_no_burst() -> None:
    rep = burst_rep(20, NOW - timedelta(minutes=40), timedelta(minutes=1), branded=False)
    for n in range(20):
        update = listing_event(f"up-{n}", NOW - timedelta(minutes=30), event_type="listing.updated")
        observe_listing(rep, update, True, False, CONFIG)
    assert rule_ids(seller_signals(rep, listing_event("ev-now"), None, CONFIG)) == []
    assert (rep.listings_seen, rep.branded_listings) == (20, 0)


def test_velocity_keeps_only_the_last_day() -> None:
    rep = burst_rep(60, NOW - timedelta(hours=59), timedelta(hours=1))
    newest = max(rep.branded_velocity)
    assert min(rep.branded_velocity) > newest - 86_400
    assert len(rep.branded_velocity) == 24
    assert rep.branded_listings == 60


def test_observe_listing_counts_by_event_time() -> None:
    rep = SellerReputation()
    observe_listing(rep, listing_event("ev-2", NOW), True, True, CONFIG)
    observe_listing(rep, listing_event("ev-1", NOW - timedelta(days=2)), False, False, CONFIG)
    assert rep.first_seen == iso(NOW - timedelta(days=2))
    assert (rep.listings_seen, rep.branded_listings, rep.candidates_raised) == (2, 1, 1)


def test_recent_event_ids_are_bounded() -> None:
    rep = burst_rep(100, NOW - timedelta(days=1), timedelta(minutes=1))
    assert len(rep.recent_event_ids) == CONFIG.recent_event_ids_kept
    assert rep.recent_event_ids[-1] == "ev-99"


def test_outcomes_are_capped_and_the_oldest_go_first() -> None:
    config = ReputationConfig(max_outcomes_kept=3)
    rep = SellerReputation()
    for day in range(5):
        kind_at = NOW - timedelta(days=day)
        apply_outcome(rep, outcome(f"out-{day}", "rejected", kind_at, f"L-{day}"), config)
    assert [record.event_id for record in rep.outcomes] == ["out-2", "out-1", "out-0"]
    dropped_again = outcome("out-4", "rejected", NOW - timedelta(days=4), "L-4")
    assert apply_outcome(rep, dropped_again, config) is False


def test_state_round_trips_through_json() -> None:
    rep = burst_rep(5, NOW - timedelta(hours=2), timedelta(minutes=7))
    apply_outcome(rep, outcome("out-1", "confirmed_counterfeit", NOW - timedelta(days=7)), CONFIG)
    apply_outcome(rep, outcome("out-2", "reinstated", NOW - timedelta(days=6)), CONFIG)
    stored = json.loads(json.dumps(rep.to_dict()))
    restored = SellerReputation.from_dict(stored)
    assert restored == rep
    assert restored.to_dict() == stored


def test_an_unknown_state_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        SellerReputation.from_dict({**SellerReputation().to_dict(), "v": 99})


def test_config_rejects_unknown_keys_and_uneven_buckets() -> None:
    assert ReputationConfig.model_validate({"half_life_days": 30}).half_life_days == 30
    with pytest.raises(ValidationError):
        ReputationConfig.model_validate({"half_life_day": 30})
    with pytest.raises(ValidationError):
        ReputationConfig.model_validate({"velocity_bucket_minutes": 7})
