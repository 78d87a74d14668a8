"""Field types shared by several contracts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

PHASH_PATTERN = r"^[0-9a-fA-F]{16}$"

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64)]
PHash = Annotated[str, StringConstraints(pattern=PHASH_PATTERN), AfterValidator(str.lower)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Timestamp = AwareDatetime


class InputModel(BaseModel):
    """Upstream input: unknown fields from newer producers are ignored, never rejected."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class OutputModel(BaseModel):
    """Our own output: we never emit fields that are not in the schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)
