"""Near-duplicate lookup of 64-bit perceptual hashes that stays fast with a million of them.

Multi-index hashing (Norouzi et al., 2012): the 64 bits are cut into m chunks, and each chunk has
a table from chunk value to the hashes that have it (one numpy array per chunk, sorted by chunk
value, with the bucket bounds in a list). By pigeonhole, a hash within distance r of the query
agrees with it within r_c bits on some chunk c whenever sum(r_c + 1) = r + 1. A query probes every
chunk value that close to its own and compares only the hashes of those buckets in full (XOR and
popcount, one numpy pass for all of a listing's images). The number of chunks is chosen at build
time for the index size and the reach: few probes of big buckets (m = r + 1 chunks, exact
agreement) for small indexes, more probes of smaller buckets for large ones. Up to 2,048 hashes a
plain vectorised scan is cheaper. Hashes added one at a time wait in a short list, scanned in
Python, until a rebuild takes them in; add_many rebuilds once at its end.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Iterable, Sequence
from itertools import combinations
from math import comb
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import numpy as np


class _Orderable(Protocol):
    """Labels are sorted, so that ties between equally near hashes are broken the same way."""

    def __lt__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Orderable)

MAX_SUPPORTED_DISTANCE = 16  # beyond this, pHash "near duplicates" are unrelated images anyway
MIN_CHUNKS = 4  # chunks of at most 16 bits: bucket bounds stay a list of 65,537 ints at most
SCAN_LIMIT = 2_048  # at or below this many hashes one vectorised scan beats the index
PROBE_COST = 400  # one probe (a bucket looked up and sliced in Python) costs as much as comparing
# this many candidate hashes in numpy: the layout with the least probes + candidates wins
PENDING_LIMIT = 256  # hashes added since the last rebuild, scanned one by one in Python
_PHASH_TEXT = re.compile(r"[0-9a-fA-F]{16}")


class PHashMatch(NamedTuple, Generic[T]):
    """A stored hash near the query: its label, the hash itself and the Hamming distance."""

    label: T
    phash: int
    distance: int


def parse_phash(text: str) -> int:
    """A 16-hex-digit pHash as an int; anything else is a ValueError, not a silent miss."""
    if not _PHASH_TEXT.fullmatch(text):
        raise ValueError(f"not a 16-hex-digit pHash: {text!r}")
    return int(text, 16)


def chunk_radii(max_distance: int, chunks: int) -> tuple[int, ...]:
    """How far to search in each chunk (-1: skip it) so that no hash within reach is missed."""
    quotient, remainder = divmod(max_distance + 1, chunks)
    return tuple(quotient - 1 + (chunk < remainder) for chunk in range(chunks))


def chunk_widths(chunks: int) -> tuple[int, ...]:
    """Bits per chunk, most significant chunk first: 64 bits cut as evenly as they go."""
    quotient, remainder = divmod(64, chunks)
    return tuple(quotient + (chunk < remainder) for chunk in range(chunks))


def _flip_masks(radius: int, width: int) -> tuple[int, ...]:
    """Every XOR mask of `width` bits with at most `radius` bits set, closest first."""
    return tuple(
        sum(1 << bit for bit in bits)
        for weight in range(radius + 1)
        for bits in combinations(range(width), weight)
    )


def _layout_cost(size: int, max_distance: int, chunks: int) -> float:
    """Probes and expected candidates of one query, in units of one candidate compared."""
    return sum(
        sum(comb(width, weight) for weight in range(radius + 1)) * (PROBE_COST + size / 2**width)
        for width, radius in zip(
            chunk_widths(chunks), chunk_radii(max_distance, chunks), strict=True
        )
    )


def _best_chunks(size: int, max_distance: int) -> int:
    """The number of chunks that makes a query cheapest for this many uniform hashes."""
    counts = range(MIN_CHUNKS, max(MIN_CHUNKS, max_distance + 1) + 1)
    return min(counts, key=lambda chunks: _layout_cost(size, max_distance, chunks))


class _ChunkTables:
    """The built multi-index: per chunk, its shift, mask, probe masks, bucket bounds and hashes."""

    def __init__(self, hashes: np.ndarray, max_distance: int) -> None:
        chunks = _best_chunks(len(hashes), max_distance)
        self.chunks: list[tuple[int, int, tuple[int, ...], list[int], np.ndarray]] = []
        shift = 64
        radii = chunk_radii(max_distance, chunks)
        for width, radius in zip(chunk_widths(chunks), radii, strict=True):
            shift -= width
            if radius < 0:  # enough other chunks are probed
                continue
            values = (hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
            order = np.argsort(values, kind="stable")
            counts = np.bincount(values.astype(np.intp), minlength=1 << width)
            bounds = [0, *np.cumsum(counts).tolist()]
            masks = _flip_masks(radius, width)
            self.chunks.append((shift, (1 << width) - 1, masks, bounds, hashes[order]))

    def candidates(self, phashes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The hashes (with repeats) sharing a close enough chunk value with any query, and
        next to each one the query it is to be compared with."""
        parts: list[np.ndarray] = []
        sizes: list[int] = []
        for phash in phashes:
            size = 0
            for shift, mask, flips, bounds, table in self.chunks:
                value = (phash >> shift) & mask
                for flip in flips:
                    low, high = bounds[value ^ flip], bounds[(value ^ flip) + 1]
                    if high > low:
                        parts.append(table[low:high])
                        size += high - low
            sizes.append(size)
        if not parts:
            return _NO_HASHES, _NO_HASHES
        queries = np.array(phashes, dtype=np.uint64)
        compared = queries if len(phashes) == 1 else np.repeat(queries, sizes)
        return np.concatenate(parts), compared


