"""Seller ratings in the back office (``/backoffice/ratings``): every rating with filters (seller,
grade, hidden), and hiding one with a reason or showing it again. Thin adapters over
``marketplace.seller_ratings`` (which keeps the sellers' grades and audits each change);
customer service (SUPPORT) and admins hold the CUSTOMERS permission."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import seller_ratings
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import Seller
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.rating_forms import HideForm, UnhideForm
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PER_PAGE = 50
HIDDEN_CHOICES = ("", "1", "0")


def _filters() -> dict:
    args = request.args
    codes = dict(db.session.execute(select(Seller.code, Seller.name).order_by(Seller.name)).all())
    grade = query_params.choice(args.get("grade"), [str(n) for n in seller_ratings.GRADES], "")
    return {
        "seller": query_params.choice(args.get("seller"), set(codes), ""),
        "grade": grade,
        "hidden": query_params.choice(args.get("hidden"), HIDDEN_CHOICES, ""),
        "sellers": codes,
    }


def _page(failed: tuple[int, HideForm] | None = None, status: int = 200):
    filters = _filters()
    found = seller_ratings.search(
        db.session, seller_code=filters["seller"], grade=int(filters["grade"]) if filters["grade"] else None,
        hidden={"": None, "1": True, "0": False}[filters["hidden"]],
        page=query_params.page(request.args), per_page=PER_PAGE,
    )
    hide_forms = {rating.id: HideForm(formdata=None) for rating in found.items if not rating.hidden}
    if failed is not None:
        hide_forms[failed[0]] = failed[1]
    for rating_id, form in hide_forms.items():
        form.reason.id = f"reason-{rating_id}"
    return render_template("backoffice/ratings.html", found=found, hide_forms=hide_forms,
                           unhide_form=UnhideForm(), author=seller_ratings.author_name, **filters), status


def _rating(rating_id: int):
    try:
        return seller_ratings.rating_for_seller(db.session, rating_id, None)
    except NotFound:
        abort(404)


@bp.get("/ratings")
@requires(Permission.CUSTOMERS)
def rating_list():
    return _page()


@bp.post(f"/ratings/<int(max={MAX_ID}):rating_id>/hide")
@requires(Permission.CUSTOMERS)
def hide_rating(rating_id: int):
    rating = _rating(rating_id)
    form = HideForm()
    if form.validate_on_submit():
        try:
            seller_ratings.hide(db.session, rating, form.reason.data, actor=current_user._get_current_object())
        except DomainError as error:
            field = getattr(form, str(error.details.get("field") or ""), None)
            if field is not None:
                field.errors.append(explain(error))
            else:  # answered or hidden meanwhile: the form is gone from the page, say it on top
                flash(explain(error), "error")
            db.session.expire_all()
            return _page((rating_id, form), error.status)
        flash(_("The rating is hidden: it no longer counts in the seller's grade."), "success")
        return redirect(_back(rating_id))
    return _page((rating_id, form), 422)


@bp.post(f"/ratings/<int(max={MAX_ID}):rating_id>/unhide")
@requires(Permission.CUSTOMERS)
def unhide_rating(rating_id: int):
    rating = _rating(rating_id)
    if not UnhideForm().validate_on_submit():
        abort(400)
    try:
        seller_ratings.unhide(db.session, rating, actor=current_user._get_current_object())
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(_back(rating_id))
    flash(_("The rating shows again and counts in the seller's grade."), "success")
    return redirect(_back(rating_id))


def _back(rating_id: int) -> str:
    # The list as it was (its filters travel in the form's action).
    args = {key: value for key, value in request.args.items() if key in ("seller", "grade", "hidden", "page")}
    return url_for(".rating_list", **args) + f"#rating-{rating_id}"
