"""The operator's finance reports (marketplace/finance_reports.py): GMV and commission per day,
week or month, by seller and by top-level category, against ledgers computed by hand (refunds,
shipping, two sellers and two categories, the "others" group, an evening across midnight in
Paris), equal to the ledger's sums, and in two queries whatever the size of the ledger. Runs on
SQLite and on PostgreSQL (TEST_DATABASE_URL): the bucketing of days is the part that differs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storefront.marketplace import finance_reports, orders, tracking
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.finance_reports import OTHERS, SHIPPING, Asked, Bucket, Dimension
from storefront.marketplace.models import ActorRole, LedgerKind
from storefront.marketplace.refusals import Refusal
from tests import order_fixtures
from tests.finance import report_fixtures
from tests.finance.billing_fixtures import entry, paris
from tests.order_fixtures import part_of, place

people = order_fixtures.people
ledger = report_fixtures.ledger  # the fixture
K = LedgerKind


def figures(report):
    """{group key: ([gmv per slot], [commission per slot])}"""
    return {group.key: (list(group.gmv), list(group.commission)) for group in report.groups}


def test_by_seller_per_month_net_of_refunds_without_shipping_nor_vat(session, ledger):
    asked = Asked(date(2026, 10, 1), date(2026, 11, 30), Bucket.MONTH, Dimension.SELLER)
    report = finance_reports.report(session, asked)
    assert [(s.first_day, s.last_day) for s in report.slots] == [
        (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 30))]
    # Alpha: 3000 − 1500 of goods; 360 − 180 on the goods + 71 on the shipping.
    assert figures(report) == {"alpha": ([0, 1500], [0, 251]), "gamma": ([1200, 0], [144, 0]),
                               "beta": ([0, 800], [0, 96])}
    assert [g.key for g in report.groups] == ["alpha", "gamma", "beta"]  # by GMV
    assert report.groups[0].name == "Alpha Maison"
    assert (report.gmv_total, report.commission_total) == (3500, 491)
    assert (report.gmv_of(1), report.commission_of(1)) == (2300, 347)
    assert finance_reports.ledger_totals(session, asked) == (3500, 491)


def test_by_category_the_shipping_commission_has_its_own_group(session, ledger):
    asked = Asked(date(2026, 10, 1), date(2026, 11, 30), Bucket.MONTH, Dimension.CATEGORY)
    report = finance_reports.report(session, asked)
    assert figures(report) == {"home": ([0, 2300], [0, 276]), "garden": ([1200, 0], [144, 0]),
                               SHIPPING: ([0, 0], [0, 71])}
    assert [(g.key, g.label_for("fr"), g.label_for("en")) for g in report.groups] == [
        ("home", "Maison", "Home"), ("garden", "Jardin", "Garden"), (SHIPPING, "", "")]
    assert (report.gmv_total, report.commission_total) == finance_reports.ledger_totals(session, asked)


def test_past_the_top_the_rest_is_others(session, ledger, monkeypatch):
    monkeypatch.setattr(finance_reports, "TOP", 1)
    asked = Asked(date(2026, 10, 1), date(2026, 11, 30), Bucket.MONTH, Dimension.SELLER)
    assert figures(finance_reports.report(session, asked)) == {
        "alpha": ([0, 1500], [0, 251]), OTHERS: ([1200, 800], [144, 96])}
    by_category = finance_reports.report(session, Asked(date(2026, 10, 1), date(2026, 11, 30), Bucket.MONTH,
                                                        Dimension.CATEGORY))
    assert figures(by_category) == {"home": ([0, 2300], [0, 276]), OTHERS: ([1200, 0], [144, 0]),
                                    SHIPPING: ([0, 0], [0, 71])}


def test_days_are_the_shops_days_and_weeks_start_on_monday(session, ledger):
    # 23:30 on 31 October in Paris is 22:30 UTC, 00:30 on 1 November is 23:30 UTC on 31 October.
    days = finance_reports.report(session, Asked(date(2026, 10, 31), date(2026, 11, 1), Bucket.DAY))
    assert [s.first_day for s in days.slots] == [date(2026, 10, 31), date(2026, 11, 1)]
    assert figures(days) == {"gamma": ([1200, 0], [144, 0]), "beta": ([0, 800], [0, 96])}

    weeks = finance_reports.report(session, Asked(date(2026, 10, 28), date(2026, 11, 10), Bucket.WEEK))
    assert [(s.first_day, s.last_day) for s in weeks.slots] == [
        (date(2026, 10, 28), date(2026, 11, 1)), (date(2026, 11, 2), date(2026, 11, 8)),
        (date(2026, 11, 9), date(2026, 11, 10))]
    assert figures(weeks) == {"alpha": ([0, 3000, -1500], [0, 431, -180]),
                              "gamma": ([1200, 0, 0], [144, 0, 0]), "beta": ([800, 0, 0], [96, 0, 0])}
    # A summer evening (UTC+2): 23:30 on 30 June is still 30 June.
    entry(session, ledger.alpha, K.CAPTURE, 700, paris(2026, 6, 30, 23, 30))
    june = finance_reports.report(session, Asked(date(2026, 6, 1), date(2026, 7, 31), Bucket.MONTH))
    assert figures(june) == {"alpha": ([700, 0], [0, 0])}


def test_every_cell_adds_up_to_the_ledger_over_any_period(session, ledger):
    for first, last in [(date(2026, 10, 1), date(2026, 12, 31)), (date(2026, 11, 1), date(2026, 11, 1)),
                        (date(2025, 12, 31), date(2027, 12, 31))]:
        for bucket in Bucket:
            for dimension in Dimension:
                asked = Asked(first, last, bucket, dimension)
                report = finance_reports.report(session, asked)
                totals = finance_reports.ledger_totals(session, asked)
                assert (report.gmv_total, report.commission_total) == totals, asked
                assert sum(gmv for _, _, gmv, _ in report.cells()) == totals[0]


def test_real_captures_and_refunds_add_up(session, people):
    """Through the payment flow: capture when Alpha ships, then a partial refund of a line."""
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["first_party"], 1))
    alpha = part_of(order, shop.alpha)
    orders.accept(session, alpha, actor_role=ActorRole.SELLER)
    tracking.ship(session, alpha, carrier_code="COLISSIMO", tracking_number="CP123456FR",
                  actor_role=ActorRole.SELLER)
    orders.refund(session, alpha, amount=1000, line_id=alpha.lines[0].id, reason_code="DAMAGED",
                  actor_role=ActorRole.SELLER)
    session.commit()
    today = finance_reports.shop_clock.of(session).today()
    asked = Asked(today - timedelta(days=1), today, Bucket.DAY, Dimension.SELLER)
    report = finance_reports.report(session, asked)
    alpha_group = next(g for g in report.groups if g.key == "alpha")
    assert alpha_group.gmv_total == 3000 - 1000
    assert alpha_group.commission_total == 360 - 120  # 12 %, given back in proportion
    assert (report.gmv_total, report.commission_total) == finance_reports.ledger_totals(session, asked)


def test_two_queries_whatever_the_ledger(session, ledger, people, count_queries):
    asked = Asked(date(2025, 12, 1), date(2027, 11, 30), Bucket.DAY, Dimension.CATEGORY)
    with count_queries() as few:
        finance_reports.report(session, asked)
    for day in range(1, 28):
        for seller in (people.shop.alpha, people.shop.beta, people.shop.gamma):
            entry(session, seller, K.CAPTURE, 100 * day, paris(2027, 2, day, 12, 0))
            entry(session, seller, K.COMMISSION, -day, paris(2027, 2, day, 12, 0))
    session.commit()
    for dimension in Dimension:
        with count_queries() as many:
            report = finance_reports.report(session, Asked(asked.first_day, asked.last_day, Bucket.DAY, dimension))
        assert len(many) == len(few) == 2
        assert len(report.slots) == 730
        assert (report.gmv_total, report.commission_total) == finance_reports.ledger_totals(session, asked)


TODAY = date(2026, 12, 10)


def test_what_was_typed_is_checked():
    read = finance_reports.read_asked
    assert read(None, None, None, None, today=TODAY) == Asked(date(2026, 9, 12), TODAY, Bucket.WEEK,
                                                              Dimension.SELLER)
    assert read("2026-01-01", "2026-01-31", "month", "category", today=TODAY) == Asked(
        date(2026, 1, 1), date(2026, 1, 31), Bucket.MONTH, Dimension.CATEGORY)
    assert read("2025-01-01", "2026-12-31", "day", "seller", today=TODAY).last_day == date(2026, 12, 31)
    for args, field, reason in [
        (("2026-13-01", "", "", ""), "since", Refusal.REPORT_DATE),
        (("", "demain", "", ""), "until", Refusal.REPORT_DATE),
        (("1e9", "", "", ""), "since", Refusal.REPORT_DATE),
        (("0001-01-01", "", "", ""), "since", Refusal.REPORT_DATE),
        (("2026-02-01", "2026-01-31", "", ""), "until", Refusal.REPORT_PERIOD),
        (("2024-01-01", "2026-01-01", "", ""), "until", Refusal.REPORT_TOO_LONG),
        (("", "", "year", ""), "bucket", Refusal.REPORT_CHOICE),
        (("", "", "", "brand"), "dimension", Refusal.REPORT_CHOICE),
    ]:
        with pytest.raises(InvalidValue) as refused:
            read(*args, today=TODAY)
        assert (refused.value.details["field"], refused.value.details["reason"]) == (field, reason), args
