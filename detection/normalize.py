"""Text folding that sees through disguise, with a way back to the characters as written.

Two layers of every text field are matched:

- `plain`: `str.casefold()` only. A mark found here is written as registered.
- `folded`: one `str.translate` table built from Unicode data: NFKC (fullwidth and mathematical
  letters), removal of format characters (zero-width space, joiners, soft hyphen, tag
  characters), removal of combining diacritics, Unicode's confusables mapped to ASCII letters
  (Cyrillic `с` -> `c`, Greek `ο` -> `o`, ...; data from the maintained `confusable-homoglyphs`
  package), then case folding. A mark found only here was disguised.

Leetspeak and spacing are not folded here: the mark patterns accept `0` for `o`, `3` for `e`, ...
and separators between letters (see detection.marks), which keeps `folded` the same length map.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

# Leetspeak digits and symbols for each letter; `i` and `l` are one class (`1`, `|`, `I`, `l`).
LEET_CLASSES: dict[str, str] = {
    "a": "a4@",
    "b": "b8",
    "e": "e3",
    "g": "g96",
    "i": "il1!|",
    "l": "il1!|",
    "o": "o0",
    "s": "s5$",
    "t": "t7+",
    "z": "z2",
}
LEET_TO_LETTER: dict[str, str] = {
    "0": "o",
    "6": "g",
    "9": "g",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "i",
}
LEET_TRANSLATION = str.maketrans(LEET_TO_LETTER)

# Scripts written without spaces between words: marks in them match without word boundaries.
_UNSPACED_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B+
)
_COMBINING_DIACRITIC_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
# Code points worth a table entry: everything except the big blocks no step of the fold changes.
_SKIPPED_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xD800, 0xF8FF))
_TABLE_LIMIT = 0x30000
_TAG_CHARACTERS = range(0xE0000, 0xE0080)


def is_unspaced_char(char: str) -> bool:
    """True for CJK, kana and hangul: scripts whose words are not separated by spaces."""
    point = ord(char)
    return any(low <= point <= high for low, high in _UNSPACED_RANGES)


def _is_combining_diacritic(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _COMBINING_DIACRITIC_RANGES)


def _is_alphabetic_script(char: str) -> bool:
    """Latin, Greek, Cyrillic (incl. extended blocks): where accents are decoration to strip."""
    point = ord(char)
    return point < 0x0530 or 0x1E00 <= point <= 0x1FFF


def _confusable_classes() -> dict[str, set[str]]:
    """Unicode's confusable pairs closed into classes: each character -> every look-alike."""
    data = json.loads(
        files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for source in sorted(data):
        for glyph in data[source]:
            if len(source) == 1 and len(glyph["c"]) == 1:
                parent[root(source)] = root(glyph["c"])
    members: dict[str, set[str]] = {}
    for char in sorted(parent):
        members.setdefault(root(char), set()).add(char)
    return {char: members[root(char)] for char in parent}


def _class_target(look_alikes: set[str]) -> str | None:
    """The ASCII letter (else digit) a class of look-alikes reads as; small capitals count."""
    ascii_chars = sorted({c.casefold() for c in look_alikes if c.isascii() and c.isalnum()})
    letters = [c for c in ascii_chars if c.isalpha()]
    if letters or ascii_chars:
        return (letters or ascii_chars)[0]
    for char in sorted(look_alikes):
        name = unicodedata.name(char, "")
        if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == 28:
            return name[-1].lower()
    return None


@lru_cache(maxsize=1)
def confusable_to_ascii() -> dict[str, str]:
    """Each non-ASCII character Unicode calls confusable with an ASCII letter or digit -> it.

    Classes are Unicode's confusable pairs closed transitively (Cyrillic, Greek, Armenian,
    Cherokee, Latin extended and IPA letters, mathematical alphanumerics, roman numerals). A
    letter whose own class reads as nothing ASCII takes the reading of its capital (Cyrillic
    `к` -> `К` -> `k`, `ƅ` -> `Ƅ` -> `b`); small capitals (`ᴛ`) read as their letter.
    """
    classes = _confusable_classes()
    targets = {char: _class_target(look_alikes) for char, look_alikes in classes.items()}
    mapping: dict[str, str] = {}
    for char in sorted(classes):
        if char.isascii() or is_unspaced_char(char):
            continue
        target = targets[char]
        upper = char.upper()
        if target is None and len(upper) == 1 and upper != char:
            target = targets.get(upper)
        if target is not None:
            mapping[char] = target
    return mapping


def _strip_diacritics(char: str) -> str:
    if not _is_alphabetic_script(char):
        return char
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def fold_char(char: str) -> str:
    """The folded form of one character (possibly empty, possibly several characters)."""
    category = unicodedata.category(char)
    if category == "Cf" or ord(char) in _TAG_CHARACTERS:
        return ""
    if category in ("Mn", "Me") and _is_combining_diacritic(char):
        return ""
    confusable = confusable_to_ascii()
    if char in confusable:  # before NFKC, which reads `Ϲ` (lunate sigma) as `Σ`
        return confusable[char].casefold()
    out: list[str] = []
    for part in unicodedata.normalize("NFKC", char):
        if unicodedata.category(part) == "Cf" or _is_combining_diacritic(part):
            continue
        part = confusable.get(part, part)
        for lowered in _strip_diacritics(part).casefold():
            out.append(confusable.get(lowered, lowered))
    return "".join(out)


def _table_code_points() -> list[int]:
    skipped = _SKIPPED_RANGES
    points = [
        point
        for point in range(_TABLE_LIMIT)
        if not any(low <= point <= high for low, high in skipped)
    ]
    points.extend(_TAG_CHARACTERS)
    return points


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """`str.translate` table: every character whose fold differs from itself."""
    table: dict[int, str] = {}
    for point in _table_code_points():
        char = chr(point)
        if unicodedata.category(char) in ("Cn", "Cs", "Co"):
            continue
        folded = fold_char(char)
        if folded != char:
            table[point] = folded
    return table


@lru_cache(maxsize=1)
def _length_changing() -> re.Pattern[str]:
    """Characters whose fold is not exactly one character: only these shift positions."""
    points = sorted(point for point, folded in fold_table().items() if len(folded) != 1)
    return re.compile("[" + "".join(re.escape(chr(point)) for point in points) + "]")


def same_positions(text: str) -> bool:
    """True when every character folds to exactly one: folded positions are the original ones."""
    return text.isascii() or _length_changing().search(text) is None


def fold(text: str) -> str:
    """The folded layer of a text (fast: one translate)."""
    return text.translate(fold_table())


def fold_with_origins(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index it came from in `text`."""
    table = fold_table()
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        replacement = table.get(ord(char), char)
        chars.append(replacement)
        origins.extend([index] * len(replacement))
    origins.append(len(text))
    return "".join(chars), origins


def plain_origins(text: str) -> list[int]:
    """For each character of `text.casefold()`, the index it came from in `text`."""
    origins: list[int] = []
    for index, char in enumerate(text):
        origins.extend([index] * len(char.casefold()))
    origins.append(len(text))
    return origins


def compact_key(text: str) -> str:
    """A name reduced to folded letters and digits: `Saint-Laurent` -> `saintlaurent`."""
    return "".join(c for c in fold(text) if c.isalnum())


def unleet(token: str) -> str:
    """Leetspeak digits and symbols read as the letters they stand for: `r0l3x` -> `rolex`."""
    return token.translate(LEET_TRANSLATION)


_UNKNOWN: list[int] = []  # an origins map not worked out yet (None: positions need none)


class TextLayers:
    """One text field as written, as plain case-folded text, and folded through disguise."""

    __slots__ = ("original", "plain", "folded", "_plain_origins", "_folded_origins")

    def __init__(self, original: str) -> None:
        self.original = original
        self.plain = original.casefold()
        self.folded = fold(original)
        self._plain_origins: list[int] | None = _UNKNOWN
        self._folded_origins: list[int] | None = _UNKNOWN

    def _plain_map(self) -> list[int] | None:
        if self._plain_origins is _UNKNOWN:
            same = len(self.plain) == len(self.original)
            self._plain_origins = None if same else plain_origins(self.original)
        return self._plain_origins

    def _folded_map(self) -> list[int] | None:
        if self._folded_origins is _UNKNOWN:
            same = same_positions(self.original)
            self._folded_origins = None if same else fold_with_origins(self.original)[1]
        return self._folded_origins

    def plain_span(self, start: int, end: int) -> tuple[int, int]:
        """A span of `plain` as a span of the original text."""
        origins = self._plain_map()
        if origins is None:
            return start, end
        return origins[start], origins[end - 1] + 1 if end > start else origins[start]

    def folded_span(self, start: int, end: int) -> tuple[int, int]:
        """A span of `folded` as a span of the original text."""
        origins = self._folded_map()
        if origins is None:
            return start, end
        return origins[start], origins[end - 1] + 1 if end > start else origins[start]

    def to_folded(self, start: int, end: int) -> tuple[int, int]:
        """A span of the original text as a span of `folded`."""
        if self._folded_map() is None:
            return start, end
        return len(fold(self.original[:start])), len(fold(self.original[:end]))


def describe_char(char: str) -> dict[str, str]:
    """A character for evidence: itself, its code point and its Unicode name."""
    return {
        "char": char,
        "codepoint": f"U+{ord(char):04X}",
        "name": unicodedata.name(char, "UNKNOWN"),
    }
