"""Tracking domain of the API: a seller's parcels (shipping an accepted order, as the portal's
form does, through ``tracking.ship``) and their tracking links.

A parcel's tracking URL comes from its carrier's template (the operator's carriers): the API
takes no URL of its own (nothing stores one), so ``tracking_url`` in a body is refused like any
unknown field.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storefront.extensions import db
from storefront.marketplace import tracking
from storefront.marketplace.errors import NotFound
from storefront.marketplace.models import Parcel, SellerOrder
from storefront.marketplace.refusals import Refusal

from . import bp
from .auth import Caller, require_scope
from .orders import _order_of, day, rfc3339
from .problems import ApiProblem, json_body

SHIP_FIELDS = {"carrier_code", "tracking_number", "shipped_on", "lines", "expected_version"}


def parcel_body(parcel: Parcel) -> dict:
    return {
        "id": parcel.id,
        "carrier": {"code": parcel.carrier.code, "name": parcel.carrier.name},
        "tracking_number": parcel.tracking_number,
        "tracking_url": tracking.tracking_url(parcel.carrier, parcel.tracking_number),
        "shipped_on": day(parcel.shipped_on),
        "delivered_at": rfc3339(parcel.delivered_at),
        "shipment_id": parcel.shipment_id,
        "lines": [{"line_id": item.order_line_id, "quantity": item.quantity}
                  for item in sorted(parcel.items, key=lambda i: i.order_line_id)],
    }


def _parcels(order: SellerOrder) -> list[Parcel]:
    return list(db.session.scalars(
        select(Parcel)
        .where(Parcel.seller_order_id == order.id)
        .options(joinedload(Parcel.carrier), selectinload(Parcel.items))
        .order_by(Parcel.id)
    ))


def _invalid(field: str, detail: str) -> ApiProblem:
    return ApiProblem(422, "invalid_value", detail, field=field)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ship_arguments(body: dict) -> dict:
    """The body checked for shape (the rules are the service's): 422 naming the field."""
    for name in body:
        if name not in SHIP_FIELDS:
            raise _invalid(name, f"Unknown field {name!r}.")
    for name in ("carrier_code", "tracking_number"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise _invalid(name, f"{name} is required, as text.")
    shipped_on = body.get("shipped_on")
    if shipped_on is not None:
        try:
            shipped_on = date.fromisoformat(shipped_on) if isinstance(shipped_on, str) else None
        except ValueError:
            shipped_on = None
        if shipped_on is None:
            raise _invalid("shipped_on", "shipped_on is a date such as 2026-12-01.")
    quantities = None
    lines = body.get("lines")
    if lines is not None:
        if not isinstance(lines, list) or not all(
            isinstance(line, dict) and set(line) == {"line_id", "quantity"}
            and _whole(line["line_id"]) and _whole(line["quantity"])
            for line in lines
        ):
            raise _invalid("lines", "lines is a list of {line_id, quantity} with whole numbers.")
        quantities = {}
        for line in lines:
            if line["line_id"] in quantities:
                raise _invalid("lines", f"line {line['line_id']} is given twice.")
            quantities[line["line_id"]] = line["quantity"]
    version = body.get("expected_version")
    if version is not None and not _whole(version):
        raise _invalid("expected_version", "expected_version must be a whole number.")
    return {
        "carrier_code": body["carrier_code"],
        "tracking_number": body["tracking_number"],
        "shipped_on": shipped_on,
        "quantities": quantities,
        "expected_version": version,
    }


@bp.get("/orders/<number>/shipments")
@require_scope("tracking:read")
def list_parcels(number: str, caller: Caller):
    """The order's parcels, with their carrier's tracking link."""
    order = _order_of(caller, number)
    return jsonify({"items": [parcel_body(parcel) for parcel in _parcels(order)]})


@bp.post("/orders/<number>/shipments")
@require_scope("tracking:write")
def ship(number: str, caller: Caller):
    """Ship an accepted order: a parcel with ``carrier_code``, ``tracking_number``, optional
    ``shipped_on`` and ``lines`` (``[{line_id, quantity}]``; all left to ship by default) and
    ``expected_version``. 201 with the parcel; the customer is emailed its tracking link."""
    arguments = _ship_arguments(json_body(required=True))
    order = _order_of(caller, number)
    try:
        parcel = tracking.ship(db.session, order, actor_role=caller.role, **arguments)
    except NotFound as error:
        if error.details.get("reason") == Refusal.CARRIER:
            raise ApiProblem(422, "invalid_value", error.message, field="carrier_code",
                             reason=str(Refusal.CARRIER)) from None
        raise
    return jsonify(parcel_body(parcel)), 201
