"""A stolen cookie dies with the session: the session and remember-me cookies of a real client,
copied into a fresh client (another browser, the thief's), stop working after logout, log out
everywhere, a password change and a password reset; staff sessions end when idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storefront.marketplace import accounts, registration, user_sessions
from storefront.marketplace.models import Role, User, UserSession
from tests import factories
from tests.test_account import PASSWORD, csrf_token, email_link_path, log_in, outbox, submit

ACCOUNT = "/compte/"


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture
def alice(session):
    user = factories.user(session, email="alice@example.com")
    session.commit()
    return user


def english(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def copy_of(app, client, *names):
    """A fresh client holding copies of ``client``'s cookies ``names`` (the thief's browser)."""
    thief = english(app)
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"the client has no {name} cookie"
        thief.set_cookie(name, cookie.value)
    return thief


def is_signed_in(client) -> bool:
    response = client.get(ACCOUNT)
    if response.status_code == 302:
        assert response.location.startswith("/compte/connexion")
        return False
    assert response.status_code == 200
    return True


def signed_in_with_copies(app, alice_client):
    """Sign Alice in with remember-me, and copy each of her cookies into its own fresh client:
    both copies work as long as her session is open."""
    assert log_in(alice_client, remember="y").status_code == 302
    by_session = copy_of(app, alice_client, "session")
    by_remember = copy_of(app, alice_client, "remember_token")
    assert is_signed_in(by_session) and is_signed_in(by_remember)
    return by_session, by_remember


def test_copied_cookies_die_when_the_owner_logs_out(app, alice):
    owner = english(app)
    by_session, by_remember = signed_in_with_copies(app, owner)
    submit(owner, "/compte/deconnexion", form_page=ACCOUNT)
    assert not is_signed_in(owner)
    assert not is_signed_in(by_session)
    assert not is_signed_in(by_remember)
    # The dead remember-me cookie is deleted from the browser that sent it.
    assert by_remember.get_cookie("remember_token") is None


def test_log_out_everywhere_ends_every_session(app, alice, session):
    owner, other_device = english(app), english(app)
    by_session, by_remember = signed_in_with_copies(app, owner)
    assert log_in(other_device).status_code == 302
    page = owner.get(ACCOUNT).text
    assert 'data-testid="logout-everywhere"' in page
    assert owner.post("/compte/deconnexion-partout").status_code == 400  # no CSRF token
    assert is_signed_in(owner)
    response = owner.post("/compte/deconnexion-partout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.location == "/compte/connexion"
    for client in (owner, other_device, by_session, by_remember):
        assert not is_signed_in(client)
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_a_password_change_keeps_this_device_and_ends_the_others(app, alice):
    owner, other_device = english(app), english(app)
    by_session, by_remember = signed_in_with_copies(app, owner)
    assert log_in(other_device).status_code == 302

    wrong = submit(owner, "/compte/mot-de-passe", {
        "current_password": "not it", "password": "a new password", "confirm": "a new password"})
    assert wrong.status_code == 422 and "Your current password is not this one." in wrong.text
    assert is_signed_in(by_session)  # nothing changed

    response = submit(owner, "/compte/mot-de-passe", {
        "current_password": PASSWORD, "password": "a new password", "confirm": "a new password"})
    assert response.status_code == 302 and response.location == ACCOUNT
    assert "Your other devices are logged out" in owner.get(ACCOUNT).text
    # This browser stays signed in, with new cookies: its remember-me cookie too.
    assert is_signed_in(owner)
    assert is_signed_in(copy_of(app, owner, "remember_token"))
    # Copies of its old cookies, and the other device, are out.
    for client in (other_device, by_session, by_remember):
        assert not is_signed_in(client)
    assert log_in(english(app), password="a new password").status_code == 302


def test_a_password_reset_ends_every_session(app, alice, session):
    owner = english(app)
    by_session, by_remember = signed_in_with_copies(app, owner)
    helper = english(app)
    submit(helper, "/compte/mot-de-passe/oublie", {"email": "alice@example.com"})
    path = email_link_path(session, "password_reset", "alice@example.com")
    response = submit(helper, path, {"password": "my new password", "confirm": "my new password"})
    assert response.status_code == 302
    for client in (owner, by_session, by_remember):
        assert not is_signed_in(client)


def test_a_cookie_of_the_old_kind_or_forged_is_refused(app, alice):
    owner = english(app)
    log_in(owner)
    with owner.session_transaction() as flask_session:
        login_id = flask_session["_user_id"]
        assert login_id.startswith(f"{alice.id}:") and len(login_id) > 20
        flask_session["_user_id"] = str(alice.id)  # what the shop used to keep
    assert not is_signed_in(owner)
    with owner.session_transaction() as flask_session:
        assert "_user_id" not in flask_session  # dropped, not looked up again
        flask_session["_user_id"] = f"{alice.id}:guessed-token"
    assert not is_signed_in(owner)


# --- Staff sessions end when idle; customers' do not ---------------------------------------------


@pytest.fixture
def staff(session):
    shop = factories.seller(session)
    seller = factories.user(session, role=Role.SELLER, seller=shop, email="vendeur@example.com")
    customer = factories.user(session, email="client@example.com")
    session.commit()
    return seller, customer


@pytest.fixture
def later(app):
    """Move the shop's clock forward (FROZEN_TIME), back to the real time afterwards."""

    def advance(delta: timedelta) -> None:
        app.config["FROZEN_TIME"] = datetime.now(UTC) + delta

    yield advance
    app.config.pop("FROZEN_TIME", None)


