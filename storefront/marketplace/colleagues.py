"""A seller's staff, managed by the seller's admin from the seller portal: invite a colleague,
remove (deactivate) one.

The admin is the account ``seller_portal.is_seller_admin`` names (the shop's first active
account, the one its API clients act as). An invited colleague gets an account of the same shop
and the invitation email (``invitations``) to choose a password. A person works for one shop:
an address already used by any account is refused, with a sentence of its own when that account
belongs to another shop. A removed colleague is deactivated, not deleted (their messages and
order notes keep their author), and logged out everywhere at once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import accounts, invitations, seller_admin, user_sessions
from .errors import InvalidValue, NotAllowed
from .models import Role, Seller, User
from .refusals import Refusal
from .seller_portal import is_seller_admin
from .unit_of_work import atomic

MAX_NAME = 120  # User.name


def colleagues(session: Session, seller: Seller) -> list[seller_admin.SellerUser]:
    """The shop's accounts (the back office's list of them), active first."""
    return seller_admin.users(session, seller)


def may_manage(session: Session, user: User) -> bool:
    return is_seller_admin(session, user)


@atomic
def invite(
    session: Session, actor: User, *, name: str, email: str, secret_key: str | bytes, locale: str = "fr"
) -> User:
    """Make an account of ``actor``'s shop for ``email`` and email it the invitation."""
    _require_admin(session, actor)
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise InvalidValue("a colleague needs a name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"a name is at most {MAX_NAME} characters", field="name")
    address = accounts.normalize_email(email or "")
    existing = accounts.find_user(session, address)
    if existing is not None:
        if existing.role == Role.SELLER and existing.seller_id != actor.seller_id:
            raise InvalidValue("this email is another shop's account",
                               reason=Refusal.COLLEAGUE_OF_OTHER_SHOP, field="email")
        raise InvalidValue("an account already exists for this email address",
                           reason=Refusal.EMAIL_TAKEN, field="email")
    return invitations.invite(
        session, email=address, name=name, role=Role.SELLER, seller=actor.seller,
        secret_key=secret_key, invited_by=actor, locale=locale,
    )


@atomic
def remove(session: Session, actor: User, colleague: User) -> User:
    """Deactivate ``colleague`` (never oneself, never the shop's admin) and end their sessions."""
    _require_admin(session, actor)
    if colleague.seller_id is None or colleague.seller_id != actor.seller_id:
        raise NotAllowed("this account is not of your shop", reason=Refusal.NOT_A_COLLEAGUE)
    if colleague.id == actor.id:
        raise NotAllowed("you cannot remove your own account", reason=Refusal.REMOVE_SELF)
    if colleague.id == seller_admin.admin_of(session, colleague.seller):
        raise NotAllowed("the shop's admin cannot be removed", reason=Refusal.LAST_SELLER_ADMIN)
    if colleague.active:
        colleague.active = False
        user_sessions.close_all_sessions(session, colleague)
    session.flush()
    return colleague


def _require_admin(session: Session, actor: User) -> None:
    if actor.role != Role.SELLER or not is_seller_admin(session, actor):
        raise NotAllowed("only the shop's admin manages its colleagues", reason=Refusal.NOT_SELLER_ADMIN)
