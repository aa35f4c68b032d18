"""Closing billing periods: each seller's statement, and the retailer's commission invoice and
credit note to the seller.

For every seller with ledger entries not yet on a statement and written before the period's end,
:func:`close_statement` writes, in one transaction of its own:

- the **statement**: the sums of those entries by kind, the negative balance carried from the
  seller's previous statement (``opening_balance``), what is payable (the balance when positive)
  and what is carried to the next one (when negative); the entries are linked to it
  (``statement_entry``, once each: the ledger itself is never touched);
- a **commission invoice** (``FC-<year>-<n>``) when commissions were taken, and a **credit note**
  (``AV-<year>-<n>``) when commissions were given back, with their French legal mentions, numbered
  without gaps (``invoice_numbers``).

Closing is idempotent: a seller's statement of a period is unique, a second closing (even at the
same moment, in another process) finds it and writes nothing, and a refused or failed closing
rolls back with its numbers. An entry written late with a moment inside a closed period goes on
the seller's next statement.

The ledger's commission entries are amounts excluding tax; the invoice adds VAT at 20 % on them,
and the credit note gives it back: that VAT is a ledger entry of its own (``COMMISSION_VAT``),
written with the document and on the same statement, so what is payable is net of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from . import billing_periods, invoice_numbers, many, preferences, sellers
from . import clock as shop_clock
from .errors import InvalidTransition, NotFound
from .models import (
    BillingDocument,
    BillingDocumentKind,
    BillingPeriod,
    LedgerEntry,
    LedgerKind,
    OrderLine,
    PeriodState,
    Seller,
    SellerApplication,
    SellerOrder,
    Statement,
    StatementEntry,
    StatementPayout,
)
from .models.billing import SERIES
from .paging import Page, page_of
from .refusals import Refusal
from .unit_of_work import atomic, transaction

logger = logging.getLogger(__name__)

VAT_RATE_BP = 2000  # French standard rate, 20 %
K = LedgerKind
# Statement column of each kind of entry.
COLUMNS = {
    K.CAPTURE: "sales", K.SHIPPING_FEE: "shipping", K.REFUND: "refunds",
    K.COMMISSION: "commissions", K.COMMISSION_REFUND: "commission_refunds",
    K.ADJUSTMENT: "adjustments", K.PAYOUT: "payouts", K.COMMISSION_VAT: "commission_vat",
}


def vat_of(amount_ht: int, rate_bp: int = VAT_RATE_BP) -> int:
    """VAT on ``amount_ht`` cents, rounded half up to the cent."""
    return (amount_ht * rate_bp + 5000) // 10000


# --- Closing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closing:
    period: BillingPeriod
    statements: list[Statement]  # written by this closing
    already: int  # statements another closing had written


def close_period(session: Session, period: BillingPeriod, *, now: datetime | None = None) -> Closing:
    """Close ``period`` for every seller with entries in it, one seller per transaction, then
    mark it CLOSED. Refused (nothing written) before the period's end or while an earlier
    period is open. A period closed already: nothing to do."""
    now = now or shop_clock.of(session).now()
    if period.state == PeriodState.CLOSED:
        return Closing(period, [], 0)
    if now < period.ends_at:
        raise InvalidTransition(
            f"the period ending {period.ends_at.isoformat()} has not ended yet",
            reason=Refusal.PERIOD_NOT_ENDED,
        )
    earlier = session.scalar(select(exists().where(
        BillingPeriod.state == PeriodState.OPEN, BillingPeriod.starts_at < period.starts_at)))
    if earlier:
        raise InvalidTransition("an earlier billing period is still open", reason=Refusal.EARLIER_PERIOD_OPEN)
    issuer = retailer_party(session)
    period_id = period.id
    written, already = [], 0
    for seller_id in sellers_to_close(session, period):
        statement, made = close_statement(session, period, seller_id, now=now, issuer=issuer)
        if made:
            written.append(statement)
        else:
            already += 1
    with transaction(session):
        session.execute(
            update(BillingPeriod)
            .where(BillingPeriod.id == period_id, BillingPeriod.state == PeriodState.OPEN)
            .values(state=PeriodState.CLOSED, closed_at=now)
        )
    session.expire(period)
    logger.info("billing period %s closed: %d statements (%d already)", period_id, len(written), already)
    return Closing(period, written, already)


def close_ended_periods(session: Session, now: datetime | None = None) -> list[Closing]:
    """What the scheduled job does: make the periods up to now, and close those that ended."""
    now = now or shop_clock.of(session).now()
    billing_periods.ensure_periods(session, now)
    return [close_period(session, period, now=now)
            for period in billing_periods.ended_open_periods(session, now)]


def sellers_to_close(session: Session, period: BillingPeriod) -> list[int]:
    """The sellers with entries written before the period's end and on no statement yet. Not
    the retailer: its own sales are its own money, it owes itself no commission nor payout."""
    return list(session.scalars(
        select(LedgerEntry.seller_id).distinct()
        .join(Seller, Seller.id == LedgerEntry.seller_id)
        .where(LedgerEntry.created_at < period.ends_at, ~accounted_for(), Seller.is_operator.is_(False))
        .order_by(LedgerEntry.seller_id)
    ))


def accounted_for():
    """Entries already accounted for: those a statement included, and the PAYOUT entries of
    payout batches, which settle the statements they paid (what those statements made payable
    left the running balance when they closed: only a negative balance is carried over, so a
    payout on the next statement would take the same money off twice)."""
    return or_(exists().where(StatementEntry.ledger_entry_id == LedgerEntry.id),
               exists().where(StatementPayout.ledger_entry_id == LedgerEntry.id))


def close_statement(
    session: Session, period: BillingPeriod, seller_id: int, *, now: datetime,
    issuer: dict | None = None,
) -> tuple[Statement | None, bool]:
    """The seller's statement of ``period`` and whether this call wrote it (False: it existed,
    or there was nothing to put on it: None). One transaction, with its documents."""
    try:
        with transaction(session):
            return _close_statement(session, period, seller_id, now, issuer)
    except IntegrityError:
        # Another closing wrote this seller's statement between our look and our insert: ours
        # rolled back whole (numbers included); theirs stands.
        existing = _statement_of(session, period.id, seller_id)
        if existing is None:
            raise
        return existing, False


def _statement_of(session: Session, period_id: int, seller_id: int) -> Statement | None:
    return session.scalar(select(Statement).where(
        Statement.period_id == period_id, Statement.seller_id == seller_id))


def _close_statement(session, period, seller_id, now, issuer) -> tuple[Statement | None, bool]:
    if now < period.ends_at:
        raise InvalidTransition(
            f"the period ending {period.ends_at.isoformat()} has not ended yet",
            reason=Refusal.PERIOD_NOT_ENDED,
        )
    existing = _statement_of(session, period.id, seller_id)
    if existing is not None:
        return existing, False
    if period.state == PeriodState.CLOSED:
        # Closed meanwhile by another closing: entries not on it go on the next period's.
        return None, False
    rows = session.execute(
        select(LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.currency,
               OrderLine.commission_bp)
        .outerjoin(OrderLine, OrderLine.id == LedgerEntry.order_line_id)
        .where(LedgerEntry.seller_id == seller_id, LedgerEntry.created_at < period.ends_at,
               ~accounted_for())
        .order_by(LedgerEntry.id)
    ).all()
    if not rows:
        return None, False
    sums: dict[str, int] = defaultdict(int)
    for _id, kind, amount, _currency, _bp in rows:
        sums[COLUMNS[LedgerKind(kind)]] += amount
    documents = [(kind, lines, total_ht, vat_of(total_ht))
                 for kind, lines in _document_lines(rows, period).items()
                 if (total_ht := sum(line["amount"] for line in lines)) > 0]
    # The invoice's VAT is owed by the seller, the credit note's given back to it.
    vat_amounts = [-vat if kind == BillingDocumentKind.COMMISSION_INVOICE else vat for kind, _l, _h, vat in documents]
    sums["commission_vat"] += sum(vat_amounts)
    total = sum(sums.values())
    previous = session.scalar(
        select(Statement).join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .where(Statement.seller_id == seller_id, BillingPeriod.starts_at < period.starts_at)
        .order_by(BillingPeriod.starts_at.desc()).limit(1)
    )
    opening = previous.carried_forward if previous is not None else 0
    balance = opening + total
    statement = Statement(
        period_id=period.id, seller_id=seller_id, currency=rows[0].currency,
        opening_balance=opening, total=total, payable=max(balance, 0),
        carried_forward=min(balance, 0), entry_count=len(rows) + len(documents), created_at=now, **sums,
    )
    session.add(statement)
    session.flush()  # the unique (period, seller) answers here
    # The very entries summed (not the filter again: an entry committed since would be linked
    # without being counted), in one statement.
    session.execute(insert(StatementEntry).from_select(
        ["ledger_entry_id", "statement_id"],
        select(LedgerEntry.id, literal(statement.id)).where(many.among(session, LedgerEntry.id, [row.id for row in rows])),
    ))
    issuer = issuer or retailer_party(session)
    seller = session.get(Seller, seller_id)
    recipient, locale = seller_party(session, seller)
    issue_date = shop_clock.of(session).local_date(now)
    days = int(preferences.get(session, "invoice_payment_days"))
    vat_entries = []
    for (kind, lines, total_ht, vat), vat_amount in zip(documents, vat_amounts, strict=True):
        series = SERIES[kind]
        sequence, number = invoice_numbers.allocate(session, series, issue_date.year)
        vat_entries.append(LedgerEntry(created_at=now, seller_id=seller_id, kind=K.COMMISSION_VAT,
                                       amount=vat_amount, currency=statement.currency, reference=number))
        session.add(BillingDocument(
            kind=kind, series=series, year=issue_date.year, sequence=sequence, number=number,
            statement_id=statement.id, seller_id=seller_id, issue_date=issue_date,
            due_date=issue_date + timedelta(days=days), currency=statement.currency,
            issuer=issuer, recipient=recipient, lines=lines, total_ht=total_ht,
            vat_rate_bp=VAT_RATE_BP, vat=vat, total_ttc=total_ht + vat, locale=locale,
            created_at=now,
        ))
    session.add_all(vat_entries)
    session.flush()
    if vat_entries:
        session.execute(insert(StatementEntry), [
            {"ledger_entry_id": entry.id, "statement_id": statement.id} for entry in vat_entries])
    return statement, True


def _document_lines(rows, period: BillingPeriod) -> dict[BillingDocumentKind, list[dict]]:
    """The lines of the invoice (commissions taken) and of the credit note (given back), one per
    commission rate of the order lines, and one for the commission on shipping: the base (sales
    or refunds of the lines at that rate), the rate and the commission excluding tax."""
    base: dict[tuple[str, int | None], int] = defaultdict(int)
    commission: dict[tuple[str, int | None], int] = defaultdict(int)
    for _id, kind, amount, _currency, rate_bp in rows:
        kind = LedgerKind(kind)
        if kind == K.CAPTURE:
            base["invoice", rate_bp] += amount
        elif kind == K.REFUND and rate_bp is not None:
            base["credit", rate_bp] += -amount
        elif kind == K.COMMISSION:
            commission["invoice", rate_bp] += -amount
        elif kind == K.COMMISSION_REFUND:
            commission["credit", rate_bp] += amount
    dates = {"start": period.first_day.isoformat(), "end": period.last_day.isoformat()}
    out: dict[BillingDocumentKind, list[dict]] = {
        BillingDocumentKind.COMMISSION_INVOICE: [], BillingDocumentKind.CREDIT_NOTE: []}
    for (which, rate_bp), amount in sorted(commission.items(), key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0)):
        if amount <= 0:
            continue
        kind = BillingDocumentKind.COMMISSION_INVOICE if which == "invoice" else BillingDocumentKind.CREDIT_NOTE
        out[kind].append({
            # A key of the layout's texts, filled with the period's dates when printed.
            "description": ("shipping_" if rate_bp is None else "sales_") + which,
            "base": base.get((which, rate_bp)) if rate_bp is not None else None,
            "rate_bp": rate_bp, "amount": amount, **dates,
        })
    return out


# --- The parties ---------------------------------------------------------------------------------


def siren_of(siret: str) -> str:
    """A SIRET's first nine digits are the company's SIREN."""
    digits = "".join(ch for ch in siret if ch.isdigit())
    return digits[:9] if len(digits) >= 9 else ""


def _party(seller: Seller, address: str = "", postal_code: str = "") -> dict:
    return {
        "name": seller.name, "legal_name": seller.legal_name or seller.name,
        "address": address, "postal_code": postal_code, "city": seller.city,
        "country": seller.country, "siren": siren_of(seller.siret), "siret": seller.siret,
        "vat_number": seller.vat_number,
    }


def retailer_party(session: Session) -> dict:
    """The issuer of the invoices: the operator seller's identity and the preference's address."""
    retailer = sellers.operator_seller(session, required=False)
    if retailer is None:
        raise NotFound("the shop has no retailer to issue the invoices", reason=Refusal.NO_ISSUER)
    address = str(preferences.get(session, "retailer_address"))
    return _party(retailer, address)


def seller_party(session: Session, seller: Seller) -> tuple[dict, str]:
    """The seller's identity as onboarding recorded it (address, language), and that language."""
    application = session.scalar(
        select(SellerApplication).where(SellerApplication.seller_id == seller.id)
        .order_by(SellerApplication.id.desc()).limit(1)
    )
    if application is None:
        return _party(seller), "fr"
    return _party(seller, application.address, application.postal_code), application.locale or "fr"


