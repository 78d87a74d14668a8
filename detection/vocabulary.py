"""Counterfeit vocabulary and context phrases, compiled once into regexes over folded text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from detection.normalize import LEET_CLASSES, TextLayers, fold
from detection.patterns import Entry, TrieSearch, entry_name, trie_regex
from schemas.loading import load_yaml_model

SEPARATOR = r"[\s\-_.·]*"
_ALNUM = "a-z0-9"


def default_vocabulary_path() -> Path:
    """The lexicon shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "vocabulary.yaml"


def term_atoms(term: str) -> Entry:
    """(first characters, following atoms, "", boundary) of a term on folded text: leet digits
    accepted, spaces flexible, word-bounded where the term starts or ends with a letter or digit."""
    folded = fold(term).strip()
    atoms: list[str] = []
    for char in folded[1:]:
        if char in LEET_CLASSES:
            atoms.append("[" + re.escape(LEET_CLASSES[char]) + "]")
        elif char in " -_.":
            if not atoms or atoms[-1] != SEPARATOR:
                atoms.append(SEPARATOR)
        else:
            atoms.append(re.escape(char))
    first = LEET_CLASSES.get(folded[0], folded[0])
    if folded[-1].isascii() and folded[-1].isalnum():
        atoms.append(f"(?![{_ALNUM}])")
    bounded = folded[0].isascii() and folded[0].isalnum()
    return first, atoms, "", _ALNUM if bounded else None


def _bounded_pattern(entries: list[Entry]) -> str:
    """One regex source for entries, each with its own leading boundary."""
    branches = []
    for first, atoms, name, boundary in entries:
        body = trie_regex([(first, atoms, name)]).pattern
        branches.append(f"(?<![{boundary}])(?:{body})" if boundary else body)
    return "|".join(branches)


def _anywhere_hint(terms: list[str]) -> re.Pattern[str]:
    """The terms without their leading word boundary, as one trie: a quick necessary condition.

    `_union` keeps each term's own lookbehind, which denies `re` its first-character prefilter;
    where this finds nothing (most listings), that slower search would find nothing either.
    """
    if not terms:  # an empty union matches everywhere: so must its hint
        return re.compile("")
    entries = [term_atoms(term) for term in terms]
    return trie_regex(
        [(first, atoms, f"p{index}") for index, (first, atoms, _, _) in enumerate(entries)]
    )


def _union(terms: list[str]) -> str:
    entries = []
    for index, term in enumerate(terms):
        first, atoms, _, boundary = term_atoms(term)
        entries.append((first, atoms, f"p{index}", boundary))
    return _bounded_pattern(entries)


class ContextPhrases(BaseModel):
    """Phrases that sit right before a mark, or anywhere in the listing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    before_mark: list[str] = Field(default_factory=list)
    after_mark: list[str] = Field(default_factory=list)
    disclaimers: list[str] = Field(default_factory=list)


class Lexicon(BaseModel):
    """The vocabulary file: see detection/data/vocabulary.yaml for what each list means."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    counterfeit_terms: dict[str, list[str]]
    innocent_contexts: list[str] = Field(default_factory=list)
    dupe_patterns: ContextPhrases
    accessory_phrases: ContextPhrases
    resale_phrases: list[str]
    authenticity_phrases: list[str] = Field(default_factory=list)
    other_sense_after_mark: list[str] = Field(default_factory=list)
    ordinary_words: list[str] = Field(default_factory=list)

    @field_validator("innocent_contexts", "other_sense_after_mark")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        """A broken regular expression is refused at load, not at the first listing."""
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns


@dataclass(frozen=True, slots=True)
class TermHit:
    """A counterfeit term found in a field (span in the folded text)."""

    term: str
    language: str
    start: int
    end: int


