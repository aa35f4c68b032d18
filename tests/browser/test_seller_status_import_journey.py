"""A seller runs an order through status files in the portal (issue 14): a file accepting the
order's line (and naming an order that is not theirs: refused with its reason), then a file
shipping it with a carrier and a tracking number; each import is followed live (htmx polling),
the order page shows the order accepted, then shipped with its parcel, and the customer's
shipping email reaches the SMTP server. Screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests import email_fixtures, order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in, wait_for_mail
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server

HEADER = "numero-de-commande;ligne;action;quantite;transporteur;numero-de-suivi;motif\n"


def upload_statuses(page, path) -> None:
    form = page.get_by_test_id("status-import-form")
    form.locator('input[name="file"]').set_input_files(str(path))
    page.get_by_test_id("status-import-submit").click()
    expect(page.get_by_test_id("import-progress")).to_have_attribute("data-status", "COMPLETE", timeout=10_000)


def test_seller_accepts_and_ships_an_order_by_status_files(app, live_server, browser_page, session, people,
                                                          smtp_server, tmp_path, monkeypatch):
    # The shop's clock, frozen: the seller ships twenty minutes after accepting (the operator's
    # limit keeps two files of one kind 15 minutes apart).
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setitem(app.config, "FROZEN_TIME", now)
    order = place(session, people.customer, (people.shop.offers["alpha"], 1), now=now - timedelta(hours=1))
    part = part_of(order, people.shop.alpha)
    unknown = "SF-261201-ZZZZZ-A"
    accept = tmp_path / "acceptations.csv"
    accept.write_text(f"{HEADER}{part.number};1;accepter;;;;\n{unknown};1;accepter;;;;\n", encoding="utf-8")
    ship = tmp_path / "expeditions.csv"
    ship.write_text(f"{HEADER}{part.number};1;expédier;1;COLISSIMO;6A12345678901;\n", encoding="utf-8")

    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/imports")
    expect(page.get_by_test_id("seller-nav").get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")
    expect(page.locator("#statuses")).to_have_text("Statuts de commande et suivi")
    assert_french(page)
    shoot(page, "seller-status-imports")

    # The acceptance file: the seller's line applied, the other order refused with its reason.
    upload_statuses(page, accept)
    expect(page.locator(".flash--success")).to_contain_text("Votre fichier est reçu")
    expect(page.get_by_test_id("import-status")).to_have_text("Terminé")
    expect(page.get_by_test_id("import-applied")).to_have_text("1")
    expect(page.get_by_test_id("import-refused")).to_have_text("1")
    refused = page.locator('[data-testid="import-error-row"][data-line="3"]')
    expect(refused).to_contain_text(unknown)
    expect(refused).to_contain_text("Vous n’avez aucune commande portant ce numéro.")
    expect(page.get_by_test_id("import-error-row")).to_have_count(1)
    assert_french(page)
    shoot(page, "seller-status-import-accepted")

    page.goto(f"{live_server}/seller/orders/{part.number}")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "SHIPPING")
    expect(page.get_by_test_id("order-line")).to_have_attribute("data-state", "ACCEPTED")

    # The shipping file: the parcel recorded with its tracking number, nothing refused.
    monkeypatch.setitem(app.config, "FROZEN_TIME", now + timedelta(minutes=20))
    page.goto(f"{live_server}/seller/imports")
    upload_statuses(page, ship)
    expect(page.get_by_test_id("import-applied")).to_have_text("1")
    expect(page.get_by_test_id("import-refused")).to_have_text("0")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)

    page.goto(f"{live_server}/seller/imports")
    rows = page.get_by_test_id("import-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("expeditions.csv")
    expect(rows.first).to_contain_text("1 ligne appliquée")
    expect(rows.nth(1)).to_contain_text("acceptations.csv")
    assert_french(page)
    shoot(page, "seller-status-imports-list")

    page.goto(f"{live_server}/seller/orders/{part.number}")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "SHIPPED")
    parcel = page.get_by_test_id("parcel")
    expect(parcel).to_contain_text("Colissimo")
    expect(parcel.get_by_test_id("tracking-link")).to_have_text("6A12345678901")
    assert_french(page)
    shoot(page, "seller-status-import-order")

    # The customer is told, as when the seller clicks.
    wait_for_mail(smtp_server, people.customer.email, "6A12345678901")
