"""Accounts: creating people who sign in, and checking their passwords.

Passwords are hashed with werkzeug's scrypt; the plain text is never stored or logged.

No answer of this module, nor the time it takes, tells whether an account exists for an email
address: checking the password of an unknown address verifies it against a dummy hash made by
the same hasher (same algorithm, same cost), so it costs one verification like a wrong password.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock as shop_clock
from . import customer_admin, user_sessions
from .errors import InvalidValue, NotAllowed
from .models import OperatorRole, Role, Seller, User
from .refusals import Refusal
from .unit_of_work import atomic

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200


class PasswordHasher:
    """Hashes and checks passwords (werkzeug's scrypt with its default cost).

    One instance, :data:`hasher`, does every hashing and checking of the shop, so that the
    dummy hash below is always of the algorithm and cost of real ones.
    """

    def hash(self, password: str) -> str:
        return generate_password_hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        return check_password_hash(password_hash, password)


hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hasher.hash("not-a-real-password")


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidValue(f"invalid email address: {exc}") from None


@atomic
def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    name: str = "",
    role: Role = Role.CUSTOMER,
    seller: Seller | None = None,
    locale: str = "fr",
    email_confirmed: bool = True,
    operator_role: OperatorRole | str | None = None,
) -> User:
    """A new account. ``email_confirmed``: accounts made by the operator, a script or the demo
    are trusted; self-registration (``registration.register``) passes False, and the account
    may neither order nor write messages until its owner opens the emailed link."""
    email = normalize_email(email)
    check_new_password(password)
    role = Role(role)
    if (role == Role.SELLER) != (seller is not None):
        raise InvalidValue("a seller account belongs to exactly one seller, other accounts to none")
    if find_user(session, email) is not None:
        raise InvalidValue("an account already exists for this email address")
    if role == Role.OPERATOR:
        try:
            operator_role = OperatorRole(operator_role or OperatorRole.ADMIN)
        except ValueError:
            raise InvalidValue(f"unknown staff role {operator_role!r}") from None
    else:
        operator_role = None
    user = User(
        email=email,
        password_hash=hasher.hash(password),
        name=name.strip(),
        role=role,
        seller=seller,
        locale=locale,
        operator_role=operator_role,
        email_confirmed_at=shop_clock.of(session).now() if email_confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never says which one was wrong).

    A customer account blocked by customer service raises NotAllowed (``ACCOUNT_BLOCKED``), but
    only once the password is right: whoever knows it may be told, nobody else learns more about
    an address than a wrong password tells."""
    user = find_user(session, email)
    if user is None:
        hasher.verify(_DUMMY_HASH, password)  # the same work as for a known address
        return None
    if not hasher.verify(user.password_hash, password) or not user.active:
        return None
    customer_admin.require_not_blocked(session, user)
    return user


def check_new_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidValue(f"the password is at most {MAX_PASSWORD_LENGTH} characters")


@atomic
def set_password(session: Session, user: User, new_password: str) -> None:
    """Give ``user`` a new password and sign every browser of theirs out (a thief who had a
    session or a remember-me cookie loses it); reset links made before stop working too."""
    check_new_password(new_password)
    user.password_hash = hasher.hash(new_password)
    user_sessions.close_all_sessions(session, user)
    session.flush()


@atomic
def change_password(session: Session, user: User, current_password: str, new_password: str) -> None:
    """The owner changes their password, proving they know the current one (a borrowed session
    alone cannot lock the owner out). Every session of the account ends, the caller's too: the
    caller opens a new one for the browser it serves."""
    if not hasher.verify(user.password_hash, current_password or ""):
        raise InvalidValue("the current password is wrong", reason=Refusal.WRONG_PASSWORD,
                           field="current_password")
    set_password(session, user, new_password)


def require_confirmed_email(user: User) -> None:
    """Refuse what an account may only do once its email address is confirmed (ordering,
    writing to sellers or customer service): NotAllowed with ``EMAIL_NOT_CONFIRMED``."""
    if user.email_confirmed_at is None:
        raise NotAllowed("confirm your email address first", reason=Refusal.EMAIL_NOT_CONFIRMED)
