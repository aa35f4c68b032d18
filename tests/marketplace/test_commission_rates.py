"""Commission rates with effective dates (marketplace/commission_rates.py): the lookup of a day,
a new rate closing the previous one, overlaps refused, checkout copying the rate of the order's
day, and no order line rewritten afterwards."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from storefront.marketplace import clock as shop_clock
from storefront.marketplace import commission_rates, finance
from storefront.marketplace.errors import Conflict, InvalidValue, NotAllowed
from storefront.marketplace.models import (
    Category,
    CommissionRate,
    OperatorAuditEntry,
    OperatorRole,
    OrderLine,
    Role,
)
from storefront.marketplace.refusals import Refusal
from tests import factories, order_fixtures
from tests.order_fixtures import place

people = order_fixtures.people


@pytest.fixture
def admin(session, people):
    return people.operator


def today(session):
    return shop_clock.of(session).today()


def audit_count(session) -> int:
    return session.scalar(select(func.count(OperatorAuditEntry.id)))


def category(session, code):
    return session.scalar(select(Category).where(Category.code == code))


@pytest.mark.parametrize("typed, bp", [("12,5", 1250), ("12.5", 1250), ("12,5 %", 1250), ("0", 0), ("100", 10_000),
                                       (" 7 ", 700), ("15,25", 1525)])
def test_percentages_as_typed(typed, bp):
    assert commission_rates.parse_percent(typed) == bp


@pytest.mark.parametrize("typed", ["", "abc", "-1", "100,5", "101", "1e3", "12,555", "12,5,5", "\x00", "１２", "+5"])
def test_what_is_not_a_percentage(typed):
    with pytest.raises(InvalidValue) as refused:
        commission_rates.parse_percent(typed)
    assert refused.value.details["reason"] == Refusal.COMMISSION_RATE


def test_a_new_rate_closes_the_previous_one_from_its_day(session, people, admin):
    shop, day = people.shop, today(session)
    washers = category(session, "washers")
    before = finance.commission_rate_for(session, shop.alpha, washers, on=day)
    assert before == 1200  # the shop's default, since always
    rate = commission_rates.schedule(session, admin, 900, valid_from=day + timedelta(days=10))
    default_rows = session.scalars(
        select(CommissionRate).where(CommissionRate.category_id.is_(None), CommissionRate.seller_id.is_(None))
        .order_by(CommissionRate.valid_from)
    ).all()
    assert [(r.rate_bp, r.valid_to) for r in default_rows] == [(1200, day + timedelta(days=10)), (900, None)]
    assert finance.commission_rate_for(session, shop.alpha, washers, on=day) == 1200
    assert finance.commission_rate_for(session, shop.alpha, washers, on=day + timedelta(days=9)) == 1200
    assert finance.commission_rate_for(session, shop.alpha, washers, on=day + timedelta(days=10)) == 900
    actions = [e.action for e in session.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id))]
    assert actions == ["commission.close", "commission.schedule"]
    entry = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "commission.schedule")).one()
    assert entry.target_id == str(rate.id) and entry.after["rate_bp"] == 900
    assert entry.after["valid_from"] == (day + timedelta(days=10)).isoformat()


def test_seller_overrides_all_categories_or_one_for_a_period(session, people, admin):
    shop, day = people.shop, today(session)
    washers, home = category(session, "washers"), category(session, "home")
    commission_rates.schedule(session, admin, 800, valid_from=day, seller=shop.alpha)
    commission_rates.schedule(session, admin, 500, valid_from=day + timedelta(days=2),
                              valid_to=day + timedelta(days=5), seller=shop.alpha, category=washers)
    rate = finance.commission_rate_for
    assert rate(session, shop.alpha, washers, on=day) == 800
    assert rate(session, shop.alpha, washers, on=day + timedelta(days=2)) == 500
    assert rate(session, shop.alpha, home, on=day + timedelta(days=2)) == 800
    assert rate(session, shop.alpha, washers, on=day + timedelta(days=5)) == 800  # back to the seller's rate
    assert rate(session, shop.beta, washers, on=day + timedelta(days=2)) == 1200
    assert rate(session, shop.alpha, washers, on=day - timedelta(days=1)) == 1200  # before the override


def test_overlapping_periods_are_refused_and_nothing_changes(session, people, admin):
    day = today(session)
    commission_rates.schedule(session, admin, 900, valid_from=day + timedelta(days=10), valid_to=day + timedelta(days=20))
    session.commit()
    entries, rows = audit_count(session), session.scalar(select(func.count(CommissionRate.id)))
    for start, stop in [(day + timedelta(days=5), None), (day + timedelta(days=15), None),
                        (day + timedelta(days=5), day + timedelta(days=11)), (day + timedelta(days=10), None)]:
        with pytest.raises(Conflict) as refused:
            commission_rates.schedule(session, admin, 700, valid_from=start, valid_to=stop)
        assert refused.value.details["reason"] == Refusal.RATE_OVERLAP
    session.expire_all()
    assert audit_count(session) == entries
    assert session.scalar(select(func.count(CommissionRate.id))) == rows
    # after the planned one, the default resumes; a new rate from a later day closes that one
    commission_rates.schedule(session, admin, 700, valid_from=day + timedelta(days=25))
    rows = session.scalars(select(CommissionRate).order_by(CommissionRate.valid_from)).all()
    assert [(r.rate_bp, (r.valid_from - day).days if r.valid_from > day else None,
             r.valid_to and (r.valid_to - day).days) for r in rows] == [
        (1200, None, 10), (900, 10, 20), (1200, 20, 25), (700, 25, None)]


@pytest.mark.parametrize("rate_bp, start, stop, reason", [
    (-1, 0, None, Refusal.COMMISSION_RATE),
    (10_001, 0, None, Refusal.COMMISSION_RATE),
    (1000, -1, None, Refusal.RATE_IN_PAST),
    (1000, 3, 3, Refusal.RATE_PERIOD),
    (1000, 3, 2, Refusal.RATE_PERIOD),
])
def test_refused_rates(session, people, admin, rate_bp, start, stop, reason):
    day = today(session)
    entries = audit_count(session)
    with pytest.raises(InvalidValue) as refused:
        commission_rates.schedule(session, admin, rate_bp, valid_from=day + timedelta(days=start),
                                  valid_to=None if stop is None else day + timedelta(days=stop))
    assert refused.value.details["reason"] == reason
    assert audit_count(session) == entries


def test_the_retailer_has_no_commission(session, people, admin):
    with pytest.raises(InvalidValue) as refused:
        commission_rates.schedule(session, admin, 1000, valid_from=today(session), seller=people.shop.retailer)
    assert refused.value.details["reason"] == Refusal.RETAILER_COMMISSION


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.CATALOG])
def test_only_roles_with_the_permission(session, people, role):
    clerk = factories.user(session, Role.OPERATOR)
    clerk.operator_role = role
    entries = audit_count(session)
    with pytest.raises(NotAllowed):
        commission_rates.schedule(session, clerk, 1000, valid_from=today(session))
    assert audit_count(session) == entries
    clerk.operator_role = OperatorRole.FINANCE
    commission_rates.schedule(session, clerk, 1000, valid_from=today(session) + timedelta(days=1))


def test_withdraw_a_planned_rate_reopens_the_previous_one(session, people, admin):
    day = today(session)
    planned = commission_rates.schedule(session, admin, 900, valid_from=day + timedelta(days=10))
    commission_rates.withdraw(session, admin, planned.id)
    rows = session.scalars(select(CommissionRate).where(CommissionRate.category_id.is_(None),
                                                         CommissionRate.seller_id.is_(None))).all()
    assert [(r.rate_bp, r.valid_to) for r in rows] == [(1200, None)]
    current = rows[0]
    with pytest.raises(InvalidValue) as refused:
        commission_rates.withdraw(session, admin, current.id)
    assert refused.value.details["reason"] == Refusal.RATE_STARTED


def test_end_a_rate(session, people, admin):
    day = today(session)
    override = commission_rates.schedule(session, admin, 800, valid_from=day, seller=people.shop.alpha)
    commission_rates.end(session, admin, override.id, day + timedelta(days=3))
    washers = category(session, "washers")
    assert finance.commission_rate_for(session, people.shop.alpha, washers, on=day + timedelta(days=2)) == 800
    assert finance.commission_rate_for(session, people.shop.alpha, washers, on=day + timedelta(days=3)) == 1200
    with pytest.raises(InvalidValue):
        commission_rates.end(session, admin, override.id, day - timedelta(days=1))


def test_checkout_copies_the_rate_of_the_order_day_and_never_rewrites_it(session, people, admin):
    shop, day = people.shop, today(session)
    zone = shop_clock.of(session).tz
    first = place(session, people.customer, (shop.offers["alpha"], 1))
    commission_rates.schedule(session, admin, 700, valid_from=day + timedelta(days=3), seller=shop.alpha)
    session.commit()
    later = place(session, people.customer, (shop.offers["alpha"], 1),
                  now=datetime.combine(day + timedelta(days=4), time(10), tzinfo=zone))
    first_line = session.scalars(select(OrderLine).join(OrderLine.seller_order).where(
        OrderLine.seller_order.has(customer_order_id=first.id))).one()
    later_line = session.scalars(select(OrderLine).where(
        OrderLine.seller_order.has(customer_order_id=later.id))).one()
    assert (first_line.commission_bp, later_line.commission_bp) == (1200, 700)
    # changing the rates again rewrites neither line
    commission_rates.schedule(session, admin, 300, valid_from=day + timedelta(days=5), seller=shop.alpha)
    session.commit()
    session.expire_all()
    assert session.get(OrderLine, first_line.id).commission_bp == 1200
    assert session.get(OrderLine, later_line.id).commission_bp == 700


def test_a_rate_for_a_while_lets_the_previous_one_resume(session, people, admin):
    day, washers = today(session), category(session, "washers")
    commission_rates.schedule(session, admin, 500, valid_from=day + timedelta(days=2), valid_to=day + timedelta(days=5))
    rate = finance.commission_rate_for
    assert [rate(session, people.shop.alpha, washers, on=day + timedelta(days=n)) for n in (1, 2, 4, 5, 30)] == [
        1200, 500, 500, 1200, 1200]
    # withdrawing the promotion leaves the default as it was before, in one piece or two
    promotion = session.scalars(select(CommissionRate).where(CommissionRate.rate_bp == 500)).one()
    commission_rates.withdraw(session, admin, promotion.id)
    assert [rate(session, people.shop.alpha, washers, on=day + timedelta(days=n)) for n in (1, 2, 4, 5, 30)] == [
        1200] * 5
