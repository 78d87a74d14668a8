"""Brand-mark matching: registered forms, disguised forms and misspellings, each with evidence.

Three passes per text field, all compiled at construction:

- registered: one regex over the case-folded text, every alias as registered (and without
  accents), word-bounded for alphabetic scripts, unbounded for CJK/kana/hangul.
- obfuscated: one regex over the folded text (homoglyphs, fullwidth, zero-width, accents already
  folded) where each letter also accepts its leetspeak digits (`0` for `o`, `3` for `e`...) and up
  to three separators between letters (`G U C C I`, `G.u.c.c.i`). A split only by spaces in some
  places ("Chan el") is refused: either every letter is spaced out or the gaps are punctuation.
- fuzzy: tokens of at least `min_length` letters whose first letter and length fit a mark
  (a dict lookup), that are not dictionary words ("channel"), within a small edit distance
  (optimal string alignment: a transposition is one edit).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from detection.normalize import (
    LEET_CLASSES,
    LEET_TO_LETTER,
    TextLayers,
    compact_key,
    confusable_to_ascii,
    describe_char,
    fold,
    is_unspaced_char,
    unleet,
)
from detection.patterns import Entry, TrieSearch, entry_name
from schemas.registry import BrandRegistry

LETTERS = "a-z\u00df-\u024f\u0370-\u03ff\u0400-\u04ff"
GAP = r"[\W_]{0,3}"
WORD_SEPARATOR = r"[\s\-]+"
PLURAL = r"(?:'?s)?"  # "Nikes", "Gucci's": the mark as registered
MIN_DISGUISED_KEY = 4  # shorter marks ("LV", "YSL") only match as written
WEAK_FUZZY_MIN_LENGTH = 4  # "Prda": a misspelling this short needs corroboration
SHORT_MARK_LENGTH = 5  # one edit from "Fendi" or "Dior" is weak evidence on its own

REGISTERED = "registered"
OBFUSCATED = "obfuscated"
FUZZY = "fuzzy"


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words Webster's 2nd lists in lower case: common nouns and adjectives, not proper names.

    A mark made only of these ("Coach", "Off-White", "Supreme") is also an ordinary phrase.
    """
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], alpha=True) if w.islower())


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """English dictionary words (GCIDE, lower-case, letters only): never read as a misspelt mark."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


@dataclass(frozen=True, slots=True)
class MarkForm:
    """One registered name of one brand, and its folded letters."""

    brand_id: str
    alias: str
    key: str
    word_starts: frozenset[int]  # indexes in `key` where a new word of the alias begins
    unspaced: bool
    spellings: tuple[str, ...]  # every registered alias with this key ("Celine", "Céline")
    ambiguous: bool  # every word of the mark is also a common word ("Off-White")


@dataclass(frozen=True, slots=True)
class MarkHit:
    """A mark found in a field: where, as written, and how it was disguised."""

    brand_id: str
    kind: str
    field: str
    alias: str
    start: int
    end: int
    matched: str
    normalized: str
    folded_start: int
    folded_end: int
    disguises: tuple[str, ...] = ()
    characters: tuple[dict[str, str], ...] = ()
    distance: int | None = None
    ambiguous: bool = False  # a mark that is also a common word: needs brand context
    weak: bool = False  # a short mark misspelt: needs counterfeit wording or a low price

    def evidence(self) -> dict[str, Any]:
        """JSON-able evidence: the span as written, its normalized form, the mark."""
        out: dict[str, Any] = {
            "brand_id": self.brand_id,
            "mark": self.alias,
            "field": self.field,
            "matched": self.matched,
            "normalized": self.normalized,
            "span": [self.start, self.end],
        }
        if self.disguises:
            out["disguises"] = list(self.disguises)
        if self.characters:
            out["characters"] = [dict(c) for c in self.characters]
        if self.distance is not None:
            out["edit_distance"] = self.distance
        return out


def _letter_class(char: str) -> str:
    return "[" + re.escape(LEET_CLASSES[char]) + "]" if char in LEET_CLASSES else re.escape(char)


def _alias_words(alias: str) -> list[str]:
    words = [compact_key(word) for word in re.split(r"[\s\-/.]+", alias)]
    return [word for word in words if word]


def is_common_phrase(alias: str) -> bool:
    """Every word of the alias is a common word: "Off-White", "Coach", not "RayBan"."""
    words = _alias_words(alias)
    return bool(words) and all(word in common_words() for word in words)


def _forms(registry: BrandRegistry) -> list[MarkForm]:
    forms: list[MarkForm] = []
    for brand in registry.brands:
        spellings: dict[str, list[str]] = {}
        for alias in [brand.name, *brand.aliases]:
            key = "".join(_alias_words(alias))
            if key:
                spellings.setdefault(key, []).append(alias)
        for key, aliases in spellings.items():
            starts, position = set(), 0
            for word in _alias_words(aliases[0]):
                starts.add(position)
                position += len(word)
            unspaced = all(is_unspaced_char(c) for c in key)
            ambiguous = all(is_common_phrase(alias) for alias in aliases)
            forms.append(
                MarkForm(
                    brand.brand_id,
                    aliases[0],
                    key,
                    frozenset(starts),
                    unspaced,
                    tuple(aliases),
                    ambiguous,
                )
            )
    return forms


def _registered_atoms(alias: str) -> tuple[str, list[str], str | None]:
    """(first character, following atoms) of an alias as registered, on case-folded text."""
    words = [w for w in re.split(r"[\s\-]+", alias.casefold().strip()) if w]
    chars = "".join(words)
    atoms = [re.escape(c) if c != "\x00" else WORD_SEPARATOR for c in "\x00".join(words)][1:]
    if all(is_unspaced_char(c) for c in chars if c.isalnum()):
        return chars[0], atoms, None
    return chars[0], [*atoms, PLURAL, f"(?![{LETTERS}])"], LETTERS


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _obfuscated_atoms(form: MarkForm) -> tuple[str, list[str], str | None]:
    """(first characters, following atoms): leet classes and gaps between letters.

    A short mark ("LV", "YSL") is only matched letter for letter: a look-alike, fullwidth or
    zero-width disguise shows in the folded text, a leet digit or a gap would be too common.
    """
    if len(form.key) < MIN_DISGUISED_KEY and not form.unspaced:
        return form.key[0], [*map(re.escape, form.key[1:]), "(?![a-z0-9])"], "a-z0-9"
    if form.unspaced:
        atoms = [a for c in form.key[1:] for a in (GAP, re.escape(c))]
        return form.key[0], atoms, None
    atoms = [a for c in form.key[1:] for a in (GAP, _letter_class(c))]
    first = LEET_CLASSES.get(form.key[0], form.key[0])
    return first, [*atoms, "(?![a-z])"], "a-z"


class MarkMatcher:
    """Every registered mark of a registry, compiled for the three passes."""

    def __init__(
        self,
        registry: BrandRegistry,
        ordinary_words: Iterable[str] = (),
        fuzzy_min_length: int = 5,
        fuzzy_long_from: int = 8,
    ) -> None:
        self.forms = _forms(registry)
        self.fuzzy_min_length = fuzzy_min_length
        self.fuzzy_long_from = fuzzy_long_from
        self._ordinary = frozenset(ordinary_words) | dictionary_words()
        self._keys = frozenset(form.key for form in self.forms)
        registered: list[Entry] = []
        self._spellings: list[tuple[MarkForm, str, bool]] = []
        for form in self.forms:
            for spelling in form.spellings:
                number = len(self._spellings)
                self._spellings.append((form, spelling, is_common_phrase(spelling)))
                for variant in sorted({spelling, _without_accents(spelling)}):
                    first, atoms, boundary = _registered_atoms(variant)
                    registered.append((first, atoms, f"r{number}", boundary))
        self._registered_re = TrieSearch(registered)
        self._obfuscated_re = TrieSearch(
            [
                (*_obfuscated_atoms(form)[:2], f"o{index}", _obfuscated_atoms(form)[2])
                for index, form in enumerate(self.forms)
            ]
        )
        self._fuzzy_buckets: dict[tuple[str, int], list[MarkForm]] = defaultdict(list)
        for form in self.forms:
            if form.unspaced or len(form.key) < MIN_DISGUISED_KEY or not form.key.isascii():
                continue
            edits = self.max_edits(len(form.key))
            for length in range(len(form.key) - edits, len(form.key) + edits + 1):
                self._fuzzy_buckets[(form.key[0], length)].append(form)
        self._token_re = re.compile(rf"(?<![a-z0-9])[a-z0-9]{{{WEAK_FUZZY_MIN_LENGTH},}}")

    def max_edits(self, length: int) -> int:
        """Edits a misspelling may have: one for short marks, two from `fuzzy_long_from`."""
        return 2 if length >= self.fuzzy_long_from else 1

    def find(self, field_name: str, layers: TextLayers, fuzzy: bool = True) -> list[MarkHit]:
        """All mark hits in one field, registered first, sorted by position."""
        hits = self._registered(field_name, layers)
        hits += self._obfuscated(field_name, layers, hits)
        if fuzzy:
            hits += self._fuzzy(field_name, layers, hits)
        hits.sort(key=lambda hit: (hit.start, hit.end, hit.brand_id))
        return hits

    def _registered(self, field_name: str, layers: TextLayers) -> list[MarkHit]:
        hits: list[MarkHit] = []
        plain = layers.plain
        for match in self._registered_re.finditer(plain):
            form, spelling, ambiguous = self._spellings[int(entry_name(match)[1:])]
            start, end = layers.plain_span(*match.span())
            folded_start, folded_end = layers.to_folded(start, end)
            hits.append(
                MarkHit(
                    form.brand_id,
                    REGISTERED,
                    field_name,
                    spelling,
                    start,
                    end,
                    layers.original[start:end],
                    form.key,
                    folded_start,
                    folded_end,
                    ambiguous=ambiguous,
                )
            )
        return hits

    def _obfuscated(
        self, field_name: str, layers: TextLayers, registered: list[MarkHit]
    ) -> list[MarkHit]:
        hits: list[MarkHit] = []
        folded = layers.folded
        matches = [
            match
            for start, end in _disguised_lines(folded, layers.plain)
            for match in self._obfuscated_re.finditer(folded, start, end)
        ]
        for match in matches:
            form = self.forms[int(entry_name(match)[1:])]
            folded_start, folded_end = match.span()
            start, end = layers.folded_span(folded_start, folded_end)
            if any(hit.start < end and start < hit.end for hit in registered):
                continue
            gaps, leet = _walk(match.group(0), form.key)
            if gaps is None or not _spacing_acceptable(gaps, form.word_starts):
                continue
            if sum(1 for c in match.group(0) if c.isalpha()) < 2:
                continue
            written = layers.original[start:end]
            disguises, characters = self._disguises(written, gaps, leet, form)
            if len(form.key) < MIN_DISGUISED_KEY and not disguises:
                continue
            kind = OBFUSCATED if disguises else REGISTERED
            # "C·o·a·c·h" is deliberate; only a common word written as registered is ambiguous
            ambiguous = form.ambiguous and not disguises
            hits.append(
                MarkHit(
                    form.brand_id,
                    kind,
                    field_name,
                    form.alias,
                    start,
                    end,
                    written,
                    form.key,
                    folded_start,
                    folded_end,
                    tuple(disguises),
                    tuple(characters),
                    ambiguous=ambiguous,
                )
            )
        return hits

    def _disguises(
        self, written: str, gaps: list[str], leet: list[str], form: MarkForm
    ) -> tuple[list[str], list[dict[str, str]]]:
        """Which disguises explain the span as written, and the characters that show them."""
        kinds: set[str] = set()
        characters: list[dict[str, str]] = []
        for char in written:
            if char.isascii():
                continue
            disguise = _char_disguise(char)
            if disguise is not None:
                kinds.add(disguise[0])
                characters.append(dict(disguise[1]))
        if leet:
            kinds.add("leetspeak")
            characters.extend({"char": c, "reads_as": LEET_TO_LETTER.get(c, c)} for c in leet)
        inner = [gap for index, gap in enumerate(gaps, start=1) if index not in form.word_starts]
        if any(inner):
            kinds.add("spacing")
        return sorted(kinds), characters

    def _fuzzy(self, field_name: str, layers: TextLayers, found: list[MarkHit]) -> list[MarkHit]:
        """Set arithmetic in C first: only tokens that are neither marks nor words go on."""
        folded = layers.folded
        unknown = set(self._token_re.findall(folded)) - self._ordinary - self._keys
        if not unknown:
            return []
        hits: list[MarkHit] = []
        covered = [(hit.folded_start, hit.folded_end) for hit in found]
        for word in sorted(unknown):
            token = word if word.isalpha() else unleet(word)
            if not token.isalpha() or self._is_ordinary(token):
                continue
            for start in _whole_word_starts(folded, word):
                end = start + len(word)
                hit = self._fuzzy_at(field_name, layers, token, start, end, covered)
                if hit is not None:
                    hits.append(hit)
                    covered.append((hit.folded_start, hit.folded_end))
                    break
        return hits

    def _is_ordinary(self, token: str) -> bool:
        """A dictionary word, or an inflection of one ("bags", "sneakers", "loafers")."""
        if token in self._ordinary or token in self._keys:
            return True
        for suffix in _INFLECTIONS:
            stem = token[: -len(suffix)]
            if token.endswith(suffix) and stem in self._ordinary and stem not in self._keys:
                return True
        return False

    def _fuzzy_at(
        self,
        field_name: str,
        layers: TextLayers,
        token: str,
        start: int,
        end: int,
        covered: list[tuple[int, int]],
    ) -> MarkHit | None:
        """The token alone, else joined with its neighbour (a misspelt two-word mark)."""
        hit = self._fuzzy_token(field_name, layers, token, start, end, covered)
        if hit is not None:
            return hit
        folded = layers.folded
        after = _NEXT_WORD_RE.match(folded, end)
        if after is not None:
            joined = token + unleet(after.group(1))
            hit = self._fuzzy_token(field_name, layers, joined, start, after.end(), covered)
            if hit is not None:
                return hit
        before = _PREVIOUS_WORD_RE.search(folded, max(0, start - 30), start)
        if before is not None:
            joined = unleet(before.group(1)) + token
            return self._fuzzy_token(field_name, layers, joined, before.start(1), end, covered)
        return None

    def _fuzzy_token(
        self,
        field_name: str,
        layers: TextLayers,
        token: str,
        folded_start: int,
        folded_end: int,
        covered: list[tuple[int, int]],
    ) -> MarkHit | None:
        """The closest mark within its edit allowance, first letter and length permitting."""
        if len(token) < WEAK_FUZZY_MIN_LENGTH:
            return None
        forms = self._fuzzy_buckets.get((token[0], len(token)))
        if not forms or token in self._keys:
            return None
        if any(low < folded_end and folded_start < high for low, high in covered):
            return None
        best: tuple[int, MarkForm] | None = None
        for form in forms:
            edits = self.max_edits(len(form.key))
            distance = OSA.distance(token, form.key, score_cutoff=edits)
            if 0 < distance <= edits and (best is None or distance < best[0]):
                best = (distance, form)
        if best is None:
            return None
        distance, form = best
        start, end = layers.folded_span(folded_start, folded_end)
        return MarkHit(
            form.brand_id,
            FUZZY,
            field_name,
            form.alias,
            start,
            end,
            layers.original[start:end],
            token,
            folded_start,
            folded_end,
            distance=distance,
            ambiguous=form.ambiguous,
            weak=len(token) < self.fuzzy_min_length or len(form.key) <= SHORT_MARK_LENGTH,
        )


@lru_cache(maxsize=4096)
def _char_disguise(char: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The disguise one non-ASCII character shows in a mark, and its description for evidence."""
    category = unicodedata.category(char)
    if category == "Cf" or 0xE0000 <= ord(char) <= 0xE007F:
        kind = "zero_width"
    elif unicodedata.combining(char):
        kind = "diacritics"
    elif (
        unicodedata.normalize("NFKC", char) != char
        and unicodedata.normalize("NFKC", char).isascii()
    ):
        kind = "compatibility_form"
    elif char in confusable_to_ascii() or char.casefold() in confusable_to_ascii():
        kind = "homoglyph"
    elif fold(char).isascii() and fold(char):
        kind = "diacritics"
    else:
        return None
    return kind, (*describe_char(char).items(), ("reads_as", fold(char)))


