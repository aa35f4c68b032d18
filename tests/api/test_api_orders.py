"""The API over HTTP with a real OAuth 2.0 client: a live server on loopback, Authlib's httpx
client getting tokens by client credentials."""

from __future__ import annotations

import base64
import json
import threading
import time

import httpx2 as httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from werkzeug.serving import make_server

from storefront.api import auth
from storefront.marketplace import api_clients
from storefront.marketplace.models import SellerOrder
from tests.order_fixtures import build_people, part_of, place


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def live(app, app_context):
    server, thread = _serve(app)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def new_pem() -> str:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def client_for(session, seller, scopes="orders:read"):
    made = api_clients.create_client(session, "ERP", seller=seller, scopes=scopes)
    return made.client.client_id, made.client_secret


def token_of(base, client_id, secret, method="client_secret_basic", **kwargs) -> str:
    with OAuth2Client(client_id, secret, token_endpoint_auth_method=method) as oauth:
        token = oauth.fetch_token(f"{base}/oauth/token", grant_type="client_credentials", **kwargs)
    return token["access_token"]


def call(base, path, token, **kwargs):
    return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def is_problem(response, status, code):
    """Works on an httpx response and on a Flask test client's."""
    body = response.json() if callable(response.json) else response.json
    assert response.status_code == status, body
    assert response.headers["content-type"] == "application/problem+json"
    assert body["type"] == f"/api/problems/{code}" and body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.fixture
def orders_placed(session):
    people = build_people(session)
    shop = people.shop
    first = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    second = place(session, people.customer, (shop.offers["alpha"], 2))
    return people, [part_of(first, shop.alpha), part_of(second, shop.alpha), part_of(first, shop.beta)]


def test_token_by_basic_and_post_and_the_seller_sees_only_its_orders(session, live, orders_placed):
    people, (a1, a2, b1) = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    for method in ("client_secret_basic", "client_secret_post"):
        token = token_of(live, client_id, secret, method)
        claims = jwt.decode(token, auth.load_keys(live_app_keys()).verifying).claims
        assert claims["seller_id"] == people.shop.alpha.id and claims["scope"] == "orders:read"
        assert claims["exp"] - claims["iat"] == 7200
    listed = call(live, "/api/v1/orders", token)
    assert listed.status_code == 200 and "set-cookie" not in listed.headers
    assert [o["id"] for o in listed.json()["items"]] == [a2.number, a1.number]
    line = listed.json()["items"][1]["lines"][0]
    assert line["unit_price"] == {"amount": 1500, "currency": "EUR"}
    one = call(live, f"/api/v1/orders/{a1.number}", token)
    assert one.status_code == 200
    assert one.json()["state"] == "WAITING_ACCEPTANCE" and "accept" in one.json()["actions"]
    assert one.json()["created_at"].endswith("Z") and one.json()["shipments"][0]["promised_to"]
    # Another seller's order is as unknown as a missing one, and nothing changed.
    version = b1.version
    is_problem(call(live, f"/api/v1/orders/{b1.number}", token), 404, "not_found")
    session.expire_all()
    assert session.get(SellerOrder, b1.id).version == version
    # The operator sees every seller's.
    op_id, op_secret = client_for(session, None)
    everything = call(live, "/api/v1/orders", token_of(live, op_id, op_secret))
    assert {o["id"] for o in everything.json()["items"]} == {a1.number, a2.number, b1.number}


def live_app_keys():
    from flask import current_app

    return current_app.config["API_SIGNING_KEYS"]


