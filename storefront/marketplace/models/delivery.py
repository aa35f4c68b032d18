"""Delivery domain: shipping modes, zones, and what each shipper charges per mode and zone."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .sellers import Seller


class DeliveryMode(Base):
    """A way of delivering (codes after Octopia's: THD, EHD, RELAY, FDHD)."""

    __tablename__ = "delivery_mode"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80), default="")
    saturday_delivery: Mapped[bool] = mapped_column(default=False)
    # Scheduled delivery of heavy goods (FDHD) is offered only above this weight.
    min_weight_grams: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    # An inactive mode is offered nowhere (product pages, cart, checkout); shipments that chose
    # it keep it.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class Zone(Base):
    __tablename__ = "zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80), default="")

    rules: Mapped[list[ZoneRule]] = relationship(back_populates="zone")

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class ZoneRule(Base):
    """A country and postal-code prefix belonging to a zone; the longest matching prefix wins.

    An empty prefix covers the whole country.
    """

    __tablename__ = "zone_rule"
    __table_args__ = (UniqueConstraint("country", "postal_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    postal_prefix: Mapped[str] = mapped_column(String(10), default="")

    zone: Mapped[Zone] = relationship(back_populates="rules")


class ShippingRate(Base):
    """What a shipper charges to deliver by a mode to a zone, and how long transit takes.

    Fee rule (design): within a shipment the line with the highest unit fee pays ``fee`` once,
    every other unit pays ``extra_item_fee``; free when the shipment's goods reach
    ``free_threshold`` (when set).
    """

    __tablename__ = "shipping_rate"
    __table_args__ = (
        UniqueConstraint("shipper_id", "mode_id", "zone_id"),
        CheckConstraint("fee >= 0", name="fee_positive"),
        CheckConstraint("extra_item_fee >= 0", name="extra_fee_positive"),
        CheckConstraint("free_threshold IS NULL OR free_threshold >= 0", name="threshold_positive"),
        CheckConstraint("transit_min >= 0 AND transit_max >= transit_min", name="transit_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipper_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    mode_id: Mapped[int] = mapped_column(ForeignKey("delivery_mode.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    fee: Mapped[int]
    extra_item_fee: Mapped[int] = mapped_column(default=0)
    free_threshold: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    transit_min: Mapped[int]
    transit_max: Mapped[int]

    shipper: Mapped[Seller] = relationship()
    mode: Mapped[DeliveryMode] = relationship()
    zone: Mapped[Zone] = relationship()
