"""The integration pages in a real browser, in French: the seller's admin makes an API client,
sees its secret once (a reload does not show it), revokes it after confirming, subscribes a
webhook; then the back office's pages. Every new page is shot at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront.marketplace import api_clients, webhooks
from storefront.marketplace.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_seller_admin_makes_and_revokes_a_client_and_subscribes(live_server, browser_page, session, people):
    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/")
    page.get_by_test_id("integrations-link").click()
    expect(page.get_by_role("heading", name="Intégrations / API")).to_be_visible()
    assert_french(page)
    shoot(page, "seller-integrations-empty")

    page.get_by_test_id("create-client").click()  # nothing filled: told what is missing
    expect(page.get_by_test_id("error-name")).to_be_visible()
    page.locator("#name").fill("ERP de l’entrepôt")
    page.locator("#scope-orders-read").check()
    page.locator("#scope-tracking-write").check()
    page.get_by_test_id("create-client").click()
    secret = page.get_by_test_id("client-secret").inner_text()
    client_id = page.get_by_test_id("client-id").inner_text()
    assert len(secret) > 30
    assert api_clients.check_secret(api_clients.get_client(session, client_id), secret)
    shoot(page, "seller-client-secret")
    page.reload()
    expect(page.get_by_test_id("secret-gone")).to_be_visible()
    assert secret not in page.content()

    page.goto(f"{live_server}/seller/integrations")
    row = page.locator(f'[data-client-id="{client_id}"]')
    expect(row).to_contain_text("Jamais")
    shoot(page, "seller-integrations")
    row.get_by_test_id("revoke-link").click()
    shoot(page, "seller-client-revoke")
    page.get_by_test_id("confirm-revoke").click()
    expect(page.locator(f'[data-client-id="{client_id}"]').get_by_test_id("client-state")).to_have_text("Révoqué")
    session.expire_all()
    assert api_clients.get_client(session, client_id).revoked_at is not None

    page.goto(f"{live_server}/seller/integrations/webhooks")
    page.locator("#url").fill("http://127.0.0.1:9/hooks")
    page.locator("#event-order-created").check()
    page.get_by_test_id("create-subscription").click()
    expect(page.get_by_test_id("signing-secret")).to_contain_text("whsec_")
    shoot(page, "seller-subscription-secret")
    page.reload()
    expect(page.get_by_test_id("secret-gone")).to_be_visible()

    subscription = webhooks.subscriptions_of(session, people.shop.alpha)[0]
    event = WebhookEvent(message_id="msg_browser_1", type="order.created", seller_id=people.shop.alpha.id, payload={})
    session.add(WebhookDelivery(event=event, subscription=subscription, status=DeliveryStatus.FAILED, attempts=9,
                                last_status_code=502, last_error="HTTP 502 from https://erp.example.com/a/very/long/path"))
    session.commit()
    page.goto(f"{live_server}/seller/integrations/webhooks")
    shoot(page, "seller-webhooks")
    page.get_by_test_id("subscription-link").first.click()
    expect(page.get_by_test_id("delivery-status")).to_have_text("Échec")
    assert_french(page)
    shoot(page, "seller-subscription")
    page.goto(f"{live_server}/seller/integrations/webhooks/{subscription.id}/deactivate")
    shoot(page, "seller-subscription-deactivate")


def test_back_office_pages(live_server, browser_page, session, people):
    shop = people.shop
    api_clients.create_client(session, "ERP Alpha", seller=shop.alpha, scopes="orders:read orders:write catalog:read")
    api_clients.create_client(session, "OMS", seller=None, scopes="orders:read")
    subscription = webhooks.subscribe(session, shop.beta, "http://127.0.0.1:9/beta/hooks", ["order.created", "offer.updated"],
                                      allow_private=True)
    event = WebhookEvent(message_id="msg_browser_2", type="offer.updated", seller_id=shop.beta.id, payload={})
    session.add(WebhookDelivery(event=event, subscription=subscription, status=DeliveryStatus.FAILED, attempts=9,
                                last_status_code=500, last_error="HTTP 500"))
    session.commit()
    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("integrations-link").click()
    assert_french(page)
    shoot(page, "backoffice-integrations")
    page.goto(f"{live_server}/backoffice/integrations/webhooks")
    shoot(page, "backoffice-webhooks")
    page.goto(f"{live_server}/backoffice/integrations/deliveries?status=FAILED")
    expect(page.get_by_test_id("delivery-row")).to_have_count(1)
    shoot(page, "backoffice-deliveries")
    page.get_by_test_id("replay").click()
    expect(page.get_by_test_id("flash-messages")).to_contain_text("offer.updated")
