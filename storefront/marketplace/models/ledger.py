"""Money that moved: the shop's payment operations (what it asked the payment provider to
capture, refund or void, and what became of it) and the sellers' ledger, one immutable entry per
movement, from which every balance is summed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped


class PaymentOperationKind(enum.StrEnum):
    CAPTURE = "CAPTURE"  # take a seller order's share of the authorization
    REFUND = "REFUND"  # give captured money back (a refund, or units cancelled after capture)
    VOID = "VOID"  # release what is left of the authorization: nothing more will be captured


class PaymentOperationStatus(enum.StrEnum):
    PENDING = "PENDING"  # recorded with its cause; the provider has not answered yet (or was down)
    DONE = "DONE"  # the provider did it; its ledger entries are written
    DECLINED = "DECLINED"  # the provider refused it for good (nothing moved)


class PaymentOperation(Timestamped, Base):
    """One thing asked of the payment provider, recorded in the transaction of its cause (an
    order shipped, accepted, refused, cancelled or refunded) and carried out after it commits,
    then retried by the worker while the provider is unavailable. Its idempotency key goes to the
    provider with every attempt: a retry gets the first answer, never a second capture/refund."""

    __tablename__ = "payment_operation"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_positive"),
        Index("ix_payment_operation_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_order.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), index=True)
    kind: Mapped[PaymentOperationKind] = mapped_column(
        Enum(PaymentOperationKind, native_enum=False, length=10)
    )
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # What the amount is made of: {"lines": [[line_id, cents], ...], "shipping": cents,
    # "shipping_bp": rate on shipping or 0}; the ledger entries are written from it.
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[PaymentOperationStatus] = mapped_column(
        Enum(PaymentOperationStatus, native_enum=False, length=10),
        default=PaymentOperationStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None]


class LedgerKind(enum.StrEnum):
    CAPTURE = "CAPTURE"
    REFUND = "REFUND"
    COMMISSION = "COMMISSION"
    COMMISSION_REFUND = "COMMISSION_REFUND"
    COMMISSION_VAT = "COMMISSION_VAT"  # the VAT of a commission invoice (−) or credit note (+)
    SHIPPING_FEE = "SHIPPING_FEE"
    ADJUSTMENT = "ADJUSTMENT"
    PAYOUT = "PAYOUT"


class LedgerEntry(Base):
    """One movement of a seller's money, in cents, signed from the seller's point of view (a
    capture +, the commission on it −, a refund −, the commission given back +). Written in the
    transaction of its cause and never changed nor deleted: a correction is another entry."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_seller_created", "seller_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"), index=True)
    payment_operation_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_operation.id"), index=True
    )
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=20))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(120), default="")

    operation: Mapped[PaymentOperation | None] = relationship()


class ImmutableEntry(Exception):
    """Something tried to change or delete a ledger entry."""


@event.listens_for(LedgerEntry, "before_update")
def _no_update(mapper, connection, target) -> None:
    raise ImmutableEntry("a ledger entry is never changed: add an ADJUSTMENT entry instead")


@event.listens_for(LedgerEntry, "before_delete")
def _no_delete(mapper, connection, target) -> None:
    raise ImmutableEntry("a ledger entry is never deleted: add an ADJUSTMENT entry instead")


class SandboxAuthorization(Base):
    """The sandbox payment provider's own book of one authorization (it plays the bank: the shop
    never reads it, tests and the developer do). In the shop's database so that every web and
    worker process sees the same amounts."""

    __tablename__ = "sandbox_authorization"
    __table_args__ = (
        CheckConstraint("captured >= 0 AND captured <= amount", name="captured_range"),
        CheckConstraint("refunded >= 0 AND refunded <= captured", name="refunded_range"),
    )

    reference: Mapped[str] = mapped_column(String(80), primary_key=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    confirmed: Mapped[bool] = mapped_column(default=True)
    captured: Mapped[int] = mapped_column(default=0)
    refunded: Mapped[int] = mapped_column(default=0)
    voided: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class SandboxCall(Base):
    """Every capture, refund and void the sandbox answered, by idempotency key: the same key
    again gets this answer, and nothing moves twice."""

    __tablename__ = "sandbox_call"

    idempotency_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(80))
    amount: Mapped[int]
    status: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
