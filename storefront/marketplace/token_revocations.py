"""Access tokens refused before they expire: one token (RFC 7009), every token of a revoked
client, every token for a suspended seller.

Why a list kept in memory: the API checks a token without reading the database (a signed JWT
proves itself), and a denylist read on every request would put a query back on the hot path.
Each process keeps the list of rows still in force (:func:`current`) and reads it again at most
every ``API_REVOCATION_REFRESH_SECONDS`` (one small query per process per interval, whatever
the traffic), through :mod:`reference_cache`: the process that writes a row drops its copy when
the transaction commits, so a revocation applies there at once and in every other process
within the interval. Rows end with the last token they refuse; the housekeeping job deletes
them (``housekeeping.purge_api_revocations``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import reference_cache
from .models import ApiRevocation, utcnow
from .unit_of_work import atomic

# Access tokens of the built-in server live this long (storefront/api/auth.py), as Octopia's.
TOKEN_LIFETIME = timedelta(hours=2)
# A few seconds of difference between the clocks of two hosts must not refuse a good token nor
# accept a revoked one: rows outlive their tokens by this much.
LEEWAY = timedelta(seconds=30)
DEFAULT_REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Revocations:
    """What the rows in force refuse, as a snapshot shared by the threads of a process."""

    tokens: frozenset[str]
    clients: Mapping[str, float]  # client_id → not before (a POSIX time); never changed
    sellers: Mapping[int, float]  # seller_id → not before (inf: none at all); never changed

    def refuses(self, claims: dict, seller_id: int | None) -> str | None:
        """Why the token of ``claims`` (for ``seller_id``, None for the operator) is refused, or
        None. ``iat`` is when it was issued; a token without one counts as older than any row."""
        jti = claims.get("jti")
        if isinstance(jti, str) and jti in self.tokens:
            return "The access token was revoked."
        issued = claims.get("iat")
        issued = issued if isinstance(issued, int | float) and not isinstance(issued, bool) else -math.inf
        client_id = claims.get("client_id")
        revoked = self.clients.get(client_id) if isinstance(client_id, str) else None
        if revoked is not None and issued <= revoked:
            return "The client of this access token was revoked."
        blocked = self.sellers.get(seller_id) if seller_id is not None else None
        if blocked is not None and issued <= blocked:
            return "The seller of this access token is not open."
        return None


NOTHING = Revocations(frozenset(), MappingProxyType({}), MappingProxyType({}))


def current(session: Session, refresh_seconds: float = DEFAULT_REFRESH_SECONDS) -> Revocations:
    """The revocations in force, as this process last read them (at most ``refresh_seconds``
    ago, or since this process last wrote one)."""
    return reference_cache.cached(session, "api_revocations", _load, ttl=refresh_seconds)


def fresh(session: Session) -> Revocations:
    """The revocations in force now, read from the database (introspection)."""
    return _load(session)


def _load(session: Session) -> Revocations:
    now = utcnow()
    rows = session.execute(
        select(
            ApiRevocation.jti, ApiRevocation.client_id, ApiRevocation.seller_id,
            ApiRevocation.not_before,
        ).where(or_(ApiRevocation.expires_at.is_(None), ApiRevocation.expires_at > now))
    ).all()
    if not rows:
        return NOTHING
    tokens: set[str] = set()
    clients: dict[str, float] = {}
    sellers: dict[int, float] = {}
    for jti, client_id, seller_id, not_before in rows:
        limit = not_before.timestamp() if not_before is not None else math.inf
        if jti is not None:
            tokens.add(jti)
        elif client_id is not None:
            clients[client_id] = max(limit, clients.get(client_id, -math.inf))
        else:
            sellers[seller_id] = max(limit, sellers.get(seller_id, -math.inf))
    return Revocations(frozenset(tokens), MappingProxyType(clients), MappingProxyType(sellers))


@atomic
def revoke_token(session: Session, jti: str, expires: datetime) -> None:
    """Refuse the token ``jti`` from now until it ``expires``."""
    known = session.scalar(select(ApiRevocation.id).where(ApiRevocation.jti == jti))
    if known is None:
        session.add(ApiRevocation(jti=jti, expires_at=expires + LEEWAY))
        session.flush()


@atomic
def refuse_client_tokens(session: Session, client_id: str, since: datetime) -> None:
    """Refuse every token of ``client_id`` issued until ``since`` (its revocation)."""
    session.add(ApiRevocation(
        client_id=client_id, not_before=since, expires_at=since + TOKEN_LIFETIME + LEEWAY
    ))
    session.flush()


@atomic
def refuse_seller_tokens(session: Session, seller_id: int) -> None:
    """Refuse every token for ``seller_id``, however new, until :func:`accept_seller_tokens`."""
    blocked = session.scalar(select(ApiRevocation.id).where(
        ApiRevocation.seller_id == seller_id, ApiRevocation.expires_at.is_(None)
    ))
    if blocked is None:
        session.add(ApiRevocation(seller_id=seller_id))
        session.flush()


@atomic
def accept_seller_tokens(session: Session, seller_id: int, now: datetime | None = None) -> None:
    """Tokens for ``seller_id`` issued from ``now`` on are accepted again; those issued while it
    was refused stay refused until they expire."""
    now = now or utcnow()
    session.execute(
        update(ApiRevocation)
        .where(ApiRevocation.seller_id == seller_id, ApiRevocation.expires_at.is_(None))
        .values(not_before=now, expires_at=now + TOKEN_LIFETIME + LEEWAY)
    )

