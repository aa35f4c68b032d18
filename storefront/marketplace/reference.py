"""Reference domain: the category tree, typed attributes and their value lists, brands."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from .errors import InvalidValue, NotFound
from .models import (
    Attribute,
    AttributeType,
    Brand,
    Category,
    CategoryAttribute,
    CategoryKind,
    RequirementLevel,
    ValueList,
    ValueListItem,
)
from .text import slugify
from .unit_of_work import atomic

MAX_DEPTH = 6


@atomic
def create_category(
    session: Session,
    code: str,
    label: str,
    *,
    parent_code: str | None = None,
    label_en: str = "",
    position: int = 0,
    kind: CategoryKind = CategoryKind.STANDARD,
) -> Category:
    code = _code(code, "category code")
    if not label.strip():
        raise InvalidValue("a category needs a label")
    if session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise InvalidValue(f"category {code} already exists")
    parent = get_category(session, parent_code) if parent_code else None
    level = parent.level + 1 if parent else 1
    if level > MAX_DEPTH:
        raise InvalidValue(f"the category tree is at most {MAX_DEPTH} levels deep")
    category = Category(
        code=code,
        label=label.strip(),
        label_en=label_en.strip(),
        slug=slugify(label),
        parent=parent,
        level=level,
        position=position,
        kind=CategoryKind(kind),
    )
    session.add(category)
    session.flush()  # the id is part of the path
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    session.flush()
    return category


def get_category(session: Session, code: str) -> Category:
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(f"unknown category {code!r}")
    return category


def ancestors(session: Session, category: Category) -> list[Category]:
    """The chain from the root down to ``category`` included (the breadcrumb), in one query."""
    ids = [int(part) for part in category.path.strip("/").split("/") if part]
    by_id = {c.id: c for c in session.scalars(select(Category).where(Category.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def subtree_ids(session: Session, category: Category) -> list[int]:
    return list(session.scalars(select(Category.id).where(Category.path.startswith(category.path))))


def children(session: Session, category: Category) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .where(Category.parent_id == category.id)
            .order_by(Category.position, Category.label)
        )
    )


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


def category_tree(session: Session, *, kind: CategoryKind | None = CategoryKind.STANDARD):
    """The whole tree as nested nodes, from one query."""
    query = select(Category).order_by(Category.level, Category.position, Category.label)
    if kind is not None:
        query = query.where(Category.kind == kind)
    nodes: dict[int, CategoryNode] = {}
    roots: list[CategoryNode] = []
    for category in session.scalars(query):
        node = nodes[category.id] = CategoryNode(category)
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@atomic
def create_value_list(
    session: Session, code: str, label: str, items: list[tuple[str, str] | tuple[str, str, str]]
) -> ValueList:
    """``items`` are (code, label) or (code, label, label_en)."""
    code = _code(code, "value list code")
    if session.scalar(select(ValueList.id).where(ValueList.code == code)) is not None:
        raise InvalidValue(f"value list {code} already exists")
    if not items:
        raise InvalidValue("a value list needs at least one value")
    value_list = ValueList(code=code, label=label)
    seen = set()
    for position, item in enumerate(items):
        item_code, item_label, *rest = item
        item_code = _code(item_code, "value code")
        if item_code in seen:
            raise InvalidValue(f"value {item_code} is listed twice in {code}")
        seen.add(item_code)
        value_list.items.append(
            ValueListItem(
                code=item_code, label=item_label, label_en=rest[0] if rest else "", position=position
            )
        )
    session.add(value_list)
    session.flush()
    return value_list


@atomic
def create_attribute(
    session: Session,
    code: str,
    label: str,
    type: AttributeType,
    *,
    label_en: str = "",
    unit: str = "",
    value_list_code: str | None = None,
    variant_axis: bool = False,
    facetable: bool = True,
) -> Attribute:
    code = _code(code, "attribute code")
    try:
        type = AttributeType(type)
    except ValueError:
        raise InvalidValue(f"unknown attribute type {type!r}") from None
    if session.scalar(select(Attribute.id).where(Attribute.code == code)) is not None:
        raise InvalidValue(f"attribute {code} already exists")
    value_list = None
    if type == AttributeType.LIST:
        if not value_list_code:
            raise InvalidValue(f"list attribute {code} needs a value list")
        value_list = session.scalar(select(ValueList).where(ValueList.code == value_list_code))
        if value_list is None:
            raise NotFound(f"unknown value list {value_list_code!r}")
    elif value_list_code:
        raise InvalidValue(f"only list attributes take a value list ({code} is {type})")
    attribute = Attribute(
        code=code,
        label=label,
        label_en=label_en,
        type=type,
        unit=unit,
        value_list=value_list,
        variant_axis=variant_axis,
        facetable=facetable,
    )
    session.add(attribute)
    session.flush()
    return attribute


def get_attribute(session: Session, code: str) -> Attribute:
    attribute = session.scalar(select(Attribute).where(Attribute.code == code))
    if attribute is None:
        raise NotFound(f"unknown attribute {code!r}")
    return attribute


@atomic
def link_attribute(
    session: Session,
    category_code: str,
    attribute_code: str,
    requirement: RequirementLevel = RequirementLevel.OPTIONAL,
    position: int = 0,
) -> CategoryAttribute:
    try:
        requirement = RequirementLevel(requirement)
    except ValueError:
        raise InvalidValue(f"unknown requirement level {requirement!r}") from None
    link = CategoryAttribute(
        category=get_category(session, category_code),
        attribute=get_attribute(session, attribute_code),
        requirement=requirement,
        position=position,
    )
    session.add(link)
    session.flush()
    return link


def attributes_for(session: Session, category: Category) -> list[CategoryAttribute]:
    """The attributes asked for products of ``category``: its own and those inherited from its
    ancestors. When both set the same attribute, the nearest category's requirement wins."""
    chain = ancestors(session, category)
    depth = {c.id: c.level for c in chain}
    links = session.scalars(
        select(CategoryAttribute)
        .where(CategoryAttribute.category_id.in_(depth))
        .join(CategoryAttribute.attribute)
        .options(contains_eager(CategoryAttribute.attribute))
    ).all()
    nearest: dict[int, CategoryAttribute] = {}
    for link in links:
        current = nearest.get(link.attribute_id)
        if current is None or depth[link.category_id] > depth[current.category_id]:
            nearest[link.attribute_id] = link
    return sorted(
        nearest.values(), key=lambda link: (depth[link.category_id], link.position, link.id)
    )


@atomic
def get_or_create_brand(session: Session, name: str) -> Brand:
    name = " ".join(name.split())
    if not name:
        raise InvalidValue("a brand needs a name")
    brand = session.scalar(select(Brand).where(Brand.name == name))
    if brand is None:
        brand = Brand(name=name, slug=slugify(name))
        session.add(brand)
        session.flush()
    return brand


def brands(session: Session) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.name)))


def value_lists(session: Session, ids: set[int]) -> dict[int, ValueList]:
    """The value lists ``ids`` with their items, in two queries (for a page of attributes)."""
    if not ids:
        return {}
    found = session.scalars(
        select(ValueList).where(ValueList.id.in_(ids)).options(selectinload(ValueList.items))
    )
    return {value_list.id: value_list for value_list in found}


def _code(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 60 or not all(ch.isalnum() or ch in "-_." for ch in value):
        raise InvalidValue(f"{what} {value!r} must be 1-60 letters, digits, '-', '_' or '.'")
    return value
