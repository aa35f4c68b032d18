"""Customer accounts: sign in and out, registration, password reset by email, address book."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("account", __name__, url_prefix="/compte")


@bp.record_once
def _send_anonymous_visitors_to_login(state) -> None:
    """Pages behind ``login_required`` redirect here, with a message in the visitor's language."""
    from storefront.extensions import login_manager

    login_manager.login_view = "account.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # The message is lazy: turned into text when flashed, in the language of that request (the
    # session, where flashes wait, only stores plain text).
    login_manager.localize_callback = str


from storefront.account import views  # noqa: E402,F401  (routes register on import)
