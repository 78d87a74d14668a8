"""State tables: seller reputation and per-listing memory, both in Kafka changelogs."""

from __future__ import annotations

from dataclasses import dataclass

import faust
from faust.types import TableT

from stream.settings import Settings

REPUTATION_TABLE = "seller-reputation"
LISTING_MEMORY_TABLE = "listing-memory"
TABLE_NAMES = (REPUTATION_TABLE, LISTING_MEMORY_TABLE)


@dataclass(frozen=True)
class Tables:
    """Raw-bytes tables (orjson values): we (de)serialize once per key per batch."""

    reputation: TableT
    listings: TableT


def declare_tables(app: faust.App, settings: Settings) -> Tables:
    """Keyed by seller (reputation) and listing (memory); written from the seller's partition."""

    def table(name: str, help_text: str) -> TableT:
        return app.Table(
            name,
            default=None,
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
            help=help_text,
        )

    return Tables(
        reputation=table(REPUTATION_TABLE, "Seller reputation by seller id."),
        listings=table(LISTING_MEMORY_TABLE, "Last decisions per listing id."),
    )
