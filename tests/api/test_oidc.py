"""The API trusting an external OpenID Connect provider (OIDC_ISSUER): a small issuer started on
loopback serves its discovery document and key set and signs tokens with joserfc, as Keycloak
would; the shop runs as a live server beside it."""

# ruff: noqa: F811  (the fixtures imported from test_api_orders)

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from storefront.api import auth, oidc
from storefront.marketplace import sellers
from storefront.settings import ConfigError, load_settings
from tests.api.test_api_orders import (
    _serve,
    call,
    client_for,
    is_problem,
    orders_placed,  # noqa: F401  (a fixture)
    token_of,
)

AUDIENCE = "marketplace-api"
_kids = itertools.count(1)


class TinyIssuer:
    """An OpenID provider reduced to what a resource server reads: discovery and JWKS."""

    def __init__(self):
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/realms/shop"
        self.published: list[RSAKey] = []
        self.signing: RSAKey | None = None
        self.key_set_fetches = 0
        self.rotate()

    def rotate(self, *, keep_old: bool = True) -> RSAKey:
        key = RSAKey.generate_key(2048, parameters={"kid": f"k{next(_kids)}", "alg": "RS256", "use": "sig"})
        self.published = [*self.published, key] if keep_old else [key]
        self.signing = key
        return key

    def wsgi(self, environ, start_response):
        path = Request(environ).path
        if path == "/realms/shop/.well-known/openid-configuration":
            body = {"issuer": self.url, "jwks_uri": f"{self.url}/protocol/openid-connect/certs",
                    "token_endpoint": f"{self.url}/protocol/openid-connect/token"}
        elif path == "/realms/shop/protocol/openid-connect/certs":
            self.key_set_fetches += 1
            body = {"keys": [key.as_dict(private=False) for key in self.published]}
        else:
            return Response("not found", status=404)(environ, start_response)
        return Response(json.dumps(body), mimetype="application/json")(environ, start_response)

    def token(self, key: RSAKey | None = None, kid: str | None = None, **change) -> str:
        key = key or self.signing
        now = int(time.time())
        claims = {
            "iss": self.url, "aud": [AUDIENCE, "account"], "exp": now + 300, "iat": now,
            "jti": str(uuid.uuid4()), "azp": "erp-alpha", "sub": "service-account-erp",
            "typ": "Bearer", "scope": "openid profile orders:read",
        }
        claims.update(change)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid or key.kid}, claims, key)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def issuer():
    made = TinyIssuer().start()
    yield made
    made.stop()


@pytest.fixture
def shop_with_oidc(app, another_app, issuer):
    """``shop_with_oidc(min_refresh=60, issuer_url=None, **environ)``: the base URL of a live
    shop (another process, as far as caches go) trusting ``issuer``."""
    servers = []

    def start(min_refresh: float = 60, issuer_url: str | None = None, **environ) -> str:
        made = another_app(
            environ={
                "OIDC_ISSUER": issuer_url or issuer.url,
                "OIDC_AUDIENCE": AUDIENCE,
                "OIDC_JWKS_MIN_REFRESH_SECONDS": str(min_refresh),
                **environ,
            },
            API_SIGNING_KEYS=app.config["API_SIGNING_KEYS"], API_ISSUER=app.config["API_ISSUER"],
            API_AUDIENCE=app.config["API_AUDIENCE"],
        )
        servers.append(_serve(made))
        return f"http://127.0.0.1:{servers[-1][0].server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=10)


