"""Context that clears a mark: another sense of the word, an accessory's reference, resale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detection.marks import MarkHit
from detection.price import PriceAssessment
from detection.ruleset import ContextConfig
from detection.vocabulary import Vocabulary
from schemas.listing import ListingEvent
from schemas.registry import Brand

DAY_SECONDS = 86_400
@dataclass(frozen=True, slots=True)
class ListingText:
    """The folded text of each field, as context phrases are matched on it."""

    folded: dict[str, str]
    category: str

    def anywhere(self, exclude: tuple[str, ...] = ()) -> str:
        """All fields in one text (fields joined by a line break, so no phrase spans two)."""
        return "\n".join(self.folded[name] for name in sorted(self.folded) if name not in exclude)


def other_sense(
    hit: MarkHit, brand: Brand, text: ListingText, config: ContextConfig, vocabulary: Vocabulary
) -> dict[str, Any] | None:
    """Why a mark names something else: a category the brand does not sell, or a collocation."""
    if (
        text.category in config.other_sense_categories
        and text.category not in brand.retail_floor_usd
    ):
        return {"reason": "mark_other_sense_category", "category": text.category}
    following = vocabulary.other_sense(text.folded[hit.field], hit.folded_end)
    if following is not None:
        return {"reason": "mark_other_sense_phrase", "phrase": hit.matched + following}
    return None


def accessory_reference(
    hit: MarkHit,
    text: ListingText,
    config: ContextConfig,
    vocabulary: Vocabulary,
    disclaimer: str | None,
) -> dict[str, Any] | None:
    """An accessory that names the mark it fits ("insert compatible with LV Neverfull")."""
    if text.category not in config.accessory_categories:
        return None
    phrase = vocabulary.accessory_phrase(text.folded[hit.field], hit.folded_start)
    if phrase is not None:
        return {"reason": "accessory_reference", "phrase": phrase, "category": text.category}
    if disclaimer is not None:
        return {"reason": "accessory_disclaimer", "phrase": disclaimer, "category": text.category}
    return None


def resale_context(
    event: ListingEvent,
    text: ListingText,
    price: PriceAssessment | None,
    config: ContextConfig,
    vocabulary: Vocabulary,
) -> dict[str, Any] | None:
    """An established, verified reseller selling authentic pre-owned goods at a plausible price."""
    rules = config.resale
    seller = event.seller
    if rules.require_verified and not seller.verified:
        return None
    age_days = (event.occurred_at - seller.registered_at).total_seconds() / DAY_SECONDS
    if age_days < rules.min_account_days:
        return None
    if seller.rating is None or seller.rating < rules.min_rating:
        return None
    anywhere = text.anywhere()
    phrase = vocabulary.resale_phrase(anywhere)
    if phrase is None:
        return None
    if price is not None and price.ratio < rules.min_price_ratio:
        return None
    return {
        "reason": "established_reseller_pre_owned",
        "phrase": phrase,
        "authenticity": vocabulary.authenticity_phrase(anywhere),
        "account_age_days": int(age_days),
        "rating": seller.rating,
        "verified": seller.verified,
        "price_ratio": round(price.ratio, 4) if price is not None else None,
        "min_price_ratio": rules.min_price_ratio,
    }