_NO_HASHES = np.empty(0, dtype=np.uint64)


class PHashIndex(Generic[T]):
    """Labelled pHashes, queried for those within `max_distance` bits of a listing's image."""

    def __init__(self, max_distance: int = 8) -> None:
        if not 0 <= max_distance <= MAX_SUPPORTED_DISTANCE:
            raise ValueError(
                f"max_distance must be 0..{MAX_SUPPORTED_DISTANCE}, not {max_distance}"
            )
        self.max_distance = max_distance
        self._labels: dict[int, list[T]] = {}
        self._entries = 0
        self._built = np.empty(0, dtype=np.uint64)
        self._tables: _ChunkTables | None = None
        self._pending: list[int] = []

    def __len__(self) -> int:
        return self._entries

    def add(self, phash: int, label: T) -> None:
        """Store one (hash, label) pair; adding the same pair twice changes nothing."""
        self._insert(phash, label)
        if len(self._pending) > PENDING_LIMIT:
            self._rebuild()

    def add_many(self, items: Iterable[tuple[int, T]]) -> None:
        """Store many pairs with a single rebuild (loading a registry or a hash database)."""
        for phash, label in items:
            self._insert(phash, label)
        if self._pending:
            self._rebuild()

    def nearest(self, phash: int) -> PHashMatch[T] | None:
        """The closest stored hash within reach; ties go to the smallest (label, hash)."""
        matches = self.within(phash)
        return matches[0] if matches else None

    def within(self, phash: int) -> list[PHashMatch[T]]:
        """Every stored (label, hash) within reach, sorted by (distance, label, hash)."""
        hashes = self._hashes_within(phash)
        if not hashes:
            return []
        matches = [
            PHashMatch(label, stored, (stored ^ phash).bit_count())
            for stored in hashes
            for label in self._labels[stored]
        ]
        return sorted(matches, key=lambda match: (match.distance, match.label, match.phash))

    def _insert(self, phash: int, label: T) -> None:
        if not 0 <= phash < 1 << 64:
            raise ValueError(f"a pHash is a 64-bit unsigned int, not {phash!r}")
        labels = self._labels.get(phash)
        if labels is None:
            self._labels[phash] = [label]
            self._pending.append(phash)
        elif label in labels:
            return
        else:
            insort(labels, label)
        self._entries += 1

    def _rebuild(self) -> None:
        """Take the pending hashes into the arrays, and index them once a scan gets too slow."""
        pending = np.array(self._pending, dtype=np.uint64)
        self._built = np.concatenate([self._built, pending])
        self._pending = []
        big = len(self._built) > SCAN_LIMIT
        self._tables = _ChunkTables(self._built, self.max_distance) if big else None

    def any_within(self, phashes: Sequence[int]) -> bool:
        """Whether any query has a stored hash within reach: a listing's images in one pass."""
        return any(self._pending_within(phash) for phash in phashes) or bool(
            self._built_within(phashes)
        )

    def _hashes_within(self, phash: int) -> set[int]:
        """Distinct stored hashes within max_distance of the query."""
        return set(self._pending_within(phash)) | self._built_within([phash])

    def _pending_within(self, phash: int) -> list[int]:
        """Hashes added since the last rebuild within reach (and the query's range checked)."""
        if not 0 <= phash < 1 << 64:
            raise ValueError(f"a pHash is a 64-bit unsigned int, not {phash!r}")
        reach = self.max_distance
        pending = self._pending
        if not pending or min(map(int.bit_count, map(phash.__xor__, pending))) > reach:
            return []
        return [stored for stored in pending if (stored ^ phash).bit_count() <= reach]

    def _built_within(self, phashes: Sequence[int]) -> set[int]:
        """Distinct built hashes within reach of any of the queries."""
        if not len(self._built) or not phashes:
            return set()
        if self._tables is None:
            candidates = np.tile(self._built, len(phashes))
            compared = np.repeat(np.array(phashes, dtype=np.uint64), len(self._built))
        else:
            candidates, compared = self._tables.candidates(phashes)
        if not len(candidates):
            return set()
        distances = np.bitwise_count(candidates ^ compared)
        if _smallest(distances) > self.max_distance:
            return set()
        return set(candidates[distances <= self.max_distance].tolist())


_smallest = np.minimum.reduce  # ndarray.min() without its Python-level wrappers
