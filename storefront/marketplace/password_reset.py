"""Password reset by an emailed link: signed, expiring, and good for one use.

The link carries a token signed with the application's secret key (itsdangerous, with a salt of
its own so that no other signed value of the shop can pass for one). Besides the user id, the
token holds a fingerprint of the account's current password hash and email address: once the
password has been changed (by this link or otherwise), or the email moved, the fingerprint no
longer matches and the link is refused. No token is stored, so there is nothing to clean up.

Asking for a link says nothing about whether an account exists for the address (no account
enumeration): the caller shows the same answer in every case.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.orm import Session

from storefront.settings import LOCALES

from . import accounts, outbox, signed_links
from .accounts import find_user, normalize_email
from .errors import InvalidValue
from .models import User
from .unit_of_work import atomic

RESET_SALT = "storefront.password-reset"
RESET_MAX_AGE_SECONDS = 3600


class ResetLinkInvalid(InvalidValue):
    """The link was altered, cut short, or belongs to no active account."""


class ResetLinkExpired(ResetLinkInvalid):
    """The link is older than its time limit."""


class ResetLinkUsed(ResetLinkInvalid):
    """The password (or email) changed since the link was made: it has been used."""


def make_reset_token(user: User, secret_key: str | bytes) -> str:
    return signed_links.make(
        secret_key, RESET_SALT, {"user": user.id, "check": _fingerprint(user, secret_key)}
    )


def user_for_reset_token(
    session: Session,
    token: str,
    secret_key: str | bytes,
    max_age_seconds: int = RESET_MAX_AGE_SECONDS,
) -> User:
    """The user a reset link was made for, or :class:`ResetLinkInvalid` (or one of its kinds)."""
    data = signed_links.read(
        secret_key, RESET_SALT, token, max_age_seconds=max_age_seconds,
        fields={"user": int, "check": str}, what="password reset",
        invalid=ResetLinkInvalid, expired=ResetLinkExpired,
    )
    user_id, check = data["user"], data["check"]
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ResetLinkInvalid("this password reset link is not valid")
    if not hmac.compare_digest(check, _fingerprint(user, secret_key)):
        raise ResetLinkUsed("this password reset link has already been used")
    return user


@atomic
def reset_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password; every reset link made before stops working with it, and every
    browser signed in to the account is signed out (whoever made the owner need a reset may
    hold one of its cookies)."""
    accounts.set_password(session, user, new_password)


@atomic
def request_password_reset(
    session: Session,
    email: str,
    *,
    secret_key: str | bytes,
    locale: str,
) -> None:
    """Email a reset link to the account with this address, if there is an active one.

    Returns nothing either way, so that callers cannot tell (nor tell anyone) whether the
    address has an account. The email goes to the outbox in this same transaction.
    """
    # Checked before looking the address up, so that a wrong locale fails the same way for
    # every address.
    if locale not in LOCALES:
        raise InvalidValue(f"no emails in {locale!r}; the shop speaks {', '.join(LOCALES)}")
    try:
        email = normalize_email(email or "")
    except InvalidValue:
        return
    user = find_user(session, email)
    if user is None or not user.active:
        return
    token = make_reset_token(user, secret_key)
    outbox.record_email(
        session,
        to=user.email,
        template="password_reset",
        context={
            "user_name": user.name,
            "reset_url": outbox.link("password_reset", token=token),
            "expires_minutes": RESET_MAX_AGE_SECONDS // 60,
        },
        locale=locale,
        kind="password_reset",
    )



def _fingerprint(user: User, secret_key: str | bytes) -> str:
    """Changes whenever the password changes (every hash has a salt of its own) or the email does.

    Keyed with the secret key: the token's payload is signed, not encrypted, and should not
    carry anything computed from the hash that someone could check guesses against.
    """
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    message = f"{RESET_SALT}\0{user.id}\0{user.email}\0{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
