"""Seller ratings in the API: a seller's client lists the ratings its customers gave after
delivery (newest first, cursor pages) and answers one publicly, once; the operator's clients
list every seller's. Scopes: ``orders:read`` and ``orders:write`` (a rating is of a seller
order). The same service as the seller portal (``marketplace/seller_ratings.py``): another
seller's rating is 404, a second answer 409, and ``rating.answered`` fires for webhooks.

Comments and answers are plain text, returned as JSON strings and escaped wherever a page shows
them.
"""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import seller_ratings
from storefront.marketplace.errors import NotAllowed

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .schema import Body, Out, PageQuery, operation

# -- shapes ------------------------------------------------------------------------------------------


class RatingsQuery(PageQuery):
    """Newest first; ``limit`` at a time."""


class AnswerBody(Body):
    # The length is the service's rule (refused with its reason), only described here.
    answer: str = Field(description=f"plain text, never rendered as HTML; 1 to "
                                    f"{seller_ratings.MAX_ANSWER:,} characters")


class SellerRatingOut(Out):
    id: int
    seller_id: int
    order_id: str | None = Field(description="the rated seller order's number (null for ratings older than orders)")
    grade: int = Field(ge=1, le=5)
    comment: str
    author: str = Field(description="the customer as shown in the shop (first name and initial), never an address")
    created_at: str | None
    answer: str | None = Field(description="the seller's public answer; null before it")
    answered_at: str | None
    hidden: bool = Field(description="hidden by the operator: not shown in the shop, not in the grade")
    hidden_reason: str | None


class SellerRatingPage(Out):
    items: list[SellerRatingOut]
    next_cursor: str | None


# -- views -------------------------------------------------------------------------------------------


@bp.get("/ratings")
@require_scope("orders:read")
@operation(tag="ratings", query=RatingsQuery, responses={200: SellerRatingPage})
def list_ratings(caller: Caller, query: RatingsQuery):
    """The caller's ratings, newest first (the operator's clients: every seller's).

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    found = seller_ratings.api_page(
        db.session, caller.seller_id, before_id=pages.read_cursor("ratings", pages.last_id),
        limit=query.limit + 1,
    )
    return pages.id_page("ratings", "api.list_ratings", found, query.limit, seller_ratings.rating_data)


@bp.post("/ratings/<int:rating_id>/answer")
@require_scope("orders:write")
@idempotent
@operation(tag="ratings", body=AnswerBody, responses={200: SellerRatingOut})
def answer_rating(rating_id: int, caller: Caller, body: AnswerBody):
    """Answer a rating publicly, once: the answer shows under it on the shop's page.

    Another seller's rating is 404; a second answer is 409 (``already_answered``); an empty or
    too long one 422."""
    if caller.seller_id is None:
        raise NotAllowed("an operator client acts for the marketplace: a seller answers its own ratings")
    rating = seller_ratings.rating_for_seller(db.session, rating_id, caller.seller_id)
    seller_ratings.answer(db.session, rating, caller.seller_id, body.answer)
    return jsonify(seller_ratings.rating_data(rating))
