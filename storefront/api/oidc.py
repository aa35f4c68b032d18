"""Access tokens of an external OpenID Connect provider (Keycloak…), accepted beside the API's
own when ``OIDC_ISSUER`` is set (storefront/api/auth.py sends here the tokens whose ``iss`` is
that issuer).

- Keys: the provider's discovery document (``<issuer>/.well-known/openid-configuration``) names
  its ``jwks_uri``; the key set is fetched when first needed and kept in the process. It is
  fetched again when it is :data:`JWKS_MAX_AGE` old, or when a token names a ``kid`` it lacks
  (the provider rotated its keys), but never twice within ``OIDC_JWKS_MIN_REFRESH_SECONDS``: a
  token with a made-up ``kid`` cannot make us call the provider on every request. If the
  provider cannot be reached, the keys already held go on being used.
- Checks: the signature (asymmetric algorithms only), ``iss``, ``aud`` (``OIDC_AUDIENCE``),
  ``exp``, and ``nbf``/``iat`` when present; an ID token (Keycloak's ``typ: ID``, or any with a
  ``nonce``) is not an access token.
- Who calls: ``OIDC_SELLER_CLAIM`` (``seller_code``) holds the code of the seller the token acts
  for; without it, the token is the operator's if ``OIDC_OPERATOR_ROLE`` is among its scopes
  or roles (``roles``, Keycloak's ``realm_access.roles``), and refused otherwise. A seller claim
  always wins: a token that names a seller acts for that seller alone. Scopes come from
  ``scope`` (space-separated) or ``scp`` (a list or a string); the ones the API does not know
  (``openid``, ``profile``…) are ignored.

No database read on the way: the seller's id and state come from :mod:`reference_cache`.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import threading
import time
import urllib.request

from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import select

from storefront.extensions import db
from storefront.marketplace import api_clients, reference_cache
from storefront.marketplace.models import Seller, SellerState

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Asymmetric only: an HS256 token "signed" with a public key, or alg "none", is refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
JWKS_MAX_AGE = 600.0  # seconds: keys the provider removed are forgotten within this
FETCH_TIMEOUT = 5.0
MAX_DOCUMENT = 512 * 1024  # bytes of a discovery document or a key set


class IssuerUnavailable(Exception):
    """The provider's discovery document or key set cannot be had now."""


def fetch_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310 (http(s) only: settings)
            body = answer.read(MAX_DOCUMENT + 1)
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise IssuerUnavailable(f"{url}: {error}") from None
    if len(body) > MAX_DOCUMENT:
        raise IssuerUnavailable(f"{url}: larger than {MAX_DOCUMENT} bytes")
    try:
        document = json.loads(body)
    except ValueError:
        raise IssuerUnavailable(f"{url}: not JSON") from None
    if not isinstance(document, dict):
        raise IssuerUnavailable(f"{url}: not a JSON object")
    return document


class Issuer:
    """One provider's keys, shared by the threads of a process."""

    def __init__(self, issuer: str, min_refresh: float, fetch=fetch_json):
        self.issuer, self.min_refresh, self.fetch = issuer, min_refresh, fetch
        self.lock = threading.Lock()
        self.keys: KeySet | None = None
        self.fetched_at = -math.inf  # when the keys held were fetched (time.monotonic)
        self.tried_at = -math.inf  # when they were last asked for, whatever came of it
        self.fetches = 0  # key sets asked for: tests and logs

    def key_set(self, kid: str | None) -> KeySet:
        """The keys to check a token naming ``kid`` with: those held, fetched again if they lack
        ``kid`` or are old, unless the last try was less than ``min_refresh`` ago."""
        keys, now = self.keys, time.monotonic()
        if keys is not None and now - self.fetched_at < JWKS_MAX_AGE and self._holds(keys, kid):
            return keys
        with self.lock:
            if time.monotonic() - self.tried_at >= self.min_refresh:
                self.tried_at = time.monotonic()
                try:
                    self.keys = self._download()
                    self.fetched_at = time.monotonic()
                except IssuerUnavailable as error:
                    log.warning("OIDC keys of %s not fetched: %s", self.issuer, error)
            if self.keys is None:
                raise IssuerUnavailable(self.issuer)
            return self.keys

    @staticmethod
    def _holds(keys: KeySet, kid: str | None) -> bool:
        return kid is None or any(key.kid == kid for key in keys)

    def _download(self) -> KeySet:
        self.fetches += 1
        discovery = self.fetch(self.issuer + DISCOVERY_PATH)
        if discovery.get("issuer", "").rstrip("/") != self.issuer:
            raise IssuerUnavailable(f"the discovery document names issuer {discovery.get('issuer')!r}")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise IssuerUnavailable("the discovery document has no jwks_uri")
        document = self.fetch(jwks_uri)
        try:
            signing = [key for key in document.get("keys", []) if key.get("use", "sig") == "sig"]
            return KeySet.import_key_set({"keys": signing})
        except (JoseError, ValueError, TypeError, AttributeError):
            raise IssuerUnavailable(f"{jwks_uri}: no usable key") from None


