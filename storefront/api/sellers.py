"""Sellers domain of the API: a seller client reads and updates its own shop (``/sellers/me``);
the operator's clients list and read every shop. Profile changes go through
``sellers.update_profile``, which says which fields a seller may change and checks them.
"""

from __future__ import annotations

from flask import jsonify
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import sellers
from storefront.marketplace.errors import NotAllowed, NotFound
from storefront.marketplace.models import Seller, SellerState

from . import bp, pages
from .auth import Caller, require_scope
from .orders import DEFAULT_LIMIT, MAX_LIMIT, rfc3339
from .schema import Body, Out, Query, operation

# -- shapes ------------------------------------------------------------------------------------------


class SellersQuery(Query):
    state: SellerState | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class ProfileBody(Body):
    """The fields to change; those left out stay as they are. ``null`` empties a text (not the
    name, which a shop always has)."""

    name: str | None = Field(None, description="the name shoppers see; at most 120 characters")
    description: str | None = Field(None, description="at most 5,000 characters")
    return_policy: str | None = Field(None, description="at most 5,000 characters")
    logo_url: str | None = Field(None, description="an https:// address, or empty for none")
    city: str | None = Field(None, description="at most 80 characters")
    default_lead_time_days: int | None = Field(
        None, description="business days to ship, taken by new offers that give none (0 to 60)")


class RatingOut(Out):
    grade: float | None = Field(description="the average out of 5; null before the first rating")
    count: int


class SellerOut(Out):
    code: str
    name: str
    slug: str
    state: SellerState
    is_operator: bool = Field(description="the retailer itself (the first-party seller)")
    legal_name: str
    siret: str
    vat_number: str
    city: str
    country: str
    description: str
    return_policy: str
    logo_url: str
    default_lead_time_days: int
    cutoff_time: str = Field(description="HH:MM in the shop's time zone: later orders count from the next business day")
    rating: RatingOut
    suspended_reason: str
    created_at: str


class SellerPage(Out):
    items: list[SellerOut]
    next_cursor: str | None


# -- encoding ----------------------------------------------------------------------------------------


def seller_body(seller: Seller) -> dict:
    return {
        "code": seller.code,
        "name": seller.name,
        "slug": seller.slug,
        "state": str(seller.state),
        "is_operator": seller.is_operator,
        "legal_name": seller.legal_name,
        "siret": seller.siret,
        "vat_number": seller.vat_number,
        "city": seller.city,
        "country": seller.country,
        "description": seller.description,
        "return_policy": seller.return_policy,
        "logo_url": seller.logo_url,
        "default_lead_time_days": seller.default_lead_time_days,
        "cutoff_time": seller.cutoff_time.strftime("%H:%M"),
        "rating": {"grade": seller.rating, "count": seller.rating_count},
        "suspended_reason": seller.suspended_reason,
        "created_at": rfc3339(seller.created_at),
    }


def _own_shop(caller: Caller) -> Seller:
    if caller.seller_id is None:
        raise NotAllowed("an operator client acts for the marketplace, not for one shop: "
                         "read a shop with GET /sellers/{code}")
    seller = db.session.get(Seller, caller.seller_id)
    if seller is None:
        raise NotFound("this client's shop no longer exists")
    return seller


# -- views -------------------------------------------------------------------------------------------


@bp.get("/sellers/me")
@require_scope("sellers:read")
@operation(tag="sellers", responses={200: SellerOut})
def get_my_shop(caller: Caller):
    """The calling seller's shop."""
    return jsonify(seller_body(_own_shop(caller)))


@bp.patch("/sellers/me")
@require_scope("sellers:write")
@operation(tag="sellers", body=ProfileBody, responses={200: SellerOut})
def update_my_shop(caller: Caller, body: ProfileBody):
    """Change the shop's public profile: name, description, return policy, logo, city, and the
    lead time new offers take by default.

    Legal identity, code, state and cut-off time are the operator's. Each value is checked
    before any is set: a refusal (422 naming the ``field``) changes nothing."""
    seller = _own_shop(caller)
    sellers.update_profile(db.session, seller, {name: getattr(body, name) for name in body.model_fields_set})
    return jsonify(seller_body(seller))


@bp.get("/sellers")
@require_scope("sellers:read")
@operation(tag="sellers", query=SellersQuery, responses={200: SellerPage})
def list_sellers(caller: Caller, query: SellersQuery):
    """Every shop, oldest first, for the operator's clients (``state`` filters); a seller's
    client finds its own shop alone.

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    found = sellers.list_sellers(
        db.session, seller_id=caller.seller_id, state=query.state,
        after_id=pages.read_cursor("sellers", pages.last_id), limit=query.limit + 1,
    )
    return pages.id_page("sellers", "api.list_sellers", found, query.limit, seller_body)


@bp.get("/sellers/<code>")
@require_scope("sellers:read")
@operation(tag="sellers", responses={200: SellerOut})
def get_seller(code: str, caller: Caller):
    """One shop by its code; a seller's client may read only its own (another's is 404)."""
    seller = sellers.get_seller(db.session, code=code)
    if caller.seller_id is not None and seller.id != caller.seller_id:
        raise NotFound(f"unknown seller {code!r}")
    return jsonify(seller_body(seller))
