"""Operator staff and what each role may do in the back office.

One table, :data:`GRANTS`, says which :class:`Permission` each :class:`OperatorRole` holds;
:func:`can` is the only test of it. The back office checks it before every view
(storefront/backoffice/access.py: each route declares the permission it needs, and a route that
declares none is for admins only), and services that an operator calls check it again with
:func:`require` where the rule matters beyond the web (roles of other staff, KYC documents).

An operator account without a role (made before roles existed) counts as ADMIN.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidValue, NotAllowed
from .models import OperatorRole, Role, User
from .refusals import Refusal
from .unit_of_work import atomic


class Permission(enum.StrEnum):
    DASHBOARD = "dashboard"          # the overview and one's own preferences
    ORDERS = "orders"                # orders and conversations
    CUSTOMERS = "customers"          # customer accounts: search, read, block
    SELLERS_READ = "sellers.read"    # seller list and pages
    SELLERS_MANAGE = "sellers.manage"  # suspend, reopen, close, users
    APPLICATIONS = "applications"    # review seller applications
    KYC_DOCUMENTS = "kyc"            # read identity and bank documents
    CATALOG = "catalog"              # products, categories, attributes, brands, value lists
    EVENTS = "events"                # event categories
    COMMISSIONS = "commissions"      # commission rates and overrides
    PAYOUTS = "payouts"              # billing periods, statements, blocking and paying them
    DELIVERY = "delivery"            # zones, modes, carriers, rates
    SETTINGS = "settings"            # shop preferences and mappings
    OPERATIONS = "operations"        # outbox, jobs, webhooks, API clients and audit
    AUDIT = "audit"                  # the back office's audit log
    STAFF = "staff"                  # operator accounts and their roles


GRANTS: dict[OperatorRole, frozenset[Permission]] = {
    OperatorRole.ADMIN: frozenset(Permission),
    OperatorRole.CATALOG: frozenset({
        Permission.DASHBOARD, Permission.SELLERS_READ, Permission.CATALOG, Permission.EVENTS,
    }),
    OperatorRole.SUPPORT: frozenset({
        Permission.DASHBOARD, Permission.ORDERS, Permission.CUSTOMERS, Permission.SELLERS_READ,
    }),
    OperatorRole.FINANCE: frozenset({
        Permission.DASHBOARD, Permission.ORDERS, Permission.SELLERS_READ, Permission.APPLICATIONS,
        Permission.KYC_DOCUMENTS, Permission.COMMISSIONS, Permission.PAYOUTS,
    }),
}


def role_of(user: User) -> OperatorRole | None:
    """The staff role of ``user``; None for anyone who is not the operator's staff."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.OPERATOR:
        return None
    return user.operator_role or OperatorRole.ADMIN


def can(user: User, permission: Permission | str) -> bool:
    role = role_of(user)
    return role is not None and Permission(permission) in GRANTS[role]


def require(user: User, permission: Permission | str) -> None:
    """:class:`NotAllowed` unless ``user`` holds ``permission``."""
    if not can(user, permission):
        raise NotAllowed(f"this needs the {Permission(permission).value} permission")


def staff(session: Session) -> list[User]:
    """Every operator account, by email."""
    return list(session.scalars(select(User).where(User.role == Role.OPERATOR).order_by(User.email)))


@atomic
def set_role(session: Session, actor: User, user: User, role: OperatorRole | str) -> User:
    """Give ``user`` (an operator account) ``role``; recorded in the audit log. The last admin
    cannot stop being one: the shop would have nobody left to manage its staff."""
    from . import operator_audit

    require(actor, Permission.STAFF)
    if user.role != Role.OPERATOR:
        raise InvalidValue("only operator accounts have a staff role")
    try:
        role = OperatorRole(role)
    except ValueError:
        raise InvalidValue(f"unknown staff role {role!r}") from None
    before = role_of(user)
    if before == OperatorRole.ADMIN and role != OperatorRole.ADMIN and _admins(session) <= 1:
        raise NotAllowed("the shop needs at least one admin", reason=Refusal.LAST_ADMIN)
    user.operator_role = role
    operator_audit.record(
        session, actor, "staff.role", user, before={"role": before and before.value},
        after={"role": role.value},
    )
    return user


def _admins(session: Session) -> int:
    return sum(1 for user in staff(session) if user.active and role_of(user) == OperatorRole.ADMIN)


def active_admins(session: Session) -> int:
    """How many active admins the shop has (it keeps at least one)."""
    return _admins(session)