def issuer() -> Issuer:
    """This application's provider (made on first use, kept for the process's life)."""
    app = current_app._get_current_object()
    found = app.extensions.get("oidc_issuer")
    if found is None or found.issuer != app.config["OIDC_ISSUER"]:
        found = Issuer(app.config["OIDC_ISSUER"], app.config["OIDC_JWKS_MIN_REFRESH_SECONDS"])
        app.extensions["oidc_issuer"] = found
    return found


class Refused(Exception):
    """The token is not one we accept; the message says why (for WWW-Authenticate)."""


def verify(token: str, leeway: int) -> dict:
    """The claims of the provider's access token ``token``, checked; Refused otherwise,
    IssuerUnavailable when its keys cannot be had at all."""
    config, provider = current_app.config, issuer()
    try:
        decoded = jwt.decode(
            token, lambda obj: provider.key_set(obj.headers().get("kid")), algorithms=ALGORITHMS
        )
    except (JoseError, ValueError):
        raise Refused("The access token is malformed, tampered with, or signed with a key the issuer does not publish.") from None
    registry = JWTClaimsRegistry(
        now=int(time.time()),
        leeway=leeway,
        iss={"essential": True, "value": config["OIDC_ISSUER"]},
        aud={"essential": True, "value": config["OIDC_AUDIENCE"]},
        exp={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as error:
        raise Refused(f"The access token is not valid here ({error.error}).") from None
    if decoded.claims.get("typ") == "ID" or "nonce" in decoded.claims:
        raise Refused("This is an ID token, not an access token.")
    return decoded.claims


def scopes_of(claims: dict) -> set[str]:
    found: set[str] = set()
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            found.update(value.split())
        elif isinstance(value, list):
            found.update(item for item in value if isinstance(item, str))
    return found


def roles_of(claims: dict) -> set[str]:
    roles: set[str] = set()
    for holder in (claims, claims.get("realm_access")):
        value = holder.get("roles") if isinstance(holder, dict) else None
        if isinstance(value, list):
            roles.update(item for item in value if isinstance(item, str))
    return roles


def who(claims: dict) -> tuple[str, int | None, frozenset[str]]:
    """(client id, seller id or None for the operator, API scopes) of checked ``claims``."""
    config = current_app.config
    granted = scopes_of(claims)
    scopes = frozenset(granted & set(api_clients.SCOPES))
    client_id = next(
        (str(claims[name]) for name in ("client_id", "azp", "sub") if isinstance(claims.get(name), str)),
        "",
    )
    code = claims.get(config["OIDC_SELLER_CLAIM"])
    if code is not None:
        if not isinstance(code, str) or not code:
            raise Refused(f"The claim {config['OIDC_SELLER_CLAIM']} is not a seller code.")
        found = seller_by_code(code)
        if found is None:
            raise Refused(f"The seller named by {config['OIDC_SELLER_CLAIM']} is unknown.")
        seller_id, state = found
        if state != SellerState.OPEN:
            raise Refused("The seller of this access token is not open.")
        return client_id, seller_id, scopes
    if config["OIDC_OPERATOR_ROLE"] in granted | roles_of(claims):
        return client_id, None, scopes
    raise Refused("The access token names no seller and no operator.")


def seller_by_code(code: str) -> tuple[int, SellerState] | None:
    """The id and state of the seller ``code``, from the process's reference cache (a change
    to a seller drops it; other processes see it within reference_cache.TTL_SECONDS)."""
    if len(code) > 40:
        return None

    def load(session):
        row = session.execute(select(Seller.id, Seller.state).where(Seller.code == code)).first()
        return (row.id, SellerState(row.state)) if row is not None else None

    return reference_cache.cached(db.session, ("api_seller_by_code", code), load)
