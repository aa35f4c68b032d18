"""Finance domain: the commission the retailer takes on each sale."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CommissionRate(Base):
    """A commission rate in basis points (1,500 = 15 %).

    A row with a category and no seller is the category's rate; a row with a seller overrides it
    for that seller (for one category, or for all when the category is empty). A row with neither
    is the marketplace default.

    Each row holds for a period, ``valid_from`` (included) to ``valid_to`` (excluded; empty:
    until further notice), in the shop's days. Periods of one scope never overlap
    (marketplace/commission_rates.py closes the previous one when a new rate starts). The rate of
    the order's day is copied onto each order line at checkout, so a change never rewrites an
    order already placed.
    """

    __tablename__ = "commission_rate"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="period"),
        Index("ix_commission_rate_lookup", "category_id", "seller_id", "valid_from", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    rate_bp: Mapped[int]
    valid_from: Mapped[date] = mapped_column(default=date(2000, 1, 1), server_default=text("'2000-01-01'"))
    valid_to: Mapped[date | None]
