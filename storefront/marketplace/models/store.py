"""Shop-wide preferences the operator sets in the back office (key → JSON value)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class StoreSetting(Base):
    __tablename__ = "store_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class ReferenceGeneration(Base):
    """One row counting the commits that changed reference data (preferences, mappings,
    delivery tables): each process compares it with the count its cached copy was read at,
    at most every ``REFERENCE_CHECK_SECONDS``, and drops its copy when another process has
    changed something (storefront/marketplace/reference_cache.py)."""

    __tablename__ = "reference_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
