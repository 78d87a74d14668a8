"""Mark matching: every disguise is seen through; look-alike words are left alone."""

import pytest

from detection.marks import FUZZY, OBFUSCATED, REGISTERED, MarkHit, MarkMatcher
from detection.normalize import TextLayers
from detection.registry import load_registry
from detection.vocabulary import default_vocabulary


@pytest.fixture(scope="module")
def matcher() -> MarkMatcher:
    return MarkMatcher(load_registry(), default_vocabulary().ordinary_words)


def find(matcher: MarkMatcher, text: str) -> list[MarkHit]:
    return matcher.find("title", TextLayers(text))


@pytest.mark.parametrize(
    ("text", "brand_id", "written", "disguise"),
    [
        ("Guссі Horsebit loafers", "gucci", "Guссі", "homoglyph"),
        ("G U C C I belt", "gucci", "G U C C I", "spacing"),
        ("G.u.c.c.i belt", "gucci", "G.u.c.c.i", "spacing"),
        ("L0uis Vuitton Speedy", "louis-vuitton", "L0uis Vuitton", "leetspeak"),
        ("Rol3x Submariner", "rolex", "Rol3x", "leetspeak"),
        ("ＧＵＣＣＩ wallet", "gucci", "ＧＵＣＣＩ", "compatibility_form"),
        ("Gu\u200bcci wallet", "gucci", "Gu\u200bcci", "zero_width"),
        ("古\u200b驰 包", "gucci", "古\u200b驰", "zero_width"),
    ],
)
def test_disguised_marks_are_found_with_the_span_as_written(
    matcher: MarkMatcher, text: str, brand_id: str, written: str, disguise: str
) -> None:
    [hit] = find(matcher, text)
    assert (hit.kind, hit.brand_id, hit.matched) == (OBFUSCATED, brand_id, written)
    assert disguise in hit.disguises
    assert hit.evidence()["normalized"] == hit.normalized


def test_homoglyph_evidence_names_each_character(matcher: MarkMatcher) -> None:
    [hit] = find(matcher, "Guссі")
    names = [c["name"] for c in hit.evidence()["characters"]]
    assert names.count("CYRILLIC SMALL LETTER ES") == 2
    assert all(c["codepoint"].startswith("U+04") for c in hit.evidence()["characters"])


@pytest.mark.parametrize(
    "text", ["Gucci bag", "GUCCI", "古驰 酒神包", "Hermès Birkin", "Saint-Laurent"]
)
def test_marks_as_registered_are_not_obfuscated(matcher: MarkMatcher, text: str) -> None:
    assert [hit.kind for hit in find(matcher, text)] == [REGISTERED]


@pytest.mark.parametrize(
    ("text", "brand_id"),
    [
        ("Chanell flap bag", "chanel"),
        ("Loius Vuitton bag", "louis-vuitton"),
        ("Guccci belt", "gucci"),
    ],
)
def test_misspellings_are_fuzzy_matches(matcher: MarkMatcher, text: str, brand_id: str) -> None:
    [hit] = find(matcher, text)
    assert (hit.kind, hit.brand_id) == (FUZZY, brand_id)
    assert hit.distance == 1


@pytest.mark.parametrize(
    "text", ["8 channel mixer", "couch cover", "carrier bag", "Chan el", "co ach", "dog roles"]
)
def test_ordinary_words_and_partial_splits_are_not_marks(matcher: MarkMatcher, text: str) -> None:
    assert find(matcher, text) == []


def test_short_aliases_only_match_as_written(matcher: MarkMatcher) -> None:
    assert [hit.kind for hit in find(matcher, "LV Neverfull")] == [REGISTERED]
    assert find(matcher, "L V tote") == []


def test_marks_inside_words_are_not_matched(matcher: MarkMatcher) -> None:
    assert find(matcher, "Pradaesque") == []


@pytest.mark.parametrize(
    ("text", "brand_id"),
    [("Hermèss scarf", "hermes"), ("Diorr saddle bag", "dior"), ("Ray-Bann aviators", "ray-ban")],
)
def test_misspellings_of_short_and_hyphenated_marks(
    matcher: MarkMatcher, text: str, brand_id: str
) -> None:
    assert [hit.brand_id for hit in find(matcher, text)] == [brand_id]


def test_plural_of_a_mark_is_the_mark_as_registered(matcher: MarkMatcher) -> None:
    assert [(hit.kind, hit.matched) for hit in find(matcher, "two pairs of Nikes")] == [
        (REGISTERED, "Nikes")
    ]


def test_accented_registered_spelling_is_registered(matcher: MarkMatcher) -> None:
    assert [(hit.kind, hit.alias) for hit in find(matcher, "Pre-owned Céline hoodie")] == [
        (REGISTERED, "Céline")
    ]


def test_short_mark_disguised_by_a_look_alike_letter(matcher: MarkMatcher) -> None:
    assert [(hit.kind, hit.brand_id) for hit in find(matcher, "YSᏞ card holder")] == [
        (OBFUSCATED, "saint-laurent")
    ]


def test_short_misspelling_is_weak_and_common_word_mark_is_ambiguous(
    matcher: MarkMatcher,
) -> None:
    [short] = find(matcher, "Prda tote bag")
    assert (short.kind, short.brand_id, short.weak) == (FUZZY, "prada", True)
    [common] = find(matcher, "Coach jacket")
    assert common.ambiguous and not find(matcher, "Gucci bag")[0].ambiguous
