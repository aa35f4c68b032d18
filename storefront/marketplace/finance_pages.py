"""Keyset pages of the finance records, scoped to who asks: a seller's statements, billing
documents (commission invoices and credit notes) and ledger lines, or every seller's for the
operator (``seller_id=None``), filtered by a seller's code then. What the API's finance domain
serves; the seller portal's pages read the same records through ``billing``.

Each list has a stable order and is read one page at a time after a position (``after``): the
statements and documents newest first by id, the ledger lines latest first by (moment, id) as
the portal shows them (an entry may be written late with an earlier moment, so ids alone would
not follow the moments). A page is ``limit`` rows (the caller asks one more to know whether a
next page exists), in a fixed number of queries whatever its length.

Another seller's record is NotFound, exactly like one that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import billing_periods
from . import clock as shop_clock
from .errors import NotFound
from .models import (
    BillingDocument,
    BillingDocumentKind,
    BillingPeriod,
    LedgerEntry,
    LedgerKind,
    Seller,
    SellerOrder,
    Statement,
    StatementEntry,
)

# Days outside these bounds mean "no bound" (a moment before the first or after the last one any
# record can hold), so that year 1 or 9999 asked by a client is no overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class StatementRow:
    statement: Statement
    period: BillingPeriod
    seller_code: str
    documents: list[BillingDocument]


@dataclass(frozen=True)
class DocumentRow:
    document: BillingDocument
    seller_code: str
    period: BillingPeriod


@dataclass(frozen=True)
class LedgerRow:
    entry: LedgerEntry
    seller_code: str
    order_number: str | None
    statement_id: int | None


def _scoped(query, seller_column, seller_id: int | None, seller_code: str | None):
    """The query limited to ``seller_id``'s rows; for the operator (None), to ``seller_code``'s
    when given (an unknown code: none)."""
    if seller_id is not None:
        return query.where(seller_column == seller_id)
    if seller_code:
        return query.where(Seller.code == seller_code)
    return query


# --- Statements ----------------------------------------------------------------------------------


def statements(
    session: Session, *, seller_id: int | None, seller_code: str | None = None,
    since: date | None = None, until: date | None = None, after: int | None = None, limit: int = 50,
) -> list[StatementRow]:
    """Statements newest first (by id), those of periods that overlap ``since``..``until`` (shop
    days, both included) when given, with their periods and documents. Two queries."""
    query = (
        select(Statement, BillingPeriod, Seller.code)
        .join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .join(Seller, Seller.id == Statement.seller_id)
        .order_by(Statement.id.desc())
        .limit(limit)
    )
    query = _scoped(query, Statement.seller_id, seller_id, seller_code)
    if since is not None and since > FIRST_DAY:
        query = query.where(BillingPeriod.last_day >= since)
    if until is not None and until < LAST_DAY:
        query = query.where(BillingPeriod.first_day <= until)
    if after is not None:
        query = query.where(Statement.id < after)
    rows = session.execute(query).all()
    documents = _documents_of(session, [statement.id for statement, _p, _c in rows])
    return [StatementRow(statement, period, code, documents[statement.id]) for statement, period, code in rows]


def statement(session: Session, statement_id: int, *, seller_id: int | None) -> StatementRow:
    """One statement, if ``seller_id``'s (None: the operator, any); NotFound otherwise."""
    row = session.execute(
        select(Statement, BillingPeriod, Seller.code)
        .join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .join(Seller, Seller.id == Statement.seller_id)
        .where(Statement.id == statement_id)
    ).first()
    if row is None or (seller_id is not None and row[0].seller_id != seller_id):
        raise NotFound("no such statement")
    statement_, period, code = row
    return StatementRow(statement_, period, code, _documents_of(session, [statement_.id])[statement_.id])


