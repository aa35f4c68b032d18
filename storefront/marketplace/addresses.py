"""Address books: the delivery addresses a customer keeps for checkout.

Every address is checked the way checkout will use it: a well-formed postal code for its country,
and a delivery zone that holds it (``delivery.zone_for``), so that a saved address is always one
the shop delivers to. A customer only ever reaches their own addresses: asking for someone else's
is answered as if it did not exist (``NotFound``), so ids reveal nothing.

Errors name the form field they are about in ``error.details["field"]``.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from . import delivery
from .errors import InvalidValue, NotDeliverable, NotFound
from .models import Address, User
from .unit_of_work import atomic

# The countries of the delivery zones (design: mainland France, Corsica, overseas, Belgium).
COUNTRIES = ("FR", "BE")
MAX_ADDRESSES = 30
_PHONE_CHARS = re.compile(r"[0-9 +().\-]*")


class AddressBookFull(InvalidValue):
    """The user already has :data:`MAX_ADDRESSES` addresses."""


def addresses_of(session: Session, user: User) -> list[Address]:
    """The user's addresses, the default one first, then in the order they were added."""
    return list(
        session.scalars(
            select(Address)
            .where(Address.user_id == user.id)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def get_address(session: Session, user: User, address_id: int) -> Address:
    address = session.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFound(f"no address {address_id}")
    return address


def default_address(session: Session, user: User) -> Address | None:
    return session.scalar(
        select(Address).where(Address.user_id == user.id, Address.is_default.is_(True)).limit(1)
    )


@atomic
def add_address(
    session: Session,
    user: User,
    *,
    name: str,
    line1: str,
    postal_code: str,
    city: str,
    country: str = "FR",
    line2: str = "",
    label: str = "",
    phone: str = "",
    make_default: bool = False,
) -> Address:
    """Add an address to the user's book; the first one becomes the default."""
    fields = _clean_fields(
        session,
        name=name,
        line1=line1,
        line2=line2,
        postal_code=postal_code,
        city=city,
        country=country,
        label=label,
        phone=phone,
    )
    count = session.scalar(select(func.count()).where(Address.user_id == user.id))
    if count >= MAX_ADDRESSES:
        raise AddressBookFull(f"an address book holds at most {MAX_ADDRESSES} addresses")
    address = Address(user_id=user.id, **fields)
    session.add(address)
    session.flush()
    if make_default or count == 0:
        _make_default(session, user, address)
    return address


@atomic
def update_address(
    session: Session,
    user: User,
    address_id: int,
    *,
    name: str,
    line1: str,
    postal_code: str,
    city: str,
    country: str = "FR",
    line2: str = "",
    label: str = "",
    phone: str = "",
    make_default: bool = False,
) -> Address:
    """Replace every field of one of the user's addresses.

    ``make_default=False`` leaves the default where it is: the default changes by choosing
    another address, never by unticking a box.
    """
    address = get_address(session, user, address_id)
    fields = _clean_fields(
        session,
        name=name,
        line1=line1,
        line2=line2,
        postal_code=postal_code,
        city=city,
        country=country,
        label=label,
        phone=phone,
    )
    for key, value in fields.items():
        setattr(address, key, value)
    session.flush()
    if make_default:
        _make_default(session, user, address)
    return address


@atomic
def set_default_address(session: Session, user: User, address_id: int) -> Address:
    address = get_address(session, user, address_id)
    _make_default(session, user, address)
    return address


@atomic
def delete_address(session: Session, user: User, address_id: int) -> None:
    """Delete one of the user's addresses; if it was the default, the oldest left takes over."""
    address = get_address(session, user, address_id)
    was_default = address.is_default
    session.delete(address)
    session.flush()
    if was_default:
        oldest = session.scalar(
            select(Address).where(Address.user_id == user.id).order_by(Address.id).limit(1)
        )
        if oldest is not None:
            _make_default(session, user, oldest)


def _make_default(session: Session, user: User, address: Address) -> None:
    # One statement over the whole book, so two concurrent choices still leave a single default.
    session.execute(
        update(Address)
        .where(Address.user_id == user.id)
        .values(is_default=case((Address.id == address.id, True), else_=False))
        .execution_options(synchronize_session="fetch")
    )
    session.flush()


# --- Validation ----------------------------------------------------------------------------------


def _clean_fields(
    session: Session,
    *,
    name: str,
    line1: str,
    line2: str,
    postal_code: str,
    city: str,
    country: str,
    label: str,
    phone: str,
) -> dict[str, str]:
    fields = {
        "label": _line(label, "label", 60, required=False),
        "name": _line(name, "name", 120),
        "line1": _line(line1, "line1", 200),
        "line2": _line(line2, "line2", 200, required=False),
        "city": _line(city, "city", 80),
        "phone": _phone(phone),
    }
    country = _line(country, "country", 20).upper()
    if country not in COUNTRIES:
        raise InvalidValue(
            f"we deliver to {' and '.join(COUNTRIES)} only, not {country!r}", field="country"
        )
    try:
        postal_code = delivery.clean_postal_code(country, _line(postal_code, "postal_code", 20))
    except InvalidValue as error:
        raise InvalidValue(error.message, field="postal_code") from None
    try:
        delivery.zone_for(session, country, postal_code)
    except NotDeliverable as error:
        raise NotDeliverable(error.message, field="postal_code") from None
    return {**fields, "country": country, "postal_code": postal_code}


def _line(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    """One line of text: inner runs of whitespace become one space, and control characters are
    refused (PostgreSQL rejects NUL bytes, and a label on a parcel has no use for the others)."""
    if value is not None and not isinstance(value, str):
        raise InvalidValue(f"{field} must be text, not {value!r}", field=field)
    text = " ".join((value or "").split())
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidValue(f"{field} contains control characters", field=field)
    if required and not text:
        raise InvalidValue(f"{field} is required", field=field)
    if len(text) > max_length:
        raise InvalidValue(f"{field} is at most {max_length} characters", field=field)
    return text


def _phone(value: str | None) -> str:
    phone = _line(value, "phone", 30, required=False)
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not _PHONE_CHARS.fullmatch(phone) or not 6 <= digits <= 15):
        raise InvalidValue(
            f"a phone number is 6 to 15 digits, with optional spaces, '+', '.', '-' or "
            f"brackets, not {value!r}",
            field="phone",
        )
    return phone