# Without Unicode disguise, only these can hide a mark from the registered pass: a leet digit or
# symbol next to a letter, three letters spaced out, or a word split by punctuation.
_MAYBE_DISGUISED_RE = re.compile(
    r"[a-z][0-9@$!|+]|[0-9@$!|][a-z]"
    r"|(?<![a-z])[a-z][\W_]{1,3}[a-z][\W_]{1,3}[a-z](?![a-z])"
    r"|[a-z][^\w\s'-]{1,3}[a-z]|(?<![a-z])[a-z]{1,3}-[a-z]"
)
_LINE_RE = re.compile(r"[^\n]+")


def _disguised_lines(folded: str, plain: str) -> list[tuple[int, int]]:
    """Spans of the lines of `folded` that may hide a disguised mark (the rest is skipped)."""
    if folded == plain and not _MAYBE_DISGUISED_RE.search(folded):
        return []
    if "\n" not in folded:
        return [(0, len(folded))]
    return [
        match.span()
        for match in _LINE_RE.finditer(folded)
        if _MAYBE_DISGUISED_RE.search(match.group(0)) or not match.group(0).isascii()
    ]


def _whole_word_starts(text: str, word: str) -> Iterator[int]:
    """Where `word` stands alone in `text` (no letter or digit either side), left to right.

    str.find instead of a regex: every misspelt token would otherwise compile a pattern of its own.
    """
    position = text.find(word)
    while position >= 0:
        end = position + len(word)
        alone_before = position == 0 or text[position - 1] not in _ALNUM
        if alone_before and text[end : end + 1] not in _ALNUM:
            yield position
            position = text.find(word, end)
        else:
            position = text.find(word, position + 1)


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NEXT_WORD_RE = re.compile(r"[\s\-]+([a-z0-9]+)(?![a-z0-9])")
_PREVIOUS_WORD_RE = re.compile(r"(?<![a-z0-9])([a-z0-9]+)[\s\-]+$")
_INFLECTIONS = ("s", "es", "ed", "ing", "er", "ers")


def _walk(matched: str, key: str) -> tuple[list[str] | None, list[str]]:
    """Split a disguised match into the gaps between the mark's letters and its leet letters."""
    gaps: list[str] = []
    leet: list[str] = []
    position = 0
    for index, letter in enumerate(key):
        allowed = LEET_CLASSES.get(letter, letter)
        gap_start = position
        while position < len(matched) and matched[position] not in allowed:
            position += 1
        if position == len(matched):
            return None, leet
        if index:
            gaps.append(matched[gap_start:position])
        if matched[position] != letter and not matched[position].isalpha():
            leet.append(matched[position])
        position += 1
    return gaps, leet


def _spacing_acceptable(gaps: list[str], word_starts: frozenset[int]) -> bool:
    """Every letter spaced out, or gaps of punctuation only; not "Chan el" from ordinary text."""
    inner = [gap for index, gap in enumerate(gaps, start=1) if index not in word_starts]
    if not any(any(c.isspace() for c in gap) for gap in inner):
        return True
    return all(inner)
