"""Product tiles for grids (category, search, seller and home pages).

The offer on a tile is ranked live with the product page's rule (``buybox``), so a tile and the
product page always agree on price, seller and promised dates. Loading is batched: the number of
queries does not depend on how many products or offers are on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import sellers
from .buybox import RankedOffer, Ranker
from .models import Offer, OfferState, Product, Seller, SellerState, Zone


@dataclass
class ProductTile:
    product: Product
    best: RankedOffer | None  # None: nothing can be bought and delivered in this zone
    offer_count: int


def product_tiles(
    session: Session, product_ids: Sequence[int], zone: Zone, *, now: datetime
) -> list[ProductTile]:
    if not product_ids:
        return []
    products = {
        p.id: p
        for p in session.scalars(
            select(Product)
            .where(Product.id.in_(product_ids), Product.active.is_(True))
            .options(joinedload(Product.brand), selectinload(Product.images))
        )
    }
    offers = session.scalars(
        select(Offer)
        .join(Offer.seller)
        .where(
            Offer.product_id.in_(product_ids),
            Offer.state == OfferState.ACTIVE,
            Seller.state == SellerState.OPEN,
        )
        .options(selectinload(Offer.seller))
    ).all()
    by_product: dict[int, list[Offer]] = {}
    for offer in offers:
        by_product.setdefault(offer.product_id, []).append(offer)
    retailer = sellers.operator_seller(session)
    ranker = Ranker.for_offers(session, offers, zone, retailer=retailer, now=now)
    tiles = []
    for product_id in product_ids:
        product = products.get(product_id)
        if product is None:
            continue
        candidates = by_product.get(product_id, [])
        ranked = ranker.rank(candidates, weight_grams=product.weight_grams)
        best = next((r for r in ranked if r.available), None)
        tiles.append(ProductTile(product, best, len(candidates)))
    return tiles
