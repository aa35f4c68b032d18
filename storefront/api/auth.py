"""The API's OAuth 2.0 authorization server (Authlib) and the check of its access tokens.

- ``POST /oauth/token``: the client-credentials grant, the client authenticated by HTTP Basic
  (client_secret_basic) or in the form (client_secret_post). Errors there are OAuth's own
  (RFC 6749 section 5.2: ``{"error": "invalid_client"}``), which every OAuth client library reads.
  A revoked client, or a client of a seller that is not open (suspended, closed), is
  ``invalid_client``.
- Access tokens are JWTs (RFC 9068, ``typ: at+jwt``) signed with the first of
  ``API_SIGNING_KEYS`` and valid ``TOKEN_LIFETIME``. They say who calls (``client_id``), for
  whom (``seller_id``, or ``operator: true``) and what it may do (``scope``), so checking one reads
  no database: signature, ``exp``, ``iss`` and ``aud``.
- ``GET /.well-known/jwks.json`` publishes the public keys, each with its ``kid``. Rotation:
  put the new key first in ``API_SIGNING_KEYS`` and keep the old one after it for at least
  ``TOKEN_LIFETIME``; tokens of a key no longer listed are refused.
- ``POST /oauth/revoke`` (RFC 7009): a client revokes one of its tokens, an operator client any
  of ours. Revoking a client, or suspending its seller, refuses the tokens it holds. These go to
  a list each process keeps in memory and reads again at most every
  ``API_REVOCATION_REFRESH_SECONDS`` (storefront/marketplace/token_revocations.py): still no
  database read per request, and a revocation applies at once in the process that made it, in
  the others within those seconds.
- ``POST /oauth/introspect`` (RFC 7662) tells an operator client whether a token is active.
- With ``OIDC_ISSUER``, the tokens of that OpenID Connect provider are accepted too
  (storefront/api/oidc.py); the same list of revocations applies to them.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from flask import Flask, current_app, g, jsonify, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key
from joserfc.jwt import JWTClaimsRegistry

from storefront.extensions import db, limiter
from storefront.marketplace import api_clients, token_revocations
from storefront.marketplace.models import ActorRole, ApiClient

from . import oauth_bp, oidc
from .problems import ApiProblem

TOKEN_LIFETIME = int(token_revocations.TOKEN_LIFETIME.total_seconds())  # 2 hours, as Octopia's
ALGORITHMS = ["ES256", "RS256"]
# A few seconds of difference between the clocks of two web hosts must not refuse a token.
LEEWAY = int(token_revocations.LEEWAY.total_seconds())


@dataclass(frozen=True)
class Caller:
    """Who calls the API, read from the access token: a view receives it as ``caller``."""

    client_id: str
    seller_id: int | None  # None: the operator
    scopes: frozenset[str]

    @property
    def is_operator(self) -> bool:
        return self.seller_id is None

    @property
    def role(self) -> ActorRole:
        return ActorRole.OPERATOR if self.is_operator else ActorRole.SELLER


# -- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKeys:
    signing: KeySet  # the current key alone: it signs
    verifying: KeySet  # every listed key: current and previous
    public: dict  # the JWKS document


def load_keys(pems: list[str]) -> SigningKeys | None:
    keys = []
    for pem in pems:
        key_type = _key_type(pem)
        kid = import_key(pem, key_type).thumbprint()  # RFC 7638: the same key, the same kid
        alg = "ES256" if key_type == "EC" else "RS256"
        keys.append(import_key(pem, key_type, parameters={"use": "sig", "alg": alg, "kid": kid}))
    if not keys:
        return None
    verifying = KeySet(keys)
    return SigningKeys(KeySet(keys[:1]), verifying, verifying.as_dict(private=False))


def _key_type(pem: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return "EC" if isinstance(key, ec.EllipticCurvePrivateKey) else "RSA"


def keys() -> SigningKeys:
    found = current_app.extensions.get("api_keys")
    if found is None:
        raise ApiProblem(
            503, "api_not_configured",
            "This shop has no API_SIGNING_KEYS: ask its operator to configure the API.",
        )
    return found


# -- the authorization server ------------------------------------------------------------------------


class OAuthClient(ClientMixin):
    """What Authlib asks of a client, answered from the ApiClient row."""

    def __init__(self, row: ApiClient):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = set(self.row.scope_list)
        if not scope:
            return " ".join(sorted(allowed))  # no scope asked: every scope of the client
        asked = set(scope.split())
        if not asked <= allowed:
            raise InvalidScopeError(
                description=f"this client may not ask for {' '.join(sorted(asked - allowed))}"
            )
        return " ".join(sorted(asked))

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return api_clients.check_secret(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class ClientCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class TokenGenerator(JWTBearerTokenGenerator):
    def get_jwks(self):
        return keys().signing

    def get_audiences(self, client, user, scope):
        return current_app.config["API_AUDIENCE"]

    def get_extra_claims(self, client, grant_type, user, scope):
        row = client.row
        if row.seller_id is None:
            return {"operator": True}
        return {"seller_id": row.seller_id}


def _query_client(client_id):
    row = api_clients.active_client(db.session, client_id)
    return OAuthClient(row) if row is not None else None


def _save_token(token, oauth_request):
    # Nothing to store (the token proves itself); remember when the client last came.
    api_clients.record_use(db.session, oauth_request.client.row)


def init_app(app: Flask) -> None:
    found = load_keys(app.config.get("API_SIGNING_KEYS") or [])
    if found is not None:
        app.extensions["api_keys"] = found
    else:
        app.extensions.pop("api_keys", None)
        app.logger.warning("API_SIGNING_KEYS is not set: the API answers 503 until it is.")
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.scopes_supported = list(api_clients.SCOPES)
    server.register_grant(ClientCredentials)
    server.register_endpoint(Introspection)
    server.register_endpoint(Revocation)
    server.register_token_generator(
        "client_credentials",
        TokenGenerator(issuer=app.config["API_ISSUER"], alg=_signing_alg(found),
                       expires_generator=TOKEN_LIFETIME),
    )
    app.extensions["oauth_server"] = server


def _signing_alg(found: SigningKeys | None) -> str:
    if found is None:
        return "ES256"
    return found.signing.keys[0].alg or "ES256"


def issue_token():
    keys()  # 503 before anything when the shop has no keys
    return current_app.extensions["oauth_server"].create_token_response()


def jwks():
    answer = jsonify(keys().public)
    answer.cache_control.public = True
    answer.cache_control.max_age = 300
    return answer


# -- checking a token ------------------------------------------------------------------------------


def _unauthorized(detail: str, error: str | None = "invalid_token") -> ApiProblem:
    challenge = 'Bearer realm="api"'
    if error:
        challenge += f', error="{error}", error_description="{detail}"'
    return ApiProblem(401, "invalid_token", detail, headers={"WWW-Authenticate": challenge})


def verify(token: str) -> dict:
    """The claims of ``token`` if it is one of our access tokens, valid now: signed by one of
    ``API_SIGNING_KEYS``, for this issuer and audience, not expired. No database read."""
    config = current_app.config
    try:
        decoded = jwt.decode(token, keys().verifying, algorithms=ALGORITHMS)
    except (JoseError, ValueError):
        raise _unauthorized("The access token is malformed, tampered with, or its key is retired.") from None
    if decoded.header.get("typ") != "at+jwt":
        raise _unauthorized("This is not an access token.")
    registry = JWTClaimsRegistry(
        now=int(time.time()),
        leeway=LEEWAY,
        iss={"essential": True, "value": config["API_ISSUER"]},
        aud={"essential": True, "value": config["API_AUDIENCE"]},
        exp={"essential": True},
        client_id={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as error:
        raise _unauthorized(f"The access token is not valid here ({error.error}).") from None
    return decoded.claims


def caller_of(claims: dict) -> Caller:
    seller_id = claims.get("seller_id")
    if claims.get("operator") is True and seller_id is None:
        seller = None
    elif isinstance(seller_id, int) and not claims.get("operator"):
        seller = seller_id
    else:
        raise _unauthorized("The access token names no seller and no operator.")
    scopes = claims.get("scope") or ""
    return Caller(str(claims["client_id"]), seller, frozenset(str(scopes).split()))


def authenticate() -> Caller:
    """The caller of this request, from its bearer token: ours, or the external provider's
    when its ``iss`` is ``OIDC_ISSUER``. No database read (the revocations are the process's
    copy, read again at most every ``API_REVOCATION_REFRESH_SECONDS``)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("No bearer access token was sent.", error=None)
    config = current_app.config
    if config.get("OIDC_ISSUER") and _claimed_issuer(token) == config["OIDC_ISSUER"]:
        claims = _external(token)
        caller = Caller(*oidc_who(claims))
    elif config.get("OIDC_ISSUER") and "api_keys" not in current_app.extensions:
        raise _unauthorized("This shop accepts only the access tokens of its identity provider.")
    else:
        claims = verify(token)
        caller = caller_of(claims)
    refused = token_revocations.current(db.session, config["API_REVOCATION_REFRESH_SECONDS"]).refuses(
        claims, caller.seller_id
    )
    if refused:
        raise _unauthorized(refused)
    return caller


