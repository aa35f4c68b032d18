"""Everything a product page shows, gathered with a fixed number of queries.

The number of queries does not grow with the number of offers, images or attributes (tests count
them): offers, their sellers, their shippers' rates and the attribute values are each loaded in
one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import catalog, reference, sellers
from .buybox import RankedOffer, alternatives, rank_offers
from .errors import NotFound
from .models import (
    AttributeType,
    Category,
    Product,
    ProductAttributeValue,
    Seller,
    Zone,
)


@dataclass(frozen=True)
class AttributeRow:
    label: str
    value: object  # str for lists and text, float for numbers, bool for yes/no
    kind: str  # "text", "number" or "boolean"
    unit: str


@dataclass
class ProductDetail:
    product: Product
    breadcrumb: list[Category]
    attributes: list[AttributeRow]
    offers: list[RankedOffer]  # best first; the first buyable one is the buy box
    retailer: Seller

    @property
    def buy_box(self) -> RankedOffer | None:
        return next((o for o in self.offers if o.available), None)

    def alternatives(self, chosen: RankedOffer | None) -> list[RankedOffer]:
        """The cheapest offer of each other condition than ``chosen``'s ("Used from …")."""
        return alternatives(self.offers, chosen)

    def offer(self, offer_id: int) -> RankedOffer | None:
        return next((o for o in self.offers if o.offer.id == offer_id), None)

    @property
    def other_offers(self) -> list[RankedOffer]:
        best = self.buy_box
        return [o for o in self.offers if o is not best]


def product_detail(
    session: Session, product_id: int, zone: Zone, *, now: datetime, locale: str = "fr"
) -> ProductDetail:
    product = session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(
            joinedload(Product.brand),
            joinedload(Product.category),
            selectinload(Product.images),
            selectinload(Product.attribute_values).options(
                joinedload(ProductAttributeValue.attribute), joinedload(ProductAttributeValue.item)
            ),
        )
    )
    if product is None or not product.active:  # withdrawn from sale in the back office
        raise NotFound(f"unknown product {product_id}")
    retailer = sellers.operator_seller(session)
    offers = catalog.offers_for(session, product)
    ranked = rank_offers(session, offers, zone, retailer=retailer, now=now, weight_grams=product.weight_grams)
    return ProductDetail(
        product=product,
        breadcrumb=reference.ancestors(session, product.category),
        attributes=_attribute_rows(session, product, locale),
        offers=ranked,
        retailer=retailer,
    )


def _attribute_rows(session: Session, product: Product, locale: str) -> list[AttributeRow]:
    """The product's values in the order the reference data gives its category's attributes."""
    values = {v.attribute_id: v for v in product.attribute_values}
    rows = []
    for link in reference.attributes_for(session, product.category):
        value = values.get(link.attribute_id)
        if value is None:
            continue
        attribute = link.attribute
        if attribute.type == AttributeType.LIST and value.item is not None:
            rows.append(AttributeRow(attribute.label_for(locale), value.item.label_for(locale), "text", ""))
        elif attribute.type == AttributeType.BOOLEAN:
            rows.append(AttributeRow(attribute.label_for(locale), bool(value.number_value), "boolean", ""))
        elif attribute.type in (AttributeType.INTEGER, AttributeType.DECIMAL):
            rows.append(AttributeRow(attribute.label_for(locale), value.number_value, "number", attribute.unit))
        elif value.text_value:
            rows.append(AttributeRow(attribute.label_for(locale), value.text_value, "text", ""))
    return rows
