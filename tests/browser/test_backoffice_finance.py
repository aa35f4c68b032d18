"""Finance staff block a seller's statement (a dispute), unblock it, pay it in a payout batch and
download the SEPA file (French pages); the seller sees it paid. Screenshots of the statements,
a statement, the batch, the batches, the periods and the seller's Finance page at 1280 and
390 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.marketplace import accounts, billing, payouts, preferences
from storefront.marketplace.models import (
    OperatorRole,
    PayoutBatch,
    Role,
    SellerApplication,
    Statement,
)
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.finance.billing_fixtures import legal_identities, paris, sale
from tests.order_fixtures import PASSWORD

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_finance_blocks_unblocks_and_pays_a_statement(app, live_server, browser_page, session, people,
                                                      monkeypatch, tmp_path):
    shop = people.shop
    legal_identities(session, shop)
    session.scalar(select(SellerApplication).where(SellerApplication.seller_id == shop.alpha.id)).iban = (
        "FR1420041010050500013M02606")
    preferences.set(session, "payout_debtor_iban", "FR7630006000011234567890189")
    preferences.set(session, "payout_debtor_bic", "BNPAFRPPXXX")
    sale(session, shop.alpha, paris(2026, 11, 3, 10), price=12_990, commission=1_559)
    sale(session, shop.beta, paris(2026, 11, 4, 10), price=4_500, commission=450)
    sale(session, shop.alpha, paris(2026, 11, 20, 10), price=3_000, commission=360)
    finance = accounts.create_user(session, "compta@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                   operator_role=OperatorRole.FINANCE)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 12, 1, 1))
    monkeypatch.setitem(app.config, "FROZEN_TIME", paris(2026, 12, 2, 10))
    statement = session.scalar(select(Statement).where(Statement.seller_id == shop.alpha.id)
                               .order_by(Statement.id))

    page = browser_page
    log_in(page, live_server, finance.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-finance").click()
    expect(page.get_by_test_id("statement-row")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-finance-statements")

    # Block the first statement of Alpha (a dispute), then unblock it.
    page.locator(f'[data-statement="{statement.id}"]').get_by_test_id("statement-link").click()
    page.locator("#reason").select_option("DISPUTE")
    page.locator("#note").fill("Litige client sur la commande SF-1")
    page.get_by_test_id("block").click()
    expect(page.get_by_test_id("statement-blocked")).to_contain_text("Litige client sur la commande SF-1")
    expect(page.get_by_test_id("payout-state")).to_have_text("Bloqué")
    assert_french(page)
    shoot(page, "backoffice-finance-statement")
    page.get_by_test_id("unblock").click()
    expect(page.get_by_test_id("payout-state")).to_have_text("À verser")

    # Pay the payable statements of the first period: the batch page, then its file.
    page.goto(f"{live_server}/backoffice/finance?state=PAYABLE")
    boxes = page.get_by_test_id("pay-statement")
    expect(boxes).to_have_count(2)  # the second period's statement is still held until 8 December
    page.locator(f"#pay-{statement.id}").check()
    shoot(page, "backoffice-finance-payable")
    page.get_by_test_id("create-batch").click()
    expect(page.get_by_test_id("batch-title")).to_contain_text("VIR-")
    batch = session.scalars(select(PayoutBatch)).one()
    expect(page.get_by_test_id("batch-statement")).to_have_count(1)
    assert_french(page)
    shoot(page, "backoffice-finance-batch")
    with page.expect_download() as waiting:
        page.get_by_test_id("batch-xml").click()
    saved = Path(tmp_path) / "virements.xml"
    waiting.value.save_as(saved)
    assert saved.read_bytes() == batch.xml.encode("utf-8")
    payouts.validate_pain001(saved.read_bytes())

    page.get_by_role("link", name="Lots de versements").first.click()
    expect(page.get_by_test_id("batch-row")).to_have_count(1)
    assert_french(page)
    shoot(page, "backoffice-finance-batches")
    page.get_by_test_id("finance-tab-periods").click()
    expect(page.get_by_test_id("period-row")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-finance-periods")

    # The seller sees the statement paid and its next payout.
    page.get_by_test_id("logout").click()
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/finance")
    expect(page.locator(f'[data-statement="{statement.id}"] [data-testid="statement-payout"]')).to_contain_text("Versé")
    expect(page.get_by_test_id("next-payout")).to_contain_text("8 décembre 2026")
    assert_french(page)
    shoot(page, "seller-finance-payouts")
