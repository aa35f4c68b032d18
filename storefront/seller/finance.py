"""Seller portal: Finance (``/seller/finance``): the balance and the next payout, the statements
with their payout state, their PDF and CSV and their invoices and credit notes, and the ledger lines with filters. Every read is
scoped by ``current_user.seller_id``: another seller's statement or document answers 404, as
one that does not exist."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from storefront.documents import layout, render
from storefront.extensions import db
from storefront.marketplace import billing, ledger, payouts
from storefront.marketplace.errors import NotFound
from storefront.marketplace.models import LedgerKind
from storefront.seller import bp
from storefront.web import query_params

MAX_ID = 2**31 - 1
PER_PAGE = 50


@bp.get("/finance")
def finance():
    seller_id = current_user.seller_id
    kind = query_params.choice(request.args.get("kind"), [k.value for k in LedgerKind], "")
    since, until = _day(request.args.get("since")), _day(request.args.get("until"))
    lines = billing.ledger_page(
        db.session, seller_id, kind=LedgerKind(kind) if kind else None, since=since, until=until,
        page=query_params.page(request.args), per_page=PER_PAGE,
    )
    return render_template(
        "seller/finance.html",
        balance=ledger.balance(db.session, seller_id),
        statements=billing.statements_of(db.session, seller_id),
        payout_views=payouts.views_of_seller(db.session, seller_id),
        next_payout=payouts.next_payout(db.session, seller_id),
        lines=lines, kinds=list(LedgerKind), kind=kind, since=since, until=until,
    )


@bp.get(f"/finance/statements/<int(max={MAX_ID}):statement_id>.pdf")
def statement_pdf(statement_id: int):
    statement = _mine(billing.statement_for, statement_id)
    return _file(render.statement_pdf(db.session, statement, _texts()), "application/pdf",
                 f"releve-{statement.id}.pdf")


@bp.get(f"/finance/statements/<int(max={MAX_ID}):statement_id>.csv")
def statement_csv(statement_id: int):
    statement = _mine(billing.statement_for, statement_id)
    return _file(render.statement_lines_csv(db.session, statement).encode("utf-8"), "text/csv; charset=utf-8",
                 f"releve-{statement.id}.csv")


@bp.get(f"/finance/documents/<int(max={MAX_ID}):document_id>.pdf")
def document_pdf(document_id: int):
    document = _mine(billing.document_for, document_id)
    return _file(render.document_pdf(document, _texts()), "application/pdf", f"{document.number}.pdf")


def _mine(read, object_id: int):
    try:
        return read(db.session, current_user.seller_id, object_id)
    except NotFound:
        abort(404)


def _texts() -> dict:
    """The active theme's replacements of the documents' texts, if it has any."""
    return layout.load_overrides(Path(current_app.config["THEMES_DIR"]) / current_app.config["THEME"])


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A seller's money: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None
