"""The ruleset file: validated with the line at fault, versioned by its bytes."""

from pathlib import Path

import pytest

from detection.ruleset import RULE_IDS, check_ruleset, default_ruleset_path
from schemas.loading import ConfigError

DEFAULT = default_ruleset_path().read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_default_ruleset_is_valid_and_names_every_rule() -> None:
    ruleset = check_ruleset(default_ruleset_path())
    assert set(ruleset.rules.by_id()) == set(RULE_IDS)
    assert all(rule.mode == "enforce" for rule in ruleset.rules.by_id().values())
    assert ruleset.candidate_threshold == 0.5


def test_version_is_the_hash_of_the_bytes(tmp_path: Path) -> None:
    version = check_ruleset(write(tmp_path, DEFAULT)).version
    assert version.startswith("rs-") and len(version) == 15
    assert check_ruleset(write(tmp_path, DEFAULT + "# edited\n")).version != version


def test_unknown_rule_id_names_its_line(tmp_path: Path) -> None:
    text = DEFAULT.replace("  seller.unverified:", "  seller.unverifed:")
    with pytest.raises(ConfigError) as error:
        check_ruleset(write(tmp_path, text))
    assert error.value.line == line_of(text, "seller.unverifed")
    assert "seller.unverifed" in str(error.value)


def test_weight_outside_zero_one_names_its_line(tmp_path: Path) -> None:
    text = DEFAULT.replace(
        "mark.obfuscated: {mode: enforce, weight: 0.55}",
        "mark.obfuscated: {mode: enforce, weight: 1.55}",
    )
    with pytest.raises(ConfigError) as error:
        check_ruleset(write(tmp_path, text))
    assert error.value.line == line_of(text, "mark.obfuscated")


def test_bad_mode_is_refused(tmp_path: Path) -> None:
    text = DEFAULT.replace("seller.low_rating: {mode: enforce", "seller.low_rating: {mode: loud")
    with pytest.raises(ConfigError, match="mode"):
        check_ruleset(write(tmp_path, text))


def test_price_bands_out_of_order_are_refused(tmp_path: Path) -> None:
    text = DEFAULT.replace("below_ratio: 0.4", "below_ratio: 0.1")
    with pytest.raises(ConfigError, match="increasing"):
        check_ruleset(write(tmp_path, text))


def test_unknown_reputation_parameter_is_refused(tmp_path: Path) -> None:
    text = DEFAULT.replace("  new_account_days: 30", "  new_acount_days: 30")
    with pytest.raises(ConfigError, match="new_acount_days"):
        check_ruleset(write(tmp_path, text))


def test_a_rule_left_out_is_off(tmp_path: Path) -> None:
    text = DEFAULT.replace("  seller.unverified: {mode: enforce, weight: 0.05}\n", "")
    assert check_ruleset(write(tmp_path, text)).rules.by_id()["seller.unverified"].mode == "off"
