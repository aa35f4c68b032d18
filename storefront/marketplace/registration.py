"""Self-registration, and confirming the email address by an emailed link.

Registering never says whether the address already has an account: the caller answers "check
your email" in every case, and this service does the same work in every case (it hashes the
password and writes one email), so neither the answer nor its time tells. What differs is the
email, which only the address's owner reads:

- a new address gets an account, not confirmed, and a link to confirm it;
- an address with a confirmed account gets "someone tried to create an account with your
  address" with links to log in and to reset the password;
- an address with an account still waiting for confirmation gets a new confirmation link.

The confirmation link carries a token signed with the secret key (itsdangerous, a salt of its
own), holding the user id and the address it was sent to: it works for
:data:`CONFIRM_MAX_AGE_SECONDS`, and opening it twice is harmless (idempotent). Until then the
account may sign in and look around, but not order nor write messages
(``accounts.require_confirmed_email``); guest checkout is unaffected.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from sqlalchemy.orm import Session

from storefront.settings import LOCALES

from . import accounts, outbox, signed_links
from . import clock as shop_clock
from .errors import InvalidValue
from .models import User
from .unit_of_work import atomic

CONFIRM_SALT = "storefront.email-confirmation"
CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600
# At most one confirmation email per address in this time, however often it is asked for (the
# web's rate limits count per client address; this counts per inbox).
RESEND_INTERVAL = timedelta(minutes=5)
CONFIRM_KIND = "confirm_email"


class ConfirmationLinkInvalid(InvalidValue):
    """The link was altered, cut short, or belongs to no active account (or another address)."""


class ConfirmationLinkExpired(ConfirmationLinkInvalid):
    """The link is older than its time limit."""


@atomic
def register(
    session: Session,
    email: str,
    password: str,
    *,
    name: str,
    locale: str,
    secret_key: str | bytes,
) -> None:
    """Register ``email``, or tell its owner someone tried; returns nothing either way.

    Raises :class:`InvalidValue` only for what the form shows anyway (a malformed address, a
    password too short or too long, an unknown locale), the same for every address.
    """
    if locale not in LOCALES:
        raise InvalidValue(f"no emails in {locale!r}; the shop speaks {', '.join(LOCALES)}")
    email = accounts.normalize_email(email)
    accounts.check_new_password(password)
    existing = accounts.find_user(session, email)
    if existing is None:
        user = accounts.create_user(
            session, email, password, name=name, locale=locale, email_confirmed=False
        )
        _send_confirmation(session, user, secret_key)
        return
    # The hash a new account costs, so that a known address takes as long to answer.
    accounts.hasher.hash(password)
    if not existing.active:
        return
    if existing.email_confirmed_at is None:
        _send_confirmation_unless_recent(session, existing, secret_key)
        return
    outbox.record_email(
        session,
        to=existing.email,
        template="account_exists",
        context={
            "user_name": existing.name,
            "login_url": outbox.link("login"),
            "reset_url": outbox.link("password_forgot"),
        },
        locale=existing.locale if existing.locale in LOCALES else locale,
        kind="account_exists",
    )


@atomic
def resend_confirmation(session: Session, email: str, *, secret_key: str | bytes) -> None:
    """Send a new confirmation link to ``email`` if it has an account waiting for one, and none
    was sent in the last :data:`RESEND_INTERVAL`. Returns nothing either way (no enumeration)."""
    try:
        email = accounts.normalize_email(email or "")
    except InvalidValue:
        return
    user = accounts.find_user(session, email)
    if user is None or not user.active or user.email_confirmed_at is not None:
        return
    _send_confirmation_unless_recent(session, user, secret_key)


def make_confirmation_token(user: User, secret_key: str | bytes) -> str:
    return signed_links.make(secret_key, CONFIRM_SALT, {"user": user.id, "email": user.email})


@atomic
def confirm_email(
    session: Session,
    token: str,
    secret_key: str | bytes,
    max_age_seconds: int = CONFIRM_MAX_AGE_SECONDS,
) -> User:
    """Mark the address of the link's account confirmed (again is fine) and return the user;
    :class:`ConfirmationLinkInvalid` or :class:`ConfirmationLinkExpired` otherwise."""
    data = signed_links.read(
        secret_key, CONFIRM_SALT, token, max_age_seconds=max_age_seconds,
        fields={"user": int, "email": str}, what="confirmation",
        invalid=ConfirmationLinkInvalid, expired=ConfirmationLinkExpired,
    )
    user_id, address = data["user"], data["email"]
    user = session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(address, user.email):
        raise ConfirmationLinkInvalid("this confirmation link is not valid")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = shop_clock.of(session).now()
        session.flush()
    return user


def _send_confirmation_unless_recent(session: Session, user: User, secret_key: str | bytes) -> None:
    sent = user.confirmation_sent_at
    if sent is None or shop_clock.of(session).now() - sent >= RESEND_INTERVAL:
        _send_confirmation(session, user, secret_key)


def _send_confirmation(session: Session, user: User, secret_key: str | bytes) -> None:
    user.confirmation_sent_at = shop_clock.of(session).now()
    outbox.record_email(
        session,
        to=user.email,
        template="confirm_email",
        context={
            "user_name": user.name,
            "confirm_url": outbox.link("confirm_email", token=make_confirmation_token(user, secret_key)),
            "expires_days": CONFIRM_MAX_AGE_SECONDS // 86400,
        },
        locale=user.locale if user.locale in LOCALES else "fr",
        kind=CONFIRM_KIND,
    )
