"""Order exports in the seller portal and the back office through the Flask client: a seller
downloads only its own orders, a bad since or format is shown on the form (never a 500), the
admin saves the push settings (a folder leading out refused), and the back office's export
is for staff allowed to see orders."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from storefront.marketplace import accounts, order_exports
from storefront.marketplace.models import OperatorRole, Role
from tests import factories, order_fixtures
from tests.order_fixtures import PASSWORD, Visitor, html_text, part_of, place

people = order_fixtures.people
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def placed(session, people):
    shop = people.shop
    first = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1), now=T0)
    return people, part_of(first, shop.alpha), part_of(first, shop.beta)


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_a_seller_downloads_its_own_orders_only(client, session, placed):
    people, a1, b1 = placed
    alpha = Visitor(client).log_in(people.alpha_staff)
    page = alpha.page("/seller/exports")
    assert "Order exports" in page and 'type="datetime-local"' in page
    assert "/seller/exports/download" in page

    response = alpha.get("/seller/exports/download?format=csv&since=2026-11-30T00:00")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="orders-alpha-' in response.headers["Content-Disposition"]
    found = read_csv(response)
    assert {row["seller_order_number"] for row in found} == {a1.number}
    assert b1.number not in response.get_data(as_text=True)

    lines = alpha.get("/seller/exports/download?format=jsonl&since=2026-11-30").get_data(as_text=True)
    assert [json.loads(line)["seller_order_number"] for line in lines.splitlines()] == [a1.number]

    # Beta gets its own order and never Alpha's; a later since gives an empty file.
    beta = Visitor(client.application.test_client()).log_in(people.beta_staff)
    assert {r["seller_order_number"] for r in read_csv(beta.get("/seller/exports/download?format=csv&since=2026-11-30"))} == {b1.number}
    assert read_csv(beta.get("/seller/exports/download?format=csv&since=2027-01-01")) == []


def test_a_bad_since_or_format_is_shown_on_the_form(client, session, placed):
    people, _a1, _b1 = placed
    alpha = Visitor(client).log_in(people.alpha_staff)
    response = alpha.get("/seller/exports/download?format=pdf&since=yesterday")
    assert response.status_code == 422
    text = html_text(response.get_data(as_text=True))
    assert "Enter a date (2026-12-01)" in text and "Choose CSV, Excel (XLSX) or JSON lines." in text
    assert 'value="yesterday"' in response.get_data(as_text=True)  # what was typed is kept


def test_the_admin_sets_the_scheduled_push_and_a_folder_cannot_lead_out(client, session, placed):
    people, _a1, _b1 = placed
    alpha = Visitor(client).log_in(people.alpha_staff)
    refused = alpha.post("/seller/exports/push", {"push-enabled": "y", "push-format": "xlsx", "push-folder": "../beta"})
    assert refused.status_code == 422
    assert "Enter a folder inside your drop folder" in html_text(refused.get_data(as_text=True))
    assert order_exports.settings_of(session, people.shop.alpha.id).id is None  # nothing saved

    saved = alpha.post("/seller/exports/push", {"push-enabled": "y", "push-format": "xlsx", "push-folder": "erp/in"})
    assert saved.status_code == 302
    session.expire_all()
    setting = order_exports.settings_of(session, people.shop.alpha.id)
    assert (setting.enabled, setting.format.value, setting.folder) == (True, "xlsx", "erp/in")

    # Another account of the shop downloads but does not change the push.
    colleague = factories.user(session, Role.SELLER, seller=people.shop.alpha, email="alpha2@example.com")
    session.commit()
    other = Visitor(client.application.test_client()).log_in(colleague)
    assert "Only your shop's administrator" in other.page("/seller/exports")
    assert other.post("/seller/exports/push", {"push-format": "csv", "push-folder": ""}).status_code == 403


def test_the_back_office_exports_every_sellers_orders_for_order_staff_only(client, session, placed):
    people, a1, b1 = placed
    for role, allowed in ((OperatorRole.SUPPORT, True), (OperatorRole.FINANCE, True),
                          (OperatorRole.ADMIN, True), (OperatorRole.CATALOG, False)):
        staff = accounts.create_user(session, f"{role.value.lower()}@example.com", PASSWORD,
                                     role=Role.OPERATOR, operator_role=role)
        session.commit()
        visitor = Visitor(client.application.test_client()).log_in(staff)
        page = visitor.get("/backoffice/exports")
        download = visitor.get("/backoffice/exports/download?format=csv&since=2026-11-30")
        if not allowed:
            assert (page.status_code, download.status_code) == (403, 403)
            continue
        assert page.status_code == 200
        assert {r["seller_order_number"] for r in read_csv(download)} == {a1.number, b1.number}
        assert 'filename="orders-ALL-' in download.headers["Content-Disposition"]
    # A seller account is not staff.
    assert Visitor(client.application.test_client()).log_in(people.alpha_staff).get("/backoffice/exports").status_code in (302, 403)
