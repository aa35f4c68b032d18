"""Tracking domain: carriers, tracking numbers and links, shipment delivery.

Parcels themselves are recorded by ``orders.ship``, which moves the seller order along."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidTransition, InvalidValue, NotFound
from .models import Carrier, Parcel, Shipment, ShipmentStatus, utcnow
from .refusals import Refusal
from .unit_of_work import atomic

TRACKING_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


@atomic
def create_carrier(session: Session, code: str, name: str, tracking_url_template: str = "") -> Carrier:
    code = (code or "").strip().upper()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise InvalidValue(f"carrier code {code!r} must be letters, digits, '-' or '_'")
    if tracking_url_template and (
        "{tracking}" not in tracking_url_template
        or not tracking_url_template.startswith("https://")
    ):
        raise InvalidValue("a tracking URL template is an https:// URL containing {tracking}")
    if session.scalar(select(Carrier.id).where(Carrier.code == code)) is not None:
        raise InvalidValue(f"carrier {code} already exists")
    carrier = Carrier(code=code, name=name.strip(), tracking_url_template=tracking_url_template)
    session.add(carrier)
    session.flush()
    return carrier


def get_carrier(session: Session, code: str) -> Carrier:
    carrier = session.scalar(select(Carrier).where(Carrier.code == code))
    if carrier is None:
        raise NotFound(f"unknown carrier {code!r}", reason=Refusal.CARRIER)
    return carrier


def carriers(session: Session) -> list[Carrier]:
    """The carriers a seller picks from when shipping, by name."""
    return list(session.scalars(select(Carrier).order_by(Carrier.name, Carrier.code)))


def parcel_tracking_url(parcel: Parcel) -> str | None:
    return tracking_url(parcel.carrier, parcel.tracking_number)


def clean_tracking_number(raw: str) -> str:
    """Normalise what a seller typed: upper case, no surrounding blanks. Spaces inside, control
    characters or anything but letters, digits and dashes are refused, not silently dropped."""
    value = (raw or "").strip().upper()
    if not TRACKING_NUMBER.match(value):
        raise InvalidValue(
            "a tracking number is 4 to 40 letters, digits or dashes, without spaces",
            reason=Refusal.TRACKING_NUMBER,
        )
    return value


def tracking_url(carrier: Carrier | None, tracking_number: str | None) -> str | None:
    """The carrier's tracking page for this parcel, or None when there is nothing to link."""
    if carrier is None or not tracking_number or not carrier.tracking_url_template:
        return None
    return carrier.tracking_url_template.replace("{tracking}", quote(tracking_number, safe=""))


@atomic
def mark_delivered(session: Session, shipment: Shipment, *, at: datetime | None = None) -> Shipment:
    if shipment.status != ShipmentStatus.SHIPPED:
        raise InvalidTransition(
            f"only a shipped parcel can be delivered (this one is {shipment.status})"
        )
    at = at or utcnow()
    if shipment.shipped_at and at < shipment.shipped_at:
        raise InvalidValue("a parcel cannot be delivered before it was shipped")
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = at
    session.flush()
    return shipment
