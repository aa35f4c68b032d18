"""The API's docs page in Chromium: Swagger UI served from our origin (nothing from a CDN or any
other host), under the content security policy (any violation fails the test, see conftest),
rendering every operation of the OpenAPI document. Screenshots at 1280 and 390 px."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.screens import shoot

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_every_operation_from_our_origin(client, live_server, browser_page):
    page = browser_page
    doc = client.get("/api/v1/openapi.json").json
    operations = sum(len(methods) for methods in doc["paths"].values())
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Storefront marketplace API")
    expect(page.locator(".opblock")).to_have_count(operations)
    accept = page.locator("#operations-orders-accept_order")
    expect(accept).to_contain_text("/api/v1/orders/{number}/accept")

    # An operation opens on its parameters, body schema and responses, as the document says.
    accept.locator(".opblock-summary").click()
    expect(accept.locator(".parameters")).to_contain_text("Idempotency-Key")
    expect(accept.locator(".responses-wrapper")).to_contain_text("A problem (RFC 9457)")
    shoot(page, "api-docs")

    ours = urlsplit(live_server).netloc
    elsewhere = [url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != ours]
    assert elsewhere == []
    loaded = {urlsplit(url).path for url in requested}
    assert {"/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
            "/static/js/api-docs.js", "/api/v1/openapi.json"} <= loaded


def test_authorize_with_a_client_and_try_an_operation(session, live_server, browser_page):
    """Authorize (the client-credentials flow, to our token URL) then Try it out: the call runs
    against this shop with the token, under the content security policy."""
    from tests.api.test_api_orders import client_for

    client_id, secret = client_for(session, None, "reference:read")
    page = browser_page
    page.goto(f"{live_server}/api/docs")
    page.locator(".auth-wrapper .btn.authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_label("client_id:").fill(client_id)
    dialog.get_by_label("client_secret:").fill(secret)
    dialog.locator(".auth-btn-wrapper .btn.authorize").click()
    expect(dialog.locator(".auth-btn-wrapper")).to_contain_text("Logout")
    dialog.locator(".btn-done").click()

    brands = page.locator("#operations-reference-list_brands")
    brands.locator(".opblock-summary").click()
    brands.locator(".try-out__btn").click()
    brands.locator(".execute").click()
    expect(brands.locator(".live-responses-table tbody .response-col_status")).to_contain_text("200")
    expect(brands.locator(".live-responses-table")).to_contain_text('"items"')
