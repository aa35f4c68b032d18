"""The API's OAuth 2.0 authorization server (Authlib) and the check of its access tokens.

- ``POST /oauth/token``: the client-credentials grant, the client authenticated by HTTP Basic
  (client_secret_basic) or in the form (client_secret_post). Errors there are OAuth's own
  (RFC 6749 section 5.2: ``{"error": "invalid_client"}``), which every OAuth client library reads.
- Access tokens are JWTs (RFC 9068, ``typ: at+jwt``) signed with the first of
  ``API_SIGNING_KEYS`` and valid ``TOKEN_LIFETIME``. They say who calls (``client_id``), for
  whom (``seller_id``, or ``operator: true``) and what it may do (``scope``), so checking one reads
  no database: signature, ``exp``, ``iss`` and ``aud``.
- ``GET /.well-known/jwks.json`` publishes the public keys, each with its ``kid``. Rotation:
  put the new key first in ``API_SIGNING_KEYS`` and keep the old one after it for at least
  ``TOKEN_LIFETIME``; tokens of a key no longer listed are refused.
- ``POST /oauth/introspect`` (RFC 7662) tells an operator client whether a token is active.
- Revoking a client stops new tokens at once; the tokens it holds end within two hours (no
  denylist is read on each request: that would be a database read on the hot path). There is no
  RFC 7009 revocation of single tokens for the same reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from flask import Flask, current_app, g, jsonify, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key
from joserfc.jwt import JWTClaimsRegistry

from storefront.extensions import db, limiter
from storefront.marketplace import api_clients
from storefront.marketplace.models import ActorRole, ApiClient

from .problems import ApiProblem

TOKEN_LIFETIME = 2 * 60 * 60  # seconds, as Octopia's
ALGORITHMS = ["ES256", "RS256"]
# A few seconds of difference between the clocks of two web hosts must not refuse a token.
LEEWAY = 30


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
    """The caller of this request, from its bearer token; no database read."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("No bearer access token was sent.", error=None)
    return caller_of(verify(token.strip()))


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
    carries. Unlike the API's own check, this one reads the database: a token of a client revoked
    since is reported inactive."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        if token_type_hint not in (None, "access_token"):
            return None
        try:
            claims = verify(token_string)
        except ApiProblem:
            return None
        client = api_clients.active_client(db.session, str(claims.get("client_id", "")))
        return IntrospectedToken(claims, client_revoked=client is None)

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
