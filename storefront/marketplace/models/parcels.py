"""Parcels: what a seller actually hands to a carrier for one seller order.

A seller order may leave in several parcels (a washing machine and its dryer, or an order shipped
as items come back in stock), each with its carrier and tracking number. ``ParcelItem`` says how
many units of which line travel in it; an extra box for units already shipped has no items.
The checkout's ``Shipment`` (one per shipper, with the promised dates) stays the plan; parcels
are what happened.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .base import Base, Timestamped
from .orders import ActorRole, OrderLine, SellerOrder
from .tracking import Carrier, Shipment


class Parcel(Timestamped, Base):
    __tablename__ = "parcel"
    __table_args__ = (
        # The same tracking number typed twice (a double click, a second tab) is one parcel.
        UniqueConstraint("seller_order_id", "carrier_id", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    tracking_number: Mapped[str] = mapped_column(String(60))
    shipped_on: Mapped[date]
    delivered_at: Mapped[datetime | None]
    actor_role: Mapped[ActorRole] = mapped_column(Enum(ActorRole, native_enum=False, length=10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # A backref, so that the orders model needs no import of this module.
    seller_order: Mapped[SellerOrder] = relationship(
        backref=backref("parcels", order_by="Parcel.id")
    )
    shipment: Mapped[Shipment | None] = relationship()
    carrier: Mapped[Carrier] = relationship()
    items: Mapped[list[ParcelItem]] = relationship(
        back_populates="parcel", order_by="ParcelItem.id", cascade="all, delete-orphan"
    )


class ParcelItem(Base):
    __tablename__ = "parcel_item"
    __table_args__ = (
        UniqueConstraint("parcel_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcel.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[int]

    parcel: Mapped[Parcel] = relationship(back_populates="items")
    line: Mapped[OrderLine] = relationship()
