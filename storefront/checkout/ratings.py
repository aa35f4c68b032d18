"""The customer rates the seller of a delivered seller order (once): the form at
``/commande/mes-commandes/<order>/avis/<seller order>``, linked from the order page
(``checkout/partials/order_ratings.html``). Another customer's order answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from storefront.checkout import bp
from storefront.extensions import db
from storefront.marketplace import seller_ratings
from storefront.marketplace.errors import DomainError, NotFound
from storefront.web.rating_forms import RatingForm
from storefront.web.refusals import explain

ROUTE = "/mes-commandes/<string(maxlength=20):number>/avis/<string(maxlength=24):seller_order_number>"


@bp.app_context_processor
def inject_rating_slots():
    def order_rating_slots(order):
        return seller_ratings.slots_for(db.session, order)

    return {"order_rating_slots": order_rating_slots}


def _seller_order(number: str, seller_order_number: str):
    try:
        return seller_ratings.seller_order_of(db.session, current_user.id, number, seller_order_number)
    except NotFound:
        abort(404)  # another customer's order looks like none


def _render(seller_order, form, rating=None, status=200):
    return render_template("checkout/rate_seller.html", seller_order=seller_order,
                           order=seller_order.customer_order, form=form, rating=rating), status


@bp.get(ROUTE)
@login_required
def rate_seller(number: str, seller_order_number: str):
    seller_order = _seller_order(number, seller_order_number)
    return _render(seller_order, RatingForm(), seller_ratings.rating_of(db.session, seller_order))


@bp.post(ROUTE)
@login_required
def save_rating(number: str, seller_order_number: str):
    seller_order = _seller_order(number, seller_order_number)
    form = RatingForm()
    if not form.validate_on_submit():
        return _render(seller_order, form, seller_ratings.rating_of(db.session, seller_order), 422)
    try:
        seller_ratings.rate(db.session, seller_order, current_user._get_current_object(),
                            form.grade.data, form.comment.data or "")
    except DomainError as error:
        field = getattr(form, str(error.details.get("field") or ""), None)
        (field.errors if field is not None else form.form_errors).append(explain(error))
        db.session.expire_all()
        seller_order = _seller_order(number, seller_order_number)
        return _render(seller_order, form, seller_ratings.rating_of(db.session, seller_order), error.status)
    flash(_("Thank you: your rating of %(name)s is published.", name=seller_order.seller.name), "success")
    return redirect(url_for(".order", number=number) + "#order-ratings")
