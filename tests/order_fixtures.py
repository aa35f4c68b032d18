"""Orders to run, for the order-lifecycle, discussion, seller-portal and back-office tests.

Builds on the checkout's small shop (tests/checkout_fixtures.py: a retailer, Alpha and Beta
shipping their own parcels, Gamma stored in the retailer's warehouse) and places real orders
through ``checkout.place_order``, so the orders have what production ones have: shipments with
fees and promised dates, acceptance deadlines, stock taken. Adds what running orders needs: the
demo's reason codes, discussion topics and carriers, seller staff and customer service.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.demo.vocabulary import CARRIERS, DISCUSSION_TOPICS, REASON_CODES
from storefront.extensions import limiter
from storefront.marketplace import cart as cart_service
from storefront.marketplace import checkout, discussions, orders, tracking
from storefront.marketplace.checkout import PaymentRecord
from storefront.marketplace.models import (
    CustomerOrder,
    Offer,
    OperatorAuditEntry,
    Role,
    SellerOrder,
    User,
    utcnow,
)
from tests import factories
from tests.checkout_fixtures import MAINLAND, Shop, build_shop

CARD = PaymentRecord(method="card", code="CB", reference="pay_sbx_ok_test")
_keys = itertools.count(1)


@dataclass
class People:
    shop: Shop
    customer: User  # camille@example.com, "Camille" (no family name)
    other_customer: User
    alpha_staff: User
    beta_staff: User
    operator: User


def seed_vocabulary(session) -> None:
    """The demo's reason codes, discussion topics and carriers (a realistic French set)."""
    for spec in REASON_CODES:
        orders.create_reason_code(
            session, spec.code, spec.type, spec.label, label_en=spec.label_en,
            customer_allowed=spec.customer, seller_allowed=spec.seller,
            operator_allowed=spec.operator,
        )
    for position, (code, label, label_en, kind, about_order, about_offer) in enumerate(DISCUSSION_TOPICS):
        discussions.create_topic(
            session, code, label, label_en=label_en, message_type=kind,
            about_order=about_order, about_offer=about_offer, position=position,
        )
    for code, name, template in CARRIERS:
        tracking.create_carrier(session, code, name, template)


def build_people(session) -> People:
    shop = build_shop(session)
    seed_vocabulary(session)
    shop.customer.name = "Camille Martin"
    shop.other_customer.name = "Dominique Petit"
    people = People(
        shop=shop,
        customer=shop.customer,
        other_customer=shop.other_customer,
        alpha_staff=factories.user(session, Role.SELLER, seller=shop.alpha, email="alpha@example.com"),
        beta_staff=factories.user(session, Role.SELLER, seller=shop.beta, email="beta@example.com"),
        operator=factories.user(session, Role.OPERATOR, email="service@example.com"),
    )
    session.commit()
    return people


@pytest.fixture
def people(session) -> People:
    return build_people(session)


def place(
    session,
    customer: User | None,
    *lines: tuple[Offer, int],
    now: datetime | None = None,
    email: str | None = None,
    modes: dict | None = None,
) -> CustomerOrder:
    """An order of ``lines`` (offer, quantity) placed by ``customer`` (None: a guest), paid by
    card, with the cheapest delivery unless ``modes`` says otherwise ({shipper: mode code}).
    ``now`` defaults to an hour ago."""
    now = now or utcnow() - timedelta(hours=1)
    if customer is not None:
        cart = cart_service.open_cart(session, user_id=customer.id)
    else:
        cart = cart_service.open_cart(session, token=cart_service.new_guest_token())
    for offer, quantity in lines:
        cart_service.add_item(session, cart, offer.id, quantity)
    zone = cart_service.set_address(
        session, cart, MAINLAND, email=email or (customer.email if customer else "guest@example.com")
    )
    for shipper, code in (modes or {}).items():
        cart_service.choose_delivery(session, cart, shipper.id, code, zone, now=now)
    placed = checkout.place_order(
        session, cart, idempotency_key=f"order-key-{next(_keys):08d}-xxxxxxxx", payment=CARD,
        locale="fr",
        now=now,
    )
    order = placed.order
    # The amount authorized for real in the app's sandbox (it keeps a book of what it may
    # capture), as "Place order" does before placing: the payments can follow the order.
    authorized = current_app.extensions["payment_provider"].authorize(
        f"tok_sbx_ok_{order.id:016x}", amount=order.total, currency=order.currency,
        idempotency_key=order.idempotency_key,
    )
    order.payment_reference = authorized.reference
    session.commit()
    return order


def part_of(order: CustomerOrder, seller) -> SellerOrder:
    """The seller order of ``seller`` in ``order``."""
    return next(so for so in order.seller_orders if so.seller_id == seller.id)


# --- Web helpers ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery"  # what tests.factories.user gives everyone
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HTMX = {"HX-Request": "true"}


class Visitor:
    """The test client of one signed-in person (or nobody), in English (msgids), posting forms
    with the session's CSRF token."""

    def __init__(self, client):
        self.client = client
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        self._token: str | None = None

    def log_in(self, user: User) -> Visitor:
        # The log-in form is rate limited per address, and tests log in a lot; reset in the
        # client's application, whose database holds the counts.
        with self.client.application.app_context():
            limiter.reset()
        self._token = None
        response = self.post("/compte/connexion", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self._token = None  # a new session after logging in
        return self

    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/panier/").get_data(as_text=True)
            match = _META_TOKEN.search(page)
            assert match, "no CSRF token"
            self._token = match.group(1)
        return self._token

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token()}, **kwargs)

    def htmx_post(self, path: str, data: dict | None = None):
        return self.post(path, data, headers=HTMX)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def html_text(page: str) -> str:
    """A page's text without tags, entities decoded, whitespace squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def audit_count(session) -> int:
    """How many entries the back office's audit log holds (to show a refused write added none)."""
    session.expire_all()
    return session.scalar(select(func.count(OperatorAuditEntry.id)))
