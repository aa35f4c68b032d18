"""Carts: what a shopper is about to buy, and where checkout has got to.

Storefront data. A cart belongs to a signed-in user (``user_id``) or to a guest (``token``, a
random value kept in the guest's session cookie); a guest's cart merges into the account's at
login. Lines remember the price the shopper last saw, so that a change of price is shown before
the order is placed. The checkout's progress (the delivery address, the payment method, a
payment waiting for the shopper's confirmation) is kept on the cart so that it survives from
one page to the next without a hidden form carrying anything the server must trust.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow
from .catalog import Offer


class Cart(Timestamped, Base):
    __tablename__ = "cart"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR token IS NOT NULL", name="has_owner"),
        CheckConstraint("payment_amount IS NULL OR payment_amount >= 0", name="payment_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Indexed for the purge of abandoned guest carts (storefront.marketplace.housekeeping).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    # Checkout, step 1: who orders and where it goes (copied to the order when it is placed).
    email: Mapped[str] = mapped_column(String(254), default="")
    ship_name: Mapped[str] = mapped_column(String(120), default="")
    ship_line1: Mapped[str] = mapped_column(String(200), default="")
    ship_line2: Mapped[str] = mapped_column(String(200), default="")
    ship_postal_code: Mapped[str] = mapped_column(String(10), default="")
    ship_city: Mapped[str] = mapped_column(String(80), default="")
    ship_country: Mapped[str] = mapped_column(String(2), default="")
    ship_phone: Mapped[str] = mapped_column(String(30), default="")

    # Checkout, step 3: the payment method as the provider tokenised it (never a card number).
    payment_method: Mapped[str] = mapped_column(String(30), default="")
    payment_token: Mapped[str] = mapped_column(String(200), default="")
    payment_label: Mapped[str] = mapped_column(String(80), default="")
    # A payment waiting for the shopper's confirmation (3-D Secure): the provider's reference,
    # the idempotency key of the order it pays for, and the amount it was asked for.
    payment_reference: Mapped[str] = mapped_column(String(80), default="")
    payment_key: Mapped[str] = mapped_column(String(64), default="")
    payment_amount: Mapped[int | None]

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )
    deliveries: Mapped[list[CartDelivery]] = relationship(
        back_populates="cart", cascade="all, delete-orphan"
    )

    @property
    def has_address(self) -> bool:
        return bool(self.ship_postal_code and self.ship_country and self.ship_line1)

    def __repr__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else "guest"
        return f"<Cart {self.id} of {owner}>"


class CartLine(Base):
    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("cart_id", "offer_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_seen >= 0", name="price_seen_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    quantity: Mapped[int]
    # The unit price the shopper was last shown; a different offer price is announced to them.
    price_seen: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    offer: Mapped[Offer] = relationship()


class CartDelivery(Base):
    """The delivery mode the shopper chose for the shipment of one shipper."""

    __tablename__ = "cart_delivery"
    __table_args__ = (UniqueConstraint("cart_id", "shipper_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    shipper_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    mode_id: Mapped[int] = mapped_column(ForeignKey("delivery_mode.id"))

    cart: Mapped[Cart] = relationship(back_populates="deliveries")
