"""Sign-in plumbing shared by every area: loading the user behind a session cookie."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import LoginManager, current_user

from storefront.extensions import db, login_manager
from storefront.marketplace.models import Role, User


def init_login(login_manager: LoginManager) -> None:
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None


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
