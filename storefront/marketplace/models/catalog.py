"""Catalog domain: products (what is sold) and offers (who sells it, at what price, from where)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow
from .reference import Attribute, Brand, Category, ValueListItem
from .sellers import Seller


class Product(Timestamped, Base):
    __tablename__ = "product"
    __table_args__ = (CheckConstraint("weight_grams >= 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gtin: Mapped[str] = mapped_column(String(14), unique=True)
    title: Mapped[str] = mapped_column(String(250))
    slug: Mapped[str] = mapped_column(String(260))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    weight_grams: Mapped[int] = mapped_column(default=500)
    # Featured on the home page ("coups de coeur").
    highlighted: Mapped[bool] = mapped_column(default=False, index=True)
    # False: withdrawn by the operator (back office): off listings, search, its page and carts,
    # but kept with its offers and order history (product_editing.set_active).
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true(), index=True)
    # Title, brand, description and GTIN, lower-cased and without accents: what full-text search
    # indexes (FTS5 on SQLite, a GIN tsvector index on PostgreSQL; see marketplace/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    brand: Mapped[Brand | None] = relationship()
    category: Mapped[Category] = relationship()
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    attribute_values: Mapped[list[ProductAttributeValue]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    offers: Mapped[list[Offer]] = relationship(back_populates="product")

    def __repr__(self) -> str:
        return f"<Product {self.gtin}>"


class ProductImage(Base):
    __tablename__ = "product_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    url: Mapped[str] = mapped_column(String(400))
    # A small copy for lists (uploaded images: product_images.store); "" = use ``url``.
    thumbnail_url: Mapped[str] = mapped_column(String(400), default="", server_default="")
    alt: Mapped[str] = mapped_column(String(250), default="")
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductAttributeValue(Base):
    """One attribute value of a product, typed by its attribute: a list item, a number or text.

    Facets read this table by (attribute, item) and (attribute, number), hence the indexes.
    """

    __tablename__ = "product_attribute_value"
    __table_args__ = (
        UniqueConstraint("product_id", "attribute_id"),
        Index("ix_pav_attribute_item", "attribute_id", "item_id", "product_id"),
        Index("ix_pav_attribute_number", "attribute_id", "number_value", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("value_list_item.id"))
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(String(250))

    product: Mapped[Product] = relationship(back_populates="attribute_values")
    attribute: Mapped[Attribute] = relationship()
    item: Mapped[ValueListItem | None] = relationship()


class Condition(enum.StrEnum):
    NEW = "NEW"
    LIKE_NEW = "LIKE_NEW"
    VERY_GOOD = "VERY_GOOD"
    GOOD = "GOOD"
    REFURBISHED = "REFURBISHED"
    USED = "USED"


class Fulfillment(enum.StrEnum):
    SELLER = "SELLER"  # the seller ships it
    OPERATOR = "OPERATOR"  # stored and shipped from the retailer's warehouse


class OfferState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class Offer(Base):
    """A seller's offer for a product. Prices are integer minor units (cents) of ``currency``."""

    __tablename__ = "offer"
    __table_args__ = (
        UniqueConstraint("seller_id", "sku"),
        UniqueConstraint("seller_id", "product_id", "condition"),
        CheckConstraint("price >= 0", name="price_positive"),
        CheckConstraint("origin_price IS NULL OR origin_price >= price", name="origin_above_price"),
        CheckConstraint("stock >= 0", name="stock_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_positive"),
        CheckConstraint("max_per_order >= 1", name="max_per_order_positive"),
        # The product page and the category grid look up active offers of many products at once.
        Index("ix_offer_product_state_price", "product_id", "state", "price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(60))
    condition: Mapped[Condition] = mapped_column(
        Enum(Condition, native_enum=False, length=12), default=Condition.NEW
    )
    price: Mapped[int]
    origin_price: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    stock: Mapped[int] = mapped_column(default=0)
    max_per_order: Mapped[int] = mapped_column(default=10)
    lead_time_days: Mapped[int] = mapped_column(default=1)
    fulfillment: Mapped[Fulfillment] = mapped_column(
        Enum(Fulfillment, native_enum=False, length=10), default=Fulfillment.SELLER
    )
    state: Mapped[OfferState] = mapped_column(
        Enum(OfferState, native_enum=False, length=10), default=OfferState.ACTIVE
    )
    comment: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    seller: Mapped[Seller] = relationship()
    product: Mapped[Product] = relationship(back_populates="offers")

    @property
    def is_first_party(self) -> bool:
        return self.seller.is_operator

    @property
    def discount_percent(self) -> int | None:
        if not self.origin_price or self.origin_price <= self.price:
            return None
        return round(100 * (self.origin_price - self.price) / self.origin_price)

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.sku}>"