def _documents_of(session: Session, statement_ids: list[int]) -> dict[int, list[BillingDocument]]:
    found: dict[int, list[BillingDocument]] = defaultdict(list)
    if statement_ids:
        for document in session.scalars(
            select(BillingDocument).where(BillingDocument.statement_id.in_(statement_ids))
            .order_by(BillingDocument.id)
        ):
            found[document.statement_id].append(document)
    return found


# --- Billing documents ---------------------------------------------------------------------------


def documents(
    session: Session, *, seller_id: int | None, seller_code: str | None = None,
    kind: BillingDocumentKind | None = None, since: date | None = None, until: date | None = None,
    after: int | None = None, limit: int = 50,
) -> list[DocumentRow]:
    """Commission invoices and credit notes newest first (by id), of one ``kind`` and issued
    between two days (both included) when asked. One query."""
    query = (
        select(BillingDocument, Seller.code, BillingPeriod)
        .join(Seller, Seller.id == BillingDocument.seller_id)
        .join(Statement, Statement.id == BillingDocument.statement_id)
        .join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .order_by(BillingDocument.id.desc())
        .limit(limit)
    )
    query = _scoped(query, BillingDocument.seller_id, seller_id, seller_code)
    if kind is not None:
        query = query.where(BillingDocument.kind == kind)
    if since is not None and since > FIRST_DAY:
        query = query.where(BillingDocument.issue_date >= since)
    if until is not None and until < LAST_DAY:
        query = query.where(BillingDocument.issue_date <= until)
    if after is not None:
        query = query.where(BillingDocument.id < after)
    return [DocumentRow(*row) for row in session.execute(query)]


def document(session: Session, document_id: int, *, seller_id: int | None) -> DocumentRow:
    """One invoice or credit note, if ``seller_id``'s (None: the operator, any); NotFound
    otherwise."""
    row = session.execute(
        select(BillingDocument, Seller.code, BillingPeriod)
        .join(Seller, Seller.id == BillingDocument.seller_id)
        .join(Statement, Statement.id == BillingDocument.statement_id)
        .join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .where(BillingDocument.id == document_id)
    ).first()
    if row is None or (seller_id is not None and row[0].seller_id != seller_id):
        raise NotFound("no such invoice")
    return DocumentRow(*row)


# --- Ledger lines --------------------------------------------------------------------------------


def ledger_lines(
    session: Session, *, seller_id: int | None, seller_code: str | None = None,
    kind: LedgerKind | None = None, since: date | None = None, until: date | None = None,
    after: tuple[datetime, int] | None = None, limit: int = 50,
) -> list[LedgerRow]:
    """Ledger lines latest first by (moment, id), of one ``kind`` and between two shop days
    (both included) when asked, with each line's order number and statement. One query."""
    tz = shop_clock.of(session).tz
    query = (
        select(LedgerEntry, Seller.code, SellerOrder.number, StatementEntry.statement_id)
        .join(Seller, Seller.id == LedgerEntry.seller_id)
        .outerjoin(SellerOrder, SellerOrder.id == LedgerEntry.seller_order_id)
        .outerjoin(StatementEntry, StatementEntry.ledger_entry_id == LedgerEntry.id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    query = _scoped(query, LedgerEntry.seller_id, seller_id, seller_code)
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    if since is not None and since > FIRST_DAY:
        query = query.where(LedgerEntry.created_at >= billing_periods.midnight(since, tz))
    if until is not None and until < LAST_DAY:
        query = query.where(LedgerEntry.created_at < billing_periods.midnight(until + timedelta(days=1), tz))
    if after is not None:
        moment, entry_id = after
        query = query.where(or_(LedgerEntry.created_at < moment,
                                and_(LedgerEntry.created_at == moment, LedgerEntry.id < entry_id)))
    return [LedgerRow(*row) for row in session.execute(query)]


__all__ = [
    "DocumentRow", "LedgerRow", "StatementRow", "document", "documents", "ledger_lines", "statement",
    "statements",
]
