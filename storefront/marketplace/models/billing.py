"""Billing: the periods the sellers' ledgers are closed by, each seller's statement of a period,
and the accounting documents issued with it (the retailer's commission invoice to the seller and
its credit note), numbered without gaps per series and year.

Statements and documents are written once, when their period closes, and never changed: their
figures are what was issued (a PDF is rendered from them again, the same every time).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped


class BillingCycle(enum.StrEnum):
    MONTHLY = "monthly"  # the 1st to the end of the month
    TWICE_MONTHLY = "twice_monthly"  # the 1st to the 15th, the 16th to the end of the month


class PeriodState(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class BillingPeriod(Base):
    """``starts_at`` (included) to ``ends_at`` (excluded), midnights of the shop's time zone
    stored in UTC. Periods follow each other without gap or overlap."""

    __tablename__ = "billing_period"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle: Mapped[BillingCycle] = mapped_column(Enum(BillingCycle, native_enum=False, length=16))
    starts_at: Mapped[datetime] = mapped_column(unique=True)
    ends_at: Mapped[datetime] = mapped_column(unique=True)
    # The shop's days it covers (the last one included), as shown to people.
    first_day: Mapped[date]
    last_day: Mapped[date]
    state: Mapped[PeriodState] = mapped_column(
        Enum(PeriodState, native_enum=False, length=8), default=PeriodState.OPEN, index=True
    )
    closed_at: Mapped[datetime | None]


class Statement(Base):
    """A seller's account for one period: the sums of the ledger entries it included, by kind
    (signed from the seller's side, as in the ledger), the negative balance carried from the
    previous statement, and what the marketplace owes (``payable``) or carries over to the next
    one (``carried_forward``, zero or negative)."""

    __tablename__ = "statement"
    __table_args__ = (
        UniqueConstraint("period_id", "seller_id", name="uq_statement_period_seller"),
        CheckConstraint("payable >= 0 AND carried_forward <= 0", name="payable_or_carried"),
        CheckConstraint("opening_balance <= 0", name="opening_carried"),
        Index("ix_statement_seller_period", "seller_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("billing_period.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance: Mapped[int] = mapped_column(default=0)
    sales: Mapped[int] = mapped_column(default=0)
    shipping: Mapped[int] = mapped_column(default=0)
    refunds: Mapped[int] = mapped_column(default=0)
    commissions: Mapped[int] = mapped_column(default=0)
    commission_refunds: Mapped[int] = mapped_column(default=0)
    commission_vat: Mapped[int] = mapped_column(default=0)  # the VAT of its invoice (−) and credit note (+)
    adjustments: Mapped[int] = mapped_column(default=0)
    payouts: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)  # the sum of the included entries
    payable: Mapped[int] = mapped_column(default=0)
    carried_forward: Mapped[int] = mapped_column(default=0)
    entry_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    period: Mapped[BillingPeriod] = relationship()

    @property
    def balance(self) -> int:
        return self.opening_balance + self.total

    @property
    def sales_with_shipping(self) -> int:
        """What the period's sales brought in, shipping included."""
        return self.sales + self.shipping

    @property
    def commissions_with_vat(self) -> int:
        """What the commission cost the seller over the period: taken, given back, and the VAT
        of the invoice and credit note (negative: the seller paid)."""
        return self.commissions + self.commission_refunds + self.commission_vat


class StatementEntry(Base):
    """Which statement included a ledger entry: each entry once (its primary key), so that the
    ledger itself stays untouched."""

    __tablename__ = "statement_entry"

    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)


class BillingDocumentKind(enum.StrEnum):
    COMMISSION_INVOICE = "COMMISSION_INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


# Each kind's series: numbers follow each other without gaps per series and year.
SERIES = {BillingDocumentKind.COMMISSION_INVOICE: "FC", BillingDocumentKind.CREDIT_NOTE: "AV"}


