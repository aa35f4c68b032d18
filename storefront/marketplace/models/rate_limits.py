"""Rate-limit counters kept in the shop's database (storefront/rate_limit_storage.py), so that
every web process of the shop counts the same hits when no Redis is configured."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RateLimitCounter(Base):
    """One fixed window of one limit: ``hits`` so far, until ``expires_at`` (Unix seconds, the
    clock of the `limits` library). An expired row counts as zero until it is reused or purged."""

    __tablename__ = "rate_limit_counter"
    __table_args__ = (Index("ix_rate_limit_counter_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
