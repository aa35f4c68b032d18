"""What the back-office tests share: a signed-in staff member of each role."""

from __future__ import annotations

import pytest

from storefront.marketplace import accounts
from storefront.marketplace.models import OperatorRole, Role
from tests import order_fixtures
from tests.order_fixtures import PASSWORD, Visitor

people = order_fixtures.people


@pytest.fixture
def staff_of(client, session, people):
    """``staff_of(OperatorRole.X)``: a Visitor signed in as a staff member with that role (the
    account is made on first use)."""

    def sign_in(role: OperatorRole) -> Visitor:
        email = f"{role.value.lower()}@staff.example.com"
        user = accounts.find_user(session, email) or accounts.create_user(
            session, email, PASSWORD, role=Role.OPERATOR, operator_role=role
        )
        session.commit()
        return Visitor(client).log_in(user)

    return sign_in