# --- Reads (scoped to one seller) ----------------------------------------------------------------


def statements_of(session: Session, seller_id: int) -> list[tuple[Statement, list[BillingDocument]]]:
    """A seller's statements, latest first, each with its period and documents (two queries)."""
    found = list(session.scalars(
        select(Statement).join(Statement.period).options(contains_eager(Statement.period))
        .where(Statement.seller_id == seller_id).order_by(BillingPeriod.starts_at.desc())
    ))
    documents: dict[int, list[BillingDocument]] = defaultdict(list)
    if found:
        for document in session.scalars(
            select(BillingDocument).where(BillingDocument.statement_id.in_([s.id for s in found]))
            .order_by(BillingDocument.id)
        ):
            documents[document.statement_id].append(document)
    return [(statement, documents[statement.id]) for statement in found]


def statement_for(session: Session, seller_id: int, statement_id: int) -> Statement:
    """The statement, if it is ``seller_id``'s; NotFound otherwise (another seller's looks like
    one that does not exist)."""
    statement = session.get(Statement, statement_id)
    if statement is None or statement.seller_id != seller_id:
        raise NotFound("no such statement")
    return statement


def document_for(session: Session, seller_id: int, document_id: int) -> BillingDocument:
    document = session.get(BillingDocument, document_id)
    if document is None or document.seller_id != seller_id:
        raise NotFound("no such document")
    return document


