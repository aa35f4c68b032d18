"""Signed-in browsers, kept on the server so that signing out really signs out.

Why a row per session. Flask's session is a signed cookie held by the browser, and Flask-Login's
remember-me cookie is the user id with an HMAC: the server keeps nothing, so a copy of either
cookie (malware, a shared computer, a leaked log) went on working after the owner logged out
or changed the password. Here every sign-in opens a :class:`UserSession` row with a random
token, and both cookies carry Flask-Login's *alternative id* ``"<user id>:<token>"`` instead of
the bare id (``User.get_id``). The user loader reads the user and the session in one query (a
join on the primary key: no more queries than the user load it replaces), so:

- logging out deletes the browser's row: its session cookie and remember-me cookie, and every
  copy of them, stop working;
- "log out everywhere", a new password (changed or reset) delete every row of the account;
- a session ends ``lifetime`` after sign-in (the remember-me cookie's duration) whatever happens,
  and the sessions of sellers' and the operator's staff after ``staff_idle`` without a request.

A per-user token rotated on those events (the other classic design) would kill every browser
at once and could not log out one browser alone; a row per session does both, and gives the
idle time of staff sessions a place to live. Only a SHA-256 of the token is stored, so a copy of
the table (a backup, a read-only leak) holds no usable cookie value.

``last_seen_at`` is written at most once per :data:`LAST_SEEN_STEP` per session, not on every
request: idle times are measured to the minute, and a busy shopper costs one UPDATE a minute.
Anonymous visitors cost nothing: without a cookie naming a session, nothing is read.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import clock as shop_clock
from .models import Role, User, UserSession
from .unit_of_work import atomic

# How long a session lasts after sign-in, at most (the remember-me cookie's duration).
SESSION_LIFETIME = timedelta(days=30)
# Staff sessions (sellers, the operator) end after this long without a request (default).
STAFF_IDLE = timedelta(minutes=30)
LAST_SEEN_STEP = timedelta(minutes=1)
_MAX_ID_LENGTH = 120


def may_remember(user: User) -> bool:
    """Only customers get a remember-me cookie. A seller's or the operator's account reaches
    other people's orders and money: its sessions end when the browser closes or after
    ``staff_idle`` without activity, whatever box was ticked."""
    return user.role == Role.CUSTOMER


@atomic
def open_session(session: Session, user: User, *, lifetime: timedelta = SESSION_LIFETIME) -> str:
    """Open a session for ``user`` and return its alternative id (also set on ``user.login_id``).

    The account's sessions that have expired are deleted on the way: rows never pile up.
    """
    now = shop_clock.of(session).now()
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    user.login_id = f"{user.id}:{token}"
    return user.login_id


def load_user(
    session: Session, login_id: str, *, staff_idle: timedelta = STAFF_IDLE
) -> User | None:
    """The active user of the open session ``login_id`` names, or None (then the session is
    over: closed, expired, idle too long, or never was). One query; one UPDATE a minute."""
    parsed = _parse(login_id)
    if parsed is None:
        return None
    user_id, token = parsed
    found = session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == _digest(token), User.id == user_id)
    ).first()
    if found is None:
        return None
    user, open_ = found
    now = shop_clock.of(session).now()
    if not user.active or _is_over(user, open_, now, staff_idle):
        _close(session, open_.id)
        return None
    if now - open_.last_seen_at >= LAST_SEEN_STEP:
        _touch(session, open_.id, now)
    user.login_id = login_id
    return user


@atomic
def close_session(session: Session, login_id: str) -> None:
    """Log out the browser whose session this is (nothing happens for an unknown id)."""
    parsed = _parse(login_id)
    if parsed is not None:
        user_id, token = parsed
        session.execute(
            delete(UserSession).where(
                UserSession.id == _digest(token), UserSession.user_id == user_id
            )
        )


@atomic
def close_all_sessions(session: Session, user: User) -> None:
    """Log out every browser of ``user``, this one included."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.login_id = None


def _is_over(user: User, open_: UserSession, now: datetime, staff_idle: timedelta) -> bool:
    if now >= open_.expires_at:
        return True
    return user.role != Role.CUSTOMER and now - open_.last_seen_at >= staff_idle


@atomic
def _close(session: Session, session_id: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == session_id))


@atomic
def _touch(session: Session, session_id: str, now: datetime) -> None:
    session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
    )


def _parse(login_id: object) -> tuple[int, str] | None:
    if not isinstance(login_id, str) or len(login_id) > _MAX_ID_LENGTH:
        return None
    user_id, _, token = login_id.partition(":")
    if not user_id.isdigit() or not user_id.isascii() or int(user_id) > 2**31 - 1 or not token:
        return None
    return int(user_id), token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