def _claimed_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, unchecked: only to choose whose keys check it."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):  # RecursionError: "[[[[…]]]]"
        return None
    return claims.get("iss") if isinstance(claims, dict) else None


def _external(token: str) -> dict:
    try:
        return oidc.verify(token, LEEWAY)
    except oidc.Refused as refused:
        raise _unauthorized(str(refused)) from None
    except oidc.IssuerUnavailable:
        raise ApiProblem(
            503, "server_error", "The identity provider's keys cannot be fetched now; try again later.",
            headers={"Retry-After": "30"},
        ) from None


def oidc_who(claims: dict) -> tuple[str, int | None, frozenset[str]]:
    try:
        return oidc.who(claims)
    except oidc.Refused as refused:
        raise _unauthorized(str(refused)) from None


# -- introspection (RFC 7662), for the operator's clients --------------------------------------------


class IntrospectedToken:
    def __init__(self, claims: dict, client_revoked: bool):
        self.claims, self.client_revoked = claims, client_revoked

    def is_expired(self):
        return False  # verify() refused it already

    def is_revoked(self):
        return self.client_revoked


class Introspection(IntrospectionEndpoint):
    """``POST /oauth/introspect``: an operator client asks whether a token is active and what it
    carries. Unlike the API's own check, this one reads the database: a token revoked since, or
    of a client revoked since, is reported inactive at once."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        if token_type_hint not in (None, "access_token"):
            return None
        try:
            claims = verify(token_string)
        except ApiProblem:
            return None
        client = api_clients.active_client(db.session, str(claims.get("client_id", "")))
        refused = token_revocations.fresh(db.session).refuses(claims, claims.get("seller_id"))
        return IntrospectedToken(claims, client_revoked=client is None or refused is not None)

    def check_permission(self, token, client, request):
        return client.row.seller_id is None  # the operator only (RFC 7662: else "active": false)

    def introspect_token(self, token):
        claims = token.claims
        payload = {
            "active": True,
            "token_type": "Bearer",
            **{key: claims[key] for key in
               ("client_id", "scope", "sub", "aud", "iss", "exp", "iat", "jti") if key in claims},
        }
        if claims.get("operator"):
            payload["operator"] = True
        else:
            payload["seller_id"] = claims.get("seller_id")
        return payload


def introspect():
    keys()
    return current_app.extensions["oauth_server"].create_endpoint_response("introspection")


# -- revocation (RFC 7009) ----------------------------------------------------------------------------


class RevocableToken:
    def __init__(self, claims: dict):
        self.claims = claims

    def check_client(self, client) -> bool:
        """A client revokes its own tokens; an operator client anyone's."""
        return client.row.seller_id is None or client.row.client_id == self.claims.get("client_id")


