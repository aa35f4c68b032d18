"""Customer accounts in the back office: search, a customer's page, block and unblock.

Thin adapters over ``marketplace.customer_admin``; customer service (SUPPORT) and admins hold
the CUSTOMERS permission, other staff get 403 (storefront/backoffice/access.py).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import customer_admin
from storefront.marketplace.customer_admin import CustomerSort, CustomerStatus
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PER_PAGE = 50
TEMPLATE = "backoffice/customer.html"


class BlockForm(FlaskForm):
    """Blocking or unblocking: the reason is required, it goes to the audit log."""

    reason = TextAreaField(
        _l("Reason (kept in the audit log)"),
        validators=[
            DataRequired(_l("Give the reason: it is kept in the audit log.")),
            Length(max=customer_admin.MAX_REASON, message=_l("A reason has at most 500 characters.")),
        ],
    )


@bp.get("/customers")
@requires(Permission.CUSTOMERS)
def customer_list():
    args = request.args
    sort = query_params.choice(args.get("sort"), set(CustomerSort), CustomerSort.JOINED.value)
    order = query_params.choice(args.get("order"), {"asc", "desc"}, "asc" if sort in ("name", "email") else "desc")
    status = query_params.choice(args.get("status"), set(CustomerStatus), "")
    q = customer_admin.clean_query(args.get("q", ""))
    found = customer_admin.search(
        db.session,
        query=q,
        status=CustomerStatus(status) if status else None,
        sort=CustomerSort(sort),
        descending=order == "desc",
        page=query_params.page(args),
        per_page=PER_PAGE,
    )
    return render_template(
        "backoffice/customers.html", found=found, q=q, status=status, sort=sort, order=order,
        sorts=list(CustomerSort),
    )


@bp.get(f"/customers/<int(max={MAX_ID}):customer_id>")
@requires(Permission.CUSTOMERS)
def customer_detail(customer_id: int):
    return _page(_customer(customer_id), BlockForm())


@bp.post(f"/customers/<int(max={MAX_ID}):customer_id>/<any(block, unblock):action>")
@requires(Permission.CUSTOMERS)
def customer_block(customer_id: int, action: str):
    customer = _customer(customer_id)
    form = BlockForm()
    if not form.validate_on_submit():
        return _page(customer, form, 422)
    service = customer_admin.block if action == "block" else customer_admin.unblock
    try:
        service(db.session, current_user._get_current_object(), customer, form.reason.data)
    except DomainError as error:
        form.reason.errors = [*form.reason.errors, explain(error)]
        return _page(customer, form, getattr(error, "status", 400))
    if action == "block":
        flash(_("The customer is blocked: they are logged out and can neither log in nor order."), "success")
    else:
        flash(_("The customer is unblocked: they can log in and order again."), "success")
    return redirect(url_for(".customer_detail", customer_id=customer.id))


def _customer(customer_id: int):
    try:
        return customer_admin.get_customer(db.session, customer_id)
    except NotFound:
        abort(404)


def _page(customer, form: BlockForm, status: int = 200):
    detail = customer_admin.detail(db.session, customer)
    return render_template(TEMPLATE, detail=detail, form=form), status