def refused(response, words: str = ""):
    body = is_problem(response, 401, "invalid_token")
    assert response.headers["www-authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert words in body["detail"]
    return body


def test_a_seller_token_and_an_operator_token_work_end_to_end(session, issuer, shop_with_oidc, orders_placed):
    people, (a1, a2, b1) = orders_placed
    shop = shop_with_oidc()
    seller_token = issuer.token(seller_code=people.shop.alpha.code)
    listed = call(shop, "/api/v1/orders", seller_token)
    assert listed.status_code == 200, listed.text
    assert [o["id"] for o in listed.json()["items"]] == [a2.number, a1.number]
    is_problem(call(shop, f"/api/v1/orders/{b1.number}", seller_token), 404, "not_found")
    # Keycloak's shape for the operator: no seller claim, the role among the realm's roles.
    operator = issuer.token(realm_access={"roles": ["offline_access", "marketplace-operator"]})
    everything = call(shop, "/api/v1/orders", operator)
    assert {o["id"] for o in everything.json()["items"]} == {a1.number, a2.number, b1.number}
    # Scopes in "scp" (a list), the role as a scope; unknown scopes are ignored.
    as_scp = issuer.token(scope=None, scp=["orders:read", "marketplace-operator", "email"])
    assert call(shop, "/api/v1/orders", as_scp).status_code == 200
    without_scope = issuer.token(scope="openid catalog:read", seller_code=people.shop.alpha.code)
    is_problem(call(shop, "/api/v1/orders", without_scope), 403, "insufficient_scope")
    # The shop's own tokens still work beside the provider's.
    own = token_of(shop, *client_for(session, people.shop.alpha))
    assert [o["id"] for o in call(shop, "/api/v1/orders", own).json()["items"]] == [a2.number, a1.number]


def test_who_the_token_acts_for_must_be_clear(issuer, shop_with_oidc, orders_placed):
    people, (a1, a2, b1) = orders_placed
    shop = shop_with_oidc()
    refused(call(shop, "/api/v1/orders", issuer.token()), "no seller and no operator")
    refused(call(shop, "/api/v1/orders", issuer.token(seller_code="nobody")), "unknown")
    refused(call(shop, "/api/v1/orders", issuer.token(seller_code=42)), "not a seller code")
    # A seller claim wins over an operator role: the token acts for that seller alone.
    both = issuer.token(seller_code=people.shop.beta.code, roles=["marketplace-operator"])
    assert [o["id"] for o in call(shop, "/api/v1/orders", both).json()["items"]] == [b1.number]


@pytest.mark.parametrize("case", ["wrong issuer", "wrong audience", "expired", "unknown kid",
                                  "tampered", "unpublished key", "no audience", "alg none",
                                  "id token"])
def test_bad_tokens_are_refused_with_www_authenticate(issuer, shop_with_oidc, orders_placed, case):
    people, _ = orders_placed
    shop = shop_with_oidc()
    code = people.shop.alpha.code
    if case == "wrong issuer":
        token = issuer.token(seller_code=code, iss="http://127.0.0.1:1/realms/other")
    elif case == "wrong audience":
        token = issuer.token(seller_code=code, aud="another-api")
    elif case == "expired":
        token = issuer.token(seller_code=code, exp=int(time.time()) - 120, iat=int(time.time()) - 600)
    elif case == "unknown kid":
        token = issuer.token(seller_code=code, kid="forged-kid")
    elif case == "tampered":
        head, claims, signature = issuer.token(seller_code=code).split(".")
        body = json.loads(base64.urlsafe_b64decode(claims + "=="))
        body["seller_code"] = people.shop.beta.code
        forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
        token = f"{head}.{forged}.{signature}"
    elif case == "unpublished key":  # the kid of a published key, signed by another
        stranger = RSAKey.generate_key(2048, parameters={"kid": issuer.signing.kid})
        token = issuer.token(key=stranger, seller_code=code)
    elif case == "no audience":
        token = issuer.token(seller_code=code, aud=None)
    elif case == "id token":
        token = issuer.token(seller_code=code, typ="ID", nonce="n-0S6_WzA2Mj")
    else:
        head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
        body = base64.urlsafe_b64encode(json.dumps({
            "iss": issuer.url, "aud": AUDIENCE, "exp": int(time.time()) + 300, "seller_code": code,
            "scope": "orders:read",
        }).encode()).decode().rstrip("=")
        token = f"{head}.{body}."
    refused(call(shop, "/api/v1/orders", token))
    assert call(shop, "/api/v1/orders", issuer.token(seller_code=code)).status_code == 200


def test_an_unknown_kid_cannot_make_the_shop_fetch_on_every_request(issuer, shop_with_oidc, orders_placed):
    people, _ = orders_placed
    shop = shop_with_oidc(min_refresh=60)
    good = issuer.token(seller_code=people.shop.alpha.code)
    assert call(shop, "/api/v1/orders", good).status_code == 200
    assert issuer.key_set_fetches == 1
    for n in range(10):
        refused(call(shop, "/api/v1/orders", issuer.token(seller_code=people.shop.alpha.code, kid=f"forged-{n}")))
        assert call(shop, "/api/v1/orders", good).status_code == 200
    assert issuer.key_set_fetches == 1  # the last fetch was less than a minute ago


def test_key_rotation_at_the_issuer_is_picked_up(issuer, shop_with_oidc, orders_placed):
    people, _ = orders_placed
    shop = shop_with_oidc(min_refresh=1)
    code = people.shop.alpha.code
    old_key = issuer.signing
    old_token = issuer.token(seller_code=code)
    assert call(shop, "/api/v1/orders", old_token).status_code == 200
    time.sleep(1.1)
    issuer.rotate(keep_old=True)  # Keycloak publishes the new key beside the old one
    new_token = issuer.token(seller_code=code)
    assert call(shop, "/api/v1/orders", new_token).status_code == 200
    assert issuer.key_set_fetches == 2
    assert call(shop, "/api/v1/orders", old_token).status_code == 200  # still published
    assert call(shop, "/api/v1/orders", issuer.token(key=old_key, seller_code=code)).status_code == 200


def test_a_suspended_seller_s_external_tokens_are_refused(session, issuer, shop_with_oidc, orders_placed):
    people, _ = orders_placed
    shop = shop_with_oidc(API_REVOCATION_REFRESH_SECONDS="1")
    token = issuer.token(seller_code=people.shop.alpha.code)
    assert call(shop, "/api/v1/orders", token).status_code == 200
    sellers.suspend_seller(session, people.shop.alpha, "fraude")
    session.commit()
    # The live shop is another process: it refuses once its copy of the revocations is due.
    time.sleep(1.2)
    refused(call(shop, "/api/v1/orders", token), "not open")
    # Even a token the provider issues after the suspension.
    refused(call(shop, "/api/v1/orders", issuer.token(seller_code=people.shop.alpha.code)), "not open")


def test_checking_an_external_token_reads_no_database(app, another_app, issuer, orders_placed, count_queries):
    people, _ = orders_placed
    made = another_app(environ={"OIDC_ISSUER": issuer.url, "OIDC_AUDIENCE": AUDIENCE})
    token = issuer.token(seller_code=people.shop.alpha.code)
    with made.test_request_context("/api/v1/orders", headers={"Authorization": f"Bearer {token}"}):
        assert auth.authenticate().seller_id == people.shop.alpha.id  # keys fetched, caches filled
        from sqlalchemy import event

        from storefront.extensions import db

        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for _ in range(20):
                assert auth.authenticate().seller_id == people.shop.alpha.id
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
    assert issuer.key_set_fetches == 1


def test_an_issuer_that_cannot_be_reached(shop_with_oidc, orders_placed):
    people, _ = orders_placed
    gone = TinyIssuer()
    gone.server.server_close()  # never served: its port refuses connections
    shop = shop_with_oidc(issuer_url=gone.url)
    answer = call(shop, "/api/v1/orders", gone.token(seller_code=people.shop.alpha.code))
    body = is_problem(answer, 503, "server_error")
    assert "identity provider" in body["detail"] and answer.headers["retry-after"] == "30"


def test_the_issuer_object_keeps_keys_when_the_provider_is_down():
    calls = []

    def fetch(url):
        calls.append(url)
        if len(calls) > 2:
            raise oidc.IssuerUnavailable(url)
        if url.endswith("openid-configuration"):
            return {"issuer": "https://idp.example/realms/x", "jwks_uri": "https://idp.example/certs"}
        key = RSAKey.generate_key(2048, parameters={"kid": "a"})
        return {"keys": [key.as_dict(private=False)]}

    provider = oidc.Issuer("https://idp.example/realms/x", min_refresh=0, fetch=fetch)
    first = provider.key_set("a")
    assert provider.key_set("b") is first  # refetch tried, failed: the keys held stay
    assert len(calls) == 3
    wrong = oidc.Issuer("https://idp.example/realms/y", min_refresh=0, fetch=fetch)
    with pytest.raises(oidc.IssuerUnavailable):
        wrong.key_set("a")


@pytest.mark.parametrize("environ, message", [
    ({"OIDC_ISSUER": "not a url"}, "OIDC_ISSUER"),
    ({"OIDC_ISSUER": "https://idp.example", "OIDC_AUDIENCE": "two words"}, "OIDC_AUDIENCE"),
    ({"OIDC_ISSUER": "https://idp.example", "OIDC_SELLER_CLAIM": "a b"}, "OIDC_SELLER_CLAIM"),
    ({"OIDC_JWKS_MIN_REFRESH_SECONDS": "-1"}, "OIDC_JWKS_MIN_REFRESH_SECONDS"),
    ({"API_REVOCATION_REFRESH_SECONDS": "soon"}, "API_REVOCATION_REFRESH_SECONDS"),
])
def test_settings_say_what_to_fix(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ, tmp_path)


def test_settings_defaults_and_production(tmp_path):
    config = load_settings({"PUBLIC_URL": "https://shop.example"}, tmp_path)
    assert config["OIDC_ISSUER"] is None and config["API_REVOCATION_REFRESH_SECONDS"] == 5
    config = load_settings({"OIDC_ISSUER": "https://idp.example/realms/shop/", "API_AUDIENCE": "https://api.example"}, tmp_path)
    assert config["OIDC_ISSUER"] == "https://idp.example/realms/shop"
    assert config["OIDC_AUDIENCE"] == "https://api.example" and config["OIDC_SELLER_CLAIM"] == "seller_code"
    production = {"STOREFRONT_ENV": "production", "SECRET_KEY": "s" * 40,
                  "MAIL_URL": "smtp://relay.example.com:587", "PAYMENT_PROVIDER": "sandbox"}
    with pytest.raises(ConfigError, match="https"):
        load_settings({**production, "OIDC_ISSUER": "http://idp.example"}, tmp_path)
    assert load_settings({**production, "OIDC_ISSUER": "https://idp.example"}, tmp_path)["OIDC_ISSUER"]


def test_only_the_provider_s_tokens_without_keys_of_our_own(app, another_app, issuer, orders_placed):
    """Production with OIDC_ISSUER and no API_SIGNING_KEYS: the provider's tokens work, anything
    else is a 401 (not the 503 of a shop with no way to check any token)."""
    people, _ = orders_placed
    made = another_app(environ={"OIDC_ISSUER": issuer.url, "OIDC_AUDIENCE": AUDIENCE})
    made.extensions.pop("api_keys")
    client = made.test_client()
    good = issuer.token(seller_code=people.shop.alpha.code)
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    other = client.get("/api/v1/orders", headers={"Authorization": "Bearer a.b.c"})
    refused(other, "identity provider")


def test_a_deeply_nested_payload_is_a_401_not_a_500(app, another_app, issuer):
    made = another_app(environ={"OIDC_ISSUER": issuer.url, "OIDC_AUDIENCE": AUDIENCE})
    nested = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode().rstrip("=")
    answer = made.test_client().get("/api/v1/orders", headers={"Authorization": f"Bearer e30.{nested}.x"})
    refused(answer)
