"""Back office: Finance (``/backoffice/finance``): the sellers' statements by payout state, a
statement's page (its lines, documents, CSV, block and unblock), the billing periods, and the
payout batches (made from the PAYABLE statements chosen, each with its SEPA file to download
again). Thin adapters over ``marketplace.payouts`` and ``marketplace.billing``; finance staff
and admins hold the PAYOUTS permission, other staff get 403."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.operations_forms import ConfirmForm
from storefront.documents import layout, render
from storefront.extensions import db
from storefront.marketplace import billing, company_ids, payouts
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import (
    BillingDocument,
    BillingPeriod,
    BlockReason,
    PayoutState,
    Seller,
)
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.labels import state_label
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PER_PAGE = 50
STATEMENT = f"<int(max={MAX_ID}):statement_id>"
BATCH = f"<int(max={MAX_ID}):batch_id>"


class BlockForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=[], validators=[DataRequired(_l("Choose a reason."))])
    note = StringField(_l("Note (kept in the audit log)"), validators=[Optional(), Length(max=payouts.NOTE_MAX)],
                       filters=[lambda value: (value or "").strip()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice(reason.value, state_label(reason)) for reason in BlockReason]


class BatchForm(FlaskForm):
    """The statements come as the checked ``statement`` boxes of the list."""

    execution_date = DateField(_l("Transfer date"), validators=[Optional()],
                               description=_l("The day the bank should make the transfers; empty: today."))


@bp.app_template_filter("masked_iban")
def masked_iban(value: str) -> str:
    """Country, key and last four characters: enough to recognise an account on a page."""
    return company_ids.mask_iban(value or "")


def _me():
    return current_user._get_current_object()


def _no_store(response: Response) -> Response:
    # Sellers' money and bank details: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _no_store(response)


def _texts() -> dict:
    return layout.load_overrides(Path(current_app.config["THEMES_DIR"]) / current_app.config["THEME"])


# --- Statements ----------------------------------------------------------------------------------


def _filters() -> dict:
    args = request.args
    state = query_params.choice(args.get("state"), [s.value for s in PayoutState], "")
    seller = query_params.identifier(args.get("seller"))
    period = query_params.identifier(args.get("period"))
    return {"state": state, "seller": seller, "period": period}


def _statements_page(form: BatchForm, status: int = 200, chosen: set[int] | None = None):
    filters = _filters()
    found = payouts.statements_page(
        db.session, state=PayoutState(filters["state"]) if filters["state"] else None,
        seller_id=filters["seller"], period_id=filters["period"],
        page=query_params.page(request.args), per_page=PER_PAGE,
    )
    sellers = list(db.session.scalars(select(Seller).where(Seller.is_operator.is_(False)).order_by(Seller.name)))
    periods = list(db.session.scalars(select(BillingPeriod).order_by(BillingPeriod.starts_at.desc()).limit(48)))
    return _no_store(current_app.make_response((render_template(
        "backoffice/finance_statements.html", found=found, filters=filters, sellers=sellers,
        periods=periods, states=list(PayoutState), form=form, chosen=chosen or set(),
        holding_days=payouts.holding_days(db.session),
    ), status)))


@bp.get("/finance")
@requires(Permission.PAYOUTS)
def finance_statements():
    return _statements_page(BatchForm(formdata=None))


def _statement_view(statement_id: int) -> payouts.StatementView:
    try:
        return payouts.statement_view(db.session, statement_id)
    except NotFound:
        abort(404)


def _statement_page(view: payouts.StatementView, block_form: BlockForm | None = None, status: int = 200):
    return _no_store(current_app.make_response((render_template(
        "backoffice/finance_statement.html", view=view,
        lines=billing.statement_lines(db.session, view.statement),
        documents=billing.documents_of(db.session, view.statement),
        block_form=block_form or BlockForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
    ), status)))


@bp.get(f"/finance/statements/{STATEMENT}")
@requires(Permission.PAYOUTS)
def finance_statement(statement_id: int):
    return _statement_page(_statement_view(statement_id))


@bp.get(f"/finance/statements/{STATEMENT}.csv")
@requires(Permission.PAYOUTS)
def finance_statement_csv(statement_id: int):
    statement = _statement_view(statement_id).statement
    return _file(render.statement_lines_csv(db.session, statement).encode("utf-8"), "text/csv; charset=utf-8",
                 f"releve-{statement.id}.csv")


@bp.get(f"/finance/statements/{STATEMENT}.pdf")
@requires(Permission.PAYOUTS)
def finance_statement_pdf(statement_id: int):
    statement = _statement_view(statement_id).statement
    return _file(render.statement_pdf(db.session, statement, _texts()), "application/pdf", f"releve-{statement.id}.pdf")


@bp.get(f"/finance/documents/<int(max={MAX_ID}):document_id>.pdf")
@requires(Permission.PAYOUTS)
def finance_document_pdf(document_id: int):
    document = db.session.get(BillingDocument, document_id)
    if document is None:
        abort(404)
    return _file(render.document_pdf(document, _texts()), "application/pdf", f"{document.number}.pdf")


@bp.post(f"/finance/statements/{STATEMENT}/block")
@requires(Permission.PAYOUTS)
def finance_statement_block(statement_id: int):
    view = _statement_view(statement_id)
    form = BlockForm()
    if not form.validate_on_submit():
        return _statement_page(view, form, 422)
    try:
        payouts.block(db.session, _me(), statement_id, form.reason.data, form.note.data or "")
    except DomainError as error:
        form.form_errors.append(explain(error))
        return _statement_page(_statement_view(statement_id), form, error.status)
    flash(_("The payout of this statement is blocked until you unblock it."), "success")
    return redirect(url_for(".finance_statement", statement_id=statement_id))


@bp.post(f"/finance/statements/{STATEMENT}/unblock")
@requires(Permission.PAYOUTS)
def finance_statement_unblock(statement_id: int):
    _statement_view(statement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        payouts.unblock(db.session, _me(), statement_id)
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The statement is unblocked: it is paid with the next batch once payable."), "success")
    return redirect(url_for(".finance_statement", statement_id=statement_id))


# --- Billing periods -----------------------------------------------------------------------------


@bp.get("/finance/periods")
@requires(Permission.PAYOUTS)
def finance_periods():
    found = payouts.periods_page(db.session, page=query_params.page(request.args), per_page=PER_PAGE)
    return render_template("backoffice/finance_periods.html", found=found)


# --- Payout batches ------------------------------------------------------------------------------


@bp.get("/finance/payouts")
@requires(Permission.PAYOUTS)
def finance_batches():
    found = payouts.batches_page(db.session, page=query_params.page(request.args), per_page=PER_PAGE)
    return _no_store(current_app.make_response(render_template("backoffice/finance_batches.html", found=found)))


@bp.post("/finance/payouts")
@requires(Permission.PAYOUTS)
def finance_batch_create():
    form = BatchForm()
    chosen = {n for raw in request.form.getlist("statement")[:5000]
              if (n := query_params.identifier(raw)) is not None}
    if not form.validate_on_submit():
        return _statements_page(form, 422, chosen)
    try:
        batch = payouts.create_batch(db.session, _me(), sorted(chosen), execution_date=form.execution_date.data)
    except DomainError as error:
        (form.execution_date.errors if error.details.get("field") == "execution_date" else form.form_errors).append(
            explain(error))
        return _statements_page(form, error.status, chosen)
    flash(_("Payout batch %(reference)s is recorded: download its transfer file and send it to the bank.",
            reference=batch.reference), "success")
    return redirect(url_for(".finance_batch", batch_id=batch.id))


def _batch(batch_id: int):
    try:
        return payouts.batch_for(db.session, batch_id)
    except NotFound:
        abort(404)


@bp.get(f"/finance/payouts/{BATCH}")
@requires(Permission.PAYOUTS)
def finance_batch(batch_id: int):
    batch = _batch(batch_id)
    return _no_store(current_app.make_response(render_template(
        "backoffice/finance_batch.html", batch=batch, views=payouts.batch_statements(db.session, batch))))


@bp.get(f"/finance/payouts/{BATCH}.xml")
@requires(Permission.PAYOUTS)
def finance_batch_xml(batch_id: int):
    batch = _batch(batch_id)
    # The very file recorded with the batch (same message id and bytes as the first download).
    return _file(batch.xml.encode("utf-8"), "application/xml", f"{batch.reference}-pain.001.xml")
