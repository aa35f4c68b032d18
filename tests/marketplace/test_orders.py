import pytest
from sqlalchemy import func, select

from storefront.marketplace import orders
from storefront.marketplace.errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from storefront.marketplace.models import (
    ActorRole,
    OrderTransition,
    ReasonType,
    SellerOrderState,
)
from tests import factories

S = SellerOrderState


@pytest.fixture
def reasons(session):
    return {
        "stock": orders.create_reason_code(
            session, "OUT_OF_STOCK", ReasonType.CANCELATION, "Rupture de stock", seller_allowed=True
        ),
        "timeout": orders.create_reason_code(
            session, "ACCEPTANCE_TIMEOUT", ReasonType.CANCELATION, "Délai d'acceptation dépassé"
        ),
        "refusal": orders.create_reason_code(
            session, "CANNOT_SHIP", ReasonType.REFUSAL, "Impossible d'expédier", seller_allowed=True
        ),
    }


def test_happy_path_is_recorded(session):
    part = factories.seller_order(session, factories.seller(session))
    for target in (S.SHIPPING, S.SHIPPED):
        orders.transition(session, part, target, actor_role=ActorRole.SELLER)
    orders.transition(session, part, S.RECEIVED, actor_role=ActorRole.CUSTOMER)
    orders.transition(session, part, S.CLOSED, actor_role=ActorRole.OPERATOR)
    assert [(t.from_state, t.to_state, t.actor_role) for t in part.transitions] == [
        ("WAITING_ACCEPTANCE", "SHIPPING", ActorRole.SELLER),
        ("SHIPPING", "SHIPPED", ActorRole.SELLER),
        ("SHIPPED", "RECEIVED", ActorRole.CUSTOMER),
        ("RECEIVED", "CLOSED", ActorRole.OPERATOR),
    ]
    assert all(t.at is not None and t.at.tzinfo is not None for t in part.transitions)


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.CANCELED, S.SHIPPING), (S.SHIPPED, S.CANCELED), (S.REFUSED, S.SHIPPING),
     (S.WAITING_ACCEPTANCE, S.SHIPPED), (S.CLOSED, S.RECEIVED), (S.SHIPPING, S.REFUSED)],
)
def test_invalid_transitions_change_nothing(session, reasons, start, target):
    part = factories.seller_order(session, factories.seller(session), state=start)
    session.commit()
    with pytest.raises(InvalidTransition, match=f"is {start}; it cannot become {target}"):
        orders.transition(session, part, target, actor_role=ActorRole.OPERATOR, reason=reasons["stock"])
    assert part.state == start
    assert session.scalar(select(func.count(OrderTransition.id))) == 0


def test_every_table_entry_is_reachable_or_final():
    for state in S:
        assert state in orders.TRANSITIONS
    assert not orders.TRANSITIONS[S.CLOSED] and not orders.TRANSITIONS[S.CANCELED]


def test_cancel_needs_a_reason_the_actor_may_use(session, reasons):
    part = factories.seller_order(session, factories.seller(session))
    with pytest.raises(InvalidValue, match="needs a reason"):
        orders.transition(session, part, S.CANCELED, actor_role=ActorRole.SELLER)
    with pytest.raises(NotAllowed, match="not available to a seller"):
        orders.transition(session, part, S.CANCELED, actor_role=ActorRole.SELLER, reason=reasons["timeout"])
    with pytest.raises(InvalidValue, match="REFUSAL reason, not a CANCELATION"):
        orders.transition(session, part, S.CANCELED, actor_role=ActorRole.SELLER, reason=reasons["refusal"])
    orders.transition(session, part, S.CANCELED, actor_role=ActorRole.SELLER, reason=reasons["stock"])
    assert part.transitions[-1].reason.code == "OUT_OF_STOCK"


def test_system_cancels_on_timeout(session, reasons):
    part = factories.seller_order(session, factories.seller(session))
    orders.transition(session, part, S.CANCELED, actor_role=ActorRole.SYSTEM, reason=reasons["timeout"])
    assert part.state == S.CANCELED


def test_customer_cannot_accept(session):
    part = factories.seller_order(session, factories.seller(session))
    with pytest.raises(NotAllowed):
        orders.transition(session, part, S.SHIPPING, actor_role=ActorRole.CUSTOMER)


def test_reason_codes_by_role(session, reasons):
    codes = [r.code for r in orders.reason_codes(session, ReasonType.CANCELATION, ActorRole.SELLER)]
    assert codes == ["OUT_OF_STOCK"]
    assert len(orders.reason_codes(session, ReasonType.CANCELATION, ActorRole.OPERATOR)) == 2
    with pytest.raises(NotFound):
        orders.get_reason(session, ReasonType.REFUND, "OUT_OF_STOCK", ActorRole.SELLER)
    with pytest.raises(InvalidValue, match="already exists"):
        orders.create_reason_code(session, "out_of_stock", ReasonType.CANCELATION, "Doublon")


@pytest.mark.parametrize(
    ("states", "shown"),
    [
        ([S.WAITING_ACCEPTANCE, S.SHIPPING], "WAITING_ACCEPTANCE"),
        ([S.SHIPPING, S.SHIPPING], "SHIPPING"),
        ([S.SHIPPED, S.SHIPPING], "PARTIALLY_SHIPPED"),
        ([S.SHIPPED, S.CANCELED], "SHIPPED"),
        ([S.RECEIVED, S.CLOSED, S.REFUSED], "RECEIVED"),
        ([S.CANCELED, S.REFUSED], "CANCELED"),
    ],
)
def test_customer_status_is_derived(states, shown):
    assert orders.customer_status(states) == shown


def test_order_numbers_are_readable():
    from datetime import UTC, datetime

    number = orders.new_order_number(datetime(2026, 11, 27, tzinfo=UTC))
    assert number.startswith("SF-261127-") and len(number) == 15
    assert not set(number[10:]) & set("ILOU")


def test_concurrent_tabs_conflict(app, session):
    """Two tabs load the same order; the second write is refused instead of overwriting."""
    from sqlalchemy.orm import Session as PlainSession

    from storefront.extensions import db
    from storefront.marketplace.errors import Conflict
    from storefront.marketplace.models import SellerOrder

    part = factories.seller_order(session, factories.seller(session))
    session.commit()
    with PlainSession(db.engine) as first, PlainSession(db.engine) as second:
        a, b = first.get(SellerOrder, part.id), second.get(SellerOrder, part.id)
        orders.transition(first, a, S.SHIPPING, actor_role=ActorRole.SELLER)
        with pytest.raises(Conflict, match="reload"):
            orders.transition(second, b, S.SHIPPING, actor_role=ActorRole.SELLER)
    session.expire_all()
    assert session.get(SellerOrder, part.id).state == S.SHIPPING
    assert session.scalar(select(func.count(OrderTransition.id))) == 1
