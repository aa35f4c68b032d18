"""Accounts: creating people who sign in, and checking their passwords.

Passwords are hashed with werkzeug's scrypt; the plain text is never stored or logged.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import InvalidValue
from .models import Role, Seller, User
from .unit_of_work import atomic

MIN_PASSWORD_LENGTH = 8
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


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
) -> User:
    email = normalize_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    role = Role(role)
    if (role == Role.SELLER) != (seller is not None):
        raise InvalidValue("a seller account belongs to exactly one seller, other accounts to none")
    if find_user(session, email) is not None:
        raise InvalidValue("an account already exists for this email address")
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        name=name.strip(),
        role=role,
        seller=seller,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never says which one was wrong)."""
    user = find_user(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user
