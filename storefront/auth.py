"""Sign-in plumbing shared by every area: loading the user behind a session cookie, signing in
and out.

Flask-Login keeps, in the session cookie and the remember-me cookie, the *alternative id* of a
server-side session (``marketplace/user_sessions.py`` says why): sign users in and out with
:func:`sign_in`, :func:`sign_out` and :func:`sign_out_everywhere`, never with ``login_user`` and
``logout_user`` alone, so that the server's record follows.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie

from storefront.extensions import db, login_manager
from storefront.marketplace import user_sessions
from storefront.marketplace.models import Role, User


def init_login(login_manager: LoginManager) -> None:
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(login_id: str) -> User | None:
        idle = timedelta(minutes=current_app.config["STAFF_SESSION_IDLE_MINUTES"])
        user = user_sessions.load_user(db.session, login_id, staff_idle=idle)
        if user is None:
            _forget(login_id)
        return user


def sign_in(user: User, *, remember: bool = False) -> bool:
    """Open a server-side session for ``user`` in this browser. Remember-me is for customers
    only (``user_sessions.may_remember``): staff sessions end with the browser or when idle."""
    user_sessions.open_session(
        db.session, user, lifetime=current_app.config["REMEMBER_COOKIE_DURATION"]
    )
    return login_user(user, remember=remember and user_sessions.may_remember(user))


def sign_out() -> None:
    """End this browser's session on the server too: a copy of its cookies is worth nothing."""
    login_id = session.get("_user_id")
    if login_id:
        user_sessions.close_session(db.session, login_id)
    logout_user()


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user``, on every device, this one included."""
    user_sessions.close_all_sessions(db.session, user)
    logout_user()


def has_remember_cookie() -> bool:
    return _remember_cookie_name() in request.cookies


def _forget(login_id: str) -> None:
    """A cookie named a session that is over: drop it from the session cookie, and have the
    remember-me cookie deleted if it is the one, so later requests do not look it up again."""
    if session.get("_user_id") == login_id:
        session.pop("_user_id", None)
    cookie = request.cookies.get(_remember_cookie_name())
    if cookie is not None and decode_cookie(cookie) == login_id:
        session["_remember"] = "clear"


def _remember_cookie_name() -> str:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)


def private_area(bp: Blueprint, role: Role) -> None:
    """Every view of ``bp`` needs a signed-in user with ``role`` (others get the login page or a
    403), and its answers are never kept by a shared cache: they hold one party's data."""

    @bp.before_request
    def signed_in_with_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != role:
            abort(403)
        return None

    @bp.after_request
    def no_store(response):
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response
