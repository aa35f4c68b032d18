"""The back office's home: the marketplace's figures for the last 7, 30 or 90 days, exact on known
orders, in a fixed number of queries; charts as SVG without any script; each figure a link to the
order list filtered the same way."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storefront.backoffice import charts
from storefront.marketplace import accounts, discussions, marketplace_stats, orders
from storefront.marketplace.models import ActorRole, OperatorRole, Role
from tests import order_fixtures
from tests.order_fixtures import PASSWORD, Visitor, html_text, part_of, place

people = order_fixtures.people
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=PARIS)  # a Thursday


@contextmanager
def frozen(app, moment: datetime):
    """The shop's clock stopped at ``moment`` (FROZEN_TIME), the real time again afterwards."""
    app.config["FROZEN_TIME"] = moment
    try:
        yield
    finally:
        app.config.pop("FROZEN_TIME", None)


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


# --- Web ----------------------------------------------------------------------------------------


def test_the_home_shows_the_figures_with_links_to_the_lists(app, client, session, known_orders, people):
    with frozen(app, NOW):
        admin = Visitor(client).log_in(people.operator)
        page = admin.page("/backoffice/?days=7")
    text = html_text(page)
    assert 'data-testid="dashboard"' in page
    assert re.search(r"data-testid=\"figure-gmv-value\">€38\.00<", page), re.findall(r"figure-[a-z]+-value\">[^<]*", page)
    assert re.search(r'data-testid="figure-acceptance-value">50%', page)
    assert 'href="/backoffice/orders?late=1&amp;since=2026-12-04&amp;until=2026-12-10"' in page
    assert 'href="/backoffice/orders?state=REFUSED&amp;since=2026-12-04&amp;until=2026-12-10"' in page
    assert 'aria-current="page" data-testid="period-7"' in page
    assert "2 hours" in text
    assert '/backoffice/charts/gmv.svg?days=7' in page
    with frozen(app, NOW):
        late = admin.page("/backoffice/orders?late=1&since=2026-12-04&until=2026-12-10")
        assert known_orders.number in late and late.count('data-testid="order-row"') == 1
        refused = admin.page("/backoffice/orders?state=REFUSED&since=2026-12-04&until=2026-12-10")
        assert refused.count('data-testid="order-row"') == 1
        none = admin.page("/backoffice/orders?since=2026-12-11")
        assert 'data-testid="order-row"' not in none
        for hostile in ("?days=-1", "?days=1e9", "?days=%00", "?days=7&days=90"):
            assert admin.get(f"/backoffice/{hostile}").status_code == 200
        for hostile in ("?since=9999-12-31&until=9999-12-31", "?since=0001-01-01", "?until=x&late=2"):
            assert admin.get(f"/backoffice/orders{hostile}").status_code == 200


@pytest.mark.parametrize("chart", ["gmv", "orders", "sellers"])
def test_charts_are_svg_without_any_script(app, client, session, known_orders, people, chart):
    with frozen(app, NOW):
        admin = Visitor(client).log_in(people.operator)
        answer = admin.get(f"/backoffice/charts/{chart}.svg?days=90")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert "<svg" in svg and "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg)
    assert "http://" not in svg.replace("http://www.w3.org", "").replace("http://pygal.org", "").replace(
        "http://github.com/Kozea/pygal", "")
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_scripts_are_stripped_whatever_pygal_writes():
    svg = b'<svg><script type="text/javascript">alert(1)</script><SCRIPT src="x"/><g onclick="x()"/></svg>'
    assert charts.without_scripts(svg) == b"<svg><g/></svg>"


@pytest.mark.parametrize("role", list(OperatorRole))
def test_every_role_sees_the_home_and_links_only_what_it_opens(client, session, known_orders, role):
    user = accounts.create_user(session, f"{role.value.lower()}@staff.example.com", PASSWORD,
                                role=Role.OPERATOR, operator_role=role)
    session.commit()
    visitor = Visitor(client).log_in(user)
    page = visitor.page("/backoffice/?days=90")
    assert 'data-testid="figures"' in page
    assert ('data-testid="figure-late-link"' in page) == (role != OperatorRole.CATALOG)
    assert visitor.get("/backoffice/charts/sellers.svg").status_code == 200
