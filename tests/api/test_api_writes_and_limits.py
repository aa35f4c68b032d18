"""Accepting an order through the API, request bodies (malformed, too large, wrong type), rate
limits, an unconfigured API, the clients' service and the ``flask api`` command."""

from __future__ import annotations

import re

import pytest

from storefront.extensions import limiter
from storefront.marketplace import api_clients
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import ApiClient, SellerOrder, SellerOrderState
from storefront.marketplace.refusals import Refusal
from tests.api.test_api_orders import is_problem, orders_placed  # noqa: F401
from tests.order_fixtures import build_people


def bearer(client, client_id, secret) -> dict:
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, secret))
    assert answer.status_code == 200, answer.json
    assert answer.headers["Cache-Control"] == "no-store"
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def new_client(session, seller, scopes):
    made = api_clients.create_client(session, "ERP", seller=seller, scopes=scopes)
    return made.client.client_id, made.client_secret


def test_a_seller_accepts_its_order_and_only_its_own(session, client, orders_placed):  # noqa: F811
    people, (a1, _a2, b1) = orders_placed
    alpha = bearer(client, *new_client(session, people.shop.alpha, "orders:read orders:write"))
    reader = bearer(client, *new_client(session, people.shop.alpha, "orders:read"))
    is_problem(client.post(f"/api/v1/orders/{a1.number}/accept", headers=reader), 403,
               "insufficient_scope")
    stale = client.post(f"/api/v1/orders/{a1.number}/accept", headers=alpha,
                        json={"expected_version": a1.version + 5})
    assert is_problem(stale, 409, "conflict")["reason"] == Refusal.STALE
    accepted = client.post(f"/api/v1/orders/{a1.number}/accept", headers=alpha,
                           json={"expected_version": a1.version})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["state"] == "SHIPPING" and "accept" not in accepted.json["actions"]
    again = client.post(f"/api/v1/orders/{a1.number}/accept", headers=alpha)
    assert is_problem(again, 409, "invalid_transition")["reason"] == Refusal.NOT_WAITING
    # Beta's order: unknown to Alpha, and still waiting.
    is_problem(client.post(f"/api/v1/orders/{b1.number}/accept", headers=alpha), 404, "not_found")
    session.expire_all()
    assert session.get(SellerOrder, b1.id).state == SellerOrderState.WAITING_ACCEPTANCE
    assert session.get(SellerOrder, a1.id).state == SellerOrderState.SHIPPING


def test_bodies_malformed_wrong_type_too_large(session, client, orders_placed):  # noqa: F811
    people, (a1, _a2, _b1) = orders_placed
    alpha = bearer(client, *new_client(session, people.shop.alpha, "orders:write"))
    url = f"/api/v1/orders/{a1.number}/accept"
    is_problem(client.post(url, headers=alpha, data="{not json",
                           content_type="application/json"), 400, "malformed_json")
    is_problem(client.post(url, headers=alpha, data="line_ids=1"), 415, "unsupported_media_type")
    body = is_problem(client.post(url, headers=alpha, json={"line_ids": "all"}), 422,
                      "invalid_value")
    assert body["field"] == "line_ids"
    body = is_problem(client.post(url, headers=alpha, json={"line_ids": [1, "2"]}), 422,
                      "invalid_value")
    assert body["field"] == "line_ids.1" and body["errors"][0]["field"] == "line_ids.1"
    body = is_problem(client.post(url, headers=alpha, json={"lines": [1]}), 422, "invalid_value")
    assert body["field"] == "lines"  # an unknown field is named, not ignored
    is_problem(client.post(url, headers=alpha, data="[" + "1," * 600_000 + "1]",
                           content_type="application/json"), 413, "payload_too_large")
    session.expire_all()
    assert session.get(SellerOrder, a1.id).state == SellerOrderState.WAITING_ACCEPTANCE


