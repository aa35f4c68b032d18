"""Who may open which back-office page: enforced here, once, before every view.

Each route says the permission it needs with ``@requires(Permission.X)`` under its ``@bp.get``
or ``@bp.post`` (routes registered by a helper use :func:`declare`). A route that says nothing
is for admins only, so a forgotten declaration closes a page rather than opening it.
The roles behind each permission are in ``marketplace.staff.GRANTS``; tests/backoffice/
test_access.py opens every route as every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort, current_app, request
from flask_login import current_user

from storefront.marketplace import staff
from storefront.marketplace.staff import Permission

ADMIN_ONLY = Permission.STAFF  # held by admins only: what an undeclared route needs

_declared: dict[str, Permission] = {}


def requires(permission: Permission) -> Callable:
    def mark(view: Callable) -> Callable:
        view.required_permission = Permission(permission)
        return view

    return mark


def declare(permission: Permission, endpoints: Iterable[str]) -> None:
    """The permission of routes whose view functions are not ours to decorate."""
    for endpoint in endpoints:
        _declared[endpoint] = Permission(permission)


def permission_for(endpoint: str | None) -> Permission:
    view = current_app.view_functions.get(endpoint or "")
    declared = getattr(view, "required_permission", None) or _declared.get(endpoint or "")
    return declared or ADMIN_ONLY


def allowed(endpoint: str) -> bool:
    """Whether the signed-in user may open ``endpoint`` (and it exists): for menus and links."""
    if endpoint not in current_app.view_functions:
        return False
    return staff.can(current_user, permission_for(endpoint))


def install(bp) -> None:
    """Check every request to ``bp`` (after ``private_area``'s sign-in and operator check)."""

    @bp.before_request
    def holds_permission():
        if not staff.can(current_user, permission_for(request.endpoint)):
            abort(403)
        return None

    @bp.app_context_processor
    def backoffice_helpers():
        return {"backoffice_allowed": allowed}
