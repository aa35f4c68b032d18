"""Delivery domain of the API: the shop's modes, zones and carriers (read by any client), the
caller's shipping rates (the operator's clients read every shipper's; a seller changes its own),
and the delivery promise of an offer.

- A rate's ``ETag`` is a hash of its values: ``PATCH`` needs it in ``If-Match`` (428 without,
  412 when the rate changed since), as for offers.
- ``POST /delivery/promise`` answers what the product page and the cart show for the same offer,
  postal code and quantity: ``delivery.offer_promise`` runs the shop's one promise function.
"""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import delivery, tracking
from storefront.marketplace.errors import NotAllowed, NotFound
from storefront.marketplace.models import Offer, ShippingRate

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import DEFAULT_LIMIT, MAX_LIMIT, day, money
from .preconditions import etag_of, require_match
from .schema import MAX_ID, Body, Cents, Count, Id, Money, Out, Query, operation

# -- shapes ------------------------------------------------------------------------------------------


class ModeOut(Out):
    code: str
    label: str
    label_en: str
    saturday_delivery: bool
    min_weight_grams: int = Field(description="offered only to shipments at least this heavy (scheduled delivery)")
    position: int


class ZoneRuleOut(Out):
    country: str = Field(description="ISO 3166-1 alpha-2")
    postal_prefix: str = Field(description="empty: the whole country; the longest matching prefix wins")


class ZoneOut(Out):
    code: str
    label: str
    label_en: str
    rules: list[ZoneRuleOut]


class CarrierOut(Out):
    code: str
    name: str
    tracking_url_template: str = Field(description='"{tracking}" stands for the tracking number')


class ModeList(Out):
    items: list[ModeOut]


class ZoneList(Out):
    items: list[ZoneOut]


class CarrierList(Out):
    items: list[CarrierOut]


