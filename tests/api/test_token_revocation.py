"""Refusing tokens before they expire: RFC 7009 revocation over HTTP with Authlib's client, a
revoked client's tokens, a suspended seller's; the list each process keeps, read again once per
interval and never per request; its rows purged when their tokens have expired."""

# ruff: noqa: F811  (the fixtures imported from test_api_orders)

from __future__ import annotations

import time
from datetime import timedelta

import httpx2 as httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from flask import current_app
from joserfc import jwt
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storefront.api import auth
from storefront.extensions import db
from storefront.marketplace import (
    api_clients,
    housekeeping,
    reference_cache,
    sellers,
    token_revocations,
)
from storefront.marketplace import webhooks as webhook_service
from storefront.marketplace.models import (
    ApiClient,
    ApiRevocation,
    Seller,
    WebhookSubscription,
    utcnow,
)
from tests.api.test_api_orders import (  # noqa: F401  (fixtures)
    _serve,
    call,
    client_for,
    is_problem,
    live,
    orders_placed,
    token_of,
)


def revoke(base, client_id, secret, token, **kwargs):
    """RFC 7009 through Authlib's OAuth 2.0 client, authenticated as at the token endpoint."""
    with OAuth2Client(client_id, secret, revocation_endpoint_auth_method="client_secret_basic") as oauth:
        return oauth.revoke_token(f"{base}/oauth/revoke", token=token, **kwargs)


def jti_of(token: str) -> str:
    return jwt.decode(token, auth.keys().verifying).claims["jti"]


def refused(response):
    body = is_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    return body


def revocation_rows(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(ApiRevocation))


def test_a_client_revokes_one_of_its_tokens_and_keeps_the_others(session, live, orders_placed):
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    first, second = token_of(live, client_id, secret), token_of(live, client_id, secret)
    assert call(live, "/api/v1/orders", first).status_code == 200

    answer = revoke(live, client_id, secret, first, token_type_hint="access_token")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert "revoked" in refused(call(live, "/api/v1/orders", first))["detail"]
    assert call(live, "/api/v1/orders", second).status_code == 200
    # Revoking it again, or with the hint of a refresh token (the RFC: search every type), is fine.
    assert revoke(live, client_id, secret, first, token_type_hint="refresh_token").status_code == 200
    assert revocation_rows(session) == 1
    row = session.scalar(select(ApiRevocation))
    assert row.jti == jti_of(first) and row.client_id is None and row.seller_id is None
    assert row.expires_at > utcnow() + timedelta(hours=1, minutes=59)
    # Introspection agrees.
    op_id, op_secret = client_for(session, None)
    seen = httpx.post(f"{live}/oauth/introspect", auth=(op_id, op_secret), data={"token": first})
    assert seen.json() == {"active": False}
    assert httpx.post(f"{live}/oauth/introspect", auth=(op_id, op_secret),
                      data={"token": second}).json()["active"] is True


def test_another_clients_token_is_refused_and_stays_valid(session, live, orders_placed):
    """RFC 7009 section 2.1: the server "verifies whether the token was issued to the client
    making the revocation request. If this validation fails, the request is refused and the
    client is informed of the error" (RFC 6749 section 5.2: invalid_grant, "issued to another
    client"). Only an invalid token answers 200 without an error (section 2.2)."""
    people, _ = orders_placed
    alpha_id, alpha_secret = client_for(session, people.shop.alpha)
    beta_id, beta_secret = client_for(session, people.shop.beta)
    other_alpha_id, other_alpha_secret = client_for(session, people.shop.alpha)
    beta_token = token_of(live, beta_id, beta_secret)
    alpha_token = token_of(live, alpha_id, alpha_secret)
    for client_id, secret in ((alpha_id, alpha_secret), (other_alpha_id, other_alpha_secret)):
        answer = revoke(live, client_id, secret, beta_token if client_id == alpha_id else alpha_token)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert revocation_rows(session) == 0
    assert call(live, "/api/v1/orders", beta_token).status_code == 200
    assert call(live, "/api/v1/orders", alpha_token).status_code == 200
    # The operator's client may revoke anyone's.
    op_id, op_secret = client_for(session, None)
    assert revoke(live, op_id, op_secret, beta_token).status_code == 200
    refused(call(live, "/api/v1/orders", beta_token))
    assert call(live, "/api/v1/orders", alpha_token).status_code == 200


