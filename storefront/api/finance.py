"""Finance domain of the API, scope ``finance:read``: the commission the marketplace keeps on each
of the caller's order lines (``finance.commission_lines``), the caller's statements of the billing
periods, the commission invoices and credit notes the retailer issued to it (with their PDF, the
portal's very file) and its ledger lines (``finance_pages``). An operator's client reads every
seller's, ``seller=<code>`` filtering; a seller's client reads its own, and another seller's
statement or invoice is a 404 like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Literal

from flask import Response, current_app, url_for
from pydantic import AwareDatetime, Field

from storefront.documents import layout, render
from storefront.extensions import db
from storefront.marketplace import finance, finance_pages
from storefront.marketplace.models import BillingDocumentKind, LedgerKind, LineState

from . import bp, pages
from .auth import Caller, require_scope
from .orders import DEFAULT_LIMIT, MAX_LIMIT, money, rfc3339
from .problems import ApiProblem
from .schema import MAX_ID, AnyCase, Money, Out, Query, operation


class CommissionsQuery(Query):
    seller: str | None = Field(None, max_length=40, description="a seller's code (operator's clients)")
    created_since: AwareDatetime | None = Field(
        None, description="RFC 3339 with its offset: lines of seller orders placed since then")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class CommissionOut(Out):
    line_id: int
    order_id: str = Field(description="the seller order's number")
    seller: str = Field(description="the seller's code")
    sku: str
    state: LineState
    quantity: int = Field(description="units still sold (ordered minus canceled)")
    amount: Money = Field(description="what those units sell for")
    rate_bp: int = Field(description="the commission rate in basis points (1,500 = 15 %), as of the order")
    commission: Money
    created_at: str = Field(description="when the order was placed (RFC 3339, UTC)")


class CommissionPage(Out):
    items: list[CommissionOut]
    next_cursor: str | None


def commission_body(line: finance.CommissionLine) -> dict:
    return {
        "line_id": line.line_id,
        "order_id": line.seller_order_number,
        "seller": line.seller_code,
        "sku": line.sku,
        "state": str(line.state),
        "quantity": line.quantity,
        "amount": money(line.amount, line.currency),
        "rate_bp": line.rate_bp,
        "commission": money(line.commission, line.currency),
        "created_at": rfc3339(line.created_at),
    }


@bp.get("/finance/commissions")
@require_scope("finance:read")
@operation(tag="finance", query=CommissionsQuery, responses={200: CommissionPage})
def list_commissions(caller: Caller, query: CommissionsQuery):
    """The commission on each of the caller's order lines, oldest line first (the operator's
    clients: every seller's, ``seller`` filters by code).

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    found = finance.commission_lines(
        db.session,
        seller_id=caller.seller_id,
        seller_code=query.seller.strip() if caller.is_operator and query.seller else None,
        created_since=query.created_since.astimezone(UTC) if query.created_since else None,
        after_id=pages.read_cursor("commissions", pages.last_id),
        limit=query.limit + 1,
    )
    return pages.id_page("commissions", "api.list_commissions", found, query.limit, commission_body,
                         key=lambda line: line.line_id)


# --- Statements, invoices and the ledger -----------------------------------------------------------


