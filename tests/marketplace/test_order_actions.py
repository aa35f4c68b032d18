"""What may be done with a seller order now (``orders.available_actions``), for every state and
every role, checked against the services: an action is listed exactly when its service accepts
it, and an action not listed is refused and changes nothing.

Orders are placed through the checkout (tests/order_fixtures.py): Alpha ships its own parcels,
Gamma's offers ship from the retailer's warehouse.
"""

from __future__ import annotations

import pytest

from storefront.marketplace import orders, tracking
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import ActorRole, ReasonType, Role, SellerOrderState
from storefront.marketplace.orders import OrderAction
from tests import factories, order_fixtures
from tests.marketplace.test_order_lifecycle import alpha_order, snapshot
from tests.order_fixtures import part_of, place

S = SellerOrderState
A = OrderAction
SELLER, OPERATOR, CUSTOMER = ActorRole.SELLER, ActorRole.OPERATOR, ActorRole.CUSTOMER
people = order_fixtures.people


@pytest.fixture(autouse=True)
def plenty_in_stock(session, people):
    """These tests place many orders of Alpha's offers."""
    for key in ("alpha", "alpha_washer"):
        people.shop.offers[key].stock = 500
    session.commit()

NOTHING: set[OrderAction] = set()
EXPECTED = {
    S.WAITING_ACCEPTANCE: {
        SELLER: {A.ACCEPT, A.REFUSE, A.DECIDE, A.CANCEL},
        OPERATOR: {A.ACCEPT, A.REFUSE, A.DECIDE, A.CANCEL},
        CUSTOMER: {A.CANCEL},
    },
    S.SHIPPING: {
        SELLER: {A.CANCEL, A.SHIP},
        OPERATOR: {A.CANCEL, A.SHIP},
        CUSTOMER: {A.CANCEL},
    },
    S.SHIPPED: {
        SELLER: {A.ADD_PARCEL, A.REFUND, A.MARK_RECEIVED},
        OPERATOR: {A.ADD_PARCEL, A.REFUND, A.MARK_RECEIVED},
        CUSTOMER: {A.MARK_RECEIVED},
    },
    S.TO_COLLECT: {
        SELLER: {A.REFUND, A.MARK_RECEIVED},
        OPERATOR: {A.REFUND, A.MARK_RECEIVED},
        CUSTOMER: {A.MARK_RECEIVED},
    },
    S.RECEIVED: {SELLER: {A.REFUND}, OPERATOR: {A.REFUND, A.CLOSE}, CUSTOMER: NOTHING},
    S.CLOSED: {SELLER: NOTHING, OPERATOR: NOTHING, CUSTOMER: NOTHING},
    S.REFUSED: {SELLER: NOTHING, OPERATOR: NOTHING, CUSTOMER: NOTHING},
    S.CANCELED: {SELLER: NOTHING, OPERATOR: NOTHING, CUSTOMER: NOTHING},
}


def test_the_table_covers_every_state():
    assert set(EXPECTED) == set(S)


def bring_to(session, part, state):
    """Move a new order of Alpha to ``state`` through the services."""
    def ship(s, p):
        return tracking.ship(s, p, carrier_code="COLISSIMO", tracking_number="6A12345678901", actor_role=SELLER)

    steps = {
        S.WAITING_ACCEPTANCE: [],
        S.SHIPPING: [orders.accept],
        S.SHIPPED: [orders.accept, ship],
        S.TO_COLLECT: [orders.accept, lambda s, p: orders.transition(s, p, S.TO_COLLECT, actor_role=SELLER)],
        S.RECEIVED: [orders.accept, ship, tracking.mark_received],
        S.CLOSED: [orders.accept, ship, tracking.mark_received,
                   lambda s, p: orders.close(s, p, actor_role=OPERATOR)],
        S.REFUSED: [lambda s, p: orders.refuse(s, p, reason_code="OUT_OF_STOCK", actor_role=SELLER)],
        S.CANCELED: [lambda s, p: orders.cancel_order(s, p, reason_code="OUT_OF_STOCK", actor_role=SELLER)],
    }[state]
    for step in steps:
        if step in (orders.accept, tracking.mark_received):
            step(session, part, actor_role=OPERATOR)
        else:
            step(session, part)
    session.commit()
    assert part.state == state


def perform(session, part, action, role):
    """Do ``action`` as ``role`` through its service (what the order page's button posts)."""
    if action == A.ACCEPT:
        return orders.accept(session, part, actor_role=role)
    if action == A.REFUSE:
        return orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=role)
    if action == A.DECIDE:
        return orders.decide(session, part, {part.lines[0].id: True}, actor_role=role)
    if action == A.CANCEL:
        return orders.cancel_order(session, part, reason_code="CUSTOMER_REQUEST", actor_role=role)
    if action == A.SHIP:  # a parcel with units in it
        units = orders.to_ship(part) or {part.lines[0].id: 1}
        return tracking.ship(session, part, carrier_code="DPD", tracking_number="PARCEL-0002",
                             actor_role=role, quantities=units)
    if action == A.ADD_PARCEL:  # one more box, no units
        return tracking.ship(session, part, carrier_code="DPD", tracking_number="PARCEL-0003",
                             actor_role=role, quantities={})
    if action == A.REFUND:
        return orders.refund(session, part, amount=100, reason_code="DAMAGED", actor_role=role)
    if action == A.MARK_RECEIVED:
        return tracking.mark_received(session, part, actor_role=role)
    if action == A.CLOSE:
        return orders.close(session, part, actor_role=role)
    raise AssertionError(action)


