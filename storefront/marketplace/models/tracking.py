"""Tracking domain: carriers and shipments (the "shipped by" side of an order)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped
from .delivery import DeliveryMode
from .sellers import Seller


class Carrier(Base):
    __tablename__ = "carrier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # "{tracking}" is replaced by the URL-quoted tracking number.
    tracking_url_template: Mapped[str] = mapped_column(String(300), default="")


class ShipmentStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting to be shipped
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELED = "CANCELED"


class Shipment(Timestamped, Base):
    """One parcel flow from one shipper to the customer, with the mode chosen at checkout and
    the dates promised then (kept, so the order shows what was promised even if rates change)."""

    __tablename__ = "shipment"
    __table_args__ = (
        CheckConstraint("fee >= 0", name="fee_positive"),
        Index("ix_shipment_shipper_status", "shipper_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    shipper_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    mode_id: Mapped[int] = mapped_column(ForeignKey("delivery_mode.id"))
    # The marketplace's delivery mode and carrier for the chosen mode, mapped at checkout.
    marketplace_mode: Mapped[str] = mapped_column(String(40), default="", server_default="")
    marketplace_carrier: Mapped[str] = mapped_column(String(40), default="", server_default="")
    fee: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    ship_by: Mapped[date]
    promised_min: Mapped[date]
    promised_max: Mapped[date]
    status: Mapped[ShipmentStatus] = mapped_column(
        Enum(ShipmentStatus, native_enum=False, length=10), default=ShipmentStatus.PENDING
    )
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carrier.id"))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    shipper: Mapped[Seller] = relationship()
    mode: Mapped[DeliveryMode] = relationship()
    carrier: Mapped[Carrier | None] = relationship()
    customer_order = relationship("CustomerOrder", back_populates="shipments")
    lines = relationship("OrderLine", back_populates="shipment")
