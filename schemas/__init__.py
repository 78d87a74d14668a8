"""Versioned message and config models: the contracts every other package builds on."""

from schemas.candidate import CandidateReason, SourcePosition, TakedownCandidate
from schemas.dead_letter import DeadLetter, DeadLetterError
from schemas.listing import Category, Listing, ListingEvent, Price, Seller
from schemas.outcome import TakedownOutcome
from schemas.registry import Brand, BrandRegistry

__all__ = [
    "Brand",
    "BrandRegistry",
    "CandidateReason",
    "Category",
    "DeadLetter",
    "DeadLetterError",
    "Listing",
    "ListingEvent",
    "Price",
    "Seller",
    "SourcePosition",
    "TakedownCandidate",
    "TakedownOutcome",
]
