"""Parameters of seller reputation: the ruleset YAML's `reputation:` mapping."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1)]


class ReputationConfig(BaseModel):
    """How outcomes fade, what counts as new, low, a burst or high-value; unknown keys are typos."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    half_life_days: PositiveFloat = 90.0
    new_account_days: Annotated[int, Field(ge=0)] = 30
    low_rating_below: Annotated[float, Field(ge=0, le=5)] = 3.5
    burst_per_hour: Annotated[int, Field(ge=1)] = 10
    burst_per_day: Annotated[int, Field(ge=1)] = 40
    high_value_floor_usd: PositiveFloat = 500.0
    max_outcomes_kept: Annotated[int, Field(ge=1)] = 50
    recent_event_ids_kept: Annotated[int, Field(ge=1)] = 32
    velocity_bucket_minutes: int = 10
    confirmed_history_min_weight: PositiveFloat = 0.5
    confirmed_history_min_share: Share = 0.25
    cleared_history_min_weight: PositiveFloat = 0.5
    cleared_history_min_share: Share = 0.75

    @field_validator("velocity_bucket_minutes")
    @classmethod
    def _divides_the_hour(cls, minutes: int) -> int:
        """Buckets must tile an hour exactly, or the hourly window would straddle a bucket."""
        if minutes < 1 or 60 % minutes:
            raise ValueError("velocity_bucket_minutes must divide 60 (1, 2, 3, 4, 5, 6, 10, ...)")
        return minutes
