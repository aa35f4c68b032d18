"""The back office's home: the marketplace's figures for the last 7, 30 or 90 days, exact on known
orders, in a fixed number of queries; charts as SVG without any script; each figure a link to the
order list filtered the same way."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storefront.marketplace import discussions, marketplace_stats, orders
from storefront.marketplace.models import ActorRole
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=PARIS)  # a Thursday


@pytest.fixture
def known_orders(session, people):
    """Five seller orders at known days (prices: alpha 1 500, beta 800, first party 1 999,
    gamma 1 200), decided as the tests expect, and one conversation with Alpha."""
    shop = people.shop
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=PARIS)  # 6 days before NOW
    mixed = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1), now=friday)
    alpha, beta = part_of(mixed, shop.alpha), part_of(mixed, shop.beta)
    orders.accept(session, alpha, actor_role=ActorRole.SELLER, now=friday + timedelta(hours=1))
    orders.refuse(session, beta, reason_code="PRICE_ERROR", actor_role=ActorRole.SELLER,
                  now=friday + timedelta(hours=2))
    # 20 days before: the retailer's own order, accepted at once, then cancelled.
    retailer = part_of(place(session, people.other_customer, (shop.offers["first_party"], 1),
                             now=datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)), shop.retailer)
    orders.cancel_order(session, retailer, reason_code="OUT_OF_STOCK", actor_role=ActorRole.OPERATOR,
                        now=datetime(2026, 11, 20, 15, 0, tzinfo=PARIS))
    # 40 days before: in the 90 days only; yesterday: waiting for Beta.
    place(session, people.customer, (shop.offers["gamma"], 1), now=datetime(2026, 10, 31, 10, 0, tzinfo=PARIS))
    place(session, people.customer, (shop.offers["beta"], 1), now=datetime(2026, 12, 9, 10, 0, tzinfo=PARIS))

    asked = datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
    thread = discussions.open_thread(session, people.customer, shop.alpha, "WHERE_IS_MY_ORDER", "Où en est-elle ?",
                                     seller_order=alpha, at=asked)
    discussions.post_message(session, thread, people.customer, "Toujours rien ?", at=asked + timedelta(minutes=30))
    discussions.post_message(session, thread, people.alpha_staff, "Elle part demain.", at=asked + timedelta(hours=2))
    discussions.post_message(session, thread, people.customer, "Merci, et la facture ?", at=asked + timedelta(hours=3))
    session.commit()
    return alpha


def test_the_figures_of_7_30_and_90_days(session, known_orders, people):
    week = marketplace_stats.overview(session, 7, now=NOW)
    assert (week.period.first_day, week.period.last_day) == (date(2026, 12, 4), date(2026, 12, 10))
    t = week.totals
    assert (t.orders, t.gmv, t.accepted, t.decided, t.late, t.refused, t.canceled) == (3, 3800, 1, 2, 1, 1, 0)
    assert t.acceptance_rate == 0.5
    # The first of two customer messages to Alpha's answer: 2 hours; the last one waits.
    assert (t.answered, t.response_time, t.unanswered) == (1, timedelta(hours=2), 1)
    by_code = {s.code: s.figures for s in week.sellers}
    assert (by_code[people.shop.alpha.code].gmv, by_code[people.shop.beta.code].gmv) == (3000, 800)
    assert [s.code for s in week.ranked_by_late()] == [people.shop.alpha.code]
    assert [s.code for s in week.ranked_by_unanswered()] == [people.shop.alpha.code]
    assert [(p.first_day.day, p.orders, p.gmv) for p in week.series] == [
        (4, 2, 3000), (5, 0, 0), (6, 0, 0), (7, 0, 0), (8, 0, 0), (9, 1, 800), (10, 0, 0)]

    month = marketplace_stats.overview(session, 30, now=NOW).totals
    assert (month.orders, month.gmv, month.accepted, month.decided, month.canceled) == (4, 3800, 2, 3, 1)
    assert month.acceptance_rate == pytest.approx(2 / 3)

    quarter = marketplace_stats.overview(session, 90, now=NOW)
    assert (quarter.totals.orders, quarter.totals.gmv) == (5, 5000)
    assert len(quarter.series) == 13 and all(p.last_day - p.first_day <= timedelta(days=6) for p in quarter.series)
    assert sum(p.gmv for p in quarter.series) == 5000
    assert marketplace_stats.overview(session, 12345, now=NOW).period.days == 30  # not offered: the default


def test_an_empty_marketplace_has_no_rate(session, people):
    figures = marketplace_stats.overview(session, 7, now=NOW)
    assert figures.totals.acceptance_rate is None and figures.totals.response_time is None
    assert figures.sellers == [] and len(figures.series) == 7


def test_the_queries_do_not_grow_with_orders(session, known_orders, people, count_queries):
    with count_queries() as few:
        marketplace_stats.overview(session, 90, now=NOW)
    for day in range(2, 5):  # three more orders, two sellers each
        place(session, people.customer, (people.shop.offers["first_party"], 1), (people.shop.offers["alpha"], 1),
              now=datetime(2026, 11, day, 10, 0, tzinfo=PARIS))
    session.expunge_all()
    with count_queries() as many:
        assert marketplace_stats.overview(session, 90, now=NOW).totals.orders == 11
    assert len(few) == len(many) <= 5
