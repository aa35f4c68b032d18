"""Catalog domain of the API: products (read by any client) and the caller's offers (the
operator's clients read every seller's). Writes go through ``marketplace.catalog``, the same
rules as the seller portal and the offer import.

- An offer's ``ETag`` is a hash of what a client can change plus ``updated_at``: ``PATCH`` needs
  it in ``If-Match`` (428 without, 412 when the offer changed since).
- A price of 0 or a drop of more than half answers 422 ``needs_confirmation`` with reason
  ``price_needs_confirmation`` and the ``warning`` until the body says ``"confirm_price": true``.
- ``POST /offers/bulk`` applies up to 1,000 lines, each applied or refused on its own.
- Both POSTs honour ``Idempotency-Key`` (storefront/api/idempotency.py).
"""

from __future__ import annotations

import hashlib

from flask import jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.extensions import db
from storefront.marketplace import catalog, listing
from storefront.marketplace.errors import DomainError, NotAllowed, NotFound
from storefront.marketplace.models import (
    Category,
    Condition,
    Offer,
    OfferState,
    Product,
    ProductAttributeValue,
    Seller,
)
from storefront.marketplace.price_changes import PriceNeedsConfirmation
from storefront.marketplace.unit_of_work import transaction

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import _limit, money, rfc3339
from .problems import DOMAIN_CODES, ApiProblem, json_body

MAX_ID = 2**31 - 1


# -- encoding ----------------------------------------------------------------------------------------


def product_summary(product: Product) -> dict:
    return {
        "id": product.id,
        "gtin": product.gtin,
        "title": product.title,
        "brand": product.brand.name if product.brand else None,
        "category": product.category.code,
        "images": [image.url for image in sorted(product.images, key=lambda i: i.position)],
    }


def product_detail(product: Product) -> dict:
    body = product_summary(product)
    body.update(
        description=product.description,
        weight_grams=product.weight_grams,
        attributes={value.attribute.code: _attribute_value(value) for value in product.attribute_values},
    )
    return body


def _attribute_value(value: ProductAttributeValue):
    if value.item is not None:
        return value.item.code
    return value.number_value if value.number_value is not None else value.text_value


def etag(offer: Offer) -> str:
    parts = (offer.id, offer.price, offer.origin_price, offer.stock, offer.lead_time_days,
             offer.condition, offer.state, offer.fulfillment, offer.max_per_order, offer.currency,
             offer.comment, rfc3339(offer.updated_at))
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:24] + '"'


def offer_body(offer: Offer) -> dict:
    return {
        "id": offer.id,
        "sku": offer.sku,
        "seller": offer.seller.code,
        "product": {"id": offer.product.id, "gtin": offer.product.gtin, "title": offer.product.title},
        "price": money(offer.price, offer.currency),
        "origin_price": money(offer.origin_price, offer.currency) if offer.origin_price is not None else None,
        "stock": offer.stock,
        "lead_time_days": offer.lead_time_days,
        "condition": str(offer.condition),
        "state": str(offer.state),
        "fulfillment": str(offer.fulfillment),
        "max_per_order": offer.max_per_order,
        "updated_at": rfc3339(offer.updated_at),
        "etag": etag(offer),
    }


def _with_etag(offer: Offer, status: int = 200):
    answer = jsonify(offer_body(offer))
    answer.status_code = status
    answer.headers["ETag"] = etag(offer)
    return answer


# -- pagination (by id, signed cursors as for orders) --------------------------------------------------


def _last_id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("a cursor of this list is an id")
    return value


def _page(kind: str, endpoint: str, query, render):
    limit = _limit()
    after = pages.read_cursor(kind, _last_id)
    entity = query.column_descriptions[0]["entity"]
    if after is not None:
        query = query.where(entity.id > after)
    found = list(db.session.scalars(query.order_by(entity.id).limit(limit + 1)))
    page, more = found[:limit], len(found) > limit
    next_cursor = pages.make_cursor(kind, page[-1].id) if more else None
    return pages.page_answer([render(item) for item in page], next_cursor, endpoint)


