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

import json
from typing import Annotated, Any, Literal

from flask import jsonify, url_for
from pydantic import Field, StringConstraints, TypeAdapter, ValidationError, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.extensions import db
from storefront.marketplace import catalog, listing
from storefront.marketplace.errors import DomainError, NotAllowed, NotFound
from storefront.marketplace.models import (
    Category,
    Condition,
    Fulfillment,
    Offer,
    OfferState,
    Product,
    ProductAttributeValue,
    Seller,
)
from storefront.marketplace.price_changes import PriceNeedsConfirmation
from storefront.marketplace.unit_of_work import transaction

from . import bp, pages, preconditions
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import money, rfc3339
from .problems import DOMAIN_CODES, ApiProblem
from .schema import Body, Cents, Count, Id, Money, Out, PageQuery, operation

MAX_ID = 2**31 - 1

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# -- shapes ------------------------------------------------------------------------------------------


class ProductsQuery(PageQuery):
    category: str | None = Field(None, description="a category's code")
    gtin: str | None = None


class OffersQuery(PageQuery):
    seller: str | None = Field(None, description="a seller's code (the operator's clients)")
    sku: str | None = None
    product_id: Id | None = None


class NewOffer(Body):
    """An offer: the product by ``product_id`` or by ``gtin`` (one of them)."""

    product_id: Id | None = None
    gtin: Code | None = None
    sku: Code
    price: Cents
    stock: Count
    lead_time_days: Count | None = Field(None, description="the seller's default without it")
    condition: Condition = Condition.NEW
    state: OfferState = OfferState.ACTIVE
    confirm_price: bool = Field(False, description="apply a price of 0 or a drop of more than half")


class OfferChange(Body):
    """What ``PATCH`` changes; a field left out keeps its value."""

    price: Cents | None = None
    stock: Count | None = None
    lead_time_days: Count | None = None
    condition: Condition | None = None
    state: OfferState | None = None
    confirm_price: bool = False


# A bulk line is meant to be a NewOffer, but any JSON value is taken: a line that is not one is
# refused in the report (200), never the whole request, and the document says just that.
AnyLine = Annotated[Any, WithJsonSchema({"anyOf": [
    {"$ref": "#/components/schemas/NewOffer"},
    {"description": "anything else: refused in the report, the other lines applied"},
]})]


class BulkOffers(Body):
    offers: list[AnyLine] = Field(
        description=f"at most {catalog.MAX_BULK_LINES} offers (413 above); each line is judged on "
                    "its own, a malformed one is refused in the report",
        json_schema_extra={"maxItems": catalog.MAX_BULK_LINES},
    )


class ProductSummary(Out):
    id: int
    gtin: str
    title: str
    brand: str | None
    category: str = Field(description="the category's code")
    images: list[str]
    active: bool = Field(description="false: withdrawn from sale in the back office (not shown in the shop; new offers refused)")


class ProductDetail(ProductSummary):
    description: str
    weight_grams: int
    attributes: dict[str, str | float | None] = Field(description="attribute code → value (a list "
                                                                  "value's code, a number or text)")


class ProductPage(Out):
    items: list[ProductSummary]
    next_cursor: str | None


class OfferProduct(Out):
    id: int
    gtin: str
    title: str


class OfferOut(Out):
    id: int
    sku: str
    seller: str = Field(description="the seller's code")
    product: OfferProduct
    price: Money
    origin_price: Money | None
    stock: int
    lead_time_days: int
    condition: Condition
    state: OfferState
    fulfillment: Fulfillment
    max_per_order: int
    updated_at: str
    etag: str = Field(description="as in the ETag header: send it in If-Match to change the offer")


class OfferPage(Out):
    items: list[OfferOut]
    next_cursor: str | None


class BulkLine(Out):
    line: int = Field(description="the line's position, from 1")
    sku: str | None
    status: Literal["applied", "refused"]
    offer_id: int | None
    etag: str | None = None
    reason: str | None = Field(None, description="why it was refused: invalid_value or the rule's reason")
    detail: str | None = None
    field: str | None = None
    warning: dict[str, Any] | None = None


class BulkReport(Out):
    applied: int
    refused: int
    lines: list[BulkLine]


# -- encoding ----------------------------------------------------------------------------------------


