"""Seller portal: Reviews (``/seller/ratings``): the shop's ratings, newest first, hidden ones
marked, and a public answer form for each one not answered yet (once). Scoped to the signed-in
account's seller: another seller's rating answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront.extensions import db
from storefront.marketplace import seller_ratings
from storefront.marketplace.errors import DomainError, NotFound
from storefront.seller import bp
from storefront.web import query_params
from storefront.web.rating_forms import AnswerForm
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PER_PAGE = 20


def _page(failed: tuple[int, AnswerForm] | None = None, status: int = 200):
    unanswered = request.args.get("unanswered") == "1"
    found = seller_ratings.seller_page(db.session, current_user.seller_id, page=query_params.page(request.args),
                                       per_page=PER_PAGE, unanswered=unanswered)
    forms = {rating.id: AnswerForm(formdata=None) for rating in found.items if not rating.answered}
    if failed is not None:
        forms[failed[0]] = failed[1]
    for rating_id, form in forms.items():
        form.answer.id = f"answer-{rating_id}"  # one page, many forms: ids stay unique
    return render_template("seller/ratings.html", found=found, forms=forms, unanswered=unanswered,
                           author=seller_ratings.author_name), status


@bp.get("/ratings")
def ratings():
    return _page()


@bp.post(f"/ratings/<int(max={MAX_ID}):rating_id>/answer")
def answer_rating(rating_id: int):
    try:
        rating = seller_ratings.rating_for_seller(db.session, rating_id, current_user.seller_id)
    except NotFound:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            seller_ratings.answer(db.session, rating, current_user.seller_id, form.answer.data)
        except DomainError as error:
            field = getattr(form, str(error.details.get("field") or ""), None)
            if field is not None:
                field.errors.append(explain(error))
            else:  # answered or hidden meanwhile: the form is gone from the page, say it on top
                flash(explain(error), "error")
            db.session.expire_all()
            return _page((rating_id, form), error.status)
        flash(_("Your answer is published under the rating."), "success")
        return redirect(url_for(".ratings") + f"#rating-{rating_id}")
    return _page((rating_id, form), 422)