def test_bad_revocation_requests(session, live, orders_placed):
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    token = token_of(live, client_id, secret)
    # An unknown, malformed or foreign token: 200 and nothing written (RFC 7009 section 2.2).
    for junk in ("garbage", token[:-4] + "AAAA", "a.b.c"):
        assert revoke(live, client_id, secret, junk).status_code == 200
    assert revocation_rows(session) == 0
    wrong = httpx.post(f"{live}/oauth/revoke", auth=(client_id, "nope"), data={"token": token})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    missing = httpx.post(f"{live}/oauth/revoke", auth=(client_id, secret), data={})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    hint = httpx.post(f"{live}/oauth/revoke", auth=(client_id, secret),
                      data={"token": token, "token_type_hint": "id_token"})
    assert hint.json()["error"] == "unsupported_token_type"  # Authlib's status for it: 401
    # By form fields (client_secret_post) too.
    posted = httpx.post(f"{live}/oauth/revoke",
                        data={"token": token, "client_id": client_id, "client_secret": secret})
    assert posted.status_code == 200
    refused(call(live, "/api/v1/orders", token))


def test_a_revoked_client_s_tokens_are_refused_at_once(session, live, orders_placed):
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    other_id, other_secret = client_for(session, people.shop.alpha)
    held, other = token_of(live, client_id, secret), token_of(live, other_id, other_secret)
    assert call(live, "/api/v1/orders", held).status_code == 200  # the list is read here
    api_clients.revoke_client(session, client_id)
    assert "client" in refused(call(live, "/api/v1/orders", held))["detail"]
    assert call(live, "/api/v1/orders", other).status_code == 200
    row = session.scalar(select(ApiRevocation).where(ApiRevocation.client_id == client_id))
    revoked_at = session.scalar(select(ApiClient.revoked_at).where(ApiClient.client_id == client_id))
    assert row.not_before == revoked_at
    assert row.expires_at == revoked_at + timedelta(hours=2, seconds=30)


def test_a_suspended_seller_s_clients_get_no_token_and_theirs_are_refused(session, live, orders_placed):
    people, _ = orders_placed
    alpha, beta = people.shop.alpha, people.shop.beta
    client_id, secret = client_for(session, alpha)
    beta_id, beta_secret = client_for(session, beta)
    held, beta_token = token_of(live, client_id, secret), token_of(live, beta_id, beta_secret)
    assert call(live, "/api/v1/orders", held).status_code == 200

    sellers.suspend_seller(session, alpha, "documents manquants")
    assert "not open" in refused(call(live, "/api/v1/orders", held))["detail"]
    assert call(live, "/api/v1/orders", beta_token).status_code == 200
    asked = httpx.post(f"{live}/oauth/token", auth=(client_id, secret),
                       data={"grant_type": "client_credentials"})
    assert asked.status_code == 401 and asked.json()["error"] == "invalid_client"

    # Reopened: new tokens work; the ones from before stay refused until they expire.
    time.sleep(1.1)  # iat counts whole seconds
    sellers.reopen_seller(session, alpha)
    time.sleep(1.1)
    fresh = token_of(live, client_id, secret)
    assert call(live, "/api/v1/orders", fresh).status_code == 200
    refused(call(live, "/api/v1/orders", held))
    row = session.scalar(select(ApiRevocation).where(ApiRevocation.seller_id == alpha.id))
    assert row.not_before is not None and row.expires_at == row.not_before + timedelta(hours=2, seconds=30)


def test_checking_a_token_reads_no_database(app, session, client, orders_placed, count_queries):
    """Zero statements for authentication while the process's copy is fresh; one when it is due,
    however many requests come; none of the statements of a GET is about the token."""
    people, _ = orders_placed
    client_id, secret = client_for(session, people.shop.alpha)
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, secret))
    token = answer.json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    token_revocations.revoke_token(session, "some-other-token", utcnow() + timedelta(hours=1))
    session.commit()
    reference_cache.clear(db.engine)
    with app.test_request_context("/api/v1/orders", headers=headers):
        with count_queries() as first:
            auth.authenticate()
        with count_queries() as then:
            for _ in range(50):
                assert auth.authenticate().seller_id == people.shop.alpha.id
    assert len(first) == 1 and "api_revocation" in first[0]
    assert then == []
    with count_queries() as statements:
        assert client.get("/api/v1/orders", headers=headers).status_code == 200
    assert statements and not [s for s in statements if "api_revocation" in s or "api_client" in s]


