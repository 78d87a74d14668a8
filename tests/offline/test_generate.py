"""The generator writes valid, labelled, reproducible traffic that follows the threat model."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from offline.generate import (
    COUNTERFEIT_KINDS,
    DEFAULT_FX_TO_USD,
    GENUINE_KINDS,
    OUTCOME_KIND,
    GeneratedRecord,
    default_registry_path,
    generate,
    load_registry,
    main,
)
from schemas.listing import ListingEvent
from schemas.outcome import TakedownOutcome
from schemas.parse import parse_event

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS_COUNT, CORPUS_SEED = 3000, 7  # the arguments tests/data/corpus-* were written with
REGISTRY = load_registry(default_registry_path())
BRANDS = {brand.brand_id: brand for brand in REGISTRY.brands}


@pytest.fixture(scope="module")
def records() -> list[GeneratedRecord]:
    return list(generate(3000, seed=11))


def _listings(records: list[GeneratedRecord], kind: str) -> list[dict]:
    found = [r.document for r in records if r.kind == kind]
    assert found, f"no {kind} in the sample"
    return found


def _usd(listing: dict) -> float:
    price = listing["price"]
    return float(Decimal(price["amount"])) * DEFAULT_FX_TO_USD[price["currency"]]


def _brand_of(listing: dict) -> str:
    """The brand a listing imitates, read back from its category floor and marks."""
    title = (listing["title"] + " " + listing.get("description", "")).casefold()
    for brand in REGISTRY.brands:
        for mark in [brand.name, *brand.aliases]:
            if re.search(rf"(?<!\w){re.escape(mark.casefold())}(?!\w)", title):
                return brand.brand_id
    raise AssertionError(f"no registered mark in {listing['title']!r}")


def _bits_apart(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not() -> None:
    def dump(seed: int) -> bytes:
        return b"".join(orjson.dumps(r.document) + b"\n" for r in generate(400, seed=seed))

    assert dump(5) == dump(5)
    assert dump(5) != dump(6)


def test_every_record_passes_the_contract_parser(records: list[GeneratedRecord]) -> None:
    for record in records:
        model = parse_event(orjson.dumps(record.document))
        expected = TakedownOutcome if record.label is None else ListingEvent
        assert isinstance(model, expected), (record.document, model)


def test_records_are_keyed_by_seller_and_time_ordered(records: list[GeneratedRecord]) -> None:
    times = [datetime.fromisoformat(r.document["occurred_at"]) for r in records]
    assert times == sorted(times) and len(set(times)) == len(times)
    for record in records:
        document = record.document
        seller_id = document.get("seller_id") or document["seller"]["seller_id"]
        assert record.key == seller_id


def test_every_kind_appears_with_its_label(records: list[GeneratedRecord]) -> None:
    kinds = {(r.label, r.kind) for r in records}
    expected = {("counterfeit", k) for k in COUNTERFEIT_KINDS} | {
        ("genuine", k) for k in GENUINE_KINDS} | {(None, OUTCOME_KIND)}
    assert kinds == expected


def test_counterfeit_share_is_respected(records: list[GeneratedRecord]) -> None:
    created = [r for r in records if r.document.get("event_type") == "listing.created"]
    share = sum(r.label == "counterfeit" for r in created) / len(created)
    assert 0.31 < share < 0.39
    assert all(r.label != "counterfeit" for r in generate(300, seed=1, counterfeit_share=0.0))


def test_count_is_exact_and_without_outcomes_the_listings_are_the_same() -> None:
    everything = list(generate(500, seed=3))
    listings_only = list(generate(500, seed=3, with_outcomes=False))
    assert len(everything) == len(listings_only) == 500
    assert all(r.label is not None for r in listings_only)
    filtered = [r.document for r in everything if r.label is not None]
    assert filtered == [r.document for r in listings_only][:len(filtered)]


def test_updates_resend_a_created_listing_with_its_label(records: list[GeneratedRecord]) -> None:
    created: dict[str, GeneratedRecord] = {}
    updates = 0
    for record in records:
        if record.document.get("event_type") == "listing.created":
            created[record.document["listing"]["listing_id"]] = record
        elif record.document.get("event_type") == "listing.updated":
            updates += 1
            first = created[record.document["listing"]["listing_id"]]
            assert (record.label, record.kind, record.key) == (first.label, first.kind, first.key)
            assert record.document["listing"]["title"] == first.document["listing"]["title"]
    assert updates > 50


def test_repeat_offenders_and_cleared_resellers_follow_their_outcomes(
        records: list[GeneratedRecord]) -> None:
    confirmed: set[str] = set()
    cleared: set[str] = set()
    for record in records:
        if record.kind == OUTCOME_KIND:
            outcome = record.document["outcome"]
            (confirmed if outcome == "confirmed_counterfeit" else cleared).add(record.key)
        elif record.kind == "repeat_offender":
            assert record.key in confirmed
            listing = record.document["listing"]
            floor = BRANDS[_brand_of(listing)].retail_floor_usd[listing["category"]]
            assert 0.25 * floor <= _usd(listing) <= 0.65 * floor
        elif record.kind == "cleared_reseller":
            assert record.key in cleared
            assert record.label == "genuine"


def test_disguised_marks_hide_every_registered_mark(records: list[GeneratedRecord]) -> None:
    marks = [m.casefold() for b in REGISTRY.brands for m in [b.name, *b.aliases] if m.isascii()]
    disguises = {
        "homoglyph_mark": lambda t: any(ord(c) > 0x7F for c in t),
        "fullwidth_mark": lambda t: any("\uff01" <= c <= "\uff5e" for c in t),
        "zero_width_mark": lambda t: any(c in "\u200b\u200c\u200d\u2060\ufeff\u00ad" for c in t),
        "spaced_mark": lambda t: re.search(r"\w([ .\-_*\u00b7]+)\w\1\w", t) is not None,
        "leetspeak_mark": lambda t: re.search(r"[^\W\d_][0-9@!$]|[0-9@!$][^\W\d_]", t),
        "misspelled_mark": lambda t: True,
    }
    for kind, looks_disguised in disguises.items():
        for document in _listings(records, kind):
            title = document["listing"]["title"]
            assert looks_disguised(title), (kind, title)
            words = title.casefold()
            assert not any(re.search(rf"(?<!\w){re.escape(m)}(?!\w)", words) for m in marks), title


def test_chinese_and_foreign_fakes_use_their_words(records: list[GeneratedRecord]) -> None:
    for document in _listings(records, "chinese_fake"):
        assert re.search("高仿|A货|复刻|原单|精仿|超A|一比一|1比1", document["listing"]["title"])
    for document in _listings(records, "foreign_language_fake"):
        title = document["listing"]["title"].casefold()
        cues = "répli|imita|copi|contrefaçon|falso|faux|replica|calidad|miroir"
        assert re.search(cues, title), title


def test_image_kinds_carry_a_hash_near_a_registered_one(records: list[GeneratedRecord]) -> None:
    def nearest(listing: dict, field: str) -> int:
        known = [h for b in REGISTRY.brands for h in getattr(b, field)]
        return min(_bits_apart(h, k) for h in listing.get("image_phashes", []) for k in known)

    for document in _listings(records, "counterfeit_image"):
        assert nearest(document["listing"], "counterfeit_image_phashes") <= 6
    authorized = {s for b in REGISTRY.brands for s in b.authorized_sellers}
    for document in _listings(records, "stolen_official_photo"):
        assert nearest(document["listing"], "official_image_phashes") <= 6
        assert document["seller"]["seller_id"] not in authorized
    for document in _listings(records, "generic_unbranded"):
        if document["listing"].get("image_phashes"):
            assert nearest(document["listing"], "official_image_phashes") > 12
            assert nearest(document["listing"], "counterfeit_image_phashes") > 12


def test_prices_and_sellers_follow_each_kind(records: list[GeneratedRecord]) -> None:
    authorized = {s for b in REGISTRY.brands for s in b.authorized_sellers}
    for document in _listings(records, "brand_store"):
        listing = document["listing"]
        floor = BRANDS[_brand_of(listing)].retail_floor_usd[listing["category"]]
        assert document["seller"]["seller_id"] in authorized and _usd(listing) >= 0.69 * floor
    for document in _listings(records, "ordinary_branded"):
        listing = document["listing"]
        floor = BRANDS[_brand_of(listing)].retail_floor_usd[listing["category"]]
        assert _usd(listing) >= 0.99 * floor
    for document in _listings(records, "low_price_new_seller"):
        listing, seller = document["listing"], document["seller"]
        floor = BRANDS[_brand_of(listing)].retail_floor_usd[listing["category"]]
        assert _usd(listing) <= 0.36 * floor
        age = (datetime.fromisoformat(document["occurred_at"])
               - datetime.fromisoformat(seller["registered_at"]))
        assert age.days <= 21 and not seller.get("verified", False)


def test_cli_writes_events_and_one_label_per_listing(tmp_path: Path) -> None:
    events, labels = tmp_path / "events.jsonl", tmp_path / "labels.json"
    assert main(["--count", "300", "--seed", "2", "--out", str(events),
                 "--labels", str(labels)]) == 0
    documents = [orjson.loads(line) for line in events.read_bytes().splitlines()]
    listing_ids = {d["listing"]["listing_id"] for d in documents if "listing" in d}
    written = orjson.loads(labels.read_bytes())
    assert len(documents) == 300 and set(written) == listing_ids
    assert Counter(v["label"] for v in written.values()).keys() == {"counterfeit", "genuine"}


def test_committed_corpus_is_what_the_generator_writes_today(tmp_path: Path) -> None:
    """Regenerate: a registry or generator change must come with a regenerated corpus."""
    events, labels = tmp_path / "events.jsonl", tmp_path / "labels.json"
    main(["--count", str(CORPUS_COUNT), "--seed", str(CORPUS_SEED), "--out", str(events),
          "--labels", str(labels)])
    assert events.read_bytes() == (DATA / "corpus-events.jsonl").read_bytes()
    assert labels.read_bytes() == (DATA / "corpus-labels.json").read_bytes()
    assert len(orjson.loads(labels.read_bytes())) >= 2400
