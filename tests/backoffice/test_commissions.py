"""The commissions page (/backoffice/commissions): rates of the marketplace and of one seller
(?seller=<code>), typed as percentages, each for a period; FINANCE and ADMIN only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.marketplace import clock as shop_clock
from storefront.marketplace.models import CommissionRate, OperatorAuditEntry, OperatorRole
from tests import order_fixtures
from tests.order_fixtures import audit_count, html_text

people = order_fixtures.people
PAGE = "/backoffice/commissions"




def rates_of(session, seller=None):
    session.expire_all()
    query = select(CommissionRate).where(
        CommissionRate.seller_id == seller.id if seller else CommissionRate.seller_id.is_(None)
    ).order_by(CommissionRate.valid_from)
    return session.scalars(query).all()


@pytest.mark.parametrize("role", [OperatorRole.ADMIN, OperatorRole.FINANCE])
def test_finance_and_admin_plan_a_rate(session, people, staff_of, role):
    visitor = staff_of(role)
    page = visitor.page(PAGE)
    assert 'data-testid="commission-form"' in page and "Default rate" in page
    start = shop_clock.of(session).today() + timedelta(days=7)
    response = visitor.post(PAGE, {"category": "", "percent": "12,5", "valid_from": start.isoformat(), "last_day": ""})
    assert response.status_code == 302
    assert [(r.rate_bp, r.valid_to) for r in rates_of(session)] == [(1200, start), (1250, None)]
    page = html_text(visitor.page(PAGE))
    assert "12.5 %" in page and "Planned" in page and "In force" in page
    entry = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "commission.schedule")).one()
    assert entry.actor_email == f"{role.value.lower()}@staff.example.com"


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.CATALOG])
def test_other_roles_get_403_and_nothing_changes(session, people, staff_of, role):
    visitor = staff_of(role)
    entries, rows = audit_count(session), len(rates_of(session))
    assert visitor.get(PAGE).status_code == 403
    today = shop_clock.of(session).today()
    assert visitor.post(PAGE, {"percent": "5", "valid_from": today.isoformat()}).status_code == 403
    assert visitor.post(f"{PAGE}/{rates_of(session)[0].id}/end", {"on": today.isoformat()}).status_code == 403
    assert visitor.post(f"{PAGE}/{rates_of(session)[0].id}/withdraw").status_code == 403
    assert (audit_count(session), len(rates_of(session))) == (entries, rows)


@pytest.mark.parametrize("typed", ["150", "-3", "douze", "12,555", "<b>1</b>", "1\x00"])
def test_a_bad_percentage_is_shown_next_to_the_field_and_kept(session, people, staff_of, typed):
    visitor = staff_of(OperatorRole.ADMIN)
    entries = audit_count(session)
    today = shop_clock.of(session).today()
    response = visitor.post(PAGE, {"percent": typed, "valid_from": today.isoformat()})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-percent"' in page
    assert "from 0 to 100" in html_text(page) or "invisible characters" in html_text(page)
    assert "<b>1</b>" not in page
    assert audit_count(session) == entries


def test_dates_refused_next_to_their_field(session, people, staff_of):
    visitor = staff_of(OperatorRole.ADMIN)
    today = shop_clock.of(session).today()
    past = visitor.post(PAGE, {"percent": "5", "valid_from": (today - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and 'data-testid="error-valid_from"' in past.get_data(as_text=True)
    backwards = visitor.post(PAGE, {"percent": "5", "valid_from": (today + timedelta(days=5)).isoformat(),
                                    "last_day": (today + timedelta(days=2)).isoformat()})
    assert backwards.status_code == 422 and 'data-testid="error-last_day"' in backwards.get_data(as_text=True)
    garbage = visitor.post(PAGE, {"percent": "5", "valid_from": "9999999-99-99", "category": "999999999999"})
    assert garbage.status_code == 422


def test_a_sellers_overrides_from_its_page(session, people, staff_of):
    visitor = staff_of(OperatorRole.FINANCE)
    alpha = people.shop.alpha
    page = visitor.page(f"{PAGE}?seller={alpha.code}")
    assert "Commissions of Alpha Maison" in page and 'data-testid="no-rates"' in page
    today = shop_clock.of(session).today()
    response = visitor.post(f"{PAGE}?seller={alpha.code}", {"percent": "8", "valid_from": today.isoformat(),
                                                             "category": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?seller={alpha.code}")
    [override] = rates_of(session, alpha)
    assert (override.rate_bp, override.category_id, override.valid_from) == (800, None, today)
    assert "All its categories" in visitor.page(f"{PAGE}?seller={alpha.code}")
    # end it on its third day
    last = today + timedelta(days=2)
    assert visitor.post(f"{PAGE}/{override.id}/end?seller={alpha.code}", {"on": last.isoformat()}).status_code == 302
    assert rates_of(session, alpha)[0].valid_to == today + timedelta(days=3)
    assert visitor.get(f"{PAGE}?seller=nobody").status_code == 404
    assert visitor.get(f"{PAGE}?seller={people.shop.retailer.code}").status_code == 404


def test_withdraw_a_planned_rate(session, people, staff_of):
    visitor = staff_of(OperatorRole.ADMIN)
    start = shop_clock.of(session).today() + timedelta(days=3)
    visitor.post(PAGE, {"percent": "9", "valid_from": start.isoformat()})
    planned = rates_of(session)[-1]
    assert visitor.post(f"{PAGE}/{planned.id}/withdraw").status_code == 302
    assert [(r.rate_bp, r.valid_to) for r in rates_of(session)] == [(1200, None)]
    # the rate in force cannot be withdrawn: a message, no change
    current = rates_of(session)[0]
    response = visitor.post(f"{PAGE}/{current.id}/withdraw", follow_redirects=True)
    assert "end it instead" in html_text(response.get_data(as_text=True))
    assert visitor.post(f"{PAGE}/2147483647/withdraw").status_code == 302  # unknown: a message
