"""Many alternatives as one trie-shaped regex that the `re` engine can scan quickly.

`re` tries an alternation's branches one after another at every position. Built as a trie whose
top-level branches each start with one literal character, the pattern gets `re`'s first-character
prefilter: positions that cannot start any alternative are skipped in C, and at other positions
only the branches sharing that prefix are tried. Entries that must start a word are kept apart
in a regex led by one lookbehind: inside words it fails at once, before any branch is tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    name: str | None = None


def trie_regex(entries: list[tuple[str, list[str], str]]) -> re.Pattern[str]:
    """Compile (first characters, following regex atoms, group name) entries into one regex.

    Each first character becomes its own literal branch; `entry_name(match)` is the name of the
    entry that matched (longer entries are preferred where one extends another).
    """
    root = _Node()
    variant = 0
    for first_chars, atoms, name in entries:
        for char in dict.fromkeys(first_chars):
            variant += 1
            node = root
            for atom in [re.escape(char), *atoms]:
                node = node.children.setdefault(atom, _Node())
            if node.name is None:
                node.name = f"{name}_{variant}"
    if not root.children:
        return re.compile(r"(?!)")
    return re.compile(_emit(root))


def _emit(node: _Node) -> str:
    branches = [atom + _emit(child) for atom, child in node.children.items()]
    if node.name is not None:
        branches.append(f"(?P<{node.name}>)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def entry_name(match: re.Match[str]) -> str:
    """The name of the trie entry a match came from."""
    return (match.lastgroup or "").rsplit("_", 1)[0]


Entry = tuple[str, list[str], str, str | None]


class TrieSearch:
    """(first characters, atoms, name, word-boundary class or None) entries, searched together."""

    def __init__(self, entries: list[Entry]) -> None:
        groups: dict[str | None, list[tuple[str, list[str], str]]] = {}
        for first_chars, atoms, name, boundary in entries:
            groups.setdefault(boundary, []).append((first_chars, atoms, name))
        self._patterns = [
            re.compile(
                trie_regex(group).pattern
                if boundary is None
                else f"(?<![{boundary}])(?:{trie_regex(group).pattern})"
            )
            for boundary, group in sorted(groups.items(), key=lambda item: item[0] or "")
        ]

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> list[re.Match[str]]:
        """Every match of every group in text[pos:endpos], by position (longest first at one)."""
        end = len(text) if endpos is None else endpos
        if len(self._patterns) == 1:
            return list(self._patterns[0].finditer(text, pos, end))
        found = [m for pattern in self._patterns for m in pattern.finditer(text, pos, end)]
        found.sort(key=lambda m: (m.start(), -m.end()))
        return found
