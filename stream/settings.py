"""Worker settings, read from `LG_*` environment variables with working local defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator may set; defaults run against the local broker of deploy/kafka.sh."""

    model_config = SettingsConfigDict(env_prefix="LG_", extra="ignore")

    app_id: str = "listing-guard"
    broker: str = "kafka://127.0.0.1:9092"
    topic_listings: str = "listings.new"
    topic_outcomes: str = "takedown.outcomes"
    topic_candidates: str = "takedown.candidates"
    topic_dead_letters: str = "listings.dlq"
    topic_registry: str = "brands.registry"
    partitions: int = Field(default=12, ge=1)
    threshold: float | None = Field(default=None, ge=0, le=1)
    registry_path: Path | None = None
    rules_path: Path | None = None
    metrics_port: int = Field(default=9108, ge=0, le=65535)
    web_port: int = Field(default=6066, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    store: str = "memory://"
    data_dir: Path = Path("var/worker")
    batch_size: int = Field(default=1000, ge=1)
    batch_within_s: float = Field(default=0.01, gt=0)
    fast_drain: bool = True
    log_level: str = "WARNING"
