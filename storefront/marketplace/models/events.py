"""Event categories: a shelf of products chosen by rules (Black Friday, soldes, rentrée), shown
on the home page and on its own page between two dates.

The rules live on :class:`EventCategory` (lists of ids and bounds, AND across kinds, OR within a
kind); hand-picked products in :class:`EventPick` (pinned: always in, excluded: never in); the
result in :class:`EventMember`, recomputed by ``marketplace/event_categories.py`` when offers
change, on a schedule and on save, so the home page reads one indexed table.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow


class EventCategory(Timestamped, Base):
    __tablename__ = "event_category"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "min_discount IS NULL OR (min_discount >= 0 AND min_discount <= 100)",
            name="discount_percent",
        ),
        CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max", name="price_range"
        ),
        # The home page asks for the live ones: active, started, not ended.
        Index("ix_event_category_live", "active", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # Rules. Empty list / None: that kind does not filter.
    category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # with their descendants
    brand_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    seller_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # the buy-box seller
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)  # Condition values
    min_discount: Mapped[int | None]  # percent off the strike-through price, 0..100
    price_min: Mapped[int | None]  # cents, buy-box item price
    price_max: Mapped[int | None]
    shipped_by_retailer: Mapped[bool] = mapped_column(default=False)
    # What the last recompute found (shown in the back office without counting again).
    member_count: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    picks: Mapped[list[EventPick]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPick.picked_at"
    )

    def name_for(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name

    def __repr__(self) -> str:
        return f"<EventCategory {self.slug}>"


class PickKind(enum.StrEnum):
    PINNED = "PINNED"  # always in the event, whatever the rules say
    EXCLUDED = "EXCLUDED"  # never in it


class EventPick(Base):
    """A product the operator put in or kept out of an event by hand."""

    __tablename__ = "event_pick"

    event_id: Mapped[int] = mapped_column(ForeignKey("event_category.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[PickKind] = mapped_column(Enum(PickKind, native_enum=False, length=10))
    picked_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[EventCategory] = relationship(back_populates="picks")
    product = relationship("Product")


class EventMember(Base):
    """A product in an event right now (rules and picks applied)."""

    __tablename__ = "event_member"

    event_id: Mapped[int] = mapped_column(ForeignKey("event_category.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, index=True)
    pinned: Mapped[bool] = mapped_column(default=False)  # shown first on the shelf
