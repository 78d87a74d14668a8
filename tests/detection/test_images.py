"""The pHash index must find exactly what a brute-force scan finds, at every radius and size."""

from __future__ import annotations

import random

import pytest

from detection.images import (
    MAX_SUPPORTED_DISTANCE,
    MIN_CHUNKS,
    PENDING_LIMIT,
    SCAN_LIMIT,
    PHashIndex,
    PHashMatch,
    chunk_radii,
    chunk_widths,
    parse_phash,
)


def flip_bits(rng: random.Random, phash: int, count: int) -> int:
    for bit in rng.sample(range(64), count):
        phash ^= 1 << bit
    return phash


def clustered_hashes(rng: random.Random, count: int) -> list[int]:
    """Clusters of near duplicates, as real product photos give, so every radius has hits."""
    hashes: list[int] = []
    while len(hashes) < count:
        centre = rng.getrandbits(64)
        hashes.append(centre)
        hashes.extend(flip_bits(rng, centre, rng.randint(1, 16)) for _ in range(29))
    return hashes[:count]


def brute_force(stored: list[tuple[int, str]], query: int, reach: int) -> list[PHashMatch[str]]:
    matches = [
        PHashMatch(label, phash, (phash ^ query).bit_count())
        for phash, label in stored
        if (phash ^ query).bit_count() <= reach
    ]
    return sorted(set(matches), key=lambda m: (m.distance, m.label, m.phash))


@pytest.fixture(scope="module")
def corpus() -> tuple[list[tuple[int, str]], list[int]]:
    rng = random.Random(20261102)
    hashes = clustered_hashes(rng, SCAN_LIMIT + 1_500)
    stored = [(phash, f"img-{i % 997:03d}") for i, phash in enumerate(hashes)]
    stored += [(phash, "second-label") for phash in hashes[::50]]  # one hash, two labels
    stored += stored[:20]  # re-added pairs change nothing
    queries = [flip_bits(rng, rng.choice(hashes), rng.randint(0, 12)) for _ in range(60)]
    queries += [rng.getrandbits(64) for _ in range(10)]
    return stored, queries


@pytest.mark.parametrize("reach", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16])
def test_index_finds_exactly_what_brute_force_finds(
    corpus: tuple[list[tuple[int, str]], list[int]], reach: int
) -> None:
    stored, queries = corpus
    index: PHashIndex[str] = PHashIndex(max_distance=reach)
    index.add_many(stored[: len(stored) // 2])
    for phash, label in stored[len(stored) // 2 :]:  # one at a time: pending list and rebuilds
        index.add(phash, label)
    for query in queries:
        expected = brute_force(stored, query, reach)
        assert index.within(query) == expected
        assert index.nearest(query) == (expected[0] if expected else None)


@pytest.mark.parametrize("size", [5, PENDING_LIMIT + 3, SCAN_LIMIT - 10])
def test_small_indexes_scan_and_agree_with_brute_force(size: int) -> None:
    rng = random.Random(size)
    stored = [(phash, f"h{i}") for i, phash in enumerate(clustered_hashes(rng, size))]
    index: PHashIndex[str] = PHashIndex()
    for phash, label in stored:
        index.add(phash, label)
    for _ in range(40):
        query = flip_bits(rng, rng.choice(stored)[0], rng.randint(0, 10))
        assert index.within(query) == brute_force(stored, query, 8)


@pytest.mark.parametrize("size", [40, SCAN_LIMIT + 500])
def test_any_within_answers_for_all_queries_together(size: int) -> None:
    rng = random.Random(size)
    index: PHashIndex[str] = PHashIndex(max_distance=5)
    index.add_many((rng.getrandbits(64), "x") for _ in range(size))
    stored = rng.getrandbits(64)
    index.add(stored, "y")  # still pending: scanned in Python
    far = [rng.getrandbits(64) for _ in range(3)]
    assert index.any_within(far) == any(index.within(query) for query in far)
    assert index.any_within([*far, flip_bits(rng, stored, 5)])
    assert not index.any_within([])


def test_length_counts_distinct_pairs() -> None:
    index: PHashIndex[str] = PHashIndex()
    index.add_many([(1, "a"), (1, "b"), (1, "a"), (2, "a")])
    assert len(index) == 3


def test_nearest_breaks_ties_by_label_then_hash() -> None:
    index: PHashIndex[str] = PHashIndex(max_distance=4)
    query = 0xFF00
    index.add_many([(query ^ 0b01, "zeta"), (query ^ 0b10, "alpha"), (query ^ 0b100, "alpha")])
    assert index.nearest(query) == PHashMatch("alpha", query ^ 0b10, 1)
    assert [m.label for m in index.within(query)] == ["alpha", "alpha", "zeta"]


def test_nothing_within_reach_gives_none_and_empty() -> None:
    index: PHashIndex[str] = PHashIndex(max_distance=3)
    assert index.nearest(0) is None
    index.add(0, "zero")
    assert index.nearest(0b1111) is None
    assert index.within(0b1111) == []
    assert index.nearest(0b111) == PHashMatch("zero", 0, 3)


def test_chunk_layouts_cover_the_reach_by_pigeonhole() -> None:
    for reach in range(MAX_SUPPORTED_DISTANCE + 1):
        for chunks in range(MIN_CHUNKS, reach + 2):
            radii = chunk_radii(reach, chunks)
            assert len(radii) == chunks
            assert sum(radius + 1 for radius in radii) == reach + 1
            assert sum(chunk_widths(chunks)) == 64


@pytest.mark.parametrize("reach", [0, 6, 16])
def test_large_index_of_uniform_hashes_agrees_with_brute_force(reach: int) -> None:
    rng = random.Random(reach)
    stored = [(rng.getrandbits(64), f"h{i % 7}") for i in range(40_000)]
    index: PHashIndex[str] = PHashIndex(max_distance=reach)
    index.add_many(stored)
    queries = [flip_bits(rng, rng.choice(stored)[0], rng.randint(0, reach)) for _ in range(20)]
    queries += [rng.getrandbits(64) for _ in range(5)]
    for query in queries:
        assert index.within(query) == brute_force(stored, query, reach)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError):
        PHashIndex(max_distance=MAX_SUPPORTED_DISTANCE + 1)
    index: PHashIndex[str] = PHashIndex()
    with pytest.raises(ValueError):
        index.add(1 << 64, "too big")
    with pytest.raises(ValueError):
        index.nearest(-1)


def test_parse_phash() -> None:
    assert parse_phash("9f3b0c6e21d4a871") == 0x9F3B0C6E21D4A871
    assert parse_phash("FFFFFFFFFFFFFFFF") == (1 << 64) - 1
    for bad in ["9f3b0c6e21d4a87", "9f3b0c6e21d4a8710", "0x3b0c6e21d4a871", "9f3b0c6e21d4a87g"]:
        with pytest.raises(ValueError):
            parse_phash(bad)
