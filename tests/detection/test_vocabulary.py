"""Counterfeit vocabulary in several languages, and the phrases that give a term its sense."""

import pytest

from detection.normalize import TextLayers
from detection.vocabulary import Vocabulary, default_vocabulary


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return default_vocabulary()


def terms(vocabulary: Vocabulary, text: str) -> list[tuple[str, str]]:
    return [(hit.term, hit.language) for hit in vocabulary.counterfeit_terms(TextLayers(text))]


@pytest.mark.parametrize(
    ("text", "term", "language"),
    [
        ("古驰 高仿 包", "高仿", "zh"),
        ("A货 手表", "A货", "zh"),
        ("复刻 运动鞋", "复刻", "zh"),
        ("原单品质", "原单", "zh"),
        ("精仿 皮带", "精仿", "zh"),
        ("超A 货", "超A", "zh"),
        ("一比一 品质", "一比一", "zh"),
        ("1比1 品质", "1比1", "zh"),
        ("sneakers 1:1 top quality", "1:1", "en"),
        ("R3PLICA bag", "replica", "en"),
        ("rеplica bag", "replica", "en"),
        ("bolso réplica", "replica", "es"),
        ("sac contrefaçon", "contrefaçon", "fr"),
        ("borsa taroccata", "taroccata", "it"),
        ("подделка сумка", "подделка", "ru"),
    ],
)
def test_counterfeit_terms_are_found_with_their_language(
    vocabulary: Vocabulary, text: str, term: str, language: str
) -> None:
    assert any(
        found == term and language in languages.split(",")
        for found, languages in terms(vocabulary, text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "AAA batteries 24 pack",
        "museum replica of the winged victory",
        "meeting at 21:15",
        "fake fur throw",
        "replicate the results",
        "100% authentic, no fakes",
    ],
)
def test_ordinary_senses_are_not_counterfeit_vocabulary(vocabulary: Vocabulary, text: str) -> None:
    assert terms(vocabulary, text) == []


def test_dupe_phrases_before_and_after_a_mark(vocabulary: Vocabulary) -> None:
    folded = TextLayers("perfume inspired by Chanel, Balenciaga dupe").folded
    chanel = folded.index("chanel")
    balenciaga = folded.index("balenciaga")
    assert vocabulary.dupe_phrase(folded, chanel, chanel + 6) == "inspired by"
    assert vocabulary.dupe_phrase(folded, balenciaga, balenciaga + 10) == "dupe"


def test_no_dupe_phrase_around_a_plain_mark(vocabulary: Vocabulary) -> None:
    folded = TextLayers("Chanel flap bag like new").folded
    assert vocabulary.dupe_phrase(folded, 0, 6) is None


def test_accessory_phrase_right_before_a_mark(vocabulary: Vocabulary) -> None:
    folded = TextLayers("organizer insert compatible with LV Neverfull").folded
    assert vocabulary.accessory_phrase(folded, folded.index("lv")) == "compatible with"


def test_other_sense_after_a_mark(vocabulary: Vocabulary) -> None:
    folded = TextLayers("Omega-3 fish oil; Nike of Samothrace").folded
    assert vocabulary.other_sense(folded, 5) == "-3"
    assert vocabulary.other_sense(folded, folded.index("nike") + 4) == " of samothrace"
