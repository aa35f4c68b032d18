"""API clients: the OAuth 2.0 clients of /api/v1, their scopes, and their secrets.

A client acts for one seller (it sees and changes only that seller's data) or for the operator
(every seller's). Its secret is made here, returned once, and kept only as a digest. Revoking a
client stops it getting new tokens, and refuses the ones it holds through the API's list of
revocations (``token_revocations``). A seller's client gets no token while its seller is not
open (suspended or closed); ``sellers.suspend_seller`` refuses the tokens it holds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from . import token_revocations
from .errors import InvalidValue, NotAllowed, NotFound
from .models import ApiClient, Role, Seller, SellerState, User, utcnow
from .refusals import Refusal
from .unit_of_work import atomic

# The eight marketplace domains (docs: ../shared/design.md), each with a read and a write scope.
DOMAINS = (
    "sellers",
    "reference",
    "catalog",
    "orders",
    "discussions",
    "tracking",
    "delivery",
    "finance",
)
SCOPES = tuple(f"{domain}:{verb}" for domain in DOMAINS for verb in ("read", "write"))

CLIENT_ID_PREFIX = "sfc_"


@dataclass(frozen=True)
class NewClient:
    """A client just made: the only time its secret is known."""

    client: ApiClient
    client_secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_secret(client: ApiClient, secret: str) -> bool:
    return hmac.compare_digest(client.secret_digest, digest(secret or ""))


def clean_scopes(scopes: Iterable[str] | str) -> str:
    """``scopes`` as the space-separated, sorted, known scopes OAuth carries; InvalidValue for
    an unknown one or none at all."""
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    chosen = sorted({scope.strip() for scope in scopes if scope.strip()})
    for scope in chosen:
        if scope not in SCOPES:
            raise InvalidValue(
                f"unknown scope {scope!r}", reason=Refusal.UNKNOWN_SCOPE, scope=scope, field="scopes"
            )
    if not chosen:
        raise InvalidValue("choose at least one scope", reason=Refusal.NO_SCOPE, field="scopes")
    return " ".join(chosen)


@atomic
def create_client(
    session: Session,
    name: str,
    *,
    seller: Seller | None,
    scopes: Iterable[str] | str,
) -> NewClient:
    """A client for ``seller`` (None: the operator) with ``scopes``; its secret is returned
    here and never again."""
    name = (name or "").strip()[:120]
    if not name:
        raise InvalidValue("a client needs a name", reason=Refusal.EMPTY, field="name")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(16),
        secret_digest=digest(secret),
        name=name,
        seller=seller,
        seller_id=seller.id if seller is not None else None,
        scopes=clean_scopes(scopes),
    )
    session.add(client)
    session.flush()
    return NewClient(client, secret)


def _plausible(client_id: str) -> bool:
    """Whether ``client_id`` could be one at all: what a client sends (a form, a URL) may be
    empty, huge, or hold a NUL byte, which PostgreSQL refuses in a query (a 500, not "unknown")."""
    return bool(client_id) and len(client_id) <= 64 and "\x00" not in client_id


def get_client(session: Session, client_id: str, *, seller: Seller | None = None) -> ApiClient:
    """One client by its id; a seller only finds its own."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id)) if _plausible(
        client_id) else None
    if client is None or (seller is not None and client.seller_id != seller.id):
        raise NotFound(f"unknown API client {client_id!r}")
    return client


def active_client(session: Session, client_id: str) -> ApiClient | None:
    """The client that may get a token now: known, not revoked, and the operator's or an open
    seller's (a suspended or closed shop's systems get no token)."""
    if not _plausible(client_id):
        return None
    return session.scalar(
        select(ApiClient)
        .outerjoin(Seller, Seller.id == ApiClient.seller_id)
        .where(
            ApiClient.client_id == client_id,
            ApiClient.revoked_at.is_(None),
            or_(ApiClient.seller_id.is_(None), Seller.state == SellerState.OPEN),
        )
    )


@atomic
def revoke_client(
    session: Session, client_id: str, *, seller: Seller | None = None, now: datetime | None = None
) -> ApiClient:
    """No new token for this client from now on, and the tokens it holds are refused."""
    client = get_client(session, client_id, seller=seller)
    if client.revoked_at is None:
        client.revoked_at = now or utcnow()
        token_revocations.refuse_client_tokens(session, client.client_id, client.revoked_at)
    return client


@atomic
def record_use(session: Session, client: ApiClient, now: datetime | None = None) -> None:
    """A token was given to ``client``: the "last used" date the portal shows."""
    client.last_used_at = now or utcnow()


def list_clients(session: Session, *, seller: Seller | None = None) -> list[ApiClient]:
    """A seller's clients, or (no seller) every client, newest first."""
    query = select(ApiClient).options(joinedload(ApiClient.seller))
    if seller is not None:
        query = query.where(ApiClient.seller_id == seller.id)
    return list(session.scalars(query.order_by(ApiClient.created_at.desc(), ApiClient.id.desc())))


def acting_user(session: Session, seller_id: int | None) -> User:
    """The account an API client acts as in the services that name a person (discussions: a
    message's author, how far a thread is read): the seller's first active staff account (the
    one that opened the seller's space), or for the operator's clients the first active
    customer-service account. Its reads are shared with that person's in the portal."""
    role = Role.OPERATOR if seller_id is None else Role.SELLER
    query = select(User).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
    if seller_id is not None:
        query = query.where(User.seller_id == seller_id)
    user = session.scalar(query)
    if user is None:
        raise NotAllowed("there is no active account to act as for this client")
    return user
