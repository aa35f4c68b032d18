"""The category tree as the operator edits it: create, rename, move, delete, and the attributes
each category asks for with their requirement level. Every write is audited.

A category's ``path`` (``/1/4/17/``) and ``level`` are derived from its parents: a move rewrites
them for the whole subtree in the same transaction. A move under itself or a descendant would
make a cycle and is refused, as is one that would make the tree deeper than
``reference.MAX_DEPTH``. Only an empty category (no subcategory, no product) can be deleted: a
product always needs its category, and silently moving products is not a delete.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import operator_audit, reference
from .errors import DomainError, InvalidValue, NotFound
from .models import (
    Attribute,
    Category,
    CategoryAttribute,
    CategoryKind,
    CommissionRate,
    Product,
    RequirementLevel,
    User,
)
from .refusals import Refusal
from .text import slugify
from .unit_of_work import atomic

MAX_ID = 2**31 - 1
MAX_LABEL = 120


@dataclass(frozen=True)
class TreeRow:
    category: Category
    depth: int  # 0 for a root
    products: int  # directly in this category
    children: int


def rows(session: Session) -> list[TreeRow]:
    """Every category in tree order (parents before their children), with its counts, in
    three queries."""
    categories = list(session.scalars(select(Category).order_by(Category.position, Category.label)))
    products = dict(session.execute(select(Product.category_id, func.count()).group_by(Product.category_id)).all())
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[TreeRow] = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            ordered.append(TreeRow(category, depth, products.get(category.id, 0),
                                   len(children.get(category.id, []))))
            walk(category.id, depth + 1)

    walk(None, 0)
    return ordered


def get(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id) if 0 < category_id <= MAX_ID else None
    if category is None:
        raise NotFound(f"no category {category_id}", reason=Refusal.UNKNOWN_CATEGORY)
    return category


@atomic
def create(session: Session, actor: User, *, code: str, label: str, label_en: str = "",
           parent_id: int | None = None, kind: CategoryKind = CategoryKind.STANDARD) -> Category:
    label, label_en = _label(label), _label(label_en, required=False)
    parent = get(session, parent_id) if parent_id else None
    try:
        category = reference.create_category(session, code, label, label_en=label_en,
                                             parent_code=parent.code if parent else None, kind=kind)
    except DomainError as error:
        if "levels deep" in error.message:
            raise InvalidValue(error.message, reason=Refusal.CATEGORY_DEPTH) from None
        raise InvalidValue(error.message, reason=Refusal.CATEGORY_CODE, field="code") from None
    operator_audit.record(session, actor, "category.created", category,
                          after={"code": category.code, "label": label, "label_en": label_en,
                                 "parent": parent.code if parent else None}, summary=label)
    return category


@atomic
def rename(session: Session, actor: User, category: Category, *, label: str, label_en: str = "") -> Category:
    before = operator_audit.snapshot(category, ["label", "label_en"])
    category.label, category.label_en = _label(label), _label(label_en, required=False)
    category.slug = slugify(category.label)
    session.flush()
    old, new = operator_audit.changes(before, {"label": category.label, "label_en": category.label_en})
    if new:
        operator_audit.record(session, actor, "category.renamed", category, before=old, after=new,
                              summary=category.label)
    return category


@atomic
def move(session: Session, actor: User, category: Category, parent_id: int | None) -> Category:
    """Put ``category`` (and its subtree) under ``parent_id`` (None: a root)."""
    parent = get(session, parent_id) if parent_id else None
    if parent is not None and parent.path.startswith(category.path):
        raise InvalidValue("a category cannot move under itself or its subcategories",
                           reason=Refusal.CATEGORY_CYCLE, field="parent")
    if parent is not None and parent.id == category.parent_id or parent is None and category.parent_id is None:
        return category
    old_path, old_level = category.path, category.level
    new_path = f"{parent.path if parent else '/'}{category.id}/"
    shift = (parent.level + 1 if parent else 1) - old_level
    deepest = session.scalar(select(func.max(Category.level)).where(Category.path.startswith(old_path)))
    if (deepest or old_level) + shift > reference.MAX_DEPTH:
        raise InvalidValue(f"the tree is at most {reference.MAX_DEPTH} levels deep", reason=Refusal.CATEGORY_DEPTH,
                           field="parent")
    before = {"parent": category.parent.code if category.parent else None}
    category.parent = parent
    session.flush()
    # The subtree keeps its shape: every path starting with the old one gets the new prefix.
    session.execute(
        update(Category).where(Category.path.startswith(old_path))
        .values(path=func.replace(Category.path, old_path, new_path), level=Category.level + shift)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    operator_audit.record(session, actor, "category.moved", category, before=before,
                          after={"parent": parent.code if parent else None}, summary=category.label)
    return category


@atomic
def remove(session: Session, actor: User, category: Category) -> None:
    """Delete an empty category (no subcategory, no product), with its attribute links and
    commission rates."""
    children = session.scalar(select(func.count()).where(Category.parent_id == category.id)) or 0
    products = session.scalar(select(func.count()).where(Product.category_id == category.id)) or 0
    if children or products:
        raise InvalidValue(f"category {category.code} has {children} subcategories and {products} products",
                           reason=Refusal.CATEGORY_NOT_EMPTY, children=children, products=products)
    before = {"code": category.code, "label": category.label, "parent": category.parent.code if category.parent else None}
    session.execute(delete(CategoryAttribute).where(CategoryAttribute.category_id == category.id))
    session.execute(delete(CommissionRate).where(CommissionRate.category_id == category.id))
    operator_audit.record(session, actor, "category.deleted", category, before=before, summary=category.label)
    session.delete(category)
    session.flush()


def attributes(session: Session) -> list[Attribute]:
    return list(session.scalars(select(Attribute).order_by(Attribute.label)))


@atomic
def attach(session: Session, actor: User, category: Category, attribute_id: int,
           requirement: RequirementLevel | str) -> CategoryAttribute:
    """Ask for an attribute in ``category`` (and its subcategories) at a requirement level; an
    attribute already attached gets the new level."""
    attribute = session.get(Attribute, attribute_id) if 0 < attribute_id <= MAX_ID else None
    if attribute is None:
        raise NotFound(f"no attribute {attribute_id}", reason=Refusal.ATTRIBUTE_UNKNOWN, field="attribute")
    try:
        requirement = RequirementLevel(requirement)
    except ValueError:
        raise InvalidValue(f"unknown requirement level {requirement!r}", field="requirement") from None
    link = session.scalar(select(CategoryAttribute).where(
        CategoryAttribute.category_id == category.id, CategoryAttribute.attribute_id == attribute.id))
    before = {"requirement": link.requirement} if link else None
    if link is None:
        position = session.scalar(select(func.count()).where(CategoryAttribute.category_id == category.id)) or 0
        link = CategoryAttribute(category=category, attribute=attribute, position=position)
        session.add(link)
    link.requirement = requirement
    session.flush()
    operator_audit.record(session, actor, "category.attribute_set", category, before=before,
                          after={"attribute": attribute.code, "requirement": requirement}, summary=category.label)
    return link


@atomic
def detach(session: Session, actor: User, category: Category, attribute_id: int) -> None:
    """Stop asking for an attribute here. Values already given stay on the products (a later
    re-attachment finds them)."""
    link = session.scalar(select(CategoryAttribute).where(
        CategoryAttribute.category_id == category.id, CategoryAttribute.attribute_id == attribute_id))
    if link is None:
        raise NotFound(f"attribute {attribute_id} is not attached to {category.code}", reason=Refusal.ATTRIBUTE_UNKNOWN)
    operator_audit.record(session, actor, "category.attribute_removed", category,
                          before={"attribute": link.attribute.code, "requirement": link.requirement},
                          summary=category.label)
    session.delete(link)
    session.flush()


def _label(value: str, *, required: bool = True) -> str:
    value = " ".join((value or "").replace("\x00", "").split())
    if (required and not value) or len(value) > MAX_LABEL:
        raise InvalidValue("a category label is 1 to 120 characters", reason=Refusal.CATEGORY_LABEL, field="label")
    return value
