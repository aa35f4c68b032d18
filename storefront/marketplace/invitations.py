"""Invitations: an account made for someone else, who chooses its password from an emailed link.

Used when the operator approves a seller (its first user), when a seller admin adds a colleague,
and when an admin adds operator staff. The account exists at once, with a random password
nobody knows; the link, signed and good for :data:`INVITATION_MAX_AGE_SECONDS`, sets the password
and confirms the address. It works once: the fingerprint inside it covers the password hash,
which the first use changes (the same device as ``password_reset``; no token is stored).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from storefront.settings import LOCALES

from . import accounts, outbox, signed_links
from . import clock as shop_clock
from .errors import InvalidValue
from .models import OperatorRole, Role, Seller, User
from .unit_of_work import atomic

INVITATION_SALT = "storefront.invitation"
INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600  # a week: the invited person may be away for days


class InvitationInvalid(InvalidValue):
    """The link was altered, cut short, or its account is gone or blocked."""


class InvitationExpired(InvitationInvalid):
    """The link is older than a week: ask for a new invitation."""


class InvitationUsed(InvitationInvalid):
    """The password was chosen already: log in instead."""


@atomic
def invite(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    secret_key: str | bytes,
    invited_by: User | None,
    seller: Seller | None = None,
    operator_role: OperatorRole | str | None = None,
    locale: str = "fr",
) -> User:
    """Create the account and put the invitation email in the outbox, in one transaction."""
    if locale not in LOCALES:
        raise InvalidValue(f"no emails in {locale!r}; the shop speaks {', '.join(LOCALES)}")
    user = accounts.create_user(
        session, email, secrets.token_urlsafe(24) + "aA1!", name=name, role=role, seller=seller,
        locale=locale, email_confirmed=False, operator_role=operator_role,
    )
    send(session, user, secret_key=secret_key, invited_by=invited_by)
    return user


def send(session: Session, user: User, *, secret_key: str | bytes, invited_by: User | None) -> None:
    """(Re)send the invitation email of ``user`` (a new link; the older ones keep working until
    one of them is used)."""
    outbox.record_email(
        session,
        to=user.email,
        template="invitation",
        context={
            "user_name": user.name,
            "inviter_name": (invited_by.name or invited_by.email) if invited_by else "",
            "shop_part": user.role.value,
            "seller_name": user.seller.name if user.seller else "",
            "accept_url": outbox.link(
                "endpoint", endpoint="account.accept_invitation",
                values={"token": make_token(user, secret_key)},
            ),
            "expires_days": INVITATION_MAX_AGE_SECONDS // 86400,
        },
        locale=user.locale if user.locale in LOCALES else "fr",
        kind="invitation",
    )


def make_token(user: User, secret_key: str | bytes) -> str:
    return signed_links.make(secret_key, INVITATION_SALT, {"user": user.id, "check": _fingerprint(user, secret_key)})


def user_for_token(session: Session, token: str, secret_key: str | bytes,
                   max_age_seconds: int = INVITATION_MAX_AGE_SECONDS) -> User:
    data = signed_links.read(
        secret_key, INVITATION_SALT, token, max_age_seconds=max_age_seconds,
        fields={"user": int, "check": str}, what="invitation",
        invalid=InvitationInvalid, expired=InvitationExpired,
    )
    user = session.get(User, data["user"])
    if user is None or not user.active:
        raise InvitationInvalid("this invitation's account no longer exists")
    if not hmac.compare_digest(data["check"], _fingerprint(user, secret_key)):
        raise InvitationUsed("this invitation has been used: log in with your password")
    return user


@atomic
def accept(session: Session, token: str, password: str, *, secret_key: str | bytes) -> User:
    """Set the password chosen by the invited person and confirm their address (the link
    reached them there)."""
    user = user_for_token(session, token, secret_key)
    accounts.set_password(session, user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = shop_clock.of(session).now()
    return user


def _fingerprint(user: User, secret_key: str | bytes) -> str:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    message = f"{INVITATION_SALT}\0{user.id}\0{user.email}\0{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