# -- products ------------------------------------------------------------------------------------------


@bp.get("/products")
@require_scope("catalog:read")
def list_products(caller: Caller):
    """Products by id, ``limit`` at a time; ``category`` (a category code) and ``gtin`` filter."""
    query = select(Product).options(
        selectinload(Product.brand), selectinload(Product.category), selectinload(Product.images)
    )
    category = request.args.get("category", "").strip()
    if category:
        query = query.join(Product.category).where(Category.code == category)
    gtin = request.args.get("gtin", "").strip()
    if gtin:
        query = query.where(Product.gtin == gtin)
    return _page("products", "api.list_products", query, product_summary)


@bp.get("/products/<int:product_id>")
@require_scope("catalog:read")
def get_product(product_id: int, caller: Caller):
    product = db.session.scalar(
        select(Product).where(Product.id == product_id).options(
            selectinload(Product.brand), selectinload(Product.category), selectinload(Product.images),
            selectinload(Product.attribute_values).selectinload(ProductAttributeValue.attribute),
            selectinload(Product.attribute_values).selectinload(ProductAttributeValue.item),
        )
    ) if product_id <= MAX_ID else None
    if product is None:
        raise NotFound(f"no product {product_id}")
    return jsonify(product_detail(product))


# -- offers: reading -----------------------------------------------------------------------------------


def _offers_query():
    return select(Offer).options(selectinload(Offer.seller), selectinload(Offer.product))


@bp.get("/offers")
@require_scope("catalog:read")
def list_offers(caller: Caller):
    """The caller's offers by id (the operator: every seller's, ``seller`` filters by code);
    ``sku`` and ``product_id`` filter too."""
    query = _offers_query()
    if caller.seller_id is not None:
        query = query.where(Offer.seller_id == caller.seller_id)
    else:
        seller = request.args.get("seller", "").strip()
        if seller:
            query = query.join(Offer.seller).where(Seller.code == seller)
    sku = request.args.get("sku", "").strip()
    if sku:
        query = query.where(Offer.sku == sku)
    product_id = request.args.get("product_id", "").strip()
    if product_id:
        if not product_id.isdigit() or int(product_id) > MAX_ID:
            raise ApiProblem(400, "invalid_parameter", "product_id must be a product's id.",
                             field="product_id")
        query = query.where(Offer.product_id == int(product_id))
    return _page("offers", "api.list_offers", query, offer_body)


def _offer_of(caller: Caller, offer_id: int) -> Offer:
    """The offer, when the caller may see it; another seller's is as unknown as a missing one."""
    offer = db.session.scalar(_offers_query().where(Offer.id == offer_id)) if offer_id <= MAX_ID else None
    if offer is None or (caller.seller_id is not None and offer.seller_id != caller.seller_id):
        raise NotFound(f"no offer {offer_id}")
    return offer


@bp.get("/offers/<int:offer_id>")
@require_scope("catalog:read")
def get_offer(offer_id: int, caller: Caller):
    return _with_etag(_offer_of(caller, offer_id))


# -- offers: validating a body -----------------------------------------------------------------------


class LineError(Exception):
    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field, self.detail = field, detail


def _whole(body: dict, name: str, *, required: bool = False) -> int | None:
    if name not in body or body[name] is None:
        if required:
            raise LineError(name, f"{name} is required.")
        return None
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(name, f"{name} must be a whole number.")
    if value < 0:
        raise LineError(name, f"{name} cannot be negative.")
    if value > MAX_ID:
        raise LineError(name, f"{name} is too large.")
    return value


def _choice(body: dict, name: str, enum):
    if name not in body:
        return None
    value = body[name]
    try:
        return enum(value) if isinstance(value, str) else enum(None)
    except ValueError:
        raise LineError(name, f"{name} must be one of {', '.join(enum)}.") from None


def _text(body: dict, name: str) -> str | None:
    if name not in body or body[name] is None:
        return None
    if not isinstance(body[name], str) or not body[name].strip():
        raise LineError(name, f"{name} must be a non-empty string.")
    return body[name].strip()


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise LineError(name, f"{name} must be true or false.")
    return value


