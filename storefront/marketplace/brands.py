"""Brands as the operator edits them: create, rename, and merge a duplicate into the brand it
repeats ("Bosh" into "Bosch"). The model has no inactive state, so merging is how a brand goes
away: its products move to the other brand (their search text and listing rows follow in the
same transaction), then it is deleted. Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import listing, operator_audit, search
from .errors import InvalidValue, NotFound
from .models import Brand, Product, User
from .refusals import Refusal
from .text import slugify
from .unit_of_work import atomic

MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    products: int


def rows(session: Session, q: str = "") -> list[BrandRow]:
    """Every brand (matching ``q``) with its number of products, in one query."""
    counts = select(Product.brand_id, func.count().label("n")).group_by(Product.brand_id).subquery()
    query = select(Brand, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.brand_id == Brand.id)
    q = " ".join(q.split())[:120]
    if q:
        query = query.where(Brand.name.icontains(q, autoescape=True))
    return [BrandRow(brand, n) for brand, n in session.execute(query.order_by(Brand.name))]


def get(session: Session, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id) if 0 < brand_id <= MAX_ID else None
    if brand is None:
        raise NotFound(f"no brand {brand_id}")
    return brand


@atomic
def create(session: Session, actor: User, name: str) -> Brand:
    name = _name(session, name)
    brand = Brand(name=name, slug=_slug(session, name))
    session.add(brand)
    session.flush()
    operator_audit.record(session, actor, "brand.created", brand, after={"name": name}, summary=name)
    return brand


@atomic
def rename(session: Session, actor: User, brand: Brand, name: str) -> Brand:
    before = brand.name
    name = _name(session, name, other_than=brand)
    if name == before:
        return brand
    brand.name, brand.slug = name, _slug(session, name, other_than=brand)
    products = list(session.scalars(select(Product).where(Product.brand_id == brand.id)))
    for product in products:  # the search text holds the brand's name
        product.search_text = search.document(product.title, name, product.description, product.gtin)
    session.flush()
    operator_audit.record(session, actor, "brand.renamed", brand, before={"name": before}, after={"name": name},
                          summary=name)
    return brand


@atomic
def merge(session: Session, actor: User, brand: Brand, into: Brand) -> Brand:
    """Move every product of ``brand`` to ``into`` and delete ``brand``."""
    if brand.id == into.id:
        raise InvalidValue("a brand cannot merge into itself", reason=Refusal.BRAND_SAME, field="into")
    products = list(session.scalars(select(Product).where(Product.brand_id == brand.id)))
    for product in products:
        product.brand = into
        product.search_text = search.document(product.title, into.name, product.description, product.gtin)
    session.flush()
    listing.refresh(session, [p.id for p in products])  # listing rows carry the brand
    operator_audit.record(session, actor, "brand.merged", brand, before={"name": brand.name},
                          after={"into": into.name, "products": len(products)}, summary=brand.name)
    session.delete(brand)
    session.flush()
    return into


def _name(session: Session, name: str, *, other_than: Brand | None = None) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if not name or len(name) > 120:
        raise InvalidValue("a brand name is 1 to 120 characters", reason=Refusal.BRAND_NAME, field="name")
    clash = session.scalar(select(Brand.id).where(func.lower(Brand.name) == name.lower()))
    if clash is not None and (other_than is None or clash != other_than.id):
        raise InvalidValue(f"brand {name} already exists", reason=Refusal.BRAND_TAKEN, field="name")
    return name


def _slug(session: Session, name: str, *, other_than: Brand | None = None) -> str:
    base = slugify(name) or "marque"
    slug, n = base, 1
    while (found := session.scalar(select(Brand.id).where(Brand.slug == slug))) is not None and \
            (other_than is None or found != other_than.id):
        n += 1
        slug = f"{base}-{n}"
    return slug
