"""How fast the pHash index answers at 10k, 100k and 1M hashes, and against a brute-force scan.

Run: python -m offline.bench_images [--size N ...] [--max-distance R] [--queries Q] [--seed S]
Data: uniformly random 64-bit hashes; queries are half stored hashes with up to R bits flipped
(hits), half random hashes (almost always misses, the common case for listing images).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence

from detection.images import PHashIndex

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BRUTE_FORCE_SIZE = 10_000


def make_queries(rng: random.Random, stored: list[int], count: int, reach: int) -> list[int]:
    """Half near duplicates of stored hashes, half random hashes."""
    queries = []
    for _ in range(count // 2):
        query = rng.choice(stored)
        for bit in rng.sample(range(64), rng.randint(0, reach)):
            query ^= 1 << bit
        queries.append(query)
    queries += [rng.getrandbits(64) for _ in range(count - len(queries))]
    rng.shuffle(queries)
    return queries


def time_queries(answer: Callable[[int], object], queries: Sequence[int]) -> list[float]:
    """Wall time of each query in microseconds."""
    timings = []
    for query in queries:
        started = time.perf_counter_ns()
        answer(query)
        timings.append((time.perf_counter_ns() - started) / 1_000)
    return timings


def brute_force_nearest(stored: list[int], reach: int) -> Callable[[int], object]:
    """The baseline: XOR and popcount against every stored hash."""

    def nearest(query: int) -> object:
        best = min(stored, key=lambda phash: (phash ^ query).bit_count())
        return best if (best ^ query).bit_count() <= reach else None

    return nearest


def report(name: str, timings: list[float]) -> float:
    median = statistics.median(timings)
    p99 = statistics.quantiles(timings, n=100)[98]
    print(
        f"  {name:<14} {1e6 / statistics.fmean(timings):>10,.0f} queries/s   "
        f"median {median:>8.1f} µs   p99 {p99:>8.1f} µs"
    )
    return median


def run(sizes: Sequence[int], reach: int, query_count: int, seed: int) -> None:
    rng = random.Random(seed)
    print(f"pHash index, max_distance={reach}, {query_count} queries per size, seed={seed}")
    for size in sizes:
        stored = [rng.getrandbits(64) for _ in range(size)]
        queries = make_queries(rng, stored, query_count, reach)
        index: PHashIndex[int] = PHashIndex(max_distance=reach)
        started = time.perf_counter()
        index.add_many((phash, number) for number, phash in enumerate(stored))
        print(f"size {size:>9,}: build {time.perf_counter() - started:.2f} s")
        hits = sum(index.nearest(query) is not None for query in queries)
        index_median = report("index", time_queries(index.nearest, queries))
        print(f"  {'':<14} {hits / len(queries):.0%} of queries found a match")
        if size == BRUTE_FORCE_SIZE:
            brute = brute_force_nearest(stored, reach)
            brute_median = report("brute force", time_queries(brute, queries[:200]))
            print(f"  {'':<14} index is {brute_median / index_median:,.0f}x faster (median)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m offline.bench_images", description=__doc__)
    parser.add_argument("--size", type=int, action="append", help="index size (repeatable)")
    parser.add_argument("--max-distance", type=int, default=8)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    run(args.size or DEFAULT_SIZES, args.max_distance, args.queries, args.seed)


if __name__ == "__main__":
    main()
