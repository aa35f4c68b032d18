"""Back office: commission rates (``/backoffice/commissions``), thin over
``marketplace.commission_rates``. ``?seller=<code>`` shows and edits that seller's overrides
(the seller's page links here); without it, the default rate and the categories' rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from storefront import clock
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.operations_forms import CommissionRateForm, ConfirmForm, EndRateForm
from storefront.extensions import db
from storefront.marketplace import commission_rates, reference
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import Category, Seller
from storefront.marketplace.refusals import Refusal
from storefront.marketplace.staff import Permission
from storefront.web.refusals import explain

RATE = "<int(max=2147483647):rate_id>"
# Refusals about the dates, shown under the date field rather than above the form.
_DATE_REFUSALS = {Refusal.RATE_IN_PAST: "valid_from", Refusal.RATE_PERIOD: "last_day",
                  Refusal.RATE_OVERLAP: "valid_from"}


@bp.get("/commissions")
@requires(Permission.COMMISSIONS)
def commission_list():
    seller = _seller()
    form = _rate_form(formdata=None)
    form.valid_from.data = clock.today()
    return _page(seller, form)


@bp.post("/commissions")
@requires(Permission.COMMISSIONS)
def commission_schedule():
    seller = _seller()
    form = _rate_form()
    if not form.validate_on_submit():
        return _page(seller, form, 422)
    category = db.session.get(Category, int(form.category.data)) if form.category.data else None
    try:
        commission_rates.schedule(
            db.session, current_user._get_current_object(), form.rate_bp,
            valid_from=form.valid_from.data, valid_to=_day_after(form.last_day.data), category=category,
            seller=seller,
        )
    except DomainError as error:
        field = _DATE_REFUSALS.get(error.details.get("reason"))
        (getattr(form, field).errors if field else form.form_errors).append(explain(error))
        return _page(seller, form, error.status)
    flash(_("The rate is saved. Orders already placed keep the rate they were placed with."), "success")
    return redirect(_back(seller))


@bp.post(f"/commissions/{RATE}/end")
@requires(Permission.COMMISSIONS)
def commission_end(rate_id: int):
    seller = _seller()
    form = EndRateForm()
    if not form.validate_on_submit():
        flash(_("Enter the last day."), "error")
        return redirect(_back(seller))
    try:
        commission_rates.end(db.session, current_user._get_current_object(), rate_id, _day_after(form.on.data))
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The rate ends on the day chosen."), "success")
    return redirect(_back(seller))


@bp.post(f"/commissions/{RATE}/withdraw")
@requires(Permission.COMMISSIONS)
def commission_withdraw(rate_id: int):
    seller = _seller()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        commission_rates.withdraw(db.session, current_user._get_current_object(), rate_id)
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The planned rate is withdrawn."), "success")
    return redirect(_back(seller))


def _day_after(day: date | None) -> date | None:
    """The service's periods end on an excluded day; the page speaks of the last day."""
    if day is None:
        return None
    return day + timedelta(days=1) if day < date.max else day


def _seller() -> Seller | None:
    """The seller of ``?seller=<code>``; 404 for a code that names none."""
    code = "".join(ch for ch in request.args.get("seller", "") if ch.isprintable()).strip()[:40]
    if not code:
        return None
    seller = db.session.scalar(select(Seller).where(Seller.code == code))
    if seller is None or seller.is_operator:
        abort(404)
    return seller


def _rate_form(**kwargs) -> CommissionRateForm:
    form = CommissionRateForm(**kwargs)
    form.category.choices = _category_choices()
    return form


def _category_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _("All categories"))]

    def walk(nodes, depth):
        for node in nodes:
            choices.append(SelectChoice(str(node.category.id), "\u2003" * depth + node.category.label))
            walk(node.children, depth + 1)

    walk(reference.category_tree(db.session), 0)
    return choices


def _page(seller: Seller | None, form: CommissionRateForm, status: int = 200):
    rows = commission_rates.rates(db.session, seller=seller, today=clock.today())
    return render_template(
        "backoffice/commissions.html",
        seller=seller,
        rows=rows,
        form=form,
        end_form=EndRateForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        sellers=list(db.session.scalars(select(Seller).where(Seller.is_operator.is_(False)).order_by(Seller.name))),
        today=clock.today(),
        percent=percent,
    ), status


def percent(rate_bp: int) -> str:
    """1250 → "12,5 %" (in French)."""
    return format_decimal(Decimal(rate_bp) / 100, format="#,##0.##", locale=get_locale()) + "\u00a0%"


def _back(seller: Seller | None) -> str:
    return url_for(".commission_list", seller=seller.code) if seller else url_for(".commission_list")