class DocumentCounter(Base):
    """The last number given in a series of a year; locked (SELECT … FOR UPDATE) by the
    transaction that issues the next document, so that a rollback gives back nothing."""

    __tablename__ = "document_counter"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class BillingDocument(Timestamped, Base):
    """An invoice or credit note from the retailer (``issuer``) to a seller (``recipient``), with
    everything French law asks to print on it, as issued: both parties' identities (legal name,
    address, SIREN, SIRET, VAT number), the lines, the totals excluding tax, VAT and including
    tax in cents, and the payment terms."""

    __tablename__ = "billing_document"
    __table_args__ = (
        UniqueConstraint("statement_id", "kind", name="uq_billing_document_statement_kind"),
        UniqueConstraint("series", "year", "sequence", name="uq_billing_document_sequence"),
        CheckConstraint("total_ht > 0 AND vat >= 0 AND total_ttc = total_ht + vat", name="totals"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BillingDocumentKind] = mapped_column(Enum(BillingDocumentKind, native_enum=False, length=20))
    series: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(30), unique=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    issue_date: Mapped[date]
    due_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    issuer: Mapped[dict] = mapped_column(JSON)
    recipient: Mapped[dict] = mapped_column(JSON)
    # [{"description", "base", "rate_bp", "amount"}]: amounts excluding tax, in cents.
    lines: Mapped[list] = mapped_column(JSON)
    total_ht: Mapped[int]
    vat_rate_bp: Mapped[int]
    vat: Mapped[int]
    total_ttc: Mapped[int]
    locale: Mapped[str] = mapped_column(String(5), default="fr")

    statement: Mapped[Statement] = relationship()


class CustomerInvoice(Base):
    """The invoice of one seller order to its customer, issued when the seller order's share is
    captured: by the marketplace in the seller's name and on its behalf (the seller is the
    ``issuer``, the retailer ``on_behalf_of`` prints the mandate's mention), numbered without gaps
    in the seller's own series (``<SELLER CODE>-<year>-<n>``). Its figures are those issued:
    the lines with their prices including VAT of 20 % and the HT and VAT amounts split from them
    per line, in cents, the shipping fee as a line of its own, the totals adding the lines up."""

    __tablename__ = "customer_invoice"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence", name="uq_customer_invoice_sequence"),
        CheckConstraint("total_ttc = total_ht + vat AND total_ht >= 0 AND vat >= 0", name="totals"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The counter's series (``C<seller id>``: a seller's code may be longer than a series);
    # the printed number carries the seller's code.
    series: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(60), unique=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), unique=True)
    customer_order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    payment_operation_id: Mapped[int | None] = mapped_column(ForeignKey("payment_operation.id"))
    order_number: Mapped[str] = mapped_column(String(24))  # the seller order's
    customer_order_number: Mapped[str] = mapped_column(String(20))
    order_date: Mapped[date]
    issue_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    issuer: Mapped[dict] = mapped_column(JSON)  # the seller (billing.seller_party)
    on_behalf_of: Mapped[dict | None] = mapped_column(JSON)  # the marketplace issuing it; None: the retailer's own sale
    customer: Mapped[dict] = mapped_column(JSON)  # name, email, address
    # [{"kind": "product"|"shipping", "title", "sku", "quantity", "unit_price", "total_ttc",
    #   "total_ht", "vat"}], in cents including VAT (unit_price, total_ttc).
    lines: Mapped[list] = mapped_column(JSON)
    total_ht: Mapped[int]
    vat_rate_bp: Mapped[int]
    vat: Mapped[int]
    total_ttc: Mapped[int]
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    created_at: Mapped[datetime]


class CustomerCreditNote(Base):
    """A credit note ("facture d'avoir") to the customer of a seller order whose money went back
    (a refund, or units cancelled after the capture), issued like the invoice it corrects: by the
    marketplace in the seller's name and on its behalf, naming that invoice's number, numbered
    without gaps in the seller's own series of credit notes (``<SELLER CODE>-AV-<year>-<n>``).
    One per payment operation the provider carried out (``payment_operation_id`` is unique):
    an answer recorded again issues nothing more. Figures as issued, positive, like the
    invoice's: the amounts given back including VAT at 20 %, split per line into HT and VAT."""

    __tablename__ = "customer_credit_note"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence", name="uq_customer_credit_note_sequence"),
        CheckConstraint("total_ttc = total_ht + vat AND total_ht >= 0 AND vat >= 0", name="totals"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The counter's series (``A<seller id>``); the printed number carries the seller's code.
    series: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(60), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("customer_invoice.id"), index=True)
    invoice_number: Mapped[str] = mapped_column(String(60))
    invoice_date: Mapped[date]
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id"), index=True)
    customer_order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    payment_operation_id: Mapped[int] = mapped_column(ForeignKey("payment_operation.id"), unique=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"))  # None: units cancelled
    order_number: Mapped[str] = mapped_column(String(24))  # the seller order's
    customer_order_number: Mapped[str] = mapped_column(String(20))
    issue_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    issuer: Mapped[dict] = mapped_column(JSON)
    on_behalf_of: Mapped[dict | None] = mapped_column(JSON)
    customer: Mapped[dict] = mapped_column(JSON)
    # [{"kind": "product"|"shipping", "title", "sku", "total_ttc", "total_ht", "vat"}], cents.
    lines: Mapped[list] = mapped_column(JSON)
    total_ht: Mapped[int]
    vat_rate_bp: Mapped[int]
    vat: Mapped[int]
    total_ttc: Mapped[int]
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    created_at: Mapped[datetime]


class IssuedDocumentChanged(Exception):
    """Something tried to change or delete an issued statement or document."""


def _frozen(mapper, connection, target) -> None:
    raise IssuedDocumentChanged(f"an issued {type(target).__name__} is never changed")


for _model in (Statement, BillingDocument, StatementEntry, CustomerInvoice, CustomerCreditNote):
    event.listen(_model, "before_update", _frozen)
    event.listen(_model, "before_delete", _frozen)
