"""Every back-office route, opened by every staff role: 403 exactly where the role lacks the
permission the route declares (storefront/backoffice/access.py), and a refused write leaves the
audit log as it was. New routes are covered without touching this file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from storefront.backoffice import access
from storefront.marketplace import accounts, operator_audit, staff
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.models import OperatorAuditEntry, OperatorRole, Role
from storefront.marketplace.staff import GRANTS, Permission
from tests import order_fixtures
from tests.order_fixtures import PASSWORD

people = order_fixtures.people


def backoffice_routes(app):
    """(endpoint, method, path) of every back-office route, path parameters filled in."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("backoffice."):
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif isinstance(converter, IntegerConverter):
                values[name] = 1
            else:
                values[name] = "x"
        path = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path



def test_every_route_answers_each_role_as_its_permission_says(app, session, staff_of):
    routes = list(backoffice_routes(app))
    assert len(routes) > 20
    for role in OperatorRole:
        visitor = staff_of(role)
        for endpoint, method, path in routes:
            with app.test_request_context():
                needed = access.permission_for(endpoint)
            entries = session.scalar(select(func.count(OperatorAuditEntry.id)))
            response = visitor.get(path) if method == "GET" else visitor.post(path, {})
            if needed in GRANTS[role]:
                assert response.status_code != 403, (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, needed)
                session.expire_all()
                assert session.scalar(select(func.count(OperatorAuditEntry.id))) == entries, path
        visitor.post("/compte/deconnexion")


def test_an_undeclared_route_is_for_admins_only(app):
    with app.test_request_context():
        assert access.permission_for("backoffice.no_such_page") == access.ADMIN_ONLY
    assert all(access.ADMIN_ONLY not in GRANTS[role] for role in OperatorRole if role != OperatorRole.ADMIN)


def test_the_rules_the_issue_names():
    assert Permission.COMMISSIONS not in GRANTS[OperatorRole.SUPPORT]
    assert Permission.KYC_DOCUMENTS not in GRANTS[OperatorRole.CATALOG]
    assert GRANTS[OperatorRole.ADMIN] == frozenset(Permission)


def test_menus_show_only_what_the_role_opens(staff_of):
    catalog = staff_of(OperatorRole.CATALOG)
    page = catalog.page("/backoffice/")
    assert 'data-testid="nav-orders"' not in page
    assert 'data-testid="integrations-link"' not in page
    catalog.post("/compte/deconnexion")
    page = staff_of(OperatorRole.SUPPORT).page("/backoffice/")
    assert 'data-testid="nav-orders"' in page


def test_an_operator_made_before_roles_is_an_admin(session, people):
    people.operator.operator_role = None
    assert staff.role_of(people.operator) == OperatorRole.ADMIN
    assert staff.can(people.operator, Permission.STAFF)
    assert not staff.can(people.customer, Permission.DASHBOARD)


def test_roles_change_through_the_service_with_an_audit_entry(session, people):
    clerk = accounts.create_user(session, "clerk@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                 operator_role=OperatorRole.SUPPORT)
    staff.set_role(session, people.operator, clerk, OperatorRole.FINANCE)
    assert clerk.operator_role == OperatorRole.FINANCE
    entry = operator_audit.search(session, action="staff.role").entries[0]
    assert (entry.actor_email, entry.target_id) == (people.operator.email, str(clerk.id))
    assert (entry.before, entry.after) == ({"role": "SUPPORT"}, {"role": "FINANCE"})
    with pytest.raises(NotAllowed):
        staff.set_role(session, clerk, people.operator, OperatorRole.CATALOG)  # finance: no STAFF


def test_the_last_admin_stays_an_admin(session, people):
    session.execute(
        OperatorAuditEntry.__table__.delete()
    )
    with pytest.raises(NotAllowed):
        staff.set_role(session, people.operator, people.operator, OperatorRole.CATALOG)
    assert staff.role_of(people.operator) == OperatorRole.ADMIN
    assert operator_audit.search(session).total == 0
