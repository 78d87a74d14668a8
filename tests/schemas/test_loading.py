"""Config errors must point at the file and line an operator has to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.listing import Category
from schemas.loading import ConfigError, load_yaml_model, load_yaml_text
from schemas.registry import BrandRegistry

GOOD = """\
registry_version: 1
brands:
  - brand_id: gucci
    name: Gucci
    aliases: [古驰]
    retail_floor_usd:
      handbags: 890
      shoes: 550
"""


def write(tmp_path: Path, text: str, name: str = "registry.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_into_the_model(tmp_path: Path) -> None:
    registry = load_yaml_model(write(tmp_path, GOOD), BrandRegistry)
    assert registry.brands[0].aliases == ["古驰"]
    assert registry.brands[0].retail_floor_usd[Category.SHOES] == 550


def test_bad_price_floor_reports_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("shoes: 550", "shoes: -5"))
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, BrandRegistry)
    assert caught.value.line == 8
    assert str(caught.value).startswith(f"{path}:8: brands.0.retail_floor_usd.shoes: ")


def test_unknown_category_key_reports_the_key_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("handbags: 890", "purses: 890"))
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, BrandRegistry)
    assert caught.value.line == 7


def test_missing_field_falls_back_to_the_enclosing_entry(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    name: Gucci\n", ""))
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, BrandRegistry)
    assert caught.value.line == 3
    assert "brands.0.name: Field required" in str(caught.value)


def test_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("name: Gucci", "name: Gucci: Kering"))
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, BrandRegistry)
    assert str(caught.value) == f"{path}:4: invalid YAML: mapping values are not allowed here"


def test_tab_indented_json_is_parsed_as_json_and_keeps_lines() -> None:
    text = (
        '{\n\t"registry_version": 1,\n\t"brands": [{\n\t\t"brand_id": "Bad Id",\n'
        '\t\t"name": "X", "retail_floor_usd": {"shoes": 1}}]\n}\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_yaml_text(text, "registry.json", BrandRegistry)
    assert str(caught.value).startswith("registry.json:4: brands.0.brand_id: ")


def test_json_syntax_error_reports_its_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_yaml_text('{\n"registry_version": 1,\n"brands": [,]\n}', "r.json", BrandRegistry)
    assert caught.value.line == 3


def test_missing_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match="file not found") as caught:
        load_yaml_model(path, BrandRegistry)
    assert str(caught.value) == f"{path}: file not found"


def test_empty_file_is_a_validation_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\(document\): Input should be a valid dictionary"):
        load_yaml_model(write(tmp_path, ""), BrandRegistry)
