"""Near-duplicate lookup of 64-bit perceptual hashes that stays fast with a million of them.

Multi-index hashing (Norouzi et al., 2012): the 64 bits are cut into four 16-bit chunks, and each
chunk has a table from chunk value to the hashes that have it (kept as one sorted numpy array per
chunk, with bucket bounds). By pigeonhole, a hash within distance r = 4q + a (0 <= a < 4) of the
query agrees with it within q bits on one of the first a+1 chunks, or within q-1 bits on one of the
others. A query probes every chunk value that close to its own, and only the hashes in those
buckets are compared in full (XOR and popcount). Up to 8,192 hashes a plain vectorised scan is
cheaper. Hashes added one at a time wait in a short list, scanned in Python, until a rebuild takes
them in; add_many rebuilds once at its end.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Iterable
from itertools import combinations
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import numpy as np


class _Orderable(Protocol):
    """Labels are sorted, so that ties between equally near hashes are broken the same way."""

    def __lt__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Orderable)

MAX_SUPPORTED_DISTANCE = 16  # beyond this, pHash "near duplicates" are unrelated images anyway
CHUNK_BITS = 16
CHUNKS = 64 // CHUNK_BITS
SCAN_LIMIT = 8_192  # at or below this many hashes one vectorised scan beats the index
PENDING_LIMIT = 256  # hashes added since the last rebuild, scanned one by one in Python
_PHASH_TEXT = re.compile(r"[0-9a-fA-F]{16}")
_CHUNK_MASK = (1 << CHUNK_BITS) - 1


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


def chunk_radii(max_distance: int) -> tuple[int, ...]:
    """How far to search in each chunk (-1: skip it) so that no hash within reach is missed."""
    quotient, remainder = divmod(max_distance, CHUNKS)
    return tuple(quotient if chunk <= remainder else quotient - 1 for chunk in range(CHUNKS))


def _flip_masks(radius: int) -> list[int]:
    """Every XOR mask of CHUNK_BITS bits with at most `radius` bits set, closest first."""
    masks = []
    for weight in range(radius + 1):
        for bits in combinations(range(CHUNK_BITS), weight):
            masks.append(sum(1 << bit for bit in bits))
    return masks


class _ChunkTables:
    """The built multi-index: per chunk, hashes sorted by chunk value, each value's start, count."""

    def __init__(self, hashes: np.ndarray, max_distance: int) -> None:
        shifts, flips, owners = [], [], []
        sorted_parts, lower_parts, count_parts = [], [], []
        stored = 0
        for chunk, radius in enumerate(chunk_radii(max_distance)):
            shift = 64 - CHUNK_BITS * (chunk + 1)
            shifts.append(shift)
            if radius < 0:  # never probed: an empty table keeps the slot numbering simple
                lower_parts.append(np.zeros(1 << CHUNK_BITS, dtype=np.intp))
                count_parts.append(lower_parts[-1])
                continue
            values = (hashes >> np.uint64(shift)) & np.uint64(_CHUNK_MASK)
            order = np.argsort(values, kind="stable")
            counts = np.bincount(values.astype(np.intp), minlength=1 << CHUNK_BITS)
            upper = np.cumsum(counts) + stored
            stored += len(hashes)
            sorted_parts.append(hashes[order])
            lower_parts.append(upper - counts)
            count_parts.append(counts)
            masks = _flip_masks(radius)
            flips.extend(masks)
            owners.extend([chunk] * len(masks))
        self.shifts = tuple(shifts)
        self.sorted = np.concatenate(sorted_parts)
        self.lower = np.concatenate(lower_parts)
        self.counts = np.concatenate(count_parts)
        self.probe_flips = np.array(flips, dtype=np.intp)
        self.probe_chunks = np.array(owners, dtype=np.intp)

    def candidates(self, phash: int) -> np.ndarray:
        """The hashes (with repeats) sharing a close enough chunk value with the query."""
        # Table slot of chunk c's value v is (c << CHUNK_BITS) | v, so a probe is one XOR.
        slots = np.array(
            [(c << CHUNK_BITS) | ((phash >> s) & _CHUNK_MASK) for c, s in enumerate(self.shifts)],
            dtype=np.intp,
        )
        probes = slots[self.probe_chunks] ^ self.probe_flips
        starts = self.lower[probes]
        lengths = self.counts[probes]
        ends_in_output = np.cumsum(lengths)
        total = int(ends_in_output[-1])
        positions = np.repeat(starts - (ends_in_output - lengths), lengths) + np.arange(total)
        return self.sorted[positions]


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
        hashes = self._hashes_within(phash)
        if not hashes:
            return None
        distance = min((stored ^ phash).bit_count() for stored in hashes)
        label, stored = min(
            (label, stored)
            for stored in hashes
            if (stored ^ phash).bit_count() == distance
            for label in self._labels[stored]
        )
        return PHashMatch(label, stored, distance)

    def within(self, phash: int) -> list[PHashMatch[T]]:
        """Every stored (label, hash) within reach, sorted by (distance, label, hash)."""
        matches = [
            PHashMatch(label, stored, (stored ^ phash).bit_count())
            for stored in self._hashes_within(phash)
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

    def _hashes_within(self, phash: int) -> set[int]:
        """Distinct stored hashes within max_distance of the query."""
        if not 0 <= phash < 1 << 64:
            raise ValueError(f"a pHash is a 64-bit unsigned int, not {phash!r}")
        reach = self.max_distance
        found: set[int] = set()
        pending = self._pending
        if pending and min(map(int.bit_count, map(phash.__xor__, pending))) <= reach:
            found.update(stored for stored in pending if (stored ^ phash).bit_count() <= reach)
        if len(self._built):
            candidates = self._built if self._tables is None else self._tables.candidates(phash)
            distances = np.bitwise_count(candidates ^ np.uint64(phash))
            if len(distances) and int(distances.min()) <= reach:
                found.update(int(stored) for stored in candidates[distances <= reach])
        return found