def test_other_processes_see_a_revocation_within_the_interval(session, app, another_app, orders_placed):
    """Another process (another app on the same database, with its own copy) goes on accepting a
    revoked token until its copy is due, then refuses it; the revoking process refuses at once."""
    people, _ = orders_placed
    interval = 2.0
    other = another_app(
        environ={"API_REVOCATION_REFRESH_SECONDS": str(interval)},
        API_SIGNING_KEYS=app.config["API_SIGNING_KEYS"], API_ISSUER=app.config["API_ISSUER"],
        API_AUDIENCE=app.config["API_AUDIENCE"],
    )
    servers = [_serve(a) for a in (app, other)]
    try:
        here, there = (f"http://127.0.0.1:{s.server_port}" for s, _ in servers)
        client_id, secret = client_for(session, people.shop.alpha)
        token = token_of(here, client_id, secret)
        assert call(there, "/api/v1/orders", token).status_code == 200  # its copy, read now
        read_at = time.monotonic()
        assert revoke(here, client_id, secret, token).status_code == 200
        refused(call(here, "/api/v1/orders", token))
        still = call(there, "/api/v1/orders", token)
        if time.monotonic() - read_at < interval:  # a slow machine may have let it lapse
            assert still.status_code == 200
        time.sleep(max(0.0, read_at + interval + 0.2 - time.monotonic()))
        refused(call(there, "/api/v1/orders", token))
    finally:
        for server, thread in servers:
            server.shutdown()
            thread.join(timeout=10)


def test_housekeeping_purges_rows_whose_tokens_have_expired(session, orders_placed):
    people, _ = orders_placed
    now = utcnow()
    token_revocations.revoke_token(session, "gone", now - timedelta(minutes=5))
    token_revocations.revoke_token(session, "live", now + timedelta(minutes=5))
    token_revocations.refuse_client_tokens(session, "sfc_old", now - timedelta(hours=3))
    sellers.suspend_seller(session, people.shop.beta, "fraude")
    session.commit()
    done = housekeeping.run_all(session, now=now, settings=current_app.config,
                                purges=[p for p in housekeeping.PURGES if p.name == "api_revocations"])
    assert done == {"api_revocations": 2}
    left = session.execute(select(ApiRevocation.jti, ApiRevocation.seller_id)).all()
    assert sorted(left, key=str) == sorted([("live", None), (None, people.shop.beta.id)], key=str)
    # What was purged is no longer refused; what is left is.
    refuses = token_revocations.fresh(session).refuses
    assert refuses({"jti": "gone"}, None) is None and refuses({"jti": "live"}, None)
    assert refuses({"iat": int(time.time()) + 60}, people.shop.beta.id)  # suspended: however new


def test_a_deleted_client_leaves_its_webhook_subscriptions_to_the_seller(session, orders_placed):
    people, _ = orders_placed
    made = api_clients.create_client(session, "ERP", seller=people.shop.alpha, scopes="orders:read")
    subscription = webhook_service.subscribe(
        session, people.shop.alpha, "http://127.0.0.1:9/hook", ["order.created"],
        allow_private=True, api_client_id=made.client.id,
    )
    session.commit()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(WebhookSubscription(seller_id=people.shop.alpha.id, api_client_id=999_999,
                                        url="https://x.example", secret="s", event_types=[]))
        session.flush()
    session.execute(delete(ApiClient).where(ApiClient.id == made.client.id))
    session.commit()
    session.expire_all()
    kept = session.get(WebhookSubscription, subscription.id)
    assert kept is not None and kept.api_client_id is None and kept.seller_id == people.shop.alpha.id
    assert session.get(Seller, people.shop.alpha.id) is not None


def test_what_a_snapshot_refuses():
    from types import MappingProxyType

    snapshot = token_revocations.Revocations(
        frozenset({"jti-1"}), MappingProxyType({"sfc_c": 100.0}),
        MappingProxyType({5: float("inf"), 6: 50.0}),
    )
    assert token_revocations.NOTHING.refuses({}, 5) is None
    assert snapshot.refuses({"jti": "jti-1"}, None)
    assert snapshot.refuses({"client_id": "sfc_c", "iat": 100}, None)
    assert snapshot.refuses({"client_id": "sfc_c"}, None)  # no iat: older than any row
    assert snapshot.refuses({"client_id": "sfc_c", "iat": 101}, None) is None
    assert snapshot.refuses({"client_id": ["sfc_c"], "iat": 1}, None) is None  # not a client id
    assert snapshot.refuses({"iat": 10**12}, 5)  # suspended: however new
    assert snapshot.refuses({"iat": 50}, 6) and snapshot.refuses({"iat": 51}, 6) is None
    assert snapshot.refuses({}, 7) is None and snapshot.refuses({"client_id": "sfc_x"}, None) is None
