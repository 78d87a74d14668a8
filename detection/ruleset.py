"""The declarative ruleset: rule ids, modes, weights, thresholds; versioned by content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detection.reputation import ReputationConfig
from schemas.listing import Category
from schemas.loading import ConfigError, load_yaml_text

Mode = Literal["enforce", "shadow", "off"]
Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleConfig(_Strict):
    """One rule: whether it counts, and how much."""

    mode: Mode = "enforce"
    weight: Weight = 0.0


class DampenRule(_Strict):
    """Negative evidence: multiplies the score instead of adding to it."""

    mode: Mode = "enforce"
    dampen: Annotated[float, Field(gt=0, le=1)] = 1.0


class FuzzyRule(RuleConfig):
    """Misspellings: tokens this long at least; two edits allowed from this mark length."""

    min_length: Annotated[int, Field(ge=3)] = 5
    two_edits_from_length: Annotated[int, Field(ge=4)] = 8


class ImageRule(RuleConfig):
    """pHash near match: Hamming distance at most this many bits of 64."""

    max_distance: Annotated[int, Field(ge=0, le=32)] = 6


class PriceBand(_Strict):
    """Prices below `below_ratio` of the floor (and above any lower band) fall in this band."""

    name: str
    below_ratio: Annotated[float, Field(gt=0, le=1)]
    weight: Weight
    min_severity: Severity | None = None


class PriceRule(RuleConfig):
    """The price bands, lowest ratio first."""

    bands: list[PriceBand] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ascending(self) -> PriceRule:
        """Bands are read in order; out of order, a cheaper band would never be reached."""
        if self.mode != "off" and not self.bands:
            raise ValueError("price.below_floor needs at least one band")
        ratios = [band.below_ratio for band in self.bands]
        if ratios != sorted(set(ratios)):
            raise ValueError("bands must have strictly increasing below_ratio")
        if any(band.weight > self.weight for band in self.bands):
            raise ValueError("a band's weight exceeds the rule's weight (its ceiling)")
        return self


def _rule(alias: str, model: type[BaseModel] = RuleConfig) -> object:
    """A rule left out of the file does not run."""
    return Field(alias=alias, default_factory=lambda: model.model_validate({"mode": "off"}))


class Rules(_Strict):
    """Every rule id, dotted as in Reason.rule_id; an unknown id is an error, a missing one off."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    mark_registered: RuleConfig = _rule("mark.registered")  # type: ignore[assignment]
    mark_obfuscated: RuleConfig = _rule("mark.obfuscated")  # type: ignore[assignment]
    mark_fuzzy: FuzzyRule = _rule("mark.fuzzy", FuzzyRule)  # type: ignore[assignment]
    vocab_counterfeit: RuleConfig = _rule("vocab.counterfeit")  # type: ignore[assignment]
    vocab_dupe_pattern: RuleConfig = _rule("vocab.dupe_pattern")  # type: ignore[assignment]
    price_below_floor: PriceRule = _rule("price.below_floor", PriceRule)  # type: ignore[assignment]
    seller_unauthorized: RuleConfig = _rule("seller.unauthorized")  # type: ignore[assignment]
    image_counterfeit_match: ImageRule = _rule("image.counterfeit_match", ImageRule)  # type: ignore[assignment]
    image_official_theft: ImageRule = _rule("image.official_theft", ImageRule)  # type: ignore[assignment]
    seller_confirmed_history: RuleConfig = _rule("seller.confirmed_history")  # type: ignore[assignment]
    seller_new_account: RuleConfig = _rule("seller.new_account")  # type: ignore[assignment]
    seller_unverified: RuleConfig = _rule("seller.unverified")  # type: ignore[assignment]
    seller_low_rating: RuleConfig = _rule("seller.low_rating")  # type: ignore[assignment]
    seller_branded_burst: RuleConfig = _rule("seller.branded_burst")  # type: ignore[assignment]
    seller_new_account_high_value: RuleConfig = _rule("seller.new_account_high_value")  # type: ignore[assignment]
    seller_cleared_history: DampenRule = _rule("seller.cleared_history", DampenRule)  # type: ignore[assignment]

    def by_id(self) -> dict[str, RuleConfig | DampenRule]:
        """Rule id -> its configuration."""
        return {
            info.alias: getattr(self, name)
            for name, info in type(self).model_fields.items()
            if info.alias is not None
        }


RULE_IDS: tuple[str, ...] = tuple(
    info.alias for info in Rules.model_fields.values() if info.alias is not None
)


class SeverityBands(_Strict):
    """Lowest score of each severity."""

    low: Weight = 0.5
    medium: Weight = 0.7
    high: Weight = 0.85
    critical: Weight = 0.95

    @model_validator(mode="after")
    def _ascending(self) -> SeverityBands:
        """A higher severity needs a higher score."""
        if not self.low <= self.medium <= self.high <= self.critical:
            raise ValueError("severity bands must satisfy low <= medium <= high <= critical")
        return self


class ResaleContext(_Strict):
    """Who counts as an established reseller of authentic pre-owned goods."""

    require_verified: bool = True
    min_account_days: Annotated[int, Field(ge=0)] = 365
    min_rating: Annotated[float, Field(ge=0, le=5)] = 4.5
    min_price_ratio: Annotated[float, Field(ge=0, le=1)] = 0.25


class ContextConfig(_Strict):
    """Categories where a mark means something else, or is only referred to."""

    other_sense_categories: list[Category] = Field(default_factory=list)
    accessory_categories: list[Category] = Field(default_factory=list)
    resale: ResaleContext = ResaleContext()


class Ruleset(_Strict):
    """A whole ruleset file; `version` is computed from the bytes, never written in the file."""

    candidate_threshold: Weight = 0.5
    severity_bands: SeverityBands = SeverityBands()
    rules: Rules
    context: ContextConfig = ContextConfig()
    reputation: ReputationConfig = ReputationConfig()
    version: str = Field(default="", exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _no_version(cls, data: object) -> object:
        """The version is the file's hash; a written one would lie after the next edit."""
        if isinstance(data, dict) and "version" in data:
            raise ValueError("`version` is computed from the file's content; remove it")
        return data


def default_ruleset_path() -> Path:
    """The ruleset shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "ruleset.yaml"


def ruleset_version(content: bytes) -> str:
    """`rs-` + the first 12 hex digits of the sha256 of the file's bytes."""
    return "rs-" + hashlib.sha256(content).hexdigest()[:12]


def check_ruleset(path: Path | str) -> Ruleset:
    """Load and validate a ruleset file; raises ConfigError naming the file and line at fault."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    ruleset = load_yaml_text(text, str(path), Ruleset)
    return ruleset.model_copy(update={"version": ruleset_version(content)})


def default_ruleset() -> Ruleset:
    """The packaged ruleset."""
    return check_ruleset(default_ruleset_path())
