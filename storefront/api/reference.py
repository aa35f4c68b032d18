"""Reference domain of the API: what a seller's system needs to describe products and answer
orders (categories and their attributes, brands, reason codes, discussion topics). Read-only,
for any client with ``reference:read``.

None of these tables has an update timestamp (they are small and change rarely): there is no
``updated_since`` filter; a client reads a whole list again (each is one or two queries).
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import jsonify, request
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import discussions, orders, reference
from storefront.marketplace.models import AttributeType, CategoryKind, ReasonType, RequirementLevel

from . import bp
from .auth import Caller, require_scope
from .problems import ApiProblem
from .schema import AnyCase, Out, Query, operation

# -- shapes ------------------------------------------------------------------------------------------

KindFilter = Literal[("ALL", *(kind.value for kind in CategoryKind))]


class CategoriesQuery(Query):
    kind: Annotated[KindFilter, AnyCase] = Field(CategoryKind.STANDARD.value,
                                                 description="a kind of category, or ALL")


class ReasonCodesQuery(Query):
    type: Annotated[ReasonType, AnyCase] | None = Field(None, description="every type without it")


class Labelled(Out):
    label: str = Field(description="in French")
    label_en: str = Field(description="in English (the French one when there is none)")


class CategoryOut(Labelled):
    code: str
    level: int
    kind: CategoryKind
    children: list[CategoryOut]


class CategoryTree(Out):
    items: list[CategoryOut]


class ListValue(Labelled):
    code: str


class AttributeOut(Labelled):
    code: str
    type: AttributeType
    unit: str | None
    requirement: RequirementLevel
    from_category: str = Field(description="the category (this one or an ancestor) that asks for it")
    variant_axis: bool
    values: list[ListValue] | None = Field(description="the allowed values of a LIST attribute")


class CategoryAttributes(Out):
    category: str
    items: list[AttributeOut]


class BrandOut(Out):
    name: str
    slug: str


class BrandList(Out):
    items: list[BrandOut]


class ReasonCodeOut(Labelled):
    code: str
    type: ReasonType


class ReasonCodeList(Out):
    items: list[ReasonCodeOut]


class TopicOut(Labelled):
    code: str
    message_type: str | None
    about_order: bool
    about_offer: bool


class TopicList(Out):
    items: list[TopicOut]


# -- views -------------------------------------------------------------------------------------------


def _no_updated_since() -> None:
    if "updated_since" in request.args:
        raise ApiProblem(
            400, "invalid_parameter",
            "Reference data carries no update time: read the whole list again.",
            field="updated_since",
        )


def _labels(row) -> dict:
    return {"label": row.label, "label_en": row.label_en or row.label}


def _node(node: reference.CategoryNode) -> dict:
    category = node.category
    return {
        "code": category.code,
        **_labels(category),
        "level": category.level,
        "kind": str(category.kind),
        "children": [_node(child) for child in node.children],
    }


@bp.get("/categories")
@require_scope("reference:read")
@operation(tag="reference", query=CategoriesQuery, responses={200: CategoryTree})
def list_categories(caller: Caller, query: CategoriesQuery):
    """The category tree, nested; ``kind`` (default STANDARD) or ``kind=ALL``."""
    _no_updated_since()
    kind = None if query.kind == "ALL" else CategoryKind(query.kind)
    return jsonify({"items": [_node(node) for node in reference.category_tree(db.session, kind=kind)]})


@bp.get("/categories/<code>/attributes")
@require_scope("reference:read")
@operation(tag="reference", responses={200: CategoryAttributes})
def category_attributes(code: str, caller: Caller):
    """The attributes a product of the category takes, inherited ones included, with their
    requirement level (the nearest category's) and, for lists, the allowed values."""
    _no_updated_since()
    category = reference.get_category(db.session, code)
    links = reference.attributes_for(db.session, category)
    lists = reference.value_lists(
        db.session, {link.attribute.value_list_id for link in links if link.attribute.value_list_id}
    )
    items = []
    for link in links:
        attribute = link.attribute
        value_list = lists.get(attribute.value_list_id)
        items.append({
            "code": attribute.code,
            **_labels(attribute),
            "type": str(attribute.type),
            "unit": attribute.unit or None,
            "requirement": str(link.requirement),
            "from_category": link.category.code,
            "variant_axis": attribute.variant_axis,
            "values": (
                [{"code": item.code, **_labels(item)} for item in value_list.items]
                if value_list else None
            ),
        })
    return jsonify({"category": category.code, "items": items})


@bp.get("/brands")
@require_scope("reference:read")
@operation(tag="reference", responses={200: BrandList})
def list_brands(caller: Caller):
    """Every brand."""
    _no_updated_since()
    return jsonify({"items": [{"name": b.name, "slug": b.slug} for b in reference.brands(db.session)]})


@bp.get("/reason-codes")
@require_scope("reference:read")
@operation(tag="reference", query=ReasonCodesQuery, responses={200: ReasonCodeList})
def list_reason_codes(caller: Caller, query: ReasonCodesQuery):
    """The reason codes the caller may give (a seller's client: the seller's), per ``type``."""
    _no_updated_since()
    types = [query.type] if query.type else list(ReasonType)
    items = [
        {"code": reason.code, "type": str(reason.type), **_labels(reason)}
        for type_ in types
        for reason in orders.reason_codes(db.session, type_, caller.role)
    ]
    return jsonify({"items": items})


@bp.get("/discussion-topics")
@require_scope("reference:read")
@operation(tag="reference", responses={200: TopicList})
def list_discussion_topics(caller: Caller):
    """The topics a conversation can be about."""
    _no_updated_since()
    return jsonify({"items": [
        {
            "code": topic.code,
            **_labels(topic),
            "message_type": topic.message_type or None,
            "about_order": topic.about_order,
            "about_offer": topic.about_offer,
        }
        for topic in discussions.topics(db.session)
    ]})