def test_wrong_secret_revoked_client_and_scopes(session, live, orders_placed):
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha, "catalog:read")
    refused = httpx.post(f"{live}/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, "not-the-secret"))
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    token = token_of(live, client_id, secret)
    body = is_problem(call(live, "/api/v1/orders", token), 403, "insufficient_scope")
    assert body["scope"] == "orders:read"
    asked_more = httpx.post(f"{live}/oauth/token", auth=(client_id, secret),
                            data={"grant_type": "client_credentials", "scope": "orders:read"})
    assert asked_more.status_code == 400 and asked_more.json()["error"] == "invalid_scope"
    api_clients.revoke_client(session, client_id)
    again = httpx.post(f"{live}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(client_id, secret))
    assert again.status_code == 401


def _forge(claims_change: dict, pem: str | None = None, **header) -> str:
    from flask import current_app

    keys = auth.load_keys([pem] if pem else current_app.config["API_SIGNING_KEYS"])
    now = int(time.time())
    claims = {
        "iss": current_app.config["API_ISSUER"], "aud": current_app.config["API_AUDIENCE"],
        "exp": now + 600, "iat": now, "jti": "x", "sub": "c", "client_id": "c",
        "scope": "orders:read", "operator": True,
    }
    claims.update(claims_change)
    return jwt.encode({"alg": "ES256", "typ": "at+jwt", **header}, claims, keys.signing)


@pytest.mark.parametrize("change", [
    {"exp": int(time.time()) - 3600},
    {"aud": "https://elsewhere.example/api"},
    {"iss": "https://elsewhere.example"},
])
def test_expired_wrong_audience_wrong_issuer_tokens_are_refused(live, change):
    response = call(live, "/api/v1/orders", _forge(change))
    is_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert call(live, "/api/v1/orders", _forge({})).status_code == 200


def test_tampered_and_foreign_key_tokens_are_refused(live):
    head, claims, signature = _forge({}).split(".")
    body = json.loads(base64.urlsafe_b64decode(claims + "=="))
    body["operator"], body["seller_id"] = False, 1
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    for token in (f"{head}.{forged}.{signature}", _forge({}, pem=new_pem()), "garbage"):
        response = call(live, "/api/v1/orders", token)
        is_problem(response, 401, "invalid_token")
        assert "www-authenticate" in response.headers


def test_key_rotation(session, app, another_app, orders_placed):
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    old_pem, new = app.config["API_SIGNING_KEYS"][0], new_pem()
    rotated = another_app(API_SIGNING_KEYS=[new, old_pem], API_ISSUER=app.config["API_ISSUER"],
                          API_AUDIENCE=app.config["API_AUDIENCE"])
    retired = another_app(API_SIGNING_KEYS=[new], API_ISSUER=app.config["API_ISSUER"],
                          API_AUDIENCE=app.config["API_AUDIENCE"])
    servers = [_serve(a) for a in (app, rotated, retired)]
    try:
        base, rotated_base, retired_base = (f"http://127.0.0.1:{s.server_port}" for s, _ in servers)
        old_token = token_of(base, client_id, secret)
        assert call(rotated_base, "/api/v1/orders", old_token).status_code == 200
        is_problem(call(retired_base, "/api/v1/orders", old_token), 401, "invalid_token")
        kids = [k["kid"] for k in httpx.get(f"{rotated_base}/.well-known/jwks.json").json()["keys"]]
        assert len(kids) == 2 and all(kids)
        new_token = token_of(rotated_base, client_id, secret)
        assert call(retired_base, "/api/v1/orders", new_token).status_code == 200
    finally:
        for server, thread in servers:
            server.shutdown()
            thread.join(timeout=10)


def test_pagination_with_link_and_a_tampered_cursor(session, live, orders_placed):
    people, (a1, a2, b1) = orders_placed
    token = token_of(live, *client_for(session, None))
    seen = []
    url = f"{live}/api/v1/orders?limit=1"
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200
        seen += [o["id"] for o in page.json()["items"]]
        url = page.links.get("next", {}).get("url")
    assert sorted(seen) == sorted([a1.number, a2.number, b1.number]) and len(seen) == 3
    first = call(live, "/api/v1/orders?limit=1", token).json()["next_cursor"]
    tampered = first[:-3] + ("AAA" if first[-3:] != "AAA" else "BBB")
    body = is_problem(call(live, f"/api/v1/orders?cursor={tampered}", token), 400, "invalid_cursor")
    assert body["field"] == "cursor"
    is_problem(call(live, "/api/v1/orders?created_since=yesterday", token), 400, "invalid_parameter")
    is_problem(call(live, "/api/v1/orders?state=NOPE", token), 400, "invalid_parameter")
    waiting = call(live, "/api/v1/orders?state=WAITING_ACCEPTANCE&customer_order_number="
                   + a1.customer_order.number, token).json()["items"]
    assert {o["id"] for o in waiting} == {a1.number, b1.number}


def test_problems_for_unknown_routes_and_methods(live):
    body = is_problem(httpx.get(f"{live}/api/v2/anything"), 404, "not_found")
    described = httpx.get(f"{live}{body['type']}")
    assert described.status_code == 200 and described.json()["title"] == body["title"]
    is_problem(httpx.delete(f"{live}/api/v1/orders"), 405, "method_not_allowed")


def test_listing_runs_a_fixed_number_of_queries(session, client, count_queries, orders_placed):
    people, _ = orders_placed
    token = _forge({})
    for _ in range(2):
        place(session, people.customer, (people.shop.offers["first_party"], 1))
    # The process reads its list of revoked tokens once per interval: here, not below.
    client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    with count_queries() as statements:
        response = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.json["items"]) == 5
    few = len(statements)
    place(session, people.customer, (people.shop.offers["beta"], 1))
    with count_queries() as statements:
        client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert len(statements) == few
