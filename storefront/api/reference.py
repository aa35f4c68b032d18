"""Reference domain of the API: what a seller's system needs to describe products and answer
orders (categories and their attributes, brands, reason codes, discussion topics). Read-only,
for any client with ``reference:read``.

None of these tables has an update timestamp (they are small and change rarely): there is no
``updated_since`` filter; a client reads a whole list again (each is one or two queries).
"""

from __future__ import annotations

from flask import jsonify, request

from storefront.extensions import db
from storefront.marketplace import discussions, orders, reference
from storefront.marketplace.models import CategoryKind, ReasonType

from . import bp
from .auth import Caller, require_scope
from .problems import ApiProblem


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
def list_categories(caller: Caller):
    """The category tree, nested; ``kind`` (default STANDARD) or ``kind=ALL``."""
    _no_updated_since()
    text = request.args.get("kind", CategoryKind.STANDARD).strip().upper()
    if text == "ALL":
        kind = None
    else:
        try:
            kind = CategoryKind(text)
        except ValueError:
            raise ApiProblem(400, "invalid_parameter",
                             f"kind must be ALL or one of {', '.join(CategoryKind)}.",
                             field="kind") from None
    return jsonify({"items": [_node(node) for node in reference.category_tree(db.session, kind=kind)]})


@bp.get("/categories/<code>/attributes")
@require_scope("reference:read")
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
def list_brands(caller: Caller):
    _no_updated_since()
    return jsonify({"items": [{"name": b.name, "slug": b.slug} for b in reference.brands(db.session)]})


@bp.get("/reason-codes")
@require_scope("reference:read")
def list_reason_codes(caller: Caller):
    """The reason codes the caller may give (a seller's client: the seller's), per ``type``."""
    _no_updated_since()
    text = request.args.get("type", "").strip().upper()
    if text:
        try:
            types = [ReasonType(text)]
        except ValueError:
            raise ApiProblem(400, "invalid_parameter",
                             f"type must be one of {', '.join(ReasonType)}.", field="type") from None
    else:
        types = list(ReasonType)
    items = [
        {"code": reason.code, "type": str(reason.type), **_labels(reason)}
        for type_ in types
        for reason in orders.reason_codes(db.session, type_, caller.role)
    ]
    return jsonify({"items": items})


@bp.get("/discussion-topics")
@require_scope("reference:read")
def list_discussion_topics(caller: Caller):
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
