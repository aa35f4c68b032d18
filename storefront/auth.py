"""Sign-in plumbing shared by every area: loading the user behind a session cookie."""

from __future__ import annotations

from flask_login import LoginManager

from storefront.extensions import db
from storefront.marketplace.models import User


def init_login(login_manager: LoginManager) -> None:
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