CREATE_FIELDS = {"product_id", "gtin", "sku", "price", "stock", "lead_time_days", "condition", "state",
                 "confirm_price"}
PATCH_FIELDS = {"price", "stock", "lead_time_days", "condition", "state", "confirm_price"}


def _unknown(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise LineError(unknown[0], f"unknown field {unknown[0]}; the fields are {', '.join(sorted(allowed))}.")


def parse_new_offer(body) -> catalog.OfferLine:
    """A new offer (or a bulk line) from JSON, every value checked; ``LineError`` names the field."""
    if not isinstance(body, dict):
        raise LineError("offer", "each offer is a JSON object.")
    _unknown(body, CREATE_FIELDS)
    product_id, gtin = _whole(body, "product_id"), _text(body, "gtin")
    if (product_id is None) == (gtin is None):
        raise LineError("product_id", "give the product by product_id or by gtin (one of them).")
    sku = _text(body, "sku")
    if sku is None:
        raise LineError("sku", "sku is required.")
    return catalog.OfferLine(
        sku=sku,
        price=_whole(body, "price", required=True),
        stock=_whole(body, "stock", required=True),
        product_id=product_id,
        gtin=gtin,
        lead_time_days=_whole(body, "lead_time_days"),
        condition=_choice(body, "condition", Condition) or Condition.NEW,
        state=_choice(body, "state", OfferState) or OfferState.ACTIVE,
        confirmed=_flag(body, "confirm_price"),
    )


def _invalid(error: LineError) -> ApiProblem:
    return ApiProblem(422, "invalid_value", error.detail, field=error.field)


def _needs_confirmation(error: PriceNeedsConfirmation) -> ApiProblem:
    return ApiProblem(422, "needs_confirmation",
                      f"{error.message}; send it again with \"confirm_price\": true to apply it.",
                      field="price", reason=str(error.details["reason"]), warning=error.warning.as_details())


def _seller_of(caller: Caller) -> Seller:
    if caller.seller_id is None:
        raise NotAllowed("offers are written by their seller's clients, not the operator's")
    return db.session.get(Seller, caller.seller_id)


# -- offers: writing -----------------------------------------------------------------------------------


@bp.post("/offers")
@require_scope("catalog:write")
@idempotent
def create_offer(caller: Caller):
    """A new offer (201, with ``Location`` and ``ETag``); a SKU the seller already uses is 409."""
    body = json_body(required=True)
    try:
        line = parse_new_offer(body)
    except LineError as error:
        raise _invalid(error) from None
    seller = _seller_of(caller)
    if db.session.scalar(select(Offer.id).where(Offer.seller_id == seller.id, Offer.sku == line.sku)):
        raise ApiProblem(409, "conflict", f"SKU {line.sku} is already an offer of yours; PATCH it.",
                         field="sku")
    result = _bulk(seller, [line])[0]
    if result.error is not None:
        raise result.error
    answer = _with_etag(result.offer, 201)
    answer.headers["Location"] = url_for("api.get_offer", offer_id=result.offer.id, _external=True)
    return answer


@bp.patch("/offers/<int:offer_id>")
@require_scope("catalog:write")
def update_offer(offer_id: int, caller: Caller):
    """Change price, stock, lead time, condition or state; ``If-Match`` must carry the ETag."""
    body = json_body(required=True)
    try:
        _unknown(body, PATCH_FIELDS)
        price, stock = _whole(body, "price"), _whole(body, "stock")
        lead_time_days = _whole(body, "lead_time_days")
        condition, state = _choice(body, "condition", Condition), _choice(body, "state", OfferState)
        confirmed = _flag(body, "confirm_price")
    except LineError as error:
        raise _invalid(error) from None
    offer = _offer_of(caller, offer_id)
    seller = _seller_of(caller)
    expected = request.headers.get("If-Match", "").strip()
    if not expected:
        raise ApiProblem(428, "precondition_required",
                         "Send the offer's ETag in If-Match (GET it first).", field="If-Match")
    if expected != "*" and etag(offer) not in [tag.strip() for tag in expected.split(",")]:
        raise ApiProblem(412, "precondition_failed",
                         "The offer changed since you read it; GET it again and retry.",
                         field="If-Match", etag=etag(offer))
    try:
        with transaction(db.session):
            offer = catalog.upsert_offer(
                db.session, seller, offer.product, offer.sku,
                price=offer.price if price is None else price,
                stock=offer.stock if stock is None else stock,
                origin_price=offer.origin_price if price is None or (
                    offer.origin_price is not None and offer.origin_price >= price) else None,
                condition=condition or offer.condition,
                lead_time_days=offer.lead_time_days if lead_time_days is None else lead_time_days,
                fulfillment=offer.fulfillment,
                state=state or offer.state,
                max_per_order=offer.max_per_order,
                currency=offer.currency,
                comment=offer.comment,
                confirmed=confirmed,
            )
            listing.refresh(db.session, [offer.product_id])
    except PriceNeedsConfirmation as error:
        raise _needs_confirmation(error) from None
    return _with_etag(offer)


def _bulk(seller: Seller, lines: list[catalog.OfferLine]) -> list[catalog.LineResult]:
    results = catalog.bulk_upsert_offers(db.session, seller, lines)
    return [
        catalog.LineResult(r.line, r.sku, r.offer, _needs_confirmation(r.error))
        if isinstance(r.error, PriceNeedsConfirmation) else r
        for r in results
    ]


@bp.post("/offers/bulk")
@require_scope("catalog:write")
@idempotent
def bulk_offers(caller: Caller):
    """Create or update up to 1,000 offers by SKU: ``{"offers": [...]}``, each line as for
    ``POST /offers``. Every line is reported, applied or refused with its reason; a refused line
    never stops the others."""
    body = json_body(required=True)
    if set(body) != {"offers"} or not isinstance(body["offers"], list):
        raise ApiProblem(422, "invalid_value", 'The body is {"offers": [...]}, a list of offers.',
                         field="offers")
    raw = body["offers"]
    if len(raw) > catalog.MAX_BULK_LINES:
        raise ApiProblem(413, "payload_too_large",
                         f"At most {catalog.MAX_BULK_LINES} offers at once; send them in parts.",
                         field="offers")
    seller = _seller_of(caller)
    report: list[dict | None] = [None] * len(raw)
    lines, positions = [], []
    for index, item in enumerate(raw):
        try:
            lines.append(parse_new_offer(item))
            positions.append(index)
        except LineError as error:
            sku = item.get("sku") if isinstance(item, dict) and isinstance(item.get("sku"), str) else None
            report[index] = _refused(index + 1, sku, "invalid_value", error.detail, field=error.field)
    results = _bulk(seller, lines) if lines else []
    for index, result in zip(positions, results, strict=True):
        if result.error is None:
            report[index] = {"line": index + 1, "sku": result.sku, "status": "applied",
                             "offer_id": result.offer.id, "etag": etag(result.offer)}
        elif isinstance(result.error, ApiProblem):
            report[index] = _refused(index + 1, result.sku, result.error.extra["reason"],
                                     result.error.detail, field="price", warning=result.error.extra["warning"])
        else:
            report[index] = _refused(index + 1, result.sku, _reason(result.error), result.error.message,
                                     field=result.error.details.get("field"))
    applied = sum(1 for line in report if line["status"] == "applied")
    return jsonify({"applied": applied, "refused": len(report) - applied, "lines": report})


def _refused(line: int, sku: str | None, reason: str, detail: str, **extra) -> dict:
    return {"line": line, "sku": sku, "status": "refused", "offer_id": None, "reason": reason,
            "detail": detail, **{k: v for k, v in extra.items() if v is not None}}


def _reason(error: DomainError) -> str:
    reason = error.details.get("reason")
    if reason:
        return str(reason)
    return next(code for cls, code in DOMAIN_CODES if isinstance(error, cls))