def statement_lines(session: Session, statement: Statement) -> list[LedgerEntry]:
    """The entries a statement included, oldest first."""
    return list(session.scalars(
        select(LedgerEntry).join(StatementEntry, StatementEntry.ledger_entry_id == LedgerEntry.id)
        .where(StatementEntry.statement_id == statement.id).order_by(LedgerEntry.id)
    ))


def documents_of(session: Session, statement: Statement) -> list[BillingDocument]:
    return list(session.scalars(
        select(BillingDocument).where(BillingDocument.statement_id == statement.id)
        .order_by(BillingDocument.id)))


@dataclass(frozen=True)
class LedgerLine:
    entry: LedgerEntry
    order_number: str | None
    statement_id: int | None  # the statement that holds it (a PAYOUT: the statement it paid)


def ledger_page(
    session: Session, seller_id: int, *, kind: LedgerKind | None = None, since: date | None = None,
    until: date | None = None, page: int = 1, per_page: int = 50,
) -> Page[LedgerLine]:
    """A seller's ledger lines, latest first, of one kind and between two of the shop's days
    (both included) when asked; with each line's order number and statement (one query a
    page, and one to count)."""
    tz = shop_clock.of(session).tz
    # A batch's PAYOUT entry is on no statement: it shows the (first) statement it paid.
    paid = (select(func.min(StatementPayout.statement_id))
            .where(StatementPayout.ledger_entry_id == LedgerEntry.id).scalar_subquery())
    query = (
        select(LedgerEntry, SellerOrder.number, func.coalesce(StatementEntry.statement_id, paid))
        .outerjoin(SellerOrder, SellerOrder.id == LedgerEntry.seller_order_id)
        .outerjoin(StatementEntry, StatementEntry.ledger_entry_id == LedgerEntry.id)
        .where(LedgerEntry.seller_id == seller_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    )
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    if since is not None:
        query = query.where(LedgerEntry.created_at >= billing_periods.midnight(since, tz))
    if until is not None:
        query = query.where(LedgerEntry.created_at < billing_periods.midnight(until + timedelta(days=1), tz))
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([LedgerLine(*row) for row in rows], total, page, per_page)


@atomic
def add_adjustment(session: Session, seller_id: int, amount: int, reference: str, *, at: datetime | None = None,
                   currency: str = "EUR") -> LedgerEntry:
    """An ADJUSTMENT entry (the operator's correction), signed from the seller's side."""
    entry = LedgerEntry(created_at=at or datetime.now(UTC), seller_id=seller_id, kind=K.ADJUSTMENT,
                        amount=amount, currency=currency, reference=reference[:120])
    session.add(entry)
    session.flush()
    return entry


__all__ = [
    "Closing", "LedgerLine", "add_adjustment", "ledger_page", "close_ended_periods", "close_period", "close_statement",
    "document_for", "documents_of", "retailer_party", "seller_party", "statement_for",
    "statement_lines", "statements_of", "vat_of",
]
