"""The integration pages (API clients, webhook subscriptions, deliveries) of the seller portal and
the back office, through the Flask client: who gets in, the secret shown once, forms that keep
what was typed, another seller's ids answering 404 with nothing changed, no N+1 on the lists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.marketplace import api_clients, webhooks
from storefront.marketplace.models import (
    ApiClient,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tests import factories, order_fixtures
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people  # the fixture, for this module's tests

SELLER = "/seller/integrations"
OFFICE = "/backoffice/integrations"
HOOK_URL = "http://127.0.0.1:9/hooks"  # private and plain http: allowed in tests only


@pytest.fixture
def alpha(client, people) -> Visitor:
    return Visitor(client).log_in(people.alpha_staff)


@pytest.fixture
def operator(client, people) -> Visitor:
    return Visitor(client).log_in(people.operator)


def counts(session):
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (ApiClient, WebhookSubscription, WebhookDelivery)
    ) + (session.scalar(select(func.count()).where(ApiClient.revoked_at.is_not(None))),
         session.scalar(select(func.count()).where(WebhookSubscription.active.is_(False))),
         tuple(session.scalars(select(WebhookDelivery.status).order_by(WebhookDelivery.id))))


def failed_delivery(session, subscription, status=DeliveryStatus.FAILED) -> WebhookDelivery:
    """A delivery as the worker leaves it after giving up (or after success)."""
    event = WebhookEvent(message_id=f"msg_test{subscription.id}_{status}", type="order.created",
                         seller_id=subscription.seller_id, payload={"seller_order_id": 1})
    delivery = WebhookDelivery(event=event, subscription=subscription, status=status, attempts=9,
                               last_status_code=500, last_error="HTTP 500")
    session.add(delivery)
    session.commit()
    return delivery


# --- who gets in ---------------------------------------------------------------------------------


def test_only_the_sellers_admin_and_the_operator_get_in(client, session, people):
    # The seller's admin is the account that opened the seller's space (its first staff account);
    # a colleague added later is not, and neither sees the link nor gets in.
    colleague = factories.user(session, factories.Role.SELLER, seller=people.shop.alpha, email="colleague@example.com")
    session.commit()
    visitor = Visitor(client).log_in(colleague)
    assert visitor.get("/seller/").status_code == 200
    assert "integrations-link" not in visitor.page("/seller/")
    for path in (SELLER, f"{SELLER}/webhooks"):
        assert visitor.get(path).status_code == 403
    made = api_clients.create_client(session, "ERP", seller=people.shop.alpha, scopes="orders:read")
    assert visitor.post(f"{SELLER}/clients/{made.client.client_id}/revoke").status_code == 403
    assert visitor.post(f"{SELLER}/clients", {"name": "Mine", "scopes": "orders:read"}).status_code == 403
    assert api_clients.get_client(session, made.client.client_id).revoked_at is None
    visitor.post("/compte/deconnexion")

    visitor.log_in(people.alpha_staff)
    assert "integrations-link" in visitor.page("/seller/")
    assert visitor.get(SELLER).status_code == 200
    visitor.post("/compte/deconnexion")
    visitor.log_in(people.customer)
    assert visitor.get(SELLER).status_code == 403 and visitor.get(OFFICE).status_code == 403
    visitor.post("/compte/deconnexion")
    visitor.log_in(people.operator)
    assert visitor.get(OFFICE).status_code == 200 and visitor.get(SELLER).status_code == 403


# --- API clients ---------------------------------------------------------------------------------


def test_a_new_clients_secret_is_shown_once_and_never_stored(alpha, session, people):
    response = alpha.post(f"{SELLER}/clients", {"name": "ERP", "scopes": ["orders:read", "orders:write"]})
    assert response.status_code == 303
    location = response.headers["Location"]
    client = session.scalar(select(ApiClient).where(ApiClient.name == "ERP"))
    assert client.seller_id == people.shop.alpha.id and client.scope_list == ["orders:read", "orders:write"]
    assert location.endswith(f"/clients/{client.client_id}/created")

    shown = alpha.get(location)
    assert shown.status_code == 200 and "no-store" in shown.headers["Cache-Control"]
    secret = re.search(r'data-testid="client-secret">([^<]+)<', shown.get_data(as_text=True)).group(1)
    assert api_clients.check_secret(client, secret)  # the real one
    assert secret not in location and secret not in client.secret_digest

    again = alpha.get(location)
    assert again.status_code == 200 and secret not in again.get_data(as_text=True)
    assert 'data-testid="secret-gone"' in again.get_data(as_text=True)
    listing = alpha.page(SELLER)
    assert client.client_id in listing and secret not in listing and "Never" in html_text(listing)


def test_the_client_form_keeps_what_was_typed_and_says_what_is_wrong(alpha, session):
    before = counts(session)
    no_scope = alpha.post(f"{SELLER}/clients", {"name": "Warehouse"})
    page = no_scope.get_data(as_text=True)
    assert no_scope.status_code == 422
    assert 'value="Warehouse"' in page and "Choose at least one access scope" in html_text(page)
    no_name = alpha.post(f"{SELLER}/clients", {"name": "  ", "scopes": ["catalog:write"]})
    page = no_name.get_data(as_text=True)
    assert no_name.status_code == 422 and "Give the client a name." in html_text(page)
    assert re.search(r'value="catalog:write"[^>]*checked', page)
    unknown = alpha.post(f"{SELLER}/clients", {"name": "X", "scopes": ["root:write"]})
    assert unknown.status_code == 422 and "root:write is not an access scope" in html_text(unknown.get_data(as_text=True))
    assert counts(session) == before


def test_the_form_needs_its_csrf_token(client, people, session):
    visitor = Visitor(client).log_in(people.alpha_staff)
    before = counts(session)
    response = client.post(f"{SELLER}/clients", data={"name": "ERP", "scopes": "orders:read"})
    assert response.status_code == 400
    made = api_clients.create_client(session, "ERP", seller=people.shop.alpha, scopes="orders:read")
    session.commit()
    assert client.post(f"{SELLER}/clients/{made.client.client_id}/revoke").status_code == 400
    assert api_clients.get_client(session, made.client.client_id).revoked_at is None
    assert visitor.get(SELLER).status_code == 200 and counts(session)[0] == before[0] + 1


def test_revoking_asks_first_then_stops_the_client(alpha, session, people):
    made = api_clients.create_client(session, "ERP", seller=people.shop.alpha, scopes="orders:read")
    session.commit()
    ask = alpha.page(f"{SELLER}/clients/{made.client.client_id}/revoke")
    assert "Revoke the API client ERP?" in html_text(ask)
    assert api_clients.get_client(session, made.client.client_id).revoked_at is None
    done = alpha.post(f"{SELLER}/clients/{made.client.client_id}/revoke")
    assert done.status_code == 303
    session.expire_all()
    assert api_clients.get_client(session, made.client.client_id).revoked_at is not None
    assert "Revoked" in html_text(alpha.page(SELLER))


def test_another_sellers_things_answer_404_and_stay_as_they_were(alpha, session, people):
    beta = people.shop.beta
    theirs = api_clients.create_client(session, "Beta ERP", seller=beta, scopes="orders:read").client
    operators = api_clients.create_client(session, "Operator", seller=None, scopes="orders:read").client
    subscription = webhooks.subscribe(session, beta, HOOK_URL, ["order.created"], allow_private=True)
    delivery = failed_delivery(session, subscription)
    before = counts(session)
    for client_id in (theirs.client_id, operators.client_id):
        assert alpha.get(f"{SELLER}/clients/{client_id}/revoke").status_code == 404
        assert alpha.post(f"{SELLER}/clients/{client_id}/revoke").status_code == 404
        assert alpha.get(f"{SELLER}/clients/{client_id}/created").status_code == 404
    for path in ("", "/created", "/deactivate"):
        assert alpha.get(f"{SELLER}/webhooks/{subscription.id}{path}").status_code == 404
    assert alpha.post(f"{SELLER}/webhooks/{subscription.id}/deactivate").status_code == 404
    assert alpha.post(f"{SELLER}/deliveries/{delivery.id}/replay").status_code == 404
    assert alpha.post(f"{SELLER}/deliveries/{2**31 - 1}/replay").status_code == 404
    assert counts(session) == before
    listing = alpha.page(SELLER) + alpha.page(f"{SELLER}/webhooks")
    assert "Beta ERP" not in listing and theirs.client_id not in listing and "Operator" not in listing


# --- webhooks ------------------------------------------------------------------------------------


def test_a_subscription_shows_its_signing_secret_once(alpha, session, people):
    response = alpha.post(f"{SELLER}/webhooks", {"url": HOOK_URL, "events": ["order.created", "shipment.shipped"],
                                                 "description": "ERP"})
    assert response.status_code == 303
    subscription = session.scalar(select(WebhookSubscription))
    assert subscription.seller_id == people.shop.alpha.id
    assert subscription.event_types == ["order.created", "shipment.shipped"]
    shown = alpha.get(response.headers["Location"])
    assert "no-store" in shown.headers["Cache-Control"]
    assert subscription.secret in shown.get_data(as_text=True)
    assert subscription.secret not in alpha.get(response.headers["Location"]).get_data(as_text=True)
    assert subscription.secret not in alpha.page(f"{SELLER}/webhooks/{subscription.id}")
    assert HOOK_URL in alpha.page(f"{SELLER}/webhooks")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://example.com/hooks", "A webhook address is a full https:// URL"),
        ("https://127.0.0.1/hooks", "leads to a private or local network"),
        ("https://10.1.2.3:8443/hooks", "leads to a private or local network"),
        ("not a url", "A webhook address is a full https:// URL"),
    ],
)
def test_production_refuses_plain_http_and_private_addresses_keeping_the_form(
    alpha, session, app, monkeypatch, url, words
):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)
    before = counts(session)
    response = alpha.post(f"{SELLER}/webhooks", {"url": url, "events": ["order.created"], "description": "ERP"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in html_text(page)
    assert f'value="{url}"' in page and 'value="ERP"' in page
    assert re.search(r'value="order.created"[^>]*checked', page)
    assert 'aria-invalid="true"' in page
    assert counts(session) == before


def test_a_subscription_needs_an_event(alpha, session):
    response = alpha.post(f"{SELLER}/webhooks", {"url": HOOK_URL})
    assert response.status_code == 422
    assert "Choose event types from the list" in html_text(response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_deactivating_and_replaying(alpha, session, people):
    subscription = webhooks.subscribe(session, people.shop.alpha, HOOK_URL, ["order.created"], allow_private=True)
    failed = failed_delivery(session, subscription)
    waiting = failed_delivery(session, subscription, DeliveryStatus.PENDING)
    page = alpha.page(f"{SELLER}/webhooks/{subscription.id}")
    text = html_text(page)
    assert "Failed" in text and "HTTP 500" in text and "Waiting" in text
    assert page.count('data-testid="replay"') == 1  # the waiting one cannot be sent again yet

    replayed = alpha.post(f"{SELLER}/deliveries/{failed.id}/replay")
    assert replayed.status_code == 303 and replayed.headers["Location"].endswith(f"/webhooks/{subscription.id}")
    session.expire_all()
    # Due again at once: the worker (eager in tests) already tried it, and it waits for its next try.
    assert session.get(WebhookDelivery, failed.id).status == DeliveryStatus.PENDING
    busy = alpha.post(f"{SELLER}/deliveries/{waiting.id}/replay", follow_redirects=True)
    assert "already waiting to be sent" in html_text(busy.get_data(as_text=True))

    alpha.page(f"{SELLER}/webhooks/{subscription.id}/deactivate")
    assert session.get(WebhookSubscription, subscription.id).active
    assert alpha.post(f"{SELLER}/webhooks/{subscription.id}/deactivate").status_code == 303
    session.expire_all()
    assert not session.get(WebhookSubscription, subscription.id).active
    assert "Stopped" in html_text(alpha.page(f"{SELLER}/webhooks"))


# --- the back office -----------------------------------------------------------------------------


def test_the_operator_sees_every_client_makes_its_own_and_revokes_any(operator, session, people):
    alphas = api_clients.create_client(session, "Alpha ERP", seller=people.shop.alpha, scopes="orders:read").client
    session.commit()
    page = html_text(operator.page(OFFICE))
    assert "Alpha ERP" in page and people.shop.alpha.name in page
    made = operator.post(f"{OFFICE}/clients", {"name": "OMS", "scopes": ["orders:read", "sellers:read"]})
    assert made.status_code == 303
    own = session.scalar(select(ApiClient).where(ApiClient.name == "OMS"))
    assert own.seller_id is None  # an operator client
    assert "data-testid=\"client-secret\"" in operator.page(made.headers["Location"])
    assert operator.post(f"{OFFICE}/clients/{alphas.client_id}/revoke").status_code == 303
    session.expire_all()
    assert session.get(ApiClient, alphas.id).revoked_at is not None
    assert "Marketplace (operator)" in html_text(operator.page(OFFICE))


def test_the_operator_filters_subscriptions_and_deliveries_and_replays_any(operator, session, people):
    shop = people.shop
    alphas = webhooks.subscribe(session, shop.alpha, "http://127.0.0.1:9/alpha", ["order.created"], allow_private=True)
    betas = webhooks.subscribe(session, shop.beta, "http://127.0.0.1:9/beta", ["order.created"], allow_private=True)
    delivered = failed_delivery(session, alphas, DeliveryStatus.DELIVERED)
    failed = failed_delivery(session, betas)
    everyone = operator.page(f"{OFFICE}/webhooks")
    assert "/alpha" in everyone and "/beta" in everyone
    only_beta = operator.page(f"{OFFICE}/webhooks?seller={shop.beta.id}")
    assert "/beta" in only_beta and "/alpha" not in only_beta
    assert "no-subscriptions" in operator.page(f"{OFFICE}/webhooks?seller=operator")

    rows = operator.page(f"{OFFICE}/deliveries?status=FAILED")
    assert f'data-delivery-id="{failed.id}"' in rows and f'data-delivery-id="{delivered.id}"' not in rows
    rows = operator.page(f"{OFFICE}/deliveries?seller={shop.alpha.id}")
    assert f'data-delivery-id="{delivered.id}"' in rows and f'data-delivery-id="{failed.id}"' not in rows

    back = operator.post(f"{OFFICE}/deliveries/{failed.id}/replay?status=FAILED", {"back": "deliveries"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/deliveries?status=FAILED")
    session.expire_all()
    assert session.get(WebhookDelivery, failed.id).status == DeliveryStatus.PENDING
    operator.post(f"{OFFICE}/webhooks/{alphas.id}/deactivate")
    session.expire_all()
    assert not session.get(WebhookSubscription, alphas.id).active

    made = operator.post(f"{OFFICE}/webhooks", {"url": "http://127.0.0.1:9/erp", "events": ["order.created"]})
    assert made.status_code == 303
    assert session.scalar(select(WebhookSubscription).where(WebhookSubscription.url.endswith("/erp"))).seller_id is None


# --- no N+1 --------------------------------------------------------------------------------------


def _statements(visitor, path, count_queries) -> int:
    with count_queries() as statements:
        visitor.page(path)
    return len(statements)


def test_the_lists_cost_the_same_queries_for_one_row_and_many(operator, session, people, count_queries):
    shop = people.shop
    seller_of = [shop.alpha, shop.beta, None]

    def add(n):
        for i in range(n):
            seller = seller_of[i % 3]
            api_clients.create_client(session, f"C{i}", seller=seller, scopes="orders:read")
            subscription = webhooks.subscribe(session, seller, f"http://127.0.0.1:9/{i}", ["order.created"],
                                              allow_private=True)
            failed_delivery(session, subscription)

    add(1)
    pages = (OFFICE, f"{OFFICE}/webhooks", f"{OFFICE}/deliveries")
    few = [_statements(operator, path, count_queries) for path in pages]
    add(6)
    many = [_statements(operator, path, count_queries) for path in pages]
    assert many == few

    alpha = Visitor(operator.client)
    operator.post("/compte/deconnexion")
    alpha.log_in(people.alpha_staff)
    subscription = session.scalar(select(WebhookSubscription).where(WebhookSubscription.seller_id == shop.alpha.id))
    seller_pages = (SELLER, f"{SELLER}/webhooks", f"{SELLER}/webhooks/{subscription.id}")
    few = [_statements(alpha, path, count_queries) for path in seller_pages]
    for _ in range(4):
        failed_delivery(session, webhooks.subscribe(session, shop.alpha, HOOK_URL, ["order.created"], allow_private=True))
        api_clients.create_client(session, "More", seller=shop.alpha, scopes="orders:read")
        session.commit()
    for n in range(3):
        session.add(WebhookDelivery(
            event=WebhookEvent(message_id=f"msg_more{n}", type="order.created", seller_id=shop.alpha.id, payload={}),
            subscription=subscription, status=DeliveryStatus.FAILED, attempts=1))
    session.commit()
    assert [_statements(alpha, path, count_queries) for path in seller_pages] == few


def test_the_pages_are_in_french(client, people, session):
    visitor = Visitor(client).log_in(people.alpha_staff)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    api_clients.create_client(session, "ERP", seller=people.shop.alpha, scopes="orders:read")
    session.commit()
    for path in (SELLER, f"{SELLER}/webhooks"):
        text = html_text(visitor.page(path))
        assert "Intégrations / API" in text
        for english in ("API clients", "New subscription", "Create the client", "Last used", "Never", "Events"):
            assert english not in text, (path, english)


def test_every_api_domain_and_event_has_its_words_in_both_languages(app):
    from flask_babel import force_locale

    from storefront.marketplace.api_clients import DOMAINS
    from storefront.web.integration_forms import DOMAIN_LABELS, EVENT_LABELS

    assert set(DOMAIN_LABELS) == set(DOMAINS) and set(EVENT_LABELS) == set(webhooks.EVENT_TYPES)
    assert set(webhooks.EVENT_SCOPES) == set(webhooks.EVENT_TYPES)
    with app.test_request_context():
        for words in [*DOMAIN_LABELS.values(), *EVENT_LABELS.values()]:
            with force_locale("fr"):
                french = str(words)
            with force_locale("en"):
                english = str(words)
            assert french and (french != english or english == "Messages"), english  # the same in French
