"""Shop views: thin adapters over the marketplace services.

Each view parses the request, calls services, maps domain errors to the shop's pages, and
renders; category and search pages answer htmx with their results partial alone.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import (
    delivery,
    listing,
    preferences,
    product_detail,
    reference,
    search,
    sellers,
)
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import Category, Product
from storefront.marketplace.tiles import product_tiles
from storefront.page_cache import cached_page
from storefront.settings import LOCALES
from storefront.shop import bp, events, facets, shopper
from storefront.web import query_params
from storefront.web.fragments import page_or_fragment


def shop_preferences() -> dict:
    """The operator's display toggles (sold by, shipped by, promises, ratings), once a request."""
    if "shop_preferences" not in g:
        g.shop_preferences = preferences.get_all(db.session)
    return g.shop_preferences


@bp.app_template_global()
def seller_rating(seller) -> sellers.PublicRating:
    """The grade shoppers read of ``seller`` (the one rule: ``sellers.public_rating``); a
    global, so that macros imported without the context (macros/labels.html) reach it."""
    return sellers.public_rating(seller, shop_preferences()["seller_rating_min_count"])


@bp.app_context_processor
def inject_shop_context():
    return {"shop_preferences": shop_preferences, "destination": shopper.destination}


@bp.get("/")
@cached_page
def home():
    tree = reference.category_tree(db.session)
    zone = shopper.destination().zone
    highlighted = db.session.scalars(
        db.select(Product.id).where(Product.highlighted.is_(True)).order_by(Product.id).limit(8)
    ).all()
    return render_template(
        "shop/home.html",
        tree=tree,
        tiles=product_tiles(db.session, highlighted, zone, now=clock.now()),
        event_shelves=events.home_shelves(zone),
    )


@bp.get("/c/<int(max=2147483647):category_id>/<slug>")
@bp.get("/c/<int(max=2147483647):category_id>")
@cached_page
def category(category_id: int, slug: str | None = None):
    category = db.session.get(Category, category_id) or abort(404)
    if slug != category.slug and request.method == "GET" and not request.headers.get("HX-Request"):
        return redirect(url_for("shop.category", category_id=category.id, slug=category.slug, **request.args.to_dict(flat=False)), 301)
    zone = shopper.destination().zone
    attributes = [link.attribute for link in reference.attributes_for(db.session, category)]
    selection = facets.selection_from(
        request.args,
        list_codes={a.code for a in attributes if a.value_list_id},
        range_codes={a.code for a in attributes if a.type.value in ("INTEGER", "DECIMAL")},
    )
    result = listing.browse(
        db.session, category, zone, selection,
        sort=facets.sort_from(request.args), page=facets.page_from(request.args), locale=_locale(),
    )
    return page_or_fragment(
        "shop/category.html",
        "shop/partials/catalog_results.html",
        category=category,
        breadcrumb=reference.ancestors(db.session, category),
        children=reference.children(db.session, category),
        result=result,
        tiles=product_tiles(db.session, result.product_ids, zone, now=clock.now()),
        sort=facets.sort_from(request.args),
        args=request.args,
        facets=facets,
        results_url=url_for("shop.category", category_id=category.id, slug=category.slug),
    )


@bp.get("/recherche")
@cached_page
def search_page():
    query = request.args.get("q", "")[: search.MAX_QUERY_LENGTH]
    zone = shopper.destination().zone
    result = search.search(
        db.session, query, zone, sort=facets.sort_from(request.args), page=facets.page_from(request.args)
    )
    return page_or_fragment(
        "shop/search.html",
        "shop/partials/search_results.html",
        query=query,
        result=result,
        tiles=product_tiles(db.session, result.product_ids, zone, now=clock.now()),
        sort=facets.sort_from(request.args),
        args=request.args,
        facets=facets,
        results_url=url_for("shop.search_page"),
    )


@bp.get("/recherche/suggestions")
@cached_page
def suggestions():
    query = request.args.get("q", "")[: search.MAX_QUERY_LENGTH]
    response = page_or_fragment(
        "shop/partials/suggestions.html",
        "shop/partials/suggestions.html",
        query=query,
        suggestions=search.suggest(db.session, query),
    )
    return response


@bp.get("/p/<int(max=2147483647):product_id>/<slug>")
@bp.get("/p/<int(max=2147483647):product_id>")
@cached_page
def product(product_id: int, slug: str | None = None):
    destination = shopper.destination()
    try:
        detail = product_detail.product_detail(db.session, product_id, destination.zone, now=clock.now(), locale=_locale())
    except NotFound:
        abort(404)
    if slug != detail.product.slug:
        return redirect(url_for("shop.product", product_id=product_id, slug=detail.product.slug), 301)
    offer_id = query_params.identifier(request.args.get("offre"))
    chosen = detail.offer(offer_id) if offer_id is not None else None
    if chosen is None:
        chosen = detail.buy_box
    return page_or_fragment(
        "shop/product.html",
        "shop/partials/buy_box.html",
        detail=detail,
        product=detail.product,
        chosen=chosen,
    )


@bp.get("/vendeur/<slug>")
@cached_page
def seller(slug: str):
    try:
        shop = sellers.get_seller(db.session, slug=slug)
    except NotFound:
        abort(404)
    if not shop.is_open:
        abort(404)
    zone = shopper.destination().zone
    selection = facets.selection_from(request.args, set(), set())
    selection = replace(selection, sellers=frozenset({shop.slug}))
    result = listing.browse(
        db.session, None, zone, selection,
        sort=facets.sort_from(request.args), page=facets.page_from(request.args), locale=_locale(),
    )
    return page_or_fragment(
        "shop/seller.html",
        "shop/partials/catalog_results.html",
        shop=shop,
        rates=delivery.rates_of(db.session, shop),
        result=result,
        tiles=product_tiles(db.session, result.product_ids, zone, now=clock.now()),
        sort=facets.sort_from(request.args),
        args=request.args,
        facets=facets,
        hidden_facets={"seller"},
        results_url=url_for("shop.seller", slug=shop.slug),
    )


@bp.post("/livraison/code-postal")
def set_postal_code():
    postal_code = request.form.get("postal_code", "")[:20]
    country = request.form.get("country", "FR")[:2].upper()
    try:
        shopper.choose(country, postal_code)
    except DomainError as error:
        flash(_("This postal code cannot be used: %(reason)s", reason=error.message), "error")
        session["postal_code_attempt"] = postal_code
    else:
        session.pop("postal_code_attempt", None)
        flash(_("Prices and delivery dates now apply to %(code)s.", code=session["postal_code"]), "success")
    return redirect(_local_referrer())


@bp.post("/locale/<string:code>")
def set_locale(code: str):
    if code not in LOCALES:
        abort(404)
    session["locale"] = code
    return redirect(_local_referrer())


def _local_referrer() -> str:
    target = request.referrer or ""
    return target if target.startswith(request.host_url) else url_for("shop.home")


def _locale() -> str:
    return str(get_locale())

