"""The order pages of the seller portal and the back office show exactly the actions the service
lists (``orders.available_actions``), as buttons of forms posting to those actions."""

from __future__ import annotations

import re

import pytest

from storefront.backoffice import views as backoffice_views
from storefront.marketplace import orders, tracking
from storefront.marketplace.models import ActorRole, Role, SellerOrderState
from storefront.marketplace.orders import OrderAction
from storefront.seller import views as seller_views
from tests import factories, order_fixtures
from tests.checkout_fixtures import tags_with
from tests.order_fixtures import Visitor, part_of, place

S = SellerOrderState
A = OrderAction
people = order_fixtures.people

# The button of each action, and the action its form posts to.
BUTTONS = {
    A.ACCEPT: ("accept-order", "accept"),
    A.REFUSE: ("refuse-order", "refuse"),
    A.DECIDE: ("decide-order", "decide"),
    A.CANCEL: ("cancel-lines", "cancel"),
    A.SHIP: ("ship-order", "ship"),
    A.ADD_PARCEL: ("ship-order", "ship"),
    A.REFUND: ("refund-order", "refund"),
    A.MARK_RECEIVED: ("order-received", "received"),
    A.CLOSE: ("order-close", "close"),
}
TESTIDS = {testid for testid, _ in BUTTONS.values()}


def shown(page: str, area: str, number: str) -> tuple[set[str], set[str]]:
    """The action buttons on ``page``, and the order actions its forms post to."""
    buttons = {testid for testid in TESTIDS if tags_with(page, testid)}
    posts = set(re.findall(rf'action="/{area}/orders/{re.escape(number)}/(\w+)"', page))
    return buttons, posts


def page_of(client, person, path: str) -> str:
    """``path`` as ``person`` sees it (logged out again after)."""
    visitor = Visitor(client).log_in(person)
    page = visitor.page(path)
    visitor.post("/compte/deconnexion")
    return page


def expected(actions) -> tuple[set[str], set[str]]:
    return {BUTTONS[a][0] for a in actions}, {BUTTONS[a][1] for a in actions}


def alpha_part(session, people, washers=1):
    lines = [(people.shop.offers["alpha"], 2)]
    if washers:
        lines.append((people.shop.offers["alpha_washer"], washers))
    return part_of(place(session, people.customer, *lines), people.shop.alpha)


def to_state(session, part, state):
    operator = ActorRole.OPERATOR
    if state != S.WAITING_ACCEPTANCE:
        orders.accept(session, part, actor_role=operator)
    if state in (S.SHIPPED, S.RECEIVED):
        tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="6A12345678901", actor_role=operator)
    if state == S.RECEIVED:
        tracking.mark_received(session, part, actor_role=operator)
    session.commit()
    assert part.state == state


PAGE_CASES = {
    # state: (the seller portal's buttons, the back office's)
    S.WAITING_ACCEPTANCE: ({A.ACCEPT, A.REFUSE, A.DECIDE, A.CANCEL}, {A.ACCEPT, A.REFUSE, A.DECIDE, A.CANCEL}),
    S.SHIPPING: ({A.CANCEL, A.SHIP}, {A.CANCEL, A.SHIP}),
    # Delivery is confirmed by the customer or customer service, not in the seller portal.
    S.SHIPPED: ({A.ADD_PARCEL, A.REFUND}, {A.ADD_PARCEL, A.REFUND, A.MARK_RECEIVED}),
    S.RECEIVED: ({A.REFUND}, {A.REFUND, A.CLOSE}),
}


@pytest.mark.parametrize("state", list(PAGE_CASES), ids=str)
def test_order_pages_show_the_actions_the_service_lists(client, session, people, state):
    part = alpha_part(session, people)
    to_state(session, part, state)
    seller_buttons, operator_buttons = PAGE_CASES[state]

    seller_actions = orders.available_actions(part, ActorRole.SELLER)
    assert {a for a in seller_actions if a in seller_views.ORDER_PAGE_ACTIONS} == seller_buttons
    page = page_of(client, people.alpha_staff, f"/seller/orders/{part.number}")
    assert shown(page, "seller", part.number) == expected(seller_buttons)

    operator_actions = orders.available_actions(part, ActorRole.OPERATOR)
    assert {a for a in operator_actions if a in backoffice_views.ORDER_PAGE_ACTIONS} == operator_buttons
    page = page_of(client, people.operator, f"/backoffice/orders/{part.number}")
    assert shown(page, "backoffice", part.number) == expected(operator_buttons)


def test_a_single_line_order_has_no_line_by_line_form(client, session, people):
    part = alpha_part(session, people, washers=0)
    page = page_of(client, people.alpha_staff, f"/seller/orders/{part.number}")
    assert shown(page, "seller", part.number) == expected({A.ACCEPT, A.REFUSE, A.CANCEL})


def test_nothing_to_do_on_a_cancelled_order(client, session, people):
    part = alpha_part(session, people)
    orders.cancel_order(session, part, reason_code="OUT_OF_STOCK", actor_role=ActorRole.SELLER)
    assert orders.available_actions(part, ActorRole.SELLER) == ()
    assert orders.available_actions(part, ActorRole.OPERATOR) == ()
    for person, area in ((people.alpha_staff, "seller"), (people.operator, "backoffice")):
        page = page_of(client, person, f"/{area}/orders/{part.number}")
        assert shown(page, area, part.number) == (set(), set())


def test_the_warehouse_ships_what_the_seller_cannot(client, session, people):
    gamma_staff = factories.user(session, Role.SELLER, seller=people.shop.gamma, email="gamma@example.com")
    session.commit()
    part = part_of(place(session, people.customer, (people.shop.offers["gamma"], 1)), people.shop.gamma)
    orders.accept(session, part, actor_role=ActorRole.OPERATOR)
    session.commit()

    page = page_of(client, gamma_staff, f"/seller/orders/{part.number}")
    assert shown(page, "seller", part.number) == expected({A.CANCEL})
    assert tags_with(page, "warehouse-ships")
    page = page_of(client, people.operator, f"/backoffice/orders/{part.number}")
    assert shown(page, "backoffice", part.number) == expected({A.CANCEL, A.SHIP})
    assert not tags_with(page, "warehouse-ships")
