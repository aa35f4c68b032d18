"""Invitations: an account made for someone else (a seller's first user, a colleague, operator
staff), whose owner chooses the password from the emailed link, once, within a week."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner

from storefront.marketplace import accounts, invitations
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OperatorRole, Role
from tests import factories
from tests.test_account import email_link_path, log_in, submit

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture
def web(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def invited(app, session):
    inviter = factories.user(session, Role.OPERATOR, email="boss@example.com")
    user = invitations.invite(
        session, email="New.Clerk@example.com", name="Nina Clerk", role=Role.OPERATOR,
        operator_role=OperatorRole.CATALOG, secret_key=app.secret_key, invited_by=inviter, locale="en",
    )
    session.commit()
    return user


def test_the_invited_person_chooses_a_password_once(web, session, invited):
    assert invited.email == "new.clerk@example.com" and invited.operator_role == OperatorRole.CATALOG
    assert not invited.email_confirmed
    path = email_link_path(session, "invitation", "new.clerk@example.com")
    page = web.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "new.clerk@example.com" in page.text

    short = submit(web, path, {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and 'name="password"' in short.text
    done = submit(web, path, {"password": "a fine new password", "confirm": "a fine new password"})
    assert done.status_code == 302 and done.location == "/compte/connexion"
    session.expire_all()
    assert invited.email_confirmed
    assert log_in(web, "new.clerk@example.com", "a fine new password").status_code == 302

    again = web.get(path)
    assert again.status_code == 410 and "has been used already" in again.text


def test_a_stale_or_altered_link_is_refused(web, session, invited, monkeypatch):
    path = email_link_path(session, "invitation", "new.clerk@example.com")
    assert web.get(path[:-3] + "xyz").status_code == 400
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now - 8 * 86400)
    token = invitations.make_token(invited, web.application.secret_key)
    monkeypatch.undo()
    response = web.get(f"/compte/invitation/{token}")
    assert response.status_code == 410 and "has expired" in response.text


def test_an_address_that_has_an_account_is_refused_and_nothing_is_sent(app, session):
    factories.user(session, email="taken@example.com")
    session.commit()
    with pytest.raises(InvalidValue):
        invitations.invite(session, email="taken@example.com", name="", role=Role.OPERATOR,
                           secret_key=app.secret_key, invited_by=None)
    assert accounts.find_user(session, "taken@example.com").role == Role.CUSTOMER
