"""The seller's ratings in the shop: the latest visible ones on the seller page
(``shop/partials/seller_ratings.html``) and all of them, paginated, at ``/vendeur/<slug>/avis``.
Hidden ratings never show; comments and answers are plain text, escaped."""

from __future__ import annotations

from flask import abort, render_template, request

from storefront.extensions import db
from storefront.marketplace import seller_ratings, sellers
from storefront.marketplace.errors import NotFound
from storefront.page_cache import cached_page
from storefront.shop import bp
from storefront.shop.views import shop_preferences
from storefront.web import query_params

PER_PAGE = 10
LATEST = 5  # on the seller page


def latest_ratings(shop):
    """The seller page's few latest visible ratings (None when the shop shows no ratings)."""
    if not shop_preferences()["show_seller_rating"]:
        return None
    return seller_ratings.visible_page(db.session, shop, per_page=LATEST)


@bp.app_context_processor
def inject_rating_helpers():
    return {"latest_ratings": latest_ratings, "rating_author": seller_ratings.author_name}


@bp.get("/vendeur/<slug>/avis")
@cached_page
def seller_ratings_page(slug: str):
    try:
        shop = sellers.get_seller(db.session, slug=slug)
    except NotFound:
        abort(404)
    if not shop.is_open or shop.is_operator or not shop_preferences()["show_seller_rating"]:
        abort(404)
    found = seller_ratings.visible_page(db.session, shop, page=query_params.page(request.args), per_page=PER_PAGE)
    return render_template("shop/seller_ratings.html", shop=shop, found=found)