class Vocabulary:
    """Compiled matchers for every list of the lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        by_form: dict[str, tuple[str, list[str]]] = {}
        for language in sorted(lexicon.counterfeit_terms):
            for term in lexicon.counterfeit_terms[language]:
                written, languages = by_form.setdefault(fold(term).strip(), (term, []))
                if language not in languages:
                    languages.append(language)
        # one entry per folded form: "replica" is English, Spanish and Italian at once
        self._terms: list[tuple[str, str]] = [
            (written, ",".join(languages)) for written, languages in by_form.values()
        ]
        self._term_re = TrieSearch(
            [
                (first, atoms, f"t{index}", boundary)
                for index, (first, atoms, _, boundary) in enumerate(
                    term_atoms(term) for term, _ in self._terms
                )
            ]
        )
        self._innocent_re = _compile_any(lexicon.innocent_contexts)
        self._dupe_before_re = re.compile(f"(?:{_union(lexicon.dupe_patterns.before_mark)})\\W*$")
        self._dupe_after_re = re.compile(f"\\W*(?:{_union(lexicon.dupe_patterns.after_mark)})")
        accessory = lexicon.accessory_phrases
        self._accessory_before_re = re.compile(f"(?:{_union(accessory.before_mark)})\\W*$")
        self._disclaimer_re = re.compile(_union(accessory.disclaimers))
        self._disclaimer_hint = _anywhere_hint(accessory.disclaimers)
        self._resale_re = re.compile(_union(lexicon.resale_phrases))
        self._resale_hint = _anywhere_hint(lexicon.resale_phrases)
        self._authentic_re = re.compile(_union(lexicon.authenticity_phrases))
        self._other_sense_re = _compile_any(lexicon.other_sense_after_mark)
        self.ordinary_words = frozenset(fold(word) for word in lexicon.ordinary_words)

    def counterfeit_terms(self, layers: TextLayers) -> list[TermHit]:
        """Counterfeit terms in a field, minus those inside an innocent phrase."""
        text = layers.folded
        hits: list[TermHit] = []
        innocent: list[tuple[int, int]] | None = None
        for match in self._term_re.finditer(text):
            if innocent is None:
                innocent = _spans(self._innocent_re, text)
            start, end = match.span()
            if any(low <= start and end <= high for low, high in innocent):
                continue
            term, language = self._terms[int(entry_name(match)[1:])]
            hits.append(TermHit(term, language, start, end))
        return hits

    def dupe_phrase(self, folded: str, start: int, end: int) -> str | None:
        """ "inspired by" before a mark or "dupe" after it, as written in folded text."""
        before = self._dupe_before_re.search(folded, max(0, start - 40), start)
        if before:
            return before.group(0).strip(" -_.:,")
        after = self._dupe_after_re.match(folded, end, end + 40)
        if after:
            return after.group(0).strip(" -_.:,")
        return None

    def accessory_phrase(self, folded: str, start: int) -> str | None:
        """ "compatible with" (and kin) right before a mark."""
        match = self._accessory_before_re.search(folded, max(0, start - 40), start)
        return match.group(0).strip(" -_.:,") if match else None

    def disclaimer(self, folded: str) -> str | None:
        if not self._disclaimer_hint.search(folded):
            return None
        match = self._disclaimer_re.search(folded)
        return match.group(0) if match else None

    def resale_phrase(self, folded: str) -> str | None:
        if not self._resale_hint.search(folded):
            return None
        match = self._resale_re.search(folded)
        return match.group(0) if match else None

    def authenticity_phrase(self, folded: str) -> str | None:
        match = self._authentic_re.search(folded)
        return match.group(0) if match else None

    def other_sense(self, folded: str, end: int) -> str | None:
        """What follows a mark when it names something else ("-3" in "Omega-3")."""
        if self._other_sense_re is None:
            return None
        match = self._other_sense_re.match(folded, end, end + 40)
        return match.group(0) if match else None


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)] if pattern else []


def _compile_any(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Raises schemas.loading.ConfigError naming the line at fault."""
    return load_yaml_model(path or default_vocabulary_path(), Lexicon)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The packaged lexicon, compiled once per process."""
    return Vocabulary(load_lexicon())
