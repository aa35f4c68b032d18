"""The operator's staff accounts as the back office's staff page manages them: who they are,
their role, when they last signed in; inviting a colleague with a role, deactivating and
reactivating an account. Role changes are ``staff.set_role``'s (with its last-admin guard).

Each write needs the STAFF permission, keeps at least one active admin, and is written to the
operator audit log in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import accounts, invitations, operator_audit, staff, user_sessions
from .errors import InvalidValue, NotAllowed, NotFound
from .models import OperatorRole, Role, User, UserSession
from .refusals import Refusal
from .staff import Permission
from .unit_of_work import atomic


@dataclass(frozen=True)
class StaffMember:
    user: User
    role: OperatorRole
    last_login: datetime | None  # the newest sign-in among the sessions still kept
    invitation_pending: bool  # never opened the invitation (address not confirmed)


def members(session: Session) -> list[StaffMember]:
    """Every operator account, active first, by email (two queries)."""
    users = staff.staff(session)
    logins = dict(session.execute(
        select(UserSession.user_id, func.max(UserSession.created_at))
        .where(UserSession.user_id.in_([user.id for user in users])).group_by(UserSession.user_id)
    ).all())
    rows = [StaffMember(user, staff.role_of(user), logins.get(user.id), user.email_confirmed_at is None)
            for user in users]
    return sorted(rows, key=lambda row: (not row.user.active, row.user.email))


@atomic
def invite(
    session: Session, actor: User, *, email: str, name: str, role: OperatorRole | str,
    secret_key: str | bytes, locale: str = "fr",
) -> User:
    """Create a staff account with ``role`` and email its invitation (the person chooses a
    password from the link)."""
    staff.require(actor, Permission.STAFF)
    try:
        role = OperatorRole(role)
    except ValueError:
        raise InvalidValue(f"unknown staff role {role!r}") from None
    if accounts.find_user(session, email) is not None:
        raise InvalidValue("an account already exists for this email address", reason=Refusal.EMAIL_TAKEN)
    user = invitations.invite(
        session, email=email, name=name.strip()[:120], role=Role.OPERATOR, secret_key=secret_key,
        invited_by=actor, operator_role=role, locale=locale,
    )
    operator_audit.record(session, actor, "staff.invite", user, before=None,
                          after={"email": user.email, "name": user.name, "role": role}, summary=user.email)
    return user


@atomic
def resend_invitation(session: Session, actor: User, user_id: int, *, secret_key: str | bytes) -> User:
    staff.require(actor, Permission.STAFF)
    user = member(session, user_id)
    invitations.send(session, user, secret_key=secret_key, invited_by=actor)
    operator_audit.record(session, actor, "staff.invitation_resent", user, summary=user.email)
    return user


@atomic
def set_role(session: Session, actor: User, user_id: int, role: OperatorRole | str) -> User:
    user = member(session, user_id)
    if staff.role_of(user) == _role_or_none(role):
        return user  # nothing changes: no audit entry
    return staff.set_role(session, actor, user, role)


@atomic
def deactivate(session: Session, actor: User, user_id: int) -> User:
    """Close the account (it can no longer sign in; its open sessions end at once). Not one's
    own, and not the last active admin."""
    staff.require(actor, Permission.STAFF)
    user = member(session, user_id)
    if user.id == actor.id:
        raise NotAllowed("you cannot deactivate your own account", reason=Refusal.DEACTIVATE_SELF)
    if not user.active:
        return user
    if staff.role_of(user) == OperatorRole.ADMIN and staff.active_admins(session) <= 1:
        raise NotAllowed("the shop needs at least one admin", reason=Refusal.LAST_ADMIN)
    user.active = False
    user_sessions.close_all_sessions(session, user)
    operator_audit.record(session, actor, "staff.deactivate", user, before={"active": True},
                          after={"active": False}, summary=user.email)
    return user


@atomic
def reactivate(session: Session, actor: User, user_id: int) -> User:
    staff.require(actor, Permission.STAFF)
    user = member(session, user_id)
    if user.active:
        return user
    user.active = True
    operator_audit.record(session, actor, "staff.reactivate", user, before={"active": False},
                          after={"active": True}, summary=user.email)
    return user


def member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(f"no account {user_id}")
    if user.role != Role.OPERATOR:
        raise InvalidValue("not a staff account", reason=Refusal.NOT_STAFF)
    return user


def _role_or_none(role: OperatorRole | str) -> OperatorRole | None:
    try:
        return OperatorRole(role)
    except ValueError:
        return None