def product_summary(product: Product) -> dict:
    return {
        "id": product.id,
        "gtin": product.gtin,
        "title": product.title,
        "brand": product.brand.name if product.brand else None,
        "category": product.category.code,
        "images": [image.url for image in sorted(product.images, key=lambda i: i.position)],
        "active": product.active,
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
    return preconditions.etag_of(parts)


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


def _page(kind: str, endpoint: str, limit: int, query, render):
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
@operation(tag="catalog", query=ProductsQuery, responses={200: ProductPage})
def list_products(caller: Caller, query: ProductsQuery):
    """Products by id, ``limit`` at a time; ``category`` (a category code) and ``gtin`` filter."""
    select_ = select(Product).options(
        selectinload(Product.brand), selectinload(Product.category), selectinload(Product.images)
    )
    category = (query.category or "").strip()
    if category:
        select_ = select_.join(Product.category).where(Category.code == category)
    gtin = (query.gtin or "").strip()
    if gtin:
        select_ = select_.where(Product.gtin == gtin)
    return _page("products", "api.list_products", query.limit, select_, product_summary)


@bp.get("/products/<int:product_id>")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: ProductDetail})
def get_product(product_id: int, caller: Caller):
    """One product with its description and attributes."""
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
@operation(tag="catalog", query=OffersQuery, responses={200: OfferPage})
def list_offers(caller: Caller, query: OffersQuery):
    """The caller's offers by id (the operator: every seller's, ``seller`` filters by code);
    ``sku`` and ``product_id`` filter too."""
    select_ = _offers_query()
    if caller.seller_id is not None:
        select_ = select_.where(Offer.seller_id == caller.seller_id)
    else:
        seller = (query.seller or "").strip()
        if seller:
            select_ = select_.join(Offer.seller).where(Seller.code == seller)
    sku = (query.sku or "").strip()
    if sku:
        select_ = select_.where(Offer.sku == sku)
    if query.product_id is not None:
        select_ = select_.where(Offer.product_id == query.product_id)
    return _page("offers", "api.list_offers", query.limit, select_, offer_body)


def _offer_of(caller: Caller, offer_id: int) -> Offer:
    """The offer, when the caller may see it; another seller's is as unknown as a missing one."""
    offer = db.session.scalar(_offers_query().where(Offer.id == offer_id)) if offer_id <= MAX_ID else None
    if offer is None or (caller.seller_id is not None and offer.seller_id != caller.seller_id):
        raise NotFound(f"no offer {offer_id}")
    return offer


@bp.get("/offers/<int:offer_id>")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: OfferOut})
def get_offer(offer_id: int, caller: Caller):
    """One offer, with its ``ETag`` (to send in ``If-Match`` when changing it)."""
    return _with_etag(_offer_of(caller, offer_id))


# -- offers: from a body -------------------------------------------------------------------------------


class LineError(Exception):
    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field, self.detail = field, detail


_NEW_OFFER = TypeAdapter(NewOffer)


def _validated_line(item: Any) -> NewOffer:
    """One bulk line through the same model as ``POST /offers``, on its own (one bad line must
    not refuse the others); ``LineError`` names the first bad field."""
    try:
        return _NEW_OFFER.validate_json(json.dumps(item))
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "offer"
        detail = "each offer is a JSON object." if field == "offer" else f"{field}: {first['msg']}"
        raise LineError(field, detail) from None


def offer_line(offer: NewOffer) -> catalog.OfferLine:
    """The service's line from a validated offer; the product must be named exactly once."""
    if (offer.product_id is None) == (offer.gtin is None):
        raise LineError("product_id", "give the product by product_id or by gtin (one of them).")
    return catalog.OfferLine(
        sku=offer.sku, price=offer.price, stock=offer.stock, product_id=offer.product_id,
        gtin=offer.gtin, lead_time_days=offer.lead_time_days, condition=offer.condition,
        state=offer.state, confirmed=offer.confirm_price,
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
@operation(tag="catalog", body=NewOffer, responses={201: OfferOut})
def create_offer(caller: Caller, body: NewOffer):
    """A new offer (201, with ``Location`` and ``ETag``); a SKU the seller already uses is 409."""
    try:
        line = offer_line(body)
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
@operation(tag="catalog", body=OfferChange, responses={200: OfferOut},
           headers={"If-Match": "the offer's ETag, as last read (428 without it, 412 if it changed)"})
def update_offer(offer_id: int, caller: Caller, body: OfferChange):
    """Change price, stock, lead time, condition or state; ``If-Match`` must carry the ETag."""
    offer = _offer_of(caller, offer_id)
    seller = _seller_of(caller)
    preconditions.require_match(etag(offer), "offer")
    price = body.price
    try:
        with transaction(db.session):
            offer = catalog.upsert_offer(
                db.session, seller, offer.product, offer.sku,
                price=offer.price if price is None else price,
                stock=offer.stock if body.stock is None else body.stock,
                origin_price=offer.origin_price if price is None or (
                    offer.origin_price is not None and offer.origin_price >= price) else None,
                condition=body.condition or offer.condition,
                lead_time_days=offer.lead_time_days if body.lead_time_days is None else body.lead_time_days,
                fulfillment=offer.fulfillment,
                state=body.state or offer.state,
                max_per_order=offer.max_per_order,
                currency=offer.currency,
                comment=offer.comment,
                confirmed=body.confirm_price,
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
@operation(tag="catalog", body=BulkOffers, responses={200: BulkReport}, refs=(NewOffer,))
def bulk_offers(caller: Caller, body: BulkOffers):
    """Create or update up to 1,000 offers by SKU: ``{"offers": [...]}``, each line as for
    ``POST /offers``. Every line is reported, applied or refused with its reason; a refused line
    never stops the others."""
    raw = body.offers
    if len(raw) > catalog.MAX_BULK_LINES:
        raise ApiProblem(413, "payload_too_large",
                         f"At most {catalog.MAX_BULK_LINES} offers at once; send them in parts.",
                         field="offers")
    seller = _seller_of(caller)
    report: list[dict | None] = [None] * len(raw)
    lines, positions = [], []
    for index, item in enumerate(raw):
        try:
            lines.append(offer_line(_validated_line(item)))
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