class FinanceQuery(Query):
    seller: str | None = Field(None, max_length=40, description="a seller's code (operator's clients)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class StatementsQuery(FinanceQuery):
    since: date | None = Field(None, description="statements of periods ending on or after this day (YYYY-MM-DD)")
    until: date | None = Field(None, description="statements of periods starting on or before this day (YYYY-MM-DD)")


class InvoicesQuery(FinanceQuery):
    kind: Annotated[BillingDocumentKind, AnyCase] | None = Field(
        None, description="COMMISSION_INVOICE or CREDIT_NOTE")
    since: date | None = Field(None, description="issued on or after this day (YYYY-MM-DD)")
    until: date | None = Field(None, description="issued on or before this day (YYYY-MM-DD)")


class LedgerQuery(FinanceQuery):
    kind: Annotated[LedgerKind, AnyCase] | None = Field(None, description="the kind of movement")
    since: date | None = Field(None, description="lines of this shop day (YYYY-MM-DD) and later")
    until: date | None = Field(None, description="lines of this shop day (YYYY-MM-DD) and earlier")


class PeriodOut(Out):
    first_day: str = Field(description="a date, YYYY-MM-DD")
    last_day: str = Field(description="a date, YYYY-MM-DD (included)")


class DocumentRef(Out):
    id: int
    number: str
    kind: BillingDocumentKind
    total_ttc: Money
    url: str
    pdf_url: str


class StatementOut(Out):
    id: int
    seller: str = Field(description="the seller's code")
    period: PeriodOut
    opening_balance: Money = Field(description="the negative balance carried from the previous statement")
    sales: Money
    shipping: Money
    refunds: Money
    commissions: Money
    commission_refunds: Money
    commission_vat: Money = Field(description="the VAT of the period's invoice (−) and credit note (+)")
    adjustments: Money
    payouts: Money
    total: Money = Field(description="the sum of the period's entries, signed from the seller's side")
    payable: Money = Field(description="what the marketplace owes the seller for the period")
    carried_forward: Money = Field(description="a negative balance carried to the next statement")
    entry_count: int
    documents: list[DocumentRef]
    created_at: str = Field(description="when the period was closed (RFC 3339, UTC)")
    url: str


class StatementPage(Out):
    items: list[StatementOut]
    next_cursor: str | None


class InvoiceLineOut(Out):
    on: Literal["sales", "shipping"] = Field(description="commission on the sales or on the shipping fees")
    base: Money | None = Field(description="the sales (or refunds) the rate applied to")
    rate_bp: int | None = Field(description="the commission rate in basis points")
    amount: Money = Field(description="excluding tax")


class InvoiceOut(Out):
    id: int
    number: str
    kind: BillingDocumentKind
    seller: str = Field(description="the seller's code")
    statement_id: int
    period: PeriodOut
    issue_date: str = Field(description="a date, YYYY-MM-DD")
    due_date: str = Field(description="a date, YYYY-MM-DD")
    total_ht: Money
    vat_rate_bp: int
    vat: Money
    total_ttc: Money
    lines: list[InvoiceLineOut]
    url: str
    pdf_url: str


class InvoicePage(Out):
    items: list[InvoiceOut]
    next_cursor: str | None


class LedgerLineOut(Out):
    id: int
    seller: str = Field(description="the seller's code")
    kind: LedgerKind
    amount: Money = Field(description="signed from the seller's side: a sale +, its commission −")
    order_id: str | None = Field(description="the seller order's number")
    line_id: int | None
    reference: str
    statement_id: int | None = Field(description="the statement that included it (none yet: null)")
    created_at: str = Field(description="RFC 3339, UTC")


class LedgerPage(Out):
    items: list[LedgerLineOut]
    next_cursor: str | None


def _check_days(query) -> None:
    if query.since and query.until and query.since > query.until:
        raise ApiProblem(400, "invalid_parameter", "until is a day before since.", field="until")


def _seller_filter(caller: Caller, query: FinanceQuery) -> str | None:
    return query.seller.strip() if caller.is_operator and query.seller else None


def _period(period) -> dict:
    return {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()}


def _document_ref(document) -> dict:
    return {
        "id": document.id, "number": document.number, "kind": str(document.kind),
        "total_ttc": money(document.total_ttc, document.currency),
        "url": url_for("api.get_invoice", invoice_id=document.id, _external=True),
        "pdf_url": url_for("api.get_invoice_pdf", invoice_id=document.id, _external=True),
    }


STATEMENT_SUMS = ("opening_balance", "sales", "shipping", "refunds", "commissions", "commission_refunds",
                  "commission_vat", "adjustments", "payouts", "total", "payable", "carried_forward")


def statement_body(row: finance_pages.StatementRow) -> dict:
    statement = row.statement
    return {
        "id": statement.id, "seller": row.seller_code, "period": _period(row.period),
        **{name: money(getattr(statement, name), statement.currency) for name in STATEMENT_SUMS},
        "entry_count": statement.entry_count,
        "documents": [_document_ref(document) for document in row.documents],
        "created_at": rfc3339(statement.created_at),
        "url": url_for("api.get_statement", statement_id=statement.id, _external=True),
    }


def invoice_body(row: finance_pages.DocumentRow) -> dict:
    document = row.document
    currency = document.currency
    return {
        **_document_ref(document),
        "seller": row.seller_code, "statement_id": document.statement_id, "period": _period(row.period),
        "issue_date": document.issue_date.isoformat(), "due_date": document.due_date.isoformat(),
        "total_ht": money(document.total_ht, currency), "vat_rate_bp": document.vat_rate_bp,
        "vat": money(document.vat, currency),
        "lines": [
            {
                # The line's text key: "sales_invoice", "shipping_credit"…
                "on": "shipping" if line["description"].startswith("shipping") else "sales",
                "base": money(line["base"], currency) if line.get("base") is not None else None,
                "rate_bp": line.get("rate_bp"),
                "amount": money(line["amount"], currency),
            }
            for line in document.lines
        ],
    }


def ledger_body(row: finance_pages.LedgerRow) -> dict:
    entry = row.entry
    return {
        "id": entry.id, "seller": row.seller_code, "kind": str(entry.kind),
        "amount": money(entry.amount, entry.currency), "order_id": row.order_number,
        "line_id": entry.order_line_id, "reference": entry.reference,
        "statement_id": row.statement_id, "created_at": rfc3339(entry.created_at),
    }


@bp.get("/finance/statements")
@require_scope("finance:read")
@operation(tag="finance", query=StatementsQuery, responses={200: StatementPage})
def list_statements(caller: Caller, query: StatementsQuery):
    """The caller's statements, one per billing period closed, newest first (the operator's
    clients: every seller's, ``seller`` filters by code).

    ``since`` and ``until`` keep the statements of the periods that overlap those days. The sums
    are signed from the seller's side, in minor units; ``documents`` are the commission invoice
    and credit note issued with the statement. ``limit`` at a time, the next page in ``Link``."""
    _check_days(query)
    found = finance_pages.statements(
        db.session, seller_id=caller.seller_id, seller_code=_seller_filter(caller, query),
        since=query.since, until=query.until, after=pages.read_cursor("statements", pages.last_id),
        limit=query.limit + 1,
    )
    return pages.id_page("statements", "api.list_statements", found, query.limit, statement_body,
                         key=lambda row: row.statement.id)


@bp.get(f"/finance/statements/<int(max={MAX_ID}):statement_id>")
@require_scope("finance:read")
@operation(tag="finance", responses={200: StatementOut})
def get_statement(caller: Caller, statement_id: int):
    """One statement (another seller's: 404)."""
    return statement_body(finance_pages.statement(db.session, statement_id, seller_id=caller.seller_id))


@bp.get("/finance/invoices")
@require_scope("finance:read")
@operation(tag="finance", query=InvoicesQuery, responses={200: InvoicePage})
def list_invoices(caller: Caller, query: InvoicesQuery):
    """The commission invoices and credit notes the retailer issued to the caller, newest first
    (the operator's clients: every seller's, ``seller`` filters by code).

    ``kind`` keeps one kind, ``since`` and ``until`` the documents issued on those days. Totals
    excluding tax, VAT and including tax in minor units; the PDF at ``pdf_url``."""
    _check_days(query)
    found = finance_pages.documents(
        db.session, seller_id=caller.seller_id, seller_code=_seller_filter(caller, query),
        kind=query.kind, since=query.since, until=query.until,
        after=pages.read_cursor("invoices", pages.last_id), limit=query.limit + 1,
    )
    return pages.id_page("invoices", "api.list_invoices", found, query.limit, invoice_body,
                         key=lambda row: row.document.id)


@bp.get(f"/finance/invoices/<int(max={MAX_ID}):invoice_id>")
@require_scope("finance:read")
@operation(tag="finance", responses={200: InvoiceOut})
def get_invoice(caller: Caller, invoice_id: int):
    """One commission invoice or credit note (another seller's: 404)."""
    return invoice_body(finance_pages.document(db.session, invoice_id, seller_id=caller.seller_id))


@bp.get(f"/finance/invoices/<int(max={MAX_ID}):invoice_id>/pdf")
@require_scope("finance:read")
@operation(tag="finance", responses={200: None}, media_types=("application/pdf",))
def get_invoice_pdf(caller: Caller, invoice_id: int):
    """The invoice's or credit note's PDF, with its French legal mentions: the file the seller
    portal serves (another seller's: 404)."""
    document = finance_pages.document(db.session, invoice_id, seller_id=caller.seller_id).document
    overrides = layout.load_overrides(Path(current_app.config["THEMES_DIR"]) / current_app.config["THEME"])
    response = Response(render.document_pdf(document, overrides), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _ledger_position(value) -> tuple[datetime, int]:
    """``read_cursor``'s ``parse`` for the ledger: the last line's moment and id."""
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str)
            or not isinstance(value[1], int) or isinstance(value[1], bool)):
        raise TypeError("a cursor of the ledger is a moment and an id")
    moment = datetime.fromisoformat(value[0])
    if moment.tzinfo is None:
        raise ValueError("a cursor's moment has its offset")
    return moment, value[1]


@bp.get("/finance/ledger")
@require_scope("finance:read")
@operation(tag="finance", query=LedgerQuery, responses={200: LedgerPage})
def list_ledger(caller: Caller, query: LedgerQuery):
    """The caller's ledger lines, latest first (the operator's clients: every seller's, ``seller``
    filters by code): every movement of its money, in minor units signed from its side.

    ``kind`` keeps one kind of movement, ``since`` and ``until`` the lines of those shop days
    (both included). ``limit`` at a time, the next page in ``Link``."""
    _check_days(query)
    found = finance_pages.ledger_lines(
        db.session, seller_id=caller.seller_id, seller_code=_seller_filter(caller, query),
        kind=query.kind, since=query.since, until=query.until,
        after=pages.read_cursor("ledger", _ledger_position), limit=query.limit + 1,
    )
    page, more = found[:query.limit], len(found) > query.limit
    last = page[-1].entry if page else None
    next_cursor = (pages.make_cursor("ledger", [last.created_at.astimezone(UTC).isoformat(), last.id])
                   if more and last else None)
    return pages.page_answer([ledger_body(row) for row in page], next_cursor, "api.list_ledger")