def test_a_sellers_session_ends_after_30_idle_minutes_a_customers_stays(app, staff, later):
    seller_browser, customer_browser = english(app), english(app)
    assert log_in(seller_browser, "vendeur@example.com", remember="y").status_code == 302
    assert log_in(customer_browser, "client@example.com", remember="y").status_code == 302
    # No remember-me cookie for staff, whatever was ticked.
    assert seller_browser.get_cookie("remember_token") is None
    assert customer_browser.get_cookie("remember_token") is not None
    assert seller_browser.get("/seller/").status_code == 200

    later(timedelta(minutes=20))
    assert seller_browser.get("/seller/").status_code == 200  # activity: 20 minutes idle at most
    later(timedelta(minutes=45))
    assert seller_browser.get("/seller/").status_code == 200  # 25 minutes after the last request
    later(timedelta(minutes=76))
    response = seller_browser.get("/seller/")
    assert response.status_code == 302 and "/compte/connexion" in response.location
    assert is_signed_in(customer_browser)  # idle for 76 minutes, still signed in


def test_every_session_ends_after_its_lifetime(app, staff, later):
    customer_browser = english(app)
    log_in(customer_browser, "client@example.com", remember="y")
    later(timedelta(days=29))
    assert is_signed_in(customer_browser)
    later(timedelta(days=31))
    assert not is_signed_in(copy_of(app, customer_browser, "remember_token"))
    assert not is_signed_in(customer_browser)


def test_staff_idle_time_is_a_setting(another_app, session, staff):
    app = another_app(environ={"STAFF_SESSION_IDLE_MINUTES": "5"})
    assert app.config["STAFF_SESSION_IDLE_MINUTES"] == 5
    seller_browser = english(app)
    log_in(seller_browser, "vendeur@example.com")
    app.config["FROZEN_TIME"] = datetime.now(UTC) + timedelta(minutes=6)
    assert seller_browser.get("/seller/").status_code == 302


# --- Services ----------------------------------------------------------------------------------


def test_the_table_keeps_no_usable_token(session, alice):
    login_id = user_sessions.open_session(session, alice)
    token = login_id.split(":", 1)[1]
    (row,) = session.scalars(select(UserSession))
    assert token not in row.id and row.user_id == alice.id
    assert user_sessions.load_user(session, login_id) is alice
    for bad in ("", ":", f"{alice.id}", f"{alice.id}:", f"x:{token}", f"{alice.id + 1}:{token}",
                "9" * 30 + ":" + token, f"{alice.id}:{token}x", None, 42):
        assert user_sessions.load_user(session, bad) is None


def test_a_deactivated_account_loses_its_sessions(session, alice):
    login_id = user_sessions.open_session(session, alice)
    alice.active = False
    session.commit()
    assert user_sessions.load_user(session, login_id) is None
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_last_seen_is_written_at_most_once_a_minute(session, alice, count_queries):
    login_id = user_sessions.open_session(session, alice)
    session.expunge_all()
    with count_queries() as statements:
        assert user_sessions.load_user(session, login_id) is not None
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    row = session.scalar(select(UserSession))
    row.last_seen_at -= timedelta(minutes=2)
    session.commit()
    session.expunge_all()
    with count_queries() as statements:
        assert user_sessions.load_user(session, login_id) is not None
    assert [s.lstrip().split()[0].upper() for s in statements] == ["SELECT", "UPDATE"]


def test_an_unconfirmed_account_is_told_at_the_account_page(app, session):
    registration.register(session, "zoe@example.com", PASSWORD, name="Zoé", locale="en",
                          secret_key=app.secret_key)
    zoe = session.scalar(select(User).where(User.email == "zoe@example.com"))
    assert zoe.email_confirmed_at is None
    browser = english(app)
    assert log_in(browser, "zoe@example.com").status_code == 302
    page = browser.get(ACCOUNT).text
    assert 'data-testid="account-unconfirmed"' in page
    zoe.confirmation_sent_at -= registration.RESEND_INTERVAL
    session.commit()
    response = browser.post("/compte/confirmation/renvoyer",
                            data={"email": "zoe@example.com", "csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.location == ACCOUNT
    assert [m.kind for m in outbox(session)] == ["confirm_email", "confirm_email"]
    assert accounts.find_user(session, "zoe@example.com").email_confirmed_at is None
