"""Back office: the sellers' list and each seller's page, with suspend, reopen and close.

Thin adapters: ``seller_admin`` reads, ``sellers`` changes states (and records them in the
operator's audit log). Each action first shows a page that says what it does and asks to
confirm (a reason for suspending or closing), then posts.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from storefront import clock, page_cache
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import seller_admin, sellers
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import Seller, SellerState
from storefront.marketplace.seller_admin import SellerAction
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.refusals import explain

CODE = "<string(maxlength=40):code>"
ACTIONS = "<any(suspend, reopen, close):action>"
PER_PAGE = 50


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the seller reads it)"),
        validators=[DataRequired(_l("Say why (the seller will read it).")), Length(max=sellers.MAX_REASON)],
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the page around it is the confirmation."""


@bp.get("/sellers")
@requires(Permission.SELLERS_READ)
def seller_list():
    args = request.args
    state = query_params.choice(args.get("state"), set(SellerState.__members__), "")
    sort = query_params.choice(args.get("sort"), set(seller_admin.SORTS), "name")
    descending = query_params.choice(args.get("dir"), {"asc", "desc"}, "asc") == "desc"
    q = " ".join("".join(ch for ch in args.get("q", "") if ch.isprintable()).split())[: seller_admin.MAX_SEARCH]
    found = seller_admin.search(
        db.session, today=clock.today(), state=SellerState(state) if state else None, q=q,
        sort=sort, descending=descending, page=query_params.page(args), per_page=PER_PAGE,
    )
    return render_template(
        "backoffice/sellers.html", found=found, state=state, q=q, sort=sort,
        direction="desc" if descending else "asc", states=list(SellerState),
    )


@bp.get(f"/sellers/{CODE}")
@requires(Permission.SELLERS_READ)
def seller_detail(code: str):
    return _detail_page(_seller(code))


@bp.get(f"/sellers/{CODE}/{ACTIONS}")
@requires(Permission.SELLERS_MANAGE)
def seller_confirm(code: str, action: str):
    seller = _seller(code)
    if SellerAction(action) not in seller_admin.available_actions(seller):
        flash(_("This step is not possible for this shop now."), "error")
        return redirect(url_for(".seller_detail", code=seller.code))
    return _confirm_page(seller, SellerAction(action), _form(action, formdata=None))


@bp.post(f"/sellers/{CODE}/{ACTIONS}")
@requires(Permission.SELLERS_MANAGE)
def seller_action(code: str, action: str):
    seller = _seller(code)
    step = SellerAction(action)
    form = _form(action)
    if not form.validate_on_submit():
        return _confirm_page(seller, step, form, 422)
    me = current_user._get_current_object()
    try:
        if step == SellerAction.SUSPEND:
            sellers.suspend_seller(db.session, seller, form.reason.data, actor=me)
        elif step == SellerAction.REOPEN:
            sellers.reopen_seller(db.session, seller, actor=me)
        else:
            sellers.close_seller(db.session, seller, form.reason.data, actor=me)
    except DomainError as error:
        db.session.rollback()
        if "reason" in form and error.details.get("field") == "reason":
            form.reason.errors = [*form.reason.errors, explain(error)]
            return _confirm_page(_seller(code), step, form, 422)
        flash(explain(error), "error")
        return redirect(url_for(".seller_detail", code=code))
    # The shop's offers appeared or went with the listing rebuilt in the service's transaction;
    # pages cached before it would show them for another minute.
    page_cache.clear()
    flash(DONE[step](), "success")
    return redirect(url_for(".seller_detail", code=seller.code))


DONE = {
    SellerAction.SUSPEND: lambda: _("The shop is suspended: its offers are no longer shown."),
    SellerAction.REOPEN: lambda: _("The shop is open again: its offers are shown."),
    SellerAction.CLOSE: lambda: _("The shop is closed."),
}


def _form(action: str, **kwargs) -> FlaskForm:
    return ConfirmForm(**kwargs) if action == SellerAction.REOPEN else ReasonForm(**kwargs)


def _seller(code: str) -> Seller:
    seller = db.session.scalar(select(Seller).where(Seller.code == code))
    if seller is None:
        abort(404)
    return seller


def _detail_page(seller: Seller):
    return render_template(
        "backoffice/seller.html",
        seller=seller,
        row=seller_admin.summary(db.session, seller, today=clock.today()),
        open_orders=seller_admin.open_orders(db.session, seller),
        users=seller_admin.users(db.session, seller),
        overrides=seller_admin.commission_overrides(db.session, seller),
        actions=seller_admin.available_actions(seller),
    )


def _confirm_page(seller: Seller, action: SellerAction, form: FlaskForm, status: int = 200):
    return render_template(
        "backoffice/seller_confirm.html", seller=seller, action=action, form=form,
        open_orders=seller_admin.open_orders(db.session, seller),
    ), status
