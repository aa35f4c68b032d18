"""Payouts: what became of each statement's payable amount (blocked by the operator, paid in a
payout batch) and the batches themselves, each kept with the SEPA credit transfer file (pain.001)
it was paid with.

A statement's payout *state* is not stored: ESTIMATED and PAYABLE follow from the date
(``marketplace/payouts.py``); only the operator's acts are rows here. A statement has at most one
``statement_payout`` row, made when it is first blocked or paid: its primary key is the statement's,
so that one statement is never paid twice.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class PayoutState(enum.StrEnum):
    ESTIMATED = "ESTIMATED"  # still in its holding period
    PAYABLE = "PAYABLE"  # the holding period is over: the operator may pay it
    BLOCKED = "BLOCKED"  # held back by the operator (dispute, KYC…) until unblocked
    PAID = "PAID"  # paid in a payout batch


class BlockReason(enum.StrEnum):
    DISPUTE = "DISPUTE"  # a customer dispute or chargeback is open
    KYC = "KYC"  # the seller's identity or bank details need checking
    OTHER = "OTHER"


class PayoutBatch(Base):
    """One payout run: the statements paid together, by one SEPA credit transfer file from the
    retailer's account (``debtor``: name, IBAN, BIC, as they were) to each seller's IBAN. The file
    is kept as it was handed to the bank, so that downloading it again gives the same bytes."""

    __tablename__ = "payout_batch"
    __table_args__ = (CheckConstraint("total > 0 AND statement_count > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    execution_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    statement_count: Mapped[int]
    seller_count: Mapped[int]
    total: Mapped[int]  # cents
    message_id: Mapped[str] = mapped_column(String(35))  # the file's GrpHdr/MsgId
    debtor: Mapped[dict] = mapped_column(JSON)
    xml: Mapped[str] = mapped_column(Text)

    @property
    def reference(self) -> str:
        return f"VIR-{self.id:06d}"


class StatementPayout(Base):
    """The operator's acts on one statement's payout: its block (reason, note, who and when) and
    its payment (the batch, the moment, the seller's PAYOUT ledger entry of that batch)."""

    __tablename__ = "statement_payout"

    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), primary_key=True)
    blocked: Mapped[bool] = mapped_column(default=False)
    block_reason: Mapped[BlockReason | None] = mapped_column(Enum(BlockReason, native_enum=False, length=10))
    block_note: Mapped[str] = mapped_column(String(200), default="")
    blocked_at: Mapped[datetime | None]
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batch.id"), index=True)
    paid_at: Mapped[datetime | None]
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), index=True)

    batch: Mapped[PayoutBatch | None] = relationship()
