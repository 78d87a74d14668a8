"""`python -m offline.bench_core [--events N]`: detection-core throughput on one core.

Builds the default Detector with 100,000 extra counterfeit image hashes, generates a varied,
seeded mix of counterfeit-looking and genuine listings, evaluates each one and prints
listings/s and the per-listing latency (p50/p99) in microseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from detection.detector import Detector
from schemas.listing import ListingEvent

SEED = 20261102
EXTRA_IMAGE_HASHES = 100_000
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

DISGUISES = (
    lambda name: name,
    lambda name: name.replace("c", "\u0441").replace("o", "\u043e").replace("a", "\u0430"),
    lambda name: " ".join(name.upper()),
    lambda name: name.replace("o", "0").replace("e", "3"),
    lambda name: "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in name),
    lambda name: name[:2] + "\u200b" + name[2:],
    lambda name: name + name[-1],
)
COUNTERFEIT_WORDS = ("1:1 top quality", "replica", "高仿 原单", "AAA mirror quality", "dupe", "")
GENUINE_TITLES = (
    "Omega-3 fish oil softgels 120 count",
    "Tiffany-style stained glass lamp",
    "8 channel audio mixer with USB",
    "Nike of Samothrace museum replica statue",
    "Cartier-Bresson photo book, first edition",
    "Organizer insert compatible with LV Neverfull",
    "Handmade leather wallet, brown",
    "Vintage wooden chess set",
    "Running shoes, breathable mesh, size 42",
    "Stainless steel diver watch 200m",
)
DESCRIPTIONS = (
    "",
    "Fast shipping from our warehouse. Contact us for bulk orders. 支持验货，包邮",
    "Brand new with tags, dust bag and box included. Ships in 24 hours. " * 3,
    "Pre-owned in very good condition, receipt included, authenticated.",
)
CATEGORIES = ("handbags", "shoes", "watches", "jewelry", "accessories", "apparel")
CURRENCIES = (("USD", 1.0), ("EUR", 0.9), ("CNY", 7.2), ("GBP", 0.8))


def _event(index: int, rng: random.Random, detector: Detector) -> ListingEvent:
    brand = detector.registry.brands[rng.randrange(len(detector.registry.brands))]
    counterfeit = rng.random() < 0.5
    category = rng.choice(CATEGORIES)
    if counterfeit:
        name = rng.choice(DISGUISES)(brand.name)
        title = f"{name} {category} {rng.choice(COUNTERFEIT_WORDS)}"
        usd = rng.uniform(20, 200)
    elif rng.random() < 0.5:
        title = f"{brand.name} {category} in black, {rng.randint(2019, 2026)} collection"
        usd = rng.uniform(300, 3000)
    else:
        title = rng.choice(GENUINE_TITLES)
        usd = rng.uniform(10, 400)
    currency, rate = rng.choice(CURRENCIES)
    phashes = [f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(0, 3))]
    seller_id = f"S-{rng.randint(1, 5000)}"
    registered = NOW - timedelta(days=rng.randint(0, 3000))
    return ListingEvent.model_validate(
        {
            "schema_version": 1,
            "event_id": f"bench-{index}",
            "event_type": "listing.created",
            "occurred_at": (NOW + timedelta(seconds=index)).isoformat(),
            "listing": {
                "listing_id": f"L-{index}",
                "seller_id": seller_id,
                "title": title,
                "description": rng.choice(DESCRIPTIONS),
                "category": category,
                "price": {"amount": f"{usd * rate:.2f}", "currency": currency},
                "image_phashes": phashes,
            },
            "seller": {
                "seller_id": seller_id,
                "registered_at": registered.isoformat(),
                "verified": rng.random() < 0.5,
                "rating": round(rng.uniform(2.5, 5.0), 1),
            },
        }
    )


def build_detector(rng: random.Random) -> Detector:
    """The default Detector, its counterfeit image index grown by 100,000 random hashes."""
    detector = Detector.default()
    brand_ids = detector.brand_ids
    detector.add_counterfeit_images(
        (rng.getrandbits(64), brand_ids[i % len(brand_ids)]) for i in range(EXTRA_IMAGE_HASHES)
    )
    return detector


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="listings to evaluate")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    detector = build_detector(rng)
    events = [_event(i, rng, detector) for i in range(args.events)]
    for event in events[:200]:  # warm caches (folding tables, lazy dictionary)
        detector.evaluate(event)
    timings: list[float] = []
    candidates = 0
    started = time.perf_counter()
    for event in events:
        before = time.perf_counter()
        decision = detector.evaluate(event)
        timings.append(time.perf_counter() - before)
        candidates += decision.is_candidate
    elapsed = time.perf_counter() - started
    timings.sort()
    p50 = statistics.median(timings) * 1e6
    p99 = timings[int(len(timings) * 0.99) - 1] * 1e6
    print(
        f"{len(events)} listings, {candidates} candidates, image index "
        f"{len(detector.images)} hashes, ruleset {detector.ruleset_version}"
    )
    print(
        f"{len(events) / elapsed:,.0f} listings/s on one core; p50 {p50:.1f} µs, p99 {p99:.1f} µs"
    )


if __name__ == "__main__":
    main()
