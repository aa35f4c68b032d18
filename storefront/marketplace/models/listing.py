"""Product listing: what category pages, facets and sorting read, one row per product and zone.

Derived data, rebuilt by ``listing.refresh`` whenever offers change: the buy-box winner for the
zone (same rule as the product page, see ``buybox``), its price delivered, and the flags that
facets filter on. Keeping it in one narrow, indexed table makes a category page a few indexed
queries instead of a join over every offer.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ProductListing(Base):
    __tablename__ = "product_listing"
    __table_args__ = (
        Index("ix_product_listing_zone_category", "zone_id", "category_id", "best_total"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id"))
    highlighted: Mapped[bool] = mapped_column(default=False)
    # The buy-box winner in this zone (None when no offer can be bought here).
    best_offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    best_seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    best_price: Mapped[int | None]  # item price, cents
    best_total: Mapped[int | None]  # price delivered by the cheapest mode, cents
    best_rating: Mapped[float] = mapped_column(Float, default=0.0)
    # Business days from order to latest delivery of the winner: sorts by delivery date.
    best_days: Mapped[int | None]
    available: Mapped[bool] = mapped_column(default=False)
    offer_count: Mapped[int] = mapped_column(default=0)
    # Facet flags: any buyable offer shipped by the retailer; bit masks of the conditions and of
    # the delivery modes (bit = mode id) available among buyable offers.
    operator_shipped: Mapped[bool] = mapped_column(default=False)
    condition_mask: Mapped[int] = mapped_column(default=0)
    mode_mask: Mapped[int] = mapped_column(default=0)