class Revocation(RevocationEndpoint):
    """``POST /oauth/revoke``: the client authenticated as at the token endpoint. RFC 7009: an
    unknown, expired or foreign-signed token answers 200 (revoking it is already achieved); a
    token of another client is refused with ``invalid_grant`` (section 2.1: "verifies whether
    the token was issued to the client making the revocation request. If this validation fails,
    the request is refused") and nothing is revoked. There are no refresh tokens: a
    ``refresh_token`` hint searches the access tokens, as the RFC asks."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        try:
            claims = verify(token_string)
        except ApiProblem:
            return None
        return RevocableToken(claims) if isinstance(claims.get("jti"), str) else None

    def revoke_token(self, token, request):
        expires = datetime.fromtimestamp(int(token.claims["exp"]), UTC)
        token_revocations.revoke_token(db.session, token.claims["jti"], expires)  # commits


@oauth_bp.post("/oauth/revoke")
def revoke():
    keys()
    return current_app.extensions["oauth_server"].create_endpoint_response("revocation")


def _client_key() -> str:
    caller = g.get("api_caller")
    return f"api-client:{caller.client_id}" if caller else f"api-ip:{request.remote_addr}"


def require_scope(scope: str):
    """The view needs a valid access token with ``scope``; it receives ``caller``. Each client's
    requests count against ``API_RATE_LIMIT`` (shared by every web process)."""
    if scope not in api_clients.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(view):
        limited = limiter.shared_limit(
            lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_client_key
        )(view)

        @wraps(view)
        def guarded(*args, **kwargs):
            caller = authenticate()
            if scope not in caller.scopes:
                raise ApiProblem(
                    403, "insufficient_scope", f"This needs the scope {scope}.",
                    headers={"WWW-Authenticate": (
                        f'Bearer realm="api", error="insufficient_scope", scope="{scope}"'
                    )},
                    scope=scope,
                )
            g.api_caller = caller
            return limited(*args, caller=caller, **kwargs)

        guarded.api_scope = scope  # for the OpenAPI document (storefront/api/schema.py)
        return guarded

    return decorate
