"""The packaged default registry: loads, covers the big brands, agrees with the contract example."""

from __future__ import annotations

import re
from pathlib import Path

from detection.registry import default_registry_path, load_registry
from schemas.loading import load_yaml_model
from schemas.registry import BrandRegistry

HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
STORE_ID = re.compile(r"^S-[A-Z0-9]+(-[A-Z0-9]+)*-STORE$")
NO_ESTABLISHED_CHINESE_NAME = {"supreme", "off-white"}


def test_default_registry_loads_with_enough_brands() -> None:
    registry = load_registry()
    assert default_registry_path().name == "brand-registry.yaml"
    assert len(registry.brands) >= 20
    assert registry.fx_to_usd is None


def test_every_brand_has_a_chinese_alias_where_one_exists() -> None:
    missing = [
        brand.brand_id
        for brand in load_registry().brands
        if brand.brand_id not in NO_ESTABLISHED_CHINESE_NAME
        and not any(HAS_CJK.search(alias) for alias in brand.aliases)
    ]
    assert missing == []


def test_every_brand_has_its_own_store_and_a_price_floor() -> None:
    for brand in load_registry().brands:
        assert any(STORE_ID.match(seller) for seller in brand.authorized_sellers), brand.brand_id
        assert brand.retail_floor_usd, brand.brand_id


def test_image_hashes_of_different_brands_are_far_apart() -> None:
    owners: dict[int, str] = {}
    for brand in load_registry().brands:
        for text in brand.official_image_phashes + brand.counterfeit_image_phashes:
            owners[int(text, 16)] = brand.brand_id
    hashes = sorted(owners)
    for i, first in enumerate(hashes):
        for second in hashes[i + 1 :]:
            if owners[first] != owners[second]:
                assert (first ^ second).bit_count() > 10, (owners[first], owners[second])


def test_contract_example_brands_keep_their_example_values(contract_examples: Path) -> None:
    example = load_yaml_model(contract_examples / "brand-registry.yaml", BrandRegistry)
    default = {brand.brand_id: brand for brand in load_registry().brands}
    for brand in example.brands:
        ours = default[brand.brand_id]
        assert ours.name == brand.name
        assert ours.aliases == brand.aliases
        assert ours.authorized_sellers == brand.authorized_sellers
        assert brand.retail_floor_usd.items() <= ours.retail_floor_usd.items()
        assert set(brand.official_image_phashes) <= set(ours.official_image_phashes)
        assert set(brand.counterfeit_image_phashes) <= set(ours.counterfeit_image_phashes)
