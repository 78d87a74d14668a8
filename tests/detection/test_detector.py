"""The Detector end to end: contract examples, each disguise, each innocent look-alike."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from detection.detector import Detector
from detection.model import Decision
from detection.registry import load_registry
from detection.ruleset import Ruleset, default_ruleset
from schemas.listing import ListingEvent
from schemas.registry import BrandRegistry, Exemption

OLD_SELLER = "2018-01-01T00:00:00Z"
NEW_SELLER = "2026-10-30T00:00:00Z"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.default()


def event(
    title: str,
    *,
    category: str = "handbags",
    amount: str = "120.00",
    currency: str = "USD",
    description: str | None = None,
    brand: str | None = None,
    seller_id: str = "S-9000",
    registered_at: str = NEW_SELLER,
    verified: bool = False,
    rating: float | None = None,
    phashes: list[str] | None = None,
) -> ListingEvent:
    listing: dict[str, Any] = {
        "listing_id": "L-1",
        "seller_id": seller_id,
        "title": title,
        "category": category,
        "price": {"amount": amount, "currency": currency},
        "image_phashes": phashes or [],
    }
    if description is not None:
        listing["description"] = description
    if brand is not None:
        listing["brand"] = brand
    seller: dict[str, Any] = {
        "seller_id": seller_id,
        "registered_at": registered_at,
        "verified": verified,
    }
    if rating is not None:
        seller["rating"] = rating
    return ListingEvent.model_validate(
        {
            "schema_version": 1,
            "event_id": "ev-1",
            "event_type": "listing.created",
            "occurred_at": "2026-11-02T09:00:00Z",
            "listing": listing,
            "seller": seller,
        }
    )


def rule_ids(decision: Decision) -> list[str]:
    return [reason.rule_id for reason in decision.reasons]


def evidence(decision: Decision, rule_id: str) -> dict[str, Any]:
    return next(r.evidence for r in decision.reasons if r.rule_id == rule_id)


# --- contract examples -----------------------------------------------------------------------

EXPECTED = {
    "L-1001": True,
    "L-1002": False,
    "L-1003": True,
    "L-1004": True,
    "L-1005": False,
    "L-1006": False,
}


@pytest.mark.parametrize("registry_source", ["contract", "default"])
def test_contract_examples(contract_examples: Path, registry_source: str) -> None:
    registry = (
        load_registry(contract_examples / "brand-registry.yaml")
        if registry_source == "contract"
        else load_registry()
    )
    detector = Detector(registry, default_ruleset())
    seen: dict[str, Decision] = {}
    for line in (contract_examples / "listing-events.jsonl").read_text().splitlines():
        parsed = ListingEvent.model_validate_json(line)
        seen.setdefault(parsed.listing.listing_id, detector.evaluate(parsed))
    assert {lid: d.is_candidate for lid, d in seen.items()} == EXPECTED
    assert seen["L-1001"].brand_id == "balenciaga"
    assert {"image.counterfeit_match", "vocab.counterfeit", "price.below_floor"} <= set(
        rule_ids(seen["L-1001"])
    )
    assert evidence(seen["L-1003"], "vocab.counterfeit")["term"] == "高仿"
    homoglyphs = evidence(seen["L-1004"], "mark.obfuscated")
    assert homoglyphs["matched"] == "Guссі" and homoglyphs["normalized"] == "gucci"
    assert {c["char"] for c in homoglyphs["characters"]} == {"с", "і"}
    assert seen["L-1005"].extra["context"]["resale"]["verified"] is True


# --- disguises are caught ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "brand_id", "category"),
    [
        ("Guссі Marmont bag", "gucci", "handbags"),
        ("G U C C I Marmont bag", "gucci", "handbags"),
        ("L0uis Vuitton Neverfull", "louis-vuitton", "handbags"),
        ("Rol3x Submariner date", "rolex", "watches"),
        ("ＧＵＣＣＩ Marmont bag", "gucci", "handbags"),
        ("Gu\u200bcci Marmont bag", "gucci", "handbags"),
        ("古驰 高仿 酒神包", "gucci", "handbags"),
        ("Balenciaga dupe sneakers", "balenciaga", "shoes"),
        ("Sneakers inspired by Balenciaga Triple S", "balenciaga", "shoes"),
    ],
)
def test_disguised_listings_are_candidates(
    detector: Detector, title: str, brand_id: str, category: str
) -> None:
    decision = detector.evaluate(event(title, category=category, amount="900.00"))
    assert decision.is_candidate, decision
    assert decision.brand_id == brand_id


def test_mark_hidden_in_the_description_is_found(detector: Detector) -> None:
    decision = detector.evaluate(
        event(
            "Luxury flap bag, top grade",
            description="Same as C.h.a.n.e.l boutique, 1:1",
            amount="90",
        )
    )
    assert decision.is_candidate and decision.brand_id == "chanel"
    assert evidence(decision, "mark.obfuscated")["field"] == "description"


def test_dupe_pattern_evidence_ties_the_phrase_to_the_mark(detector: Detector) -> None:
    decision = detector.evaluate(
        event("Perfume inspired by Chanel No 5", category="fragrance", amount="60")
    )
    found = evidence(decision, "vocab.dupe_pattern")
    assert found["pattern"] == "inspired by" and found["brand_id"] == "chanel"


def test_counterfeit_photo_alone_makes_a_candidate(detector: Detector) -> None:
    decision = detector.evaluate(
        event("Sneakers, white", category="shoes", phashes=["9f3b0c6e21d4a875"])
    )
    assert decision.is_candidate and decision.brand_id == "balenciaga"
    assert evidence(decision, "image.counterfeit_match")["distance"] == 1


def test_official_photo_used_by_another_seller_is_image_theft(detector: Detector) -> None:
    gucci = next(b for b in detector.registry.brands if b.brand_id == "gucci")
    decision = detector.evaluate(
        event("Gucci bag", amount="900", phashes=[gucci.official_image_phashes[0]])
    )
    assert "image.official_theft" in rule_ids(decision)
    own = detector.evaluate(
        event(
            "Gucci bag",
            amount="900",
            seller_id="S-GUCCI-STORE",
            phashes=[gucci.official_image_phashes[0]],
        )
    )
    assert own.reasons == () and not own.is_candidate


# --- innocent look-alikes are left alone -----------------------------------------------------


@pytest.mark.parametrize(
    ("title", "category", "amount"),
    [
        ("Omega-3 fish oil softgels 120 count", "health", "14.99"),
        ("Tiffany-style stained glass lamp", "home", "89.00"),
        ("8 channel audio mixer", "electronics", "120.00"),
        ("Nike of Samothrace museum replica statue", "home", "45.00"),
        ("Nike of Samothrace museum replica statue", "other", "45.00"),
        ("Cartier-Bresson photo book", "books", "35.00"),
        ("Organizer insert compatible with LV Neverfull", "accessories", "25.00"),
        ("Gucci Marmont bag", "handbags", "2300.00"),
    ],
)
def test_innocent_listings_are_not_candidates(
    detector: Detector, title: str, category: str, amount: str
) -> None:
    decision = detector.evaluate(event(title, category=category, amount=amount))
    assert not decision.is_candidate, decision


def test_verified_reseller_pre_owned_is_not_flagged_on_price(detector: Detector) -> None:
    decision = detector.evaluate(
        event(
            "Pre-owned authentic Saint Laurent bag, receipt included",
            amount="700",
            registered_at=OLD_SELLER,
            verified=True,
            rating=4.8,
        )
    )
    assert not decision.is_candidate
    assert "price.below_floor" not in rule_ids(decision)
    assert decision.extra["context"]["resale"]["phrase"] == "pre-owned"


def test_implausible_resale_price_is_still_flagged(detector: Detector) -> None:
    decision = detector.evaluate(
        event(
            "Pre-owned authentic Saint Laurent bag",
            amount="60",
            registered_at=OLD_SELLER,
            verified=True,
            rating=4.8,
        )
    )
    assert "price.below_floor" in rule_ids(decision)


def test_brand_store_is_never_flagged_for_its_own_marks(detector: Detector) -> None:
    decision = detector.evaluate(
        event("Gucci Marmont bag sale", amount="99", seller_id="S-GUCCI-STORE")
    )
    assert not decision.is_candidate and decision.reasons == ()
    assert decision.extra["cleared"][0]["reason"] == "authorized_seller"


def test_exempt_seller_is_cleared_for_that_brand() -> None:
    registry = load_registry()
    brands = [
        b.model_copy(
            update={"exemptions": [Exemption(seller_id="S-9000", until=date(2026, 12, 31))]}
        )
        if b.brand_id == "gucci"
        else b
        for b in registry.brands
    ]
    detector = Detector(BrandRegistry(registry_version=1, brands=brands), default_ruleset())
    decision = detector.evaluate(event("Gucci bag replica", amount="50"))
    assert not decision.is_candidate and decision.exemption_brand_id == "gucci"
    expired = [
        b.model_copy(update={"exemptions": [Exemption(seller_id="S-9000", until=date(2026, 1, 1))]})
        for b in brands
    ]
    later = Detector(BrandRegistry(registry_version=1, brands=expired), default_ruleset())
    assert later.evaluate(event("Gucci bag replica", amount="50")).is_candidate


# --- ruleset modes, threshold, determinism ----------------------------------------------------


def with_mode(ruleset: Ruleset, rule_id: str, mode: str) -> Ruleset:
    field = rule_id.replace(".", "_")
    changed = getattr(ruleset.rules, field).model_copy(update={"mode": mode})
    return ruleset.model_copy(update={"rules": ruleset.rules.model_copy(update={field: changed})})


def test_shadow_rules_are_reported_but_not_scored() -> None:
    ruleset = with_mode(default_ruleset(), "vocab.counterfeit", "shadow")
    decision = Detector(load_registry(), ruleset).evaluate(event("Gucci bag replica", amount="900"))
    assert "vocab.counterfeit" not in rule_ids(decision)
    assert [r.rule_id for r in decision.shadow_reasons] == ["vocab.counterfeit"]
    assert not decision.is_candidate


def test_off_rules_are_not_evaluated() -> None:
    ruleset = with_mode(default_ruleset(), "vocab.counterfeit", "off")
    decision = Detector(load_registry(), ruleset).evaluate(event("Gucci bag replica", amount="900"))
    assert "vocab.counterfeit" not in rule_ids(decision) and decision.shadow_reasons == ()


def test_threshold_argument_overrides_the_ruleset() -> None:
    listing = event("Gucci bag", amount="450", registered_at=OLD_SELLER, verified=True, rating=4.9)
    assert Detector.default().evaluate(listing).score < 0.5
    assert not Detector.default().evaluate(listing).is_candidate
    assert Detector.default(threshold=0.3).evaluate(listing).is_candidate


def test_mark_alone_and_bad_seller_history_alone_are_not_candidates(detector: Detector) -> None:
    assert not detector.evaluate(event("Gucci bag", amount="900", rating=1.0)).is_candidate
    no_mark = detector.evaluate(event("Leather bag 1:1 replica", amount="9", rating=1.0))
    assert not no_mark.is_candidate and no_mark.brand_id is None
    assert not any(r.rule_id.startswith("seller.") for r in no_mark.reasons)


def test_decisions_are_deterministic_and_evidence_is_json(detector: Detector) -> None:
    listing = event(
        "Guссі 1:1 bag",
        description="G U C C I 高仿",
        amount="300",
        currency="CNY",
        phashes=["5b5b1e0c77aa9031"],
    )
    first, second = detector.evaluate(listing), detector.evaluate(listing)
    assert first == second
    json.dumps([r.evidence for r in first.reasons] + [first.extra])
    assert (
        first.ruleset_version == detector.ruleset_version.strip()
        and first.ruleset_version.startswith("rs-")
    )
    assert "gucci" in detector.brand_ids


def test_price_band_raises_severity(detector: Detector) -> None:
    decision = detector.evaluate(
        event("Balenciaga Triple S", category="shoes", amount="40", description="dupe")
    )
    assert decision.is_candidate
    assert evidence(decision, "price.below_floor")["band"] == "extreme"
    assert decision.severity in ("high", "critical")


def test_common_word_mark_needs_brand_context(detector: Detector) -> None:
    generic = detector.evaluate(event("Off white linen shirt", category="apparel", amount="20"))
    branded = detector.evaluate(event("Off-White hoodie", category="apparel", amount="20"))
    assert not generic.is_candidate and generic.extra["cleared"][0]["reason"].startswith("common")
    assert branded.is_candidate


def test_short_misspelling_counts_only_when_corroborated(detector: Detector) -> None:
    assert detector.evaluate(event("Prda tote bag super copy")).is_candidate
    assert not detector.evaluate(event("Prda tote bag", amount="3000.00")).is_candidate
