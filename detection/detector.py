"""The Detector: one listing event in, one explained Decision out; pure and deterministic."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from detection.context import (
    ListingText,
    accessory_reference,
    other_sense,
    resale_context,
)
from detection.fx import merged_rates
from detection.images import PHashIndex, PHashMatch, parse_phash
from detection.marks import FUZZY, OBFUSCATED, REGISTERED, MarkHit, MarkMatcher
from detection.model import Decision, Reason
from detection.normalize import TextLayers
from detection.price import PriceAssessment, assess_price
from detection.registry import load_registry
from detection.reputation import SellerReputation, seller_signals
from detection.ruleset import DampenRule, Ruleset, default_ruleset
from detection.scoring import combine, is_corroborating, noisy_or, raise_severity, severity_for
from detection.vocabulary import TermHit, Vocabulary, default_vocabulary
from schemas.listing import ListingEvent
from schemas.registry import BrandRegistry

COUNTERFEIT_IMAGE = "image.counterfeit_match"
OFFICIAL_IMAGE = "image.official_theft"
IMAGE_RULES = (COUNTERFEIT_IMAGE, OFFICIAL_IMAGE)  # the order their findings are listed in
MARK_RULES = {OBFUSCATED: "mark.obfuscated", FUZZY: "mark.fuzzy", REGISTERED: "mark.registered"}
MAX_HITS_IN_EVIDENCE = 5
FIELD_CACHE_CHARS = 2_000_000  # characters of analysed field texts kept (oldest dropped first)
Finding = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class FieldAnalysis:
    """What the text of one field says, whichever listing carries it."""

    name: str
    layers: TextLayers
    terms: tuple[TermHit, ...]
    hits: tuple[MarkHit, ...]


class Detector:
    """Registry and ruleset compiled once; `evaluate` is then cheap and has no side effects
    (beyond a bounded memo of field texts already analysed, which never changes a decision)."""

    def __init__(
        self,
        registry: BrandRegistry,
        ruleset: Ruleset,
        threshold: float | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.registry = registry
        self.ruleset = ruleset
        self.ruleset_version = ruleset.version or _content_version(ruleset)
        self.threshold = ruleset.candidate_threshold if threshold is None else threshold
        self.brand_ids: tuple[str, ...] = tuple(brand.brand_id for brand in registry.brands)
        self.reputation_config = ruleset.reputation
        self.vocabulary = vocabulary or default_vocabulary()
        self._rules = ruleset.rules.by_id()
        # (mode, weight, dampen factor or None) per rule, read once instead of per finding
        self._rule_plan = {
            rule_id: (config.mode, 0.0, config.dampen)
            if isinstance(config, DampenRule)
            else (config.mode, config.weight, None)
            for rule_id, config in self._rules.items()
        }
        self._brands = {brand.brand_id: brand for brand in registry.brands}
        self._order = {brand_id: index for index, brand_id in enumerate(self.brand_ids)}
        self._authorized = {b.brand_id: frozenset(b.authorized_sellers) for b in registry.brands}
        self._authorized_sorted = {b: tuple(sorted(ids)) for b, ids in self._authorized.items()}
        fuzzy = ruleset.rules.mark_fuzzy
        self.marks = MarkMatcher(
            registry, self.vocabulary.ordinary_words, fuzzy.min_length, fuzzy.two_edits_from_length
        )
        self._fuzzy_on = fuzzy.mode != "off"
        self._fields: dict[tuple[str, str], FieldAnalysis] = {}  # titles and templates repeat
        self._field_chars = 0
        self.rates = merged_rates(registry.fx_to_usd)
        self._image_reach = {
            COUNTERFEIT_IMAGE: ruleset.rules.image_counterfeit_match.max_distance,
            OFFICIAL_IMAGE: ruleset.rules.image_official_theft.max_distance,
        }
        self._image_rules_on = tuple(
            rule_id for rule_id in IMAGE_RULES if self._rules[rule_id].mode != "off"
        )
        # one index for both kinds, labelled (rule_id, brand_id): one lookup per listing
        self.images: PHashIndex[tuple[str, str]] = PHashIndex(max(self._image_reach.values()))
        self.add_counterfeit_images(
            (parse_phash(h), b.brand_id)
            for b in registry.brands
            for h in b.counterfeit_image_phashes
        )
        self.images.add_many(
            (parse_phash(h), (OFFICIAL_IMAGE, b.brand_id))
            for b in registry.brands
            for h in b.official_image_phashes
        )

    def add_counterfeit_images(self, items: Iterable[tuple[int, str]]) -> None:
        """Known counterfeit photos as (pHash, brand_id), e.g. from a seized-goods database."""
        self.images.add_many((phash, (COUNTERFEIT_IMAGE, brand_id)) for phash, brand_id in items)

    @classmethod
    def default(cls, threshold: float | None = None) -> Detector:
        """The packaged registry and ruleset."""
        return cls(load_registry(), default_ruleset(), threshold=threshold)

    def evaluate(self, event: ListingEvent, reputation: SellerReputation | None = None) -> Decision:
        """Score one listing event; the event's own `occurred_at` is "now"."""
        listing = event.listing
        fields = [
            self._field(name, value)
            for name, value in (
                ("title", listing.title),
                ("description", listing.description),
                ("brand", listing.brand),
            )
            if value
        ]
        terms = [(field.name, term) for field in fields for term in field.terms]
        hits = [hit for field in fields for hit in field.hits]
        images = self._image_findings(event)
        if not (hits or terms or images):  # no brand, no wording: nothing to weigh
            return Decision(0.0, None, False, None, (), self.ruleset_version)
        layers = {field.name: field.layers for field in fields}
        text = ListingText(
            {field.name: field.layers.folded for field in fields}, str(listing.category)
        )
        cleared: list[dict[str, Any]] = []
        kept = self._clear_marks(hits, text, bool(terms), cleared)
        kept = self._need_corroboration(event, kept, text, bool(terms), cleared)
        brands, exemption_brand_id = self._eligible_brands(event, kept, images, cleared)
        primary = (
            max(brands, key=lambda b: (self._strength(b, kept, images), -self._order[b]))
            if len(brands) > 1
            else next(iter(brands), None)
        )
        findings: list[Finding] = []
        extra: dict[str, Any] = {}
        price: PriceAssessment | None = None
        if primary is not None:
            price = self._brand_findings(
                event, primary, kept, images, terms, text, reputation, findings, extra
            )
        if terms:
            findings.append(("vocab.counterfeit", _terms_evidence(terms, layers)))
        if cleared:
            extra["cleared"] = cleared
        brand_id = primary or _first_brand(cleared, ("authorized_seller", "exemption"))
        return self._decide(findings, primary, brand_id, price, exemption_brand_id, extra)

    def _field(self, name: str, value: str) -> FieldAnalysis:
        """Layers, counterfeit terms and marks of one field; the same text is analysed once."""
        key = (name, value)
        analysis = self._fields.get(key)
        if analysis is None:
            layers = TextLayers(value)
            analysis = FieldAnalysis(
                name,
                layers,
                tuple(self.vocabulary.counterfeit_terms(layers)),
                tuple(self.marks.find(name, layers, self._fuzzy_on)),
            )
            self._fields[key] = analysis
            self._field_chars += len(value)
            while self._field_chars > FIELD_CACHE_CHARS:
                self._field_chars -= len(self._fields.pop(next(iter(self._fields))).layers.original)
        return analysis

    def _clear_marks(
        self, hits: list[MarkHit], text: ListingText, has_terms: bool, cleared: list[dict[str, Any]]
    ) -> list[MarkHit]:
        """Drop marks used in another sense, or only referred to by an accessory."""
        if not hits:
            return []
        config = self.ruleset.context
        disclaimer = (  # the seller's own words; "Generic" in the brand field disclaims nothing
            self.vocabulary.disclaimer(text.anywhere(exclude=("brand",)))
            if text.category in config.accessory_categories
            else None
        )
        kept: list[MarkHit] = []
        for hit in hits:
            why = other_sense(hit, self._brands[hit.brand_id], text, config, self.vocabulary)
            if why is None and not has_terms:
                why = accessory_reference(hit, text, config, self.vocabulary, disclaimer)
            if why is None:
                kept.append(hit)
            else:
                cleared.append(_cleared_mark(hit, why))
        return kept

    def _need_corroboration(
        self,
        event: ListingEvent,
        hits: list[MarkHit],
        text: ListingText,
        has_terms: bool,
        cleared: list[dict[str, Any]],
    ) -> list[MarkHit]:
        """Keep a common-word mark only in brand context, a short misspelling only if corroborated.

        Brand context for "Coach" or "Off-White": the brand field names the brand, another
        distinctive mark of the brand is there, or the mark is capitalized as a name, in a
        category the brand sells, with counterfeit wording, a dupe phrase or a price below floor.
        """
        if not any(hit.ambiguous or hit.weak for hit in hits):
            return hits
        named = {hit.brand_id for hit in hits if hit.field == "brand" or not hit.ambiguous}
        kept: list[MarkHit] = []
        for hit in hits:
            why = None
            if hit.ambiguous and hit.brand_id not in named:
                why = self._ambiguous_reason(event, hit, text, has_terms)
            if why is None and hit.weak and not (has_terms or self._below_floor(event, hit)):
                why = "short_misspelling_uncorroborated"
            if why is None:
                kept.append(hit)
            else:
                cleared.append(_cleared_mark(hit, {"reason": why}))
        return kept

    def _ambiguous_reason(
        self, event: ListingEvent, hit: MarkHit, text: ListingText, has_terms: bool
    ) -> str | None:
        """Why a common-word mark is read as the common word, or None when it names the brand."""
        if event.listing.category not in self._brands[hit.brand_id].retail_floor_usd:
            return "common_word_category"
        words = re.findall(r"\w+", hit.matched)
        if not words or not all(word[0].isupper() for word in words):
            return "common_word_lowercase"
        dupe = self.vocabulary.dupe_phrase(text.folded[hit.field], hit.folded_start, hit.folded_end)
        if has_terms or dupe is not None or self._below_floor(event, hit):
            return None
        return "common_word_uncorroborated"

    def _below_floor(self, event: ListingEvent, hit: MarkHit) -> bool:
        price = assess_price(
            event.listing,
            self._brands[hit.brand_id],
            self.rates,
            self.ruleset.rules.price_below_floor.bands,
        )
        return price is not None and price.band is not None

    def _image_findings(self, event: ListingEvent) -> dict[str, list[Finding]]:
        """Closest registry image per rule and brand: seized fakes, and official photos reused."""
        written_hashes = event.listing.image_phashes
        if not written_hashes or not self._image_rules_on:
            return {}
        phashes = [int(written, 16) for written in written_hashes]
        if not self.images.any_within(phashes):  # the common case, answered in one pass
            return {}
        found: dict[str, dict[str, Finding]] = {}
        seller_id = event.seller.seller_id
        for written, phash in zip(written_hashes, phashes, strict=True):
            matches = self.images.within(phash)
            if not matches:
                continue
            nearest: dict[str, PHashMatch[tuple[str, str]]] = {}
            for match in matches:  # sorted: the first of each rule is its nearest
                nearest.setdefault(match.label[0], match)
            for rule_id in self._image_rules_on:
                closest = nearest.get(rule_id)
                reach = self._image_reach[rule_id]
                if closest is None or closest.distance > reach:
                    continue
                brand_id = closest.label[1]
                if rule_id == OFFICIAL_IMAGE and seller_id in self._authorized[brand_id]:
                    continue
                evidence = {
                    "brand_id": brand_id,
                    "listing_phash": written,
                    "registry_phash": f"{closest.phash:016x}",
                    "distance": closest.distance,
                    "max_distance": reach,
                }
                best = found.setdefault(brand_id, {}).get(rule_id)
                if best is None or closest.distance < best[1]["distance"]:
                    found[brand_id][rule_id] = (rule_id, evidence)
        return {brand: list(rules.values()) for brand, rules in found.items()}

    def _eligible_brands(
        self,
        event: ListingEvent,
        kept: list[MarkHit],
        images: dict[str, list[Finding]],
        cleared: list[dict[str, Any]],
    ) -> tuple[list[str], str | None]:
        """Brands with evidence, less the seller's own brands and its exemptions."""
        seller_id = event.seller.seller_id
        named = {hit.brand_id for hit in kept} | images.keys()
        with_evidence = sorted(named, key=self._order.__getitem__) if len(named) > 1 else named
        eligible: list[str] = []
        exemption_brand_id: str | None = None
        for brand_id in with_evidence:
            if seller_id in self._authorized[brand_id]:
                cleared.append(
                    {"brand_id": brand_id, "reason": "authorized_seller", "seller_id": seller_id}
                )
                continue
            exemptions = self._brands[brand_id].exemptions
            exemption = (
                next(
                    (
                        e
                        for e in exemptions
                        if e.seller_id == seller_id
                        and e.until >= event.occurred_at.astimezone(UTC).date()
                    ),
                    None,
                )
                if exemptions
                else None
            )
            if exemption is not None:
                cleared.append(
                    {
                        "brand_id": brand_id,
                        "reason": "exemption",
                        "seller_id": seller_id,
                        "until": exemption.until.isoformat(),
                        "note": exemption.reason,
                    }
                )
                exemption_brand_id = exemption_brand_id or brand_id
                continue
            eligible.append(brand_id)
        return eligible, exemption_brand_id

    def _strength(
        self, brand_id: str, kept: list[MarkHit], images: dict[str, list[Finding]]
    ) -> float:
        """How strongly the listing names this brand: its best mark and its image matches."""
        marks = [self._weight(MARK_RULES[hit.kind]) for hit in kept if hit.brand_id == brand_id]
        pictures = [self._weight(rule_id) for rule_id, _ in images.get(brand_id, [])]
        return noisy_or(([max(marks)] if marks else []) + pictures)

    def _weight(self, rule_id: str) -> float:
        config = self._rules[rule_id]
        return 0.0 if isinstance(config, DampenRule) else config.weight

    def _brand_findings(
        self,
        event: ListingEvent,
        brand_id: str,
        kept: list[MarkHit],
        images: dict[str, list[Finding]],
        terms: list[tuple[str, TermHit]],
        text: ListingText,
        reputation: SellerReputation | None,
        findings: list[Finding],
        extra: dict[str, Any],
    ) -> PriceAssessment | None:
        """Everything said about the primary brand: marks, dupes, images, price, seller."""
        brand = self._brands[brand_id]
        hits = [hit for hit in kept if hit.brand_id == brand_id]
        by_kind: dict[str, list[MarkHit]] = {OBFUSCATED: [], FUZZY: [], REGISTERED: []}
        for hit in hits:
            by_kind[hit.kind].append(hit)
        for kind, group in by_kind.items():
            if group:
                findings.append((MARK_RULES[kind], _hits_evidence(group)))
        for hit in hits:
            phrase = self.vocabulary.dupe_phrase(
                text.folded[hit.field], hit.folded_start, hit.folded_end
            )
            if phrase is not None:
                findings.append(("vocab.dupe_pattern", {"pattern": phrase, **hit.evidence()}))
                break
        findings.extend(images.get(brand_id, []))
        price = assess_price(
            event.listing, brand, self.rates, self.ruleset.rules.price_below_floor.bands
        )
        price_evidence = price.evidence() if price is not None else {}
        if price is not None:
            extra["price"] = price_evidence
        honest = not terms and not any(hit.kind == OBFUSCATED for hit in hits)
        resale = (
            resale_context(event, text, price, self.ruleset.context, self.vocabulary)
            if honest
            else None
        )
        if resale is not None:
            extra["context"] = {"resale": resale}
        if price is not None and price.band is not None and resale is None:
            findings.append(("price.below_floor", {"brand_id": brand_id, **price_evidence}))
        if hits and resale is None:
            findings.append(
                (
                    "seller.unauthorized",
                    {
                        "brand_id": brand_id,
                        "seller_id": event.seller.seller_id,
                        "authorized_sellers": list(self._authorized_sorted[brand_id]),
                    },
                )
            )
        floor = brand.retail_floor_usd.get(event.listing.category)
        for rule_id, evidence in seller_signals(
            reputation, event, floor, self.reputation_config, branded=True
        ):
            findings.append((rule_id, evidence))
        return price

    def _decide(
        self,
        findings: list[Finding],
        primary: str | None,
        brand_id: str | None,
        price: PriceAssessment | None,
        exemption_brand_id: str | None,
        extra: dict[str, Any],
    ) -> Decision:
        """Weigh enforce findings, report shadow ones, and set severity."""
        enforced: list[Reason] = []
        shadow: list[Reason] = []
        dampens: list[float] = []
        price_enforced = False
        for rule_id, evidence in findings:
            mode, weight, dampen = self._rule_plan[rule_id]
            if mode == "off":
                continue
            if dampen is not None:
                reason = Reason(rule_id, 0.0, {**evidence, "dampen": dampen})
            elif rule_id == "price.below_floor" and price is not None and price.band is not None:
                reason = Reason(rule_id, price.band.weight, evidence)
            else:
                reason = Reason(rule_id, weight, evidence)
            if mode == "shadow":
                shadow.append(reason)
                continue
            enforced.append(reason)
            if dampen is not None:
                dampens.append(dampen)
            price_enforced = price_enforced or rule_id == "price.below_floor"
        score = combine([r.weight for r in enforced], dampens)
        is_candidate = (
            primary is not None
            and score >= self.threshold
            and any(is_corroborating(reason.rule_id) for reason in enforced)
        )
        severity = None
        if is_candidate:
            severity = severity_for(score, self.ruleset.severity_bands) or "low"
            if price_enforced and price is not None and price.band is not None:
                severity = raise_severity(severity, price.band.min_severity)
        return Decision(
            score=round(score, 6),
            severity=severity,
            is_candidate=is_candidate,
            brand_id=brand_id,
            reasons=tuple(enforced),
            ruleset_version=self.ruleset_version,
            shadow_reasons=tuple(shadow),
            exemption_brand_id=exemption_brand_id,
            extra=extra,
        )


