"""Folding: each disguise reads as plain ASCII, and positions map back to the text as written."""

from detection.normalize import TextLayers, confusable_to_ascii, fold, fold_with_origins, unleet


def test_cyrillic_homoglyphs_fold_to_latin() -> None:
    assert fold("Guссі") == "gucci"


def test_greek_capitals_fold_to_latin() -> None:
    assert fold("ΗΕRΜΕS") == "hermes"


def test_fullwidth_and_mathematical_letters_fold_by_nfkc() -> None:
    assert fold("ＧＵＣＣＩ") == "gucci"
    assert fold("𝐆𝐮𝐜𝐜𝐢") == "gucci"


def test_zero_width_and_format_characters_are_removed() -> None:
    assert fold("Gu\u200bc\u200dc\u00adi\ufeff") == "gucci"


def test_diacritics_are_stripped_but_cjk_is_kept() -> None:
    assert fold("Hermès Céline") == "hermes celine"
    assert fold("古驰 高仿") == "古驰 高仿"


def test_confusables_come_from_unicode_data_not_a_short_list() -> None:
    assert len(confusable_to_ascii()) > 1000


def test_origins_point_back_to_the_written_characters() -> None:
    folded, origins = fold_with_origins("Gu\u200bcci")
    assert folded == "gucci"
    assert origins[:5] == [0, 1, 3, 4, 5]


def test_layers_map_a_folded_span_back_over_removed_characters() -> None:
    layers = TextLayers("new Gu\u200bcci bag")
    start = layers.folded.index("gucci")
    assert layers.folded_span(start, start + 5) == (4, 10)


def test_unleet_reads_digits_as_letters() -> None:
    assert unleet("r0l3x") == "rolex"


def test_armenian_cherokee_and_click_letters_fold_through_unicode_classes() -> None:
    assert fold("Ꭱօǀҽχ") in {"rolex", "roiex"}  # `ǀ` reads as l/I, one class for marks
    assert fold("Burƅҽrгy") == "burberry"  # `ƅ` reads as its capital `Ƅ`, confusable with b


def test_lunate_sigma_reads_as_c_not_as_sigma() -> None:
    assert fold("Ϲοach") == "coach"