@pytest.mark.parametrize("role", [SELLER, OPERATOR, CUSTOMER], ids=str)
@pytest.mark.parametrize("state", list(S), ids=str)
def test_available_actions_are_what_the_services_allow(session, people, state, role):
    part = alpha_order(session, people)
    bring_to(session, part, state)
    listed = orders.available_actions(part, role)
    assert set(listed) == EXPECTED[state][role]
    assert list(listed) == [action for action in A if action in listed]  # in a stable order
    for action in A:
        if action in listed:
            continue
        before = snapshot(session, part)
        with pytest.raises(DomainError):
            perform(session, part, action, role)
        assert snapshot(session, part) == before, action
    for action in listed:
        fresh = alpha_order(session, people)
        bring_to(session, fresh, state)
        perform(session, fresh, action, role)


def test_a_single_line_is_not_decided_line_by_line(session, people):
    part = alpha_order(session, people, washers=0)
    assert A.DECIDE not in orders.available_actions(part, SELLER)
    assert {A.ACCEPT, A.REFUSE} <= set(orders.available_actions(part, SELLER))


def test_the_seller_does_not_ship_what_the_warehouse_ships(session, people):
    order = place(session, people.customer, (people.shop.offers["gamma"], 1))
    part = part_of(order, people.shop.gamma)
    orders.accept(session, part, actor_role=OPERATOR)
    assert set(orders.available_actions(part, SELLER)) == {A.CANCEL}
    assert set(orders.available_actions(part, OPERATOR)) == {A.CANCEL, A.SHIP}
    with pytest.raises(DomainError):
        perform(session, part, A.SHIP, SELLER)
    perform(session, part, A.SHIP, OPERATOR)
    assert set(orders.available_actions(part, SELLER)) == {A.REFUND, A.MARK_RECEIVED}
    assert set(orders.available_actions(part, OPERATOR)) == {A.ADD_PARCEL, A.REFUND, A.MARK_RECEIVED}


# --- the order page's read model -----------------------------------------------------------------


def test_order_detail_for_the_seller_and_customer_service(session, people):
    part = alpha_order(session, people)
    seller_view = orders.order_detail(session, part, people.alpha_staff)
    operator_view = orders.order_detail(session, part, people.operator)
    assert seller_view.role == SELLER and operator_view.role == OPERATOR
    assert seller_view.actions == orders.available_actions(part, SELLER)
    assert seller_view.deadline.action == A.ACCEPT and seller_view.deadline.by == part.acceptance_deadline
    assert seller_view.cancellable == orders.cancellable(part) and seller_view.to_ship == {}
    assert seller_view.money == orders.amounts(session, part)
    assert not seller_view.warehouse_ships
    # The forms offer the reasons this viewer may give: customer service has its own.
    seller_reasons = {r.code for r in seller_view.reasons[ReasonType.CANCELATION]}
    operator_reasons = {r.code for r in operator_view.reasons[ReasonType.CANCELATION]}
    assert "OUT_OF_STOCK" in seller_reasons and "SUSPECTED_FRAUD" not in seller_reasons
    assert "SUSPECTED_FRAUD" in operator_reasons
    assert [c.code for c in seller_view.carriers] == [c.code for c in tracking.carriers(session)]
    # What the page has buttons for narrows the list, never widens it.
    narrowed = orders.order_detail(session, part, people.alpha_staff, offered=frozenset({A.ACCEPT, A.CLOSE}))
    assert narrowed.actions == (A.ACCEPT,)


def test_order_detail_is_not_for_anyone_else(session, people):
    part = alpha_order(session, people)
    for outsider in (people.beta_staff, people.customer):
        with pytest.raises(NotFound):
            orders.order_detail(session, part, outsider)


def test_order_detail_says_when_the_warehouse_ships(session, people):
    order = place(session, people.customer, (people.shop.offers["gamma"], 1))
    part = part_of(order, people.shop.gamma)
    gamma_staff = factories.user(session, Role.SELLER, seller=people.shop.gamma, email="gamma@example.com")
    assert not orders.order_detail(session, part, gamma_staff).warehouse_ships  # not accepted yet
    orders.accept(session, part, actor_role=OPERATOR)
    detail = orders.order_detail(session, part, gamma_staff)
    assert detail.warehouse_ships and detail.deadline.action == A.SHIP
    assert not orders.order_detail(session, part, people.operator).warehouse_ships
