"""Shop pages of event categories: the shelves on the home page and each event's own page
(``/evenements/<slug>``), shown only while the event is live (storefront/clock.py's now);
before and after, the page is a 404 like any address that does not exist."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import event_categories
from storefront.marketplace.errors import NotFound
from storefront.marketplace.tiles import product_tiles
from storefront.page_cache import cached_page
from storefront.shop import bp, shopper
from storefront.web import query_params

PER_PAGE = 24


def home_shelves(zone) -> list[tuple]:
    """(event, tiles) of every live event, for the home page: a fixed number of queries (the
    live events, their first products, and one batch of tiles) however many events run."""
    shelves = event_categories.shelves(db.session, clock.now())
    if not shelves:
        return []
    ids = [pid for shelf in shelves for pid in shelf.product_ids]
    tiles = {tile.product.id: tile for tile in product_tiles(db.session, ids, zone, now=clock.now())}
    return [(shelf.event, [tiles[pid] for pid in shelf.product_ids if pid in tiles]) for shelf in shelves]


@bp.get("/evenements/<string(maxlength=140):slug>")
@cached_page
def event_page(slug: str):
    try:
        event = event_categories.live_event(db.session, slug, clock.now())
    except NotFound:
        abort(404)
    page = query_params.page(request.args)
    ids, total = event_categories.member_ids(db.session, event, page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        abort(404)
    zone = shopper.destination().zone
    return render_template(
        "shop/event.html",
        event=event,
        tiles=product_tiles(db.session, ids, zone, now=clock.now()),
        total=total,
        page=page,
        pages=pages,
        page_url=lambda number: url_for("shop.event_page", slug=event.slug, page=number),
    )
