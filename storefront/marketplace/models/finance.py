"""Finance domain: the commission the retailer takes on each sale."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CommissionRate(Base):
    """A commission rate in basis points (1,500 = 15 %).

    A row with a category and no seller is the category's rate; a row with a seller overrides it
    for that seller (for one category, or for all when the category is empty). A row with neither
    is the marketplace default.
    """

    __tablename__ = "commission_rate"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        Index("ix_commission_rate_lookup", "category_id", "seller_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    rate_bp: Mapped[int]