def test_rate_limit_per_client_with_retry_after(session, app, client, monkeypatch):
    people = build_people(session)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    with app.app_context():
        limiter.reset()
    first = bearer(client, *new_client(session, people.shop.alpha, "orders:read"))
    second = bearer(client, *new_client(session, people.shop.beta, "orders:read"))
    assert [client.get("/api/v1/orders", headers=first).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/api/v1/orders", headers=first)
    is_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 61  # the window ends on a whole second
    assert client.get("/api/v1/orders", headers=second).status_code == 200  # its own count


def test_without_signing_keys_the_api_answers_503(another_app):
    shop = another_app(API_SIGNING_KEYS=[])
    visitor = shop.test_client()
    is_problem(visitor.post("/oauth/token", data={"grant_type": "client_credentials"}), 503,
               "api_not_configured")
    is_problem(visitor.get("/.well-known/jwks.json"), 503, "api_not_configured")
    is_problem(visitor.get("/api/v1/orders", headers={"Authorization": "Bearer x"}), 503,
               "api_not_configured")


def test_clients_service(session):
    people = build_people(session)
    made = api_clients.create_client(
        session, "ERP", seller=people.shop.alpha, scopes="orders:write, orders:read"
    )
    assert made.client.scopes == "orders:read orders:write"
    stored = session.get(ApiClient, made.client.id)
    assert made.client_secret not in (stored.secret_digest, stored.client_id)
    assert api_clients.check_secret(stored, made.client_secret)
    assert not api_clients.check_secret(stored, made.client_secret + "x")
    with pytest.raises(InvalidValue) as refused:
        api_clients.create_client(session, "X", seller=None, scopes="orders:read orders:delete")
    assert refused.value.details["reason"] == Refusal.UNKNOWN_SCOPE
    with pytest.raises(InvalidValue):
        api_clients.create_client(session, "X", seller=None, scopes="")
    operator = api_clients.create_client(session, "Back office", seller=None, scopes="finance:read")
    assert api_clients.list_clients(session, seller=people.shop.alpha) == [made.client]
    assert len(api_clients.list_clients(session)) == 2
    api_clients.revoke_client(session, operator.client.client_id)
    assert api_clients.active_client(session, operator.client.client_id) is None
    assert api_clients.active_client(session, made.client.client_id) is not None


def test_the_command_prints_the_secret_once_and_it_works(session, app, client):
    build_people(session)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api", "create-client", "--seller", "alpha", "--name", "ERP",
                                 "--scopes", "orders:read"])
    assert result.exit_code == 0, result.output
    client_id = re.search(r"client_id: (\S+)", result.output).group(1)
    secret = re.search(r"client_secret: (\S+)", result.output).group(1)
    assert client.get("/api/v1/orders", headers=bearer(client, client_id, secret)).status_code == 200
    listed = runner.invoke(args=["api", "list-clients"])
    assert client_id in listed.output and secret not in listed.output
    wrong = runner.invoke(args=["api", "create-client", "--name", "X", "--scopes", "orders:read"])
    assert wrong.exit_code != 0
    assert runner.invoke(args=["api", "revoke-client", client_id]).exit_code == 0
    refused = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret))
    assert refused.status_code == 401


def test_introspection_for_the_operator(session, client):
    people = build_people(session)
    seller_id, seller_secret = new_client(session, people.shop.alpha, "orders:read")
    token = bearer(client, seller_id, seller_secret)["Authorization"].split()[1]
    operator = new_client(session, None, "orders:read")
    asked = client.post("/oauth/introspect", data={"token": token}, auth=operator)
    assert asked.status_code == 200
    assert asked.json["active"] is True and asked.json["client_id"] == seller_id
    assert asked.json["seller_id"] == people.shop.alpha.id and asked.json["scope"] == "orders:read"
    # A seller's client learns nothing; a wrong secret is refused; garbage is inactive.
    assert client.post("/oauth/introspect", data={"token": token},
                       auth=(seller_id, seller_secret)).json == {"active": False}
    assert client.post("/oauth/introspect", data={"token": token},
                       auth=(operator[0], "wrong")).status_code == 401
    assert client.post("/oauth/introspect", data={"token": "x.y.z"},
                       auth=operator).json == {"active": False}
    # Revoked client: its token still opens the API until it expires, but introspection says no.
    api_clients.revoke_client(session, seller_id)
    assert client.post("/oauth/introspect", data={"token": token},
                       auth=operator).json == {"active": False}


@pytest.mark.parametrize("client_id", ["sfc_\x00abc", "x" * 500, ""])
def test_a_token_request_with_an_impossible_client_id_is_invalid_client(session, client, client_id):
    """A NUL byte would make PostgreSQL refuse the lookup (a 500); any such id is simply unknown."""
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                               "client_id": client_id, "client_secret": "s"})
    assert answer.status_code in (400, 401) and answer.json["error"] == "invalid_client"  # Authlib: 400 unknown, 401 unauthenticated
