"""The seller opens Exports in the portal, picks a format and a moment and downloads a CSV of
its orders (the browser's own download), screenshots wide and narrow."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.browser.screens import shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_the_seller_downloads_its_orders_as_csv(live_server, browser_page, session, people):
    order = place(session, people.customer, (people.shop.offers["alpha"], 2), (people.shop.offers["beta"], 1))
    mine, theirs = part_of(order, people.shop.alpha), part_of(order, people.shop.beta)
    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/")
    page.get_by_test_id("seller-nav").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Exports de commandes")).to_be_visible()
    shoot(page, "seller-exports")

    page.locator('input[name="since"]').fill("2020-01-01T00:00")
    page.locator('select[name="format"]').select_option("csv")
    with page.expect_download() as waiting:
        page.get_by_test_id("download-export").click()
    download = waiting.value
    assert download.suggested_filename.startswith("orders-alpha-") and download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["seller_order_number"] for row in rows} == {mine.number}
    assert theirs.number not in text
    assert rows[0]["unit_price"] == "15,00\xa0€"  # the portal's language, French

    # A moment that is no date: the form says so and keeps it.
    page.goto(f"{live_server}/seller/exports/download?format=csv&since=demain")
    expect(page.get_by_test_id("error-since")).to_be_visible()
    shoot(page, "seller-exports-error")