def _hits_evidence(hits: list[MarkHit]) -> dict[str, Any]:
    """The first hit's evidence, with the count and the next few hits."""
    evidence = hits[0].evidence()
    evidence["occurrences"] = len(hits)
    if len(hits) > 1:
        evidence["more"] = [hit.evidence() for hit in hits[1:MAX_HITS_IN_EVIDENCE]]
    return evidence


def _terms_evidence(
    terms: list[tuple[str, TermHit]], layers: dict[str, TextLayers]
) -> dict[str, Any]:
    """Each counterfeit term: the term, its language, the field and the span as written."""
    found = []
    for field_name, term in terms[:MAX_HITS_IN_EVIDENCE]:
        layer = layers[field_name]
        start, end = layer.folded_span(term.start, term.end)
        found.append(
            {
                "term": term.term,
                "language": term.language,
                "field": field_name,
                "matched": layer.original[start:end],
                "span": [start, end],
            }
        )
    return (
        {**found[0], "occurrences": len(terms), "more": found[1:]}
        if len(found) > 1
        else {**found[0], "occurrences": 1}
    )


def _first_brand(cleared: list[dict[str, Any]], reasons: tuple[str, ...]) -> str | None:
    return next((c["brand_id"] for c in cleared if c["reason"] in reasons), None)


def _content_version(ruleset: Ruleset) -> str:
    """A ruleset built in code (no file) is versioned by its canonical JSON."""
    material = ruleset.model_dump_json(by_alias=True).encode()
    return "rs-" + hashlib.sha256(material).hexdigest()[:12]


def _cleared_mark(hit: MarkHit, why: dict[str, Any]) -> dict[str, Any]:
    """Evidence of a mark that was found but cleared, and why, for the decision's `extra`."""
    return {
        "brand_id": hit.brand_id,
        "mark": hit.alias,
        "field": hit.field,
        "matched": hit.matched,
        **why,
    }
