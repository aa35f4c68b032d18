"""Orders domain: one customer order per checkout, one seller order per seller ("sold by"),
lines, and the cancellations and refunds that follow, each with an operator reason code."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow
from .catalog import Offer
from .sellers import Seller


class SellerOrderState(enum.StrEnum):
    WAITING_ACCEPTANCE = "WAITING_ACCEPTANCE"
    SHIPPING = "SHIPPING"
    SHIPPED = "SHIPPED"
    TO_COLLECT = "TO_COLLECT"
    RECEIVED = "RECEIVED"
    CLOSED = "CLOSED"
    REFUSED = "REFUSED"
    CANCELED = "CANCELED"


class CustomerOrderStatus(enum.StrEnum):
    """The one status a shopper reads for a whole order, derived from its seller orders by
    ``orders.customer_status`` and never stored."""

    WAITING_ACCEPTANCE = "WAITING_ACCEPTANCE"
    SHIPPING = "SHIPPING"  # being prepared
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    RECEIVED = "RECEIVED"
    CANCELED = "CANCELED"


class LineState(enum.StrEnum):
    WAITING_ACCEPTANCE = "WAITING_ACCEPTANCE"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    CANCELED = "CANCELED"


class ActorRole(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    SELLER = "SELLER"
    OPERATOR = "OPERATOR"
    SYSTEM = "SYSTEM"  # the scheduler: acceptance timeouts, automatic closing


class ReasonType(enum.StrEnum):
    CANCELATION = "CANCELATION"
    REFUND = "REFUND"
    REFUSAL = "REFUSAL"
    ORDER_MESSAGING = "ORDER_MESSAGING"
    INCIDENT = "INCIDENT"


class ReasonCode(Base):
    """The operator's reason codes and who may use them (Mirakl's reasons, Octopia's motives)."""

    __tablename__ = "reason_code"
    __table_args__ = (UniqueConstraint("type", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    type: Mapped[ReasonType] = mapped_column(Enum(ReasonType, native_enum=False, length=20))
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    customer_allowed: Mapped[bool] = mapped_column(default=False)
    seller_allowed: Mapped[bool] = mapped_column(default=False)
    operator_allowed: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # Deactivated: no longer offered nor accepted; the records that used it keep it.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The marketplace's cancellation or refund code (Octopia's motive), copied onto each record.
    marketplace_code: Mapped[str] = mapped_column(String(40), default="", server_default="")

    def allows(self, role: ActorRole) -> bool:
        # A deactivated reason is offered to nobody; the scheduler's own (timeouts) still work.
        if ActorRole(role) != ActorRole.SYSTEM and self.active is False:
            return False
        return {
            ActorRole.CUSTOMER: self.customer_allowed,
            ActorRole.SELLER: self.seller_allowed,
            ActorRole.OPERATOR: self.operator_allowed,
            ActorRole.SYSTEM: True,
        }[ActorRole(role)]

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class CustomerOrder(Timestamped, Base):
    """What the shopper bought in one checkout. Its status is derived from its seller orders
    and shipments (see ``orders.customer_status``), never stored, so it cannot drift."""

    __tablename__ = "customer_order"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_positive"),
        Index("ix_customer_order_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    subtotal: Mapped[int] = mapped_column(default=0)
    shipping_total: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Replayed or double-clicked "Place order" carries the same key: one order.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    payment_method: Mapped[str] = mapped_column(String(30), default="")
    payment_code: Mapped[str] = mapped_column(String(30), default="")
    payment_reference: Mapped[str] = mapped_column(String(80), default="")
    # Delivery address, copied at checkout: later edits of the address book don't rewrite history.
    ship_name: Mapped[str] = mapped_column(String(120), default="")
    ship_line1: Mapped[str] = mapped_column(String(200), default="")
    ship_line2: Mapped[str] = mapped_column(String(200), default="")
    ship_postal_code: Mapped[str] = mapped_column(String(10), default="")
    ship_city: Mapped[str] = mapped_column(String(80), default="")
    ship_country: Mapped[str] = mapped_column(String(2), default="FR")
    ship_phone: Mapped[str] = mapped_column(String(30), default="")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))

    seller_orders: Mapped[list[SellerOrder]] = relationship(
        back_populates="customer_order", order_by="SellerOrder.id"
    )
    shipments = relationship(
        "Shipment", back_populates="customer_order", order_by="Shipment.id"
    )


class SellerOrder(Timestamped, Base):
    """The part of a customer order sold by one seller; it follows the order lifecycle."""

    __tablename__ = "seller_order"
    __table_args__ = (
        UniqueConstraint("customer_order_id", "seller_id"),
        Index("ix_seller_order_seller_state", "seller_id", "state", "created_at"),
        Index("ix_seller_order_deadline", "state", "acceptance_deadline"),
        # The API's lists, newest first by (created_at, id): a seller's, and the operator's.
        Index("ix_seller_order_seller_created", "seller_id", "created_at", "id"),
        Index("ix_seller_order_created", "created_at", "id"),
        # Order exports: what changed since a moment, by (updated_at, id), a seller's or all.
        Index("ix_seller_order_seller_updated", "seller_id", "updated_at", "id"),
        Index("ix_seller_order_updated", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    state: Mapped[SellerOrderState] = mapped_column(
        Enum(SellerOrderState, native_enum=False, length=20),
        default=SellerOrderState.WAITING_ACCEPTANCE,
    )
    acceptance_deadline: Mapped[datetime | None]
    # The last change of the order or of anything exports show of it (lines, cancellations,
    # refunds, parcels, shipments): set by ``orders.touch`` only, which every service calls.
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # Optimistic lock: two tabs of the same seller racing on one order cannot both win.
    version: Mapped[int] = mapped_column(default=1)

    customer_order: Mapped[CustomerOrder] = relationship(back_populates="seller_orders")
    seller: Mapped[Seller] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="seller_order", order_by="OrderLine.id"
    )
    transitions: Mapped[list[OrderTransition]] = relationship(
        back_populates="seller_order", order_by="OrderTransition.id"
    )

    __mapper_args__ = {"version_id_col": version}


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_canceled >= 0 AND quantity_canceled <= quantity", name="canceled_range"
        ),
        CheckConstraint("unit_price >= 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    title: Mapped[str] = mapped_column(String(250))
    sku: Mapped[str] = mapped_column(String(60))
    unit_price: Mapped[int]
    quantity: Mapped[int]
    quantity_canceled: Mapped[int] = mapped_column(default=0)
    state: Mapped[LineState] = mapped_column(
        Enum(LineState, native_enum=False, length=20), default=LineState.WAITING_ACCEPTANCE
    )
    commission_bp: Mapped[int] = mapped_column(default=0)

    seller_order: Mapped[SellerOrder] = relationship(back_populates="lines")
    offer: Mapped[Offer] = relationship()
    shipment = relationship("Shipment", back_populates="lines")

    @property
    def quantity_live(self) -> int:
        return self.quantity - self.quantity_canceled

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity_live


class OrderTransition(Base):
    """Audit trail: every state change of a seller order, who made it, when and why."""

    __tablename__ = "order_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_role: Mapped[ActorRole] = mapped_column(Enum(ActorRole, native_enum=False, length=10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason_code_id: Mapped[int | None] = mapped_column(ForeignKey("reason_code.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]

    seller_order: Mapped[SellerOrder] = relationship(back_populates="transitions")
    reason: Mapped[ReasonCode | None] = relationship()


class Cancellation(Timestamped, Base):
    __tablename__ = "cancellation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[int]
    amount: Mapped[int]
    reason_code_id: Mapped[int] = mapped_column(ForeignKey("reason_code.id"))
    actor_role: Mapped[ActorRole] = mapped_column(Enum(ActorRole, native_enum=False, length=10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The reason's marketplace code when the cancellation was made (a later mapping edit does
    # not rewrite what was reported).
    marketplace_code: Mapped[str] = mapped_column(String(40), default="", server_default="")

    line: Mapped[OrderLine] = relationship()
    reason: Mapped[ReasonCode] = relationship()


class Refund(Timestamped, Base):
    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_positive"),
        CheckConstraint("shipping_amount >= 0", name="shipping_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    amount: Mapped[int]
    shipping_amount: Mapped[int] = mapped_column(default=0)
    reason_code_id: Mapped[int] = mapped_column(ForeignKey("reason_code.id"))
    actor_role: Mapped[ActorRole] = mapped_column(Enum(ActorRole, native_enum=False, length=10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    marketplace_code: Mapped[str] = mapped_column(String(40), default="", server_default="")

    seller_order: Mapped[SellerOrder] = relationship()
    reason: Mapped[ReasonCode] = relationship()
