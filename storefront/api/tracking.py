"""Tracking domain of the API: a seller's parcels (shipping an accepted order, as the portal's
form does, through ``tracking.ship``) and their tracking links.

A parcel's tracking URL comes from its carrier's template (the operator's carriers): the API
takes no URL of its own (nothing stores one), so ``tracking_url`` in a body is refused like any
unknown field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import jsonify
from pydantic import Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storefront.extensions import db
from storefront.marketplace import tracking
from storefront.marketplace.errors import NotFound
from storefront.marketplace.models import Parcel, SellerOrder
from storefront.marketplace.refusals import Refusal

from . import bp
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import LineQuantity, _order_of, day, rfc3339
from .problems import ApiProblem
from .schema import Body, Count, Id, Out, operation

# -- shapes ------------------------------------------------------------------------------------------

Given = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]  # not blank


class ShipLine(Body):
    line_id: Id
    quantity: Count


class NewParcel(Body):
    carrier_code: Given = Field(description="a carrier's code (its tracking link comes from it)")
    tracking_number: Given
    shipped_on: date | None = Field(None, description="today in the shop's timezone without it")
    lines: list[ShipLine] | None = Field(None, description="what is in the parcel; everything "
                                                           "accepted and not shipped yet without it")
    expected_version: int | None = Field(None, description="the order's version last read; 409 if "
                                                           "it changed")


class CarrierRef(Out):
    code: str
    name: str


class ParcelOut(Out):
    id: int
    carrier: CarrierRef
    tracking_number: str | None
    tracking_url: str | None
    shipped_on: str | None = Field(description="a date, YYYY-MM-DD")
    delivered_at: str | None
    shipment_id: int | None
    lines: list[LineQuantity]


class ParcelList(Out):
    items: list[ParcelOut]


# -- encoding ----------------------------------------------------------------------------------------


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


def _quantities(lines: list[ShipLine] | None) -> dict[int, int] | None:
    if lines is None:
        return None
    quantities: dict[int, int] = {}
    for index, line in enumerate(lines):
        if line.line_id in quantities:
            raise ApiProblem(422, "invalid_value", f"line {line.line_id} is given twice.",
                             field=f"lines.{index}.line_id")
        quantities[line.line_id] = line.quantity
    return quantities


@bp.get("/orders/<number>/shipments")
@require_scope("tracking:read")
@operation(tag="tracking", responses={200: ParcelList})
def list_parcels(number: str, caller: Caller):
    """The order's parcels, with their carrier's tracking link."""
    order = _order_of(caller, number)
    return jsonify({"items": [parcel_body(parcel) for parcel in _parcels(order)]})


@bp.post("/orders/<number>/shipments")
@require_scope("tracking:write")
@idempotent
@operation(tag="tracking", body=NewParcel, responses={201: ParcelOut})
def ship(number: str, caller: Caller, body: NewParcel):
    """Ship an accepted order: a parcel with ``carrier_code``, ``tracking_number``, optional
    ``shipped_on`` and ``lines`` (``[{line_id, quantity}]``; all left to ship by default) and
    ``expected_version``. 201 with the parcel; the customer is emailed its tracking link."""
    quantities = _quantities(body.lines)
    order = _order_of(caller, number)
    try:
        parcel = tracking.ship(
            db.session, order, actor_role=caller.role, carrier_code=body.carrier_code,
            tracking_number=body.tracking_number, shipped_on=body.shipped_on, quantities=quantities,
            expected_version=body.expected_version,
        )
    except NotFound as error:
        if error.details.get("reason") == Refusal.CARRIER:
            raise ApiProblem(422, "invalid_value", error.message, field="carrier_code",
                             reason=str(Refusal.CARRIER)) from None
        raise
    return jsonify(parcel_body(parcel)), 201
