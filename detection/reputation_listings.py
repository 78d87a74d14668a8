"""Listing events in a seller's reputation: counts, first seen, and branded-listing velocity."""

from __future__ import annotations

import math
from datetime import datetime

from detection.reputation_config import ReputationConfig
from detection.reputation_state import SellerReputation, iso_utc, parse_iso
from schemas.listing import ListingEvent

HOUR_SECONDS = 3_600
DAY_SECONDS = 86_400


def is_new_listing(event: ListingEvent) -> bool:
    """Only a created listing counts: bulk edits of old listings are not a burst of new ones."""
    return event.event_type == "listing.created"


def bucket_start(moment: datetime, config: ReputationConfig) -> int:
    """The epoch second at which the moment's velocity bucket begins."""
    width = config.velocity_bucket_minutes * 60
    return math.floor(moment.timestamp()) // width * width


def branded_in_window(
    rep: SellerReputation, moment: datetime, window_seconds: int, config: ReputationConfig
) -> int:
    """Branded listings in the buckets of the window that ends with the moment's bucket."""
    last = bucket_start(moment, config)
    return sum(
        count
        for start, count in rep.branded_velocity.items()
        if last - window_seconds < start <= last
    )


def was_observed(rep: SellerReputation, event: ListingEvent) -> bool:
    """A redelivered event (same event_id) is already in the counts."""
    return event.event_id in rep.recent_event_ids


def observe_listing(
    rep: SellerReputation,
    event: ListingEvent,
    branded: bool,
    candidate: bool,
    config: ReputationConfig,
) -> bool:
    """Count one listing event by its own time; False (and no change) for a redelivery."""
    if was_observed(rep, event):
        return False
    rep.recent_event_ids = [*rep.recent_event_ids, event.event_id][-config.recent_event_ids_kept :]
    occurred_at = iso_utc(event.occurred_at)
    if rep.first_seen is None or event.occurred_at < parse_iso(rep.first_seen):
        rep.first_seen = occurred_at
    rep.candidates_raised += int(candidate)
    if not is_new_listing(event):
        return True
    rep.listings_seen += 1
    if branded:
        rep.branded_listings += 1
        start = bucket_start(event.occurred_at, config)
        rep.branded_velocity[start] = rep.branded_velocity.get(start, 0) + 1
        newest = max(rep.branded_velocity)
        rep.branded_velocity = {
            kept: count
            for kept, count in sorted(rep.branded_velocity.items())
            if kept > newest - DAY_SECONDS
        }
    return True
