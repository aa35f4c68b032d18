"""Sellers domain: the shops that sell on the marketplace, the retailer first among them."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped

if TYPE_CHECKING:
    from .accounts import User
    from .orders import SellerOrder


class SellerState(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    SUSPENDED = "SUSPENDED"


class Seller(Timestamped, Base):
    """A shop on the marketplace. ``is_operator`` marks the retailer itself (the 1P seller)."""

    __tablename__ = "seller"
    __table_args__ = (
        CheckConstraint("rating_count >= 0", name="rating_count_positive"),
        CheckConstraint("default_lead_time_days >= 0", name="lead_time_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    state: Mapped[SellerState] = mapped_column(
        Enum(SellerState, native_enum=False, length=12), default=SellerState.OPEN, index=True
    )
    is_operator: Mapped[bool] = mapped_column(default=False)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    siret: Mapped[str] = mapped_column(String(20), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    description: Mapped[str] = mapped_column(Text, default="")
    return_policy: Mapped[str] = mapped_column(Text, default="")
    logo_url: Mapped[str] = mapped_column(String(300), default="")
    default_lead_time_days: Mapped[int] = mapped_column(default=1)
    # Orders after this local time (in the shop's time zone) start the next business day.
    cutoff_time: Mapped[time] = mapped_column(Time, default=time(14, 0))
    # Denormalised from seller_rating so that listing pages need no aggregate per seller.
    rating_sum: Mapped[int] = mapped_column(default=0)
    rating_count: Mapped[int] = mapped_column(default=0)
    suspended_reason: Mapped[str] = mapped_column(String(300), default="")

    ratings: Mapped[list[SellerRating]] = relationship(back_populates="seller")

    @property
    def rating(self) -> float | None:
        """Average grade out of 5, or None before the first rating."""
        return self.average_rating(self.rating_sum, self.rating_count)

    @staticmethod
    def average_rating(rating_sum: int, rating_count: int) -> float | None:
        """The rule of :attr:`rating`, for callers that read the two columns without the row."""
        if not rating_count:
            return None
        return round(rating_sum / rating_count, 1)

    @property
    def is_open(self) -> bool:
        return self.state == SellerState.OPEN

    def __repr__(self) -> str:
        return f"<Seller {self.code}>"


class SellerRating(Timestamped, Base):
    """A customer's grade (1 to 5) and comment of one delivered seller order, the seller's public
    answer (once) and the operator's moderation. A hidden rating leaves the seller's grade:
    ``Seller.rating_sum``/``rating_count`` add up the visible ones only (marketplace/
    seller_ratings.py keeps them so, in SQL). The demo's ratings have no seller order."""

    __tablename__ = "seller_rating"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 5", name="grade_range"),
        # The seller page's latest visible ratings, and the portal's and API's newest first.
        Index("ix_seller_rating_seller_visible", "seller_id", "hidden_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    grade: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Once per seller order: the unique constraint settles two submissions at once.
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_order.id"), unique=True)
    answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    answered_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    seller: Mapped[Seller] = relationship(back_populates="ratings")
    seller_order: Mapped[SellerOrder | None] = relationship()
    customer: Mapped[User | None] = relationship(foreign_keys=[customer_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
