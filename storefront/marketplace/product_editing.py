"""The operator's products in the back office: find them, create and edit them, withdraw them
from sale and put them back.

Attribute values go through ``product_attributes.check`` (the rule ``catalog.create_product``
uses too). Every write is audited (``operator_audit``) in its own transaction, and refreshes the
product's listing rows in that same transaction, so category pages and search follow at once.
A withdrawn product (``active`` False) keeps its offers and its order history; it disappears
from listings, search, its page and carts until it is reactivated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import catalog, listing, operator_audit, product_attributes, reference, search
from .errors import InvalidValue, NotFound
from .models import (
    Brand,
    Category,
    Offer,
    OfferState,
    Product,
    ProductAttributeValue,
    User,
)
from .refusals import Refusal
from .text import slugify
from .unit_of_work import atomic

MAX_ID = 2**31 - 1
MAX_TITLE = 250
MAX_DESCRIPTION = 10_000
SORTS = {
    "title": (Product.title, Product.id),
    "-title": (Product.title.desc(), Product.id.desc()),
    "gtin": (Product.gtin,),
    "-gtin": (Product.gtin.desc(),),
    "created": (Product.created_at, Product.id),
    "-created": (Product.created_at.desc(), Product.id.desc()),
}
AUDITED = ("title", "brand", "description", "category", "attributes")


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""  # part of the title, of the brand's name, or the GTIN
    category_id: int | None = None  # with its subcategories
    brand_id: int | None = None
    active: bool | None = None
    has_offers: bool | None = None  # any ACTIVE offer


@dataclass(frozen=True)
class ProductRow:
    product: Product
    active_offers: int


@dataclass(frozen=True)
class ProductPage:
    rows: list[ProductRow]
    total: int
    page: int
    pages: int


def find(session: Session, filters: ProductFilters, *, sort: str = "title", page: int = 1,
         per_page: int = 50) -> ProductPage:
    """One page of products with their brand, category and count of active offers, in three
    queries whatever the page's length."""
    offers = (select(Offer.product_id, func.count(Offer.id).label("n"))
              .where(Offer.state == OfferState.ACTIVE).group_by(Offer.product_id).subquery())
    query = select(Product, func.coalesce(offers.c.n, 0)).outerjoin(offers, offers.c.product_id == Product.id)
    q = " ".join(filters.q.split())[:100]
    if q:
        query = query.outerjoin(Brand, Brand.id == Product.brand_id).where(or_(
            Product.title.icontains(q, autoescape=True),
            Brand.name.icontains(q, autoescape=True),
            Product.gtin == q,
        ))
    if filters.category_id is not None:
        category = session.get(Category, filters.category_id)
        ids = reference.subtree_ids(session, category) if category else []
        query = query.where(Product.category_id.in_(ids))
    if filters.brand_id is not None:
        query = query.where(Product.brand_id == filters.brand_id)
    if filters.active is not None:
        query = query.where(Product.active.is_(filters.active))
    if filters.has_offers is not None:
        query = query.where(offers.c.n.is_not(None) if filters.has_offers else offers.c.n.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = session.execute(
        query.options(joinedload(Product.brand), joinedload(Product.category), selectinload(Product.images))
        .order_by(*SORTS.get(sort, SORTS["title"])).limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    return ProductPage([ProductRow(product, count) for product, count in found], total, page, pages)


def get(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id) if 0 < product_id <= MAX_ID else None
    if product is None:
        raise NotFound(f"no product {product_id}", reason=Refusal.UNKNOWN_PRODUCT)
    return product


def category_of(session: Session, category_id: int | None) -> Category:
    category = session.get(Category, category_id) if category_id and 0 < category_id <= MAX_ID else None
    if category is None:
        raise InvalidValue(f"no category {category_id}", reason=Refusal.UNKNOWN_CATEGORY, field="category")
    return category


@atomic
def create(session: Session, actor: User, *, gtin: str, title: str, category_id: int | None,
           brand_name: str = "", description: str = "", attributes: Mapping[str, object] | None = None) -> Product:
    """A new product (through ``catalog.create_product``), audited as ``product.created``."""
    category = category_of(session, category_id)
    title = _title(title)
    product = catalog.create_product(
        session, gtin, title, category.code, brand_name=_brand_name(brand_name) or None,
        description=_description(description), attributes=dict(attributes or {}),
    )
    operator_audit.record(session, actor, "product.created", product, after=_state(product),
                          summary=product.title)
    return product


@atomic
def update(session: Session, actor: User, product: Product, *, title: str, category_id: int | None,
           brand_name: str = "", description: str = "", attributes: Mapping[str, object] | None = None) -> Product:
    """Change what a product says about itself; the attributes are checked against the (new)
    category, values not given are removed. Audited with the fields that changed."""
    before = _state(product)
    category = category_of(session, category_id)
    title = _title(title)
    checked = product_attributes.check(session, category, dict(attributes or {}))
    brand_name = _brand_name(brand_name)
    product.title = title
    product.slug = slugify(title, 200)
    product.category = category
    product.brand = reference.get_or_create_brand(session, brand_name) if brand_name else None
    product.description = _description(description)
    product.search_text = search.document(title, brand_name, product.description, product.gtin)
    _replace_values(product, checked)
    session.flush()
    _refresh_listing(session, product)
    old, new = operator_audit.changes(before, _state(product))
    if new:
        operator_audit.record(session, actor, "product.updated", product, before=old, after=new,
                              summary=product.title)
    return product


@atomic
def set_active(session: Session, actor: User, product: Product, active: bool) -> Product:
    """Withdraw a product from sale (False) or put it back (True); its listing rows follow in
    the same transaction (a withdrawn product has none with offers)."""
    if product.active == active:
        return product
    product.active = active
    session.flush()
    _refresh_listing(session, product)
    operator_audit.record(session, actor, "product.reactivated" if active else "product.deactivated",
                          product, before={"active": not active}, after={"active": active},
                          summary=product.title)
    return product


def form_values(product: Product) -> dict[str, str]:
    """{attribute code: value as text} of the stored values, for an edit form."""
    return {row.attribute.code: product_attributes.as_text(row) for row in product.attribute_values}


def _refresh_listing(session: Session, product: Product) -> None:
    """Rebuild the product's listing rows when it has offers (without any, it lists nowhere
    whatever its fields; a new product has none)."""
    if session.scalar(select(Offer.id).where(Offer.product_id == product.id).limit(1)) is not None:
        listing.refresh(session, [product.id])


def _replace_values(product: Product, checked: product_attributes.CheckedValues) -> None:
    # Rows are updated in place: a delete and an insert of the same (product, attribute) in one
    # flush would meet the unique constraint (inserts are flushed before deletes).
    existing = {row.attribute_id: row for row in product.attribute_values}
    keep = set()
    for value in checked.values:
        row = existing.get(value.attribute.id)
        if row is None:
            row = ProductAttributeValue(attribute=value.attribute)
            product.attribute_values.append(row)
        product_attributes.apply(row, value)
        keep.add(value.attribute.id)
    for attribute_id, row in existing.items():
        if attribute_id not in keep:
            product.attribute_values.remove(row)


def _state(product: Product) -> dict:
    return {
        "title": product.title,
        "brand": product.brand.name if product.brand else None,
        "description": product.description,
        "category": product.category.code if product.category else None,
        "attributes": {row.attribute.code: product_attributes.as_text(row)
                       for row in sorted(product.attribute_values, key=lambda r: r.attribute.code)},
    }


def _title(title: str) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidValue("a product title is 1 to 250 characters", reason=Refusal.TITLE, field="title")
    return title


def _brand_name(name: str) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if len(name) > 120:
        raise InvalidValue("a brand name is at most 120 characters", reason=Refusal.BRAND_NAME, field="brand")
    return name


def _description(text: str) -> str:
    return (text or "").replace("\x00", "").strip()[:MAX_DESCRIPTION]