class RatesQuery(Query):
    seller: str | None = Field(None, max_length=40, description="a seller's code (operator's clients)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class RateOut(Out):
    id: int
    seller: str = Field(description="the shipper's code")
    mode: str = Field(description="a delivery mode's code")
    zone: str = Field(description="a zone's code")
    fee: Money = Field(description="the unit that pays the full fee")
    extra_item_fee: Money = Field(description="every other unit of the shipment")
    free_threshold: Money | None = Field(description="free from this goods total; null: never free")
    transit_min: int = Field(description="delivery days after ship-by")
    transit_max: int
    etag: str


class RatePage(Out):
    items: list[RateOut]
    next_cursor: str | None


class RateChanges(Body):
    """The values to change, in minor units and days; those left out stay as they are."""

    fee: Cents | None = None
    extra_item_fee: Cents | None = None
    free_threshold: Cents | None = Field(None, description="null: no free shipping")
    transit_min: Count | None = None
    transit_max: Count | None = None


class PromiseBody(Body):
    offer_id: Id
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field("FR", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    quantity: int = Field(1, ge=1, le=10_000)
    mode: str | None = Field(None, max_length=20, description="a delivery mode's code: that mode only")


class Named(Out):
    code: str
    name: str


class ModeRefOut(Out):
    code: str
    label: str
    label_en: str


class ZoneRefOut(Out):
    code: str
    label: str


class OptionOut(Out):
    mode: ModeRefOut
    fee: Money = Field(description="for the whole quantity, as the cart charges it")
    ship_by: str = Field(description="a date, YYYY-MM-DD")
    promised_from: str = Field(description="a date, YYYY-MM-DD")
    promised_to: str = Field(description="a date, YYYY-MM-DD")


class PromiseOut(Out):
    offer_id: int
    quantity: int
    zone: ZoneRefOut
    shipper: Named = Field(description="who ships: the seller, or the retailer for offers it stores")
    options: list[OptionOut] = Field(description="the modes available, in the shop's order")


# -- encoding ----------------------------------------------------------------------------------------


def etag(rate: ShippingRate) -> str:
    return etag_of((rate.id, rate.fee, rate.extra_item_fee, rate.free_threshold, rate.transit_min,
                    rate.transit_max, rate.currency))


def rate_body(rate: ShippingRate) -> dict:
    currency = rate.currency
    return {
        "id": rate.id,
        "seller": rate.shipper.code,
        "mode": rate.mode.code,
        "zone": rate.zone.code,
        "fee": money(rate.fee, currency),
        "extra_item_fee": money(rate.extra_item_fee, currency),
        "free_threshold": money(rate.free_threshold, currency) if rate.free_threshold is not None else None,
        "transit_min": rate.transit_min,
        "transit_max": rate.transit_max,
        "etag": etag(rate),
    }


def _with_etag(rate: ShippingRate):
    answer = jsonify(rate_body(rate))
    answer.headers["ETag"] = etag(rate)
    return answer


def promise_body(found: delivery.OfferPromise) -> dict:
    currency = found.offer.currency
    return {
        "offer_id": found.offer.id,
        "quantity": found.quantity,
        "zone": {"code": found.zone.code, "label": found.zone.label},
        "shipper": {"code": found.shipper.code, "name": found.shipper.name},
        "options": [
            {
                "mode": {"code": option.mode.code, "label": option.mode.label,
                         "label_en": option.mode.label_en},
                "fee": money(option.fee, currency),
                "ship_by": day(option.promise.ship_by),
                "promised_from": day(option.promise.earliest),
                "promised_to": day(option.promise.latest),
            }
            for option in found.options
        ],
    }


# -- the shop's lists ----------------------------------------------------------------------------------


@bp.get("/delivery/modes")
@require_scope("delivery:read")
@operation(tag="delivery", responses={200: ModeList})
def list_modes(caller: Caller):
    """The delivery modes, in the order the shop shows them."""
    return jsonify({"items": [
        {"code": mode.code, "label": mode.label, "label_en": mode.label_en or mode.label,
         "saturday_delivery": mode.saturday_delivery, "min_weight_grams": mode.min_weight_grams,
         "position": mode.position}
        for mode in delivery.modes(db.session)
    ]})


@bp.get("/delivery/zones")
@require_scope("delivery:read")
@operation(tag="delivery", responses={200: ZoneList})
def list_zones(caller: Caller):
    """The zones and the countries and postal-code prefixes each holds."""
    return jsonify({"items": [
        {"code": zone.code, "label": zone.label, "label_en": zone.label_en or zone.label,
         "rules": [{"country": rule.country, "postal_prefix": rule.postal_prefix}
                   for rule in sorted(zone.rules, key=lambda r: (r.country, r.postal_prefix))]}
        for zone in delivery.zones(db.session)
    ]})


@bp.get("/delivery/carriers")
@require_scope("delivery:read")
@operation(tag="delivery", responses={200: CarrierList})
def list_carriers(caller: Caller):
    """The carriers a seller ships with (``carrier_code`` when shipping), by name."""
    return jsonify({"items": [
        {"code": carrier.code, "name": carrier.name,
         "tracking_url_template": carrier.tracking_url_template}
        for carrier in tracking.carriers(db.session)
    ]})


# -- rates -------------------------------------------------------------------------------------------


@bp.get("/delivery/rates")
@require_scope("delivery:read")
@operation(tag="delivery", query=RatesQuery, responses={200: RatePage})
def list_rates(caller: Caller, query: RatesQuery):
    """The caller's shipping rates by id (the operator's clients: every shipper's, ``seller``
    filters by code).

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    found = delivery.list_rates(
        db.session,
        shipper_id=caller.seller_id,
        shipper_code=query.seller.strip() if caller.is_operator and query.seller else None,
        after_id=pages.read_cursor("rates", pages.last_id),
        limit=query.limit + 1,
    )
    return pages.id_page("rates", "api.list_rates", found, query.limit, rate_body)


def _rate_of(caller: Caller, rate_id: int) -> ShippingRate:
    if rate_id > MAX_ID:
        raise NotFound(f"unknown rate {rate_id}")
    return delivery.get_rate(db.session, rate_id, shipper_id=caller.seller_id)


@bp.get("/delivery/rates/<int:rate_id>")
@require_scope("delivery:read")
@operation(tag="delivery", responses={200: RateOut})
def get_rate(rate_id: int, caller: Caller):
    """One rate, with its ``ETag``; another seller's answers 404."""
    return _with_etag(_rate_of(caller, rate_id))


@bp.patch("/delivery/rates/<int:rate_id>")
@require_scope("delivery:write")
@operation(tag="delivery", body=RateChanges, responses={200: RateOut},
           headers={"If-Match": "the ETag last read (required)"})
def update_rate(rate_id: int, caller: Caller, body: RateChanges):
    """Change a rate's fees, free-shipping threshold or transit days, as its seller.

    ``If-Match`` must carry the ETag: 428 without, 412 when the rate changed since. A value
    breaking a rule (a negative fee, a maximum transit below the minimum) is a 422 naming the
    ``field``, and nothing changes."""
    rate = _rate_of(caller, rate_id)
    if caller.is_operator:
        raise NotAllowed("rates are changed by their seller's clients, not the operator's")
    require_match(etag(rate), "rate")
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    rate = delivery.update_rate(db.session, rate, changes)
    return _with_etag(delivery.get_rate(db.session, rate.id))


# -- promise -----------------------------------------------------------------------------------------


@bp.post("/delivery/promise")
@require_scope("delivery:read")
@idempotent
@operation(tag="delivery", body=PromiseBody, responses={200: PromiseOut})
def offer_promise(caller: Caller, body: PromiseBody):
    """The delivery options of an offer to a postal code: each available mode with its fee for
    the quantity, ship-by date and delivery window, as the product page and the cart show them.

    A seller's client asks about its own offers (another's is 404). An address no zone holds, or
    a zone the shipper does not deliver to, is a 422 ``not_deliverable`` on ``postal_code``.
    Writes nothing (a POST for its body)."""
    offer = db.session.get(Offer, body.offer_id)
    if offer is None or (caller.seller_id is not None and offer.seller_id != caller.seller_id):
        raise NotFound(f"no offer {body.offer_id}", field="offer_id")
    found = delivery.offer_promise(db.session, offer, body.country, body.postal_code,
                                   quantity=body.quantity, mode_code=body.mode)
    return jsonify(promise_body(found))
