"""Customer accounts through the Flask client: register, log in and out, remember me, password
reset by email, address book. CSRF protection stays on: forms are sent with the page's token."""

from __future__ import annotations

import html
import re
import time

import pytest
from flask import url_for
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from storefront.marketplace import addresses, delivery, password_reset
from storefront.marketplace.models import Address, OutboxMessage, User
from tests import factories

PASSWORD = "correct horse battery"  # what tests.factories.user gives everyone


pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture
def web(client):
    """The client, asking for English pages (the messages checked here are the msgids)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def alice(session):
    user = factories.user(session, email="alice@example.com")
    user.name = "Alice Martin"
    session.commit()
    return user


@pytest.fixture
def zones(session):
    """France only: a Belgian address is outside every delivery zone."""
    delivery.create_zone(session, "FR-MAIN", "France métropolitaine", rules=[("FR", "")])


# --- Helpers ------------------------------------------------------------------------------------


def csrf_token(page: str) -> str:
    """The token of a page's form (hidden input), else the one of its meta tag."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def submit(client, path: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
    """Open ``form_page`` (``path`` by default), then post ``data`` to ``path`` with its token."""
    page = client.get(form_page or path)
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(page.text)}, **kwargs)


def log_in(client, email="alice@example.com", password=PASSWORD, **extra):
    return submit(client, "/compte/connexion", {"email": email, "password": password, **extra})


def logged_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if not found:
        return None
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1)) if value else None


def without_tokens(page: str) -> str:
    return re.sub(r'(name="csrf[-_]token"[^>]*(?:content|value)=)"[^"]*"', r"\1", page)


def path_for(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_link_path(session) -> str:
    (message,) = outbox(session)
    link = re.search(r"https?://\S+", message.text_body).group(0)
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


# --- Register -----------------------------------------------------------------------------------


def email_link_path(session, kind: str, to: str, index: int = -1) -> str:
    """The path of the first link of the latest (or ``index``) email of ``kind`` sent to ``to``."""
    messages = [m for m in outbox(session) if m.kind == kind and m.to_address == to]
    link = re.search(r"https?://\S+", messages[index].text_body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


NEW_ACCOUNT = {"name": "Chloé Dubois", "email": "Chloe@Example.com",
               "password": "a long password", "confirm": "a long password"}


def test_register_asks_to_confirm_the_address_by_email(web, session):
    response = submit(web, "/compte/inscription", NEW_ACCOUNT)
    assert response.status_code == 302
    assert response.location == path_for(web.application, "account.register_sent")
    page = web.get(response.location).text
    assert "Check your email" in page and "Chloe@Example.com" in page
    # Registering does not sign in: a known address would show otherwise.
    assert not logged_in(web)
    user = session.scalar(select(User).where(User.email == "chloe@example.com"))
    assert user.name == "Chloé Dubois" and user.locale == "en"
    assert user.password_hash != "a long password"
    assert user.email_confirmed_at is None

    # Not confirmed yet: signing in works, the account page asks for the confirmation.
    assert log_in(web, "chloe@example.com", "a long password").status_code == 302
    assert 'data-testid="account-unconfirmed"' in web.get("/compte/").text

    path = email_link_path(session, "confirm_email", "chloe@example.com")
    assert path.startswith("/compte/confirmation/")
    confirmed = web.get(path)
    assert confirmed.status_code == 302 and confirmed.location == "/compte/"
    page = web.get("/compte/").text
    assert "Your email address is confirmed" in page
    assert 'data-testid="account-unconfirmed"' not in page
    # Opening the link again is harmless; signed out, it leads to the login page.
    submit(web, "/compte/deconnexion", form_page="/compte/")
    again = web.get(path)
    assert again.status_code == 302 and again.location == "/compte/connexion"


def test_register_with_a_known_address_answers_exactly_the_same(web, session, alice):
    """Byte for byte the same answer (but the CSRF token and the address typed), the same
    status; the owner of the known address gets an email instead, and nobody is signed in."""
    pages = []
    for email in ("newcomer@example.com", "ALICE@example.com"):
        response = submit(web, "/compte/inscription", NEW_ACCOUNT | {"email": email})
        assert (response.status_code, response.location) == (
            302, path_for(web.application, "account.register_sent"))
        page = web.get(response.location)
        assert page.status_code == 200 and not logged_in(web)
        pages.append(without_tokens(page.text).replace(email, "EMAIL"))
    assert pages[0] == pages[1]

    sent = [(m.kind, m.to_address) for m in outbox(session)]
    assert sent == [("confirm_email", "newcomer@example.com"), ("account_exists", "alice@example.com")]
    (warning,) = [m for m in outbox(session) if m.kind == "account_exists"]
    # In the owner's language (French), not the visitor's.
    assert "Quelqu’un a essayé de créer un compte avec votre adresse e-mail" in warning.text_body
    assert path_for(web.application, "account.login") in warning.text_body
    assert path_for(web.application, "account.password_forgot") in warning.text_body
    # Alice's account is untouched: her password still works, the one typed does not.
    assert log_in(web, password="a long password").status_code == 422
    assert log_in(web).status_code == 302


def test_a_confirmation_link_that_cannot_be_used(web, session, alice, monkeypatch):
    from storefront.marketplace import registration

    alice.email_confirmed_at = None
    session.commit()
    token = registration.make_confirmation_token(alice, web.application.secret_key)
    for bad in (token[:-3] + "abc", "nonsense"):
        response = web.get(path_for(web.application, "account.confirm_email", token=bad))
        assert response.status_code == 400 and "This link is not valid" in response.text
        assert 'data-testid="resend-confirmation"' in response.text
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now - 4 * 86400)
    old = registration.make_confirmation_token(alice, web.application.secret_key)
    monkeypatch.undo()
    response = web.get(path_for(web.application, "account.confirm_email", token=old))
    assert response.status_code == 410 and "This link has expired" in response.text
    session.expire_all()
    assert session.get(User, alice.id).email_confirmed_at is None


def test_asking_for_a_new_confirmation_link_reveals_nothing(web, session, alice):
    from storefront.marketplace import registration

    submit(web, "/compte/inscription", NEW_ACCOUNT)
    pages = []
    for email in ("chloe@example.com", "alice@example.com", "nobody@example.com"):
        response = submit(web, "/compte/confirmation/renvoyer", {"email": email},
                          form_page="/compte/inscription/verifiez-vos-emails")
        assert response.status_code == 302
        pages.append(without_tokens(web.get(response.location).text).replace(email, "EMAIL"))
    assert pages[0] == pages[1] == pages[2]
    # Chloé's first link was sent a moment ago: no second one before RESEND_INTERVAL.
    assert [m.kind for m in outbox(session)] == ["confirm_email"]
    chloe = accounts_user(session, "chloe@example.com")
    chloe.confirmation_sent_at -= registration.RESEND_INTERVAL
    session.commit()
    submit(web, "/compte/confirmation/renvoyer", {"email": "chloe@example.com"},
           form_page="/compte/inscription/verifiez-vos-emails")
    assert [(m.kind, m.to_address) for m in outbox(session)] == [
        ("confirm_email", "chloe@example.com")] * 2


def accounts_user(session, email: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "a long password", "confirm": "another password"}, "The two passwords are different."),
        ({"password": "short", "confirm": "short"}, "A password has 8 to 200 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"name": ""}, "Enter your name."),
        ({"name": "x" * 121}, "At most 120 characters."),
    ],
)
def test_register_says_what_is_wrong(web, session, data, message):
    form = {"name": "Chloé", "email": "chloe@example.com",
            "password": "a long password", "confirm": "a long password"} | data
    response = submit(web, "/compte/inscription", form)
    assert response.status_code == 422
    assert message in response.text
    assert field_value(response.text, "email") == form["email"]
    assert session.scalar(select(func.count()).select_from(User)) == 0


# --- Log in and out -----------------------------------------------------------------------------


def test_login_and_the_account_page(web, alice):
    response = log_in(web)
    assert response.status_code == 302 and response.location == "/compte/"
    page = web.get("/compte/")
    assert "Alice Martin" in page.text and "alice@example.com" in page.text
    assert path_for(web.application, "account.address_book") in page.text


def test_wrong_password_and_unknown_email_get_the_same_answer(web, alice):
    wrong = log_in(web, password="not the password")
    unknown = log_in(web, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 422
    for response in (wrong, unknown):
        assert "Wrong email address or password." in response.text
    assert field_value(wrong.text, "email") == "alice@example.com"
    assert field_value(unknown.text, "email") == "nobody@example.com"
    assert not logged_in(web)


def test_a_deactivated_account_cannot_log_in(web, session, alice):
    alice.active = False
    session.commit()
    assert "Wrong email address or password." in log_in(web).text
    assert not logged_in(web)


def test_nothing_anyone_types_breaks_the_login(web, alice):
    for email in ("alice@example.com\x00", "\x00", "x" * 5000, "é" * 300, "' OR 1=1 --"):
        response = log_in(web, email=email, password="not the password")
        assert response.status_code == 422
    # Control characters are dropped from what is typed, not stored nor sent to the database.
    assert log_in(web, email="alice@example.com\x00").status_code == 302


def test_remember_me_cookie_only_when_asked(web, alice):
    log_in(web)
    assert web.get_cookie("remember_token") is None
    submit(web, "/compte/deconnexion", form_page="/compte/")
    response = log_in(web, remember="y")
    assert response.status_code == 302
    cookie = web.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    # The remember cookie alone brings the customer back once the session is gone.
    web.delete_cookie("session")
    assert logged_in(web)


def test_logout_needs_a_post_with_the_csrf_token(web, alice):
    log_in(web, remember="y")
    assert web.get("/compte/deconnexion").status_code == 405
    assert web.post("/compte/deconnexion").status_code == 400
    assert logged_in(web)
    response = submit(web, "/compte/deconnexion", form_page="/compte/")
    assert response.status_code == 302
    assert not logged_in(web)
    assert web.get_cookie("remember_token") is None


def test_login_form_needs_the_csrf_token(web, alice):
    response = web.post("/compte/connexion", data={"email": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert not logged_in(web)


def test_private_pages_send_visitors_to_the_login_page(web):
    response = web.get("/compte/adresses")
    assert response.status_code == 302
    assert response.location == "/compte/connexion?next=%2Fcompte%2Fadresses"
    page = web.get(response.location).text
    assert "Please log in to see this page." in page
    assert field_value(page, "next") == "/compte/adresses"


def test_login_returns_to_the_page_asked_for(web, alice):
    page = web.get("/compte/connexion?next=/compte/adresses?tri=ville").text
    response = web.post("/compte/connexion", data={
        "email": "alice@example.com", "password": PASSWORD,
        "next": field_value(page, "next"), "csrf_token": csrf_token(page),
    })
    assert response.location == "/compte/adresses?tri=ville"
    # Once logged in, the login page itself sends there too.
    assert web.get("/compte/connexion?next=/compte/adresses").location == "/compte/adresses"
    assert web.get("/compte/connexion?next=//evil.example").location == "/compte/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(web, alice, target):
    response = log_in(web, next=target)
    assert response.status_code == 302
    assert response.location == "/compte/"


def test_the_header_shows_the_account_area(web, alice):
    assert 'data-testid="login-link"' in web.get("/compte/connexion").text
    log_in(web)
    page = web.get("/compte/").text
    assert 'data-testid="account-link"' in page and 'data-testid="logout"' in page
    assert 'data-testid="login-link"' not in page


def test_the_login_page_in_french_uses_the_shops_language(client):
    page = client.get("/compte/connexion", headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr"' in page


# --- Rate limits --------------------------------------------------------------------------------


def test_the_eleventh_login_attempt_in_a_minute_is_refused(web, alice):
    token = csrf_token(web.get("/compte/connexion").text)
    for n in range(10):
        # Ten accounts: five failures on one account would trip its own limit first
        # (storefront/web/login_throttle.py, tests/test_rate_limits.py).
        response = web.post("/compte/connexion", data={
            "email": f"guess{n}@example.com", "password": "guess", "csrf_token": token,
        })
        assert response.status_code == 422
    response = web.post("/compte/connexion", data={
        "email": "alice@example.com", "password": PASSWORD, "csrf_token": token,
    })
    assert response.status_code == 429
    assert 'data-testid="error-page"' in response.text and "Too many requests" in response.text
    assert not logged_in(web)
    # Reading the page is not limited; another address is counted apart.
    assert web.get("/compte/connexion").status_code == 200
    other = web.post("/compte/connexion", environ_base={"REMOTE_ADDR": "192.0.2.7"}, data={
        "email": "alice@example.com", "password": PASSWORD, "csrf_token": token,
    })
    assert other.status_code == 302


def test_reset_requests_are_rate_limited(web, alice, session):
    token = csrf_token(web.get("/compte/mot-de-passe/oublie").text)
    statuses = [
        web.post("/compte/mot-de-passe/oublie",
                 data={"email": "alice@example.com", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    assert len(outbox(session)) == 10


# --- Password reset -----------------------------------------------------------------------------


def test_asking_for_a_link_looks_the_same_for_unknown_addresses(web, alice, session):
    pages = []
    for email in ("alice@example.com", "nobody@example.com"):
        response = submit(web, "/compte/mot-de-passe/oublie", {"email": email})
        assert response.status_code == 302
        assert response.location == "/compte/mot-de-passe/oublie"
        page = web.get(response.location).text
        pages.append(without_tokens(page).replace(email, "EMAIL"))
    assert pages[0] == pages[1]
    assert "we have just sent it an email" in pages[0]
    assert [m.to_address for m in outbox(session)] == ["alice@example.com"]


def test_asking_for_a_link_with_a_malformed_address(web, session):
    response = submit(web, "/compte/mot-de-passe/oublie", {"email": "alice@"})
    assert response.status_code == 422
    assert "Enter a valid email address" in response.text
    assert field_value(response.text, "email") == "alice@"
    assert outbox(session) == []


def test_the_emailed_link_resets_the_password_once(web, alice, session):
    submit(web, "/compte/mot-de-passe/oublie", {"email": "alice@example.com"})
    path = reset_link_path(session)
    token = path.rsplit("/", 1)[1]
    assert path == path_for(web.application, "account.password_reset_page", token=token)

    page = web.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    mismatch = submit(web, path, {"password": "new password 1", "confirm": "new password 2"})
    assert mismatch.status_code == 422 and "The two passwords are different." in mismatch.text

    response = submit(web, path, {"password": "my new password", "confirm": "my new password"})
    assert response.status_code == 302 and response.location == "/compte/connexion"
    assert "Your password has been changed" in web.get(response.location).text
    assert log_in(web, password=PASSWORD).status_code == 422
    assert log_in(web, password="my new password").status_code == 302

    again = web.get(path)
    assert again.status_code == 410
    assert "This link has already been used" in again.text
    assert 'name="password"' not in again.text
    reuse = web.post(path, data={"password": "x" * 12, "confirm": "x" * 12,
                                 "csrf_token": csrf_token(again.text)})
    assert reuse.status_code == 410


def test_an_expired_link_is_refused(web, alice, monkeypatch):
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now - 2 * 3600)
    token = password_reset.make_reset_token(alice, web.application.secret_key)
    monkeypatch.undo()
    response = web.get(path_for(web.application, "account.password_reset_page", token=token))
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert path_for(web.application, "account.password_forgot") in response.text


def test_a_tampered_link_is_refused(web, alice):
    token = password_reset.make_reset_token(alice, web.application.secret_key)
    for bad in (token[:-3] + "abc", token[5:], "nonsense", "x" * 400):
        response = web.get(path_for(web.application, "account.password_reset_page", token=bad))
        assert response.status_code == 400
        assert "This link is not valid" in response.text
    assert web.get("/compte/mot-de-passe/nouveau/" + "x" * 401).status_code == 404


# --- Address book -------------------------------------------------------------------------------


ADDRESS = {
    "label": "Maison",
    "name": "Alice Martin",
    "line1": "12 rue de la Paix",
    "line2": "",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "phone": "",
}


def my_addresses(session, user) -> list[Address]:
    session.expire_all()
    return addresses.addresses_of(session, user)


def test_address_book_needs_an_account(web):
    assert web.get("/compte/adresses/nouvelle").status_code == 302
    assert web.post("/compte/adresses/1/supprimer").status_code in (302, 400)


def test_add_edit_make_default_and_delete(web, session, alice, zones):
    log_in(web)
    assert "Your address book is empty" in web.get("/compte/adresses").text

    response = submit(web, "/compte/adresses/nouvelle", ADDRESS)
    assert response.status_code == 302 and response.location == "/compte/adresses"
    response = submit(web, "/compte/adresses/nouvelle",
                      ADDRESS | {"label": "Bureau", "postal_code": "69 001", "city": "Lyon"})
    assert response.status_code == 302
    home, office = my_addresses(session, alice)
    assert (home.is_default, office.is_default, office.postal_code) == (True, False, "69001")

    page = web.get("/compte/adresses").text
    assert "The address has been added." in page
    assert "12 rue de la Paix" in page and "69001 Lyon" in page
    assert f'id="address-{office.id}"' in page

    edit_path = f"/compte/adresses/{office.id}"
    assert field_value(web.get(edit_path).text, "city") == "Lyon"
    response = submit(web, edit_path, ADDRESS | {"label": "Bureau", "line1": "1 place Bellecour",
                                                 "postal_code": "69002", "city": "Lyon"})
    assert response.status_code == 302
    session.expire_all()
    assert (office.line1, office.postal_code) == ("1 place Bellecour", "69002")

    submit(web, f"/compte/adresses/{office.id}/par-defaut", form_page="/compte/adresses")
    assert [a.id for a in my_addresses(session, alice) if a.is_default] == [office.id]
    assert "1 place Bellecour" in web.get("/compte/").text  # the default, on the account page

    submit(web, f"/compte/adresses/{office.id}/supprimer", form_page="/compte/adresses")
    assert [(a.id, a.is_default) for a in my_addresses(session, alice)] == [(home.id, True)]


def test_a_malformed_postal_code_is_shown_with_what_was_typed(web, session, alice, zones):
    log_in(web)
    response = submit(web, "/compte/adresses/nouvelle",
                      ADDRESS | {"postal_code": "7500", "line2": "Bâtiment B", "phone": "06 12 34 56 78"})
    assert response.status_code == 422
    assert "A French postal code has 5 digits" in response.text
    assert 'aria-invalid="true"' in response.text
    for name, value in (("postal_code", "7500"), ("line2", "Bâtiment B"), ("city", "Paris"),
                        ("phone", "06 12 34 56 78"), ("name", "Alice Martin")):
        assert field_value(response.text, name) == value
    assert my_addresses(session, alice) == []


def test_an_address_outside_the_delivery_zones_is_explained(web, session, alice, zones):
    log_in(web)
    response = submit(web, "/compte/adresses/nouvelle",
                      ADDRESS | {"country": "BE", "postal_code": "1000", "city": "Bruxelles"})
    assert response.status_code == 422
    assert "we do not deliver to 1000 (Belgium)" in response.text
    assert field_value(response.text, "city") == "Bruxelles"
    assert re.search(r'<option selected value="BE">|<option value="BE" selected>', response.text)
    assert my_addresses(session, alice) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the name of the recipient."),
        ({"line1": "   "}, "Enter the street and number."),
        ({"country": "DE"}, "Not a valid choice"),
        ({"phone": "not a phone"}, "A phone number has 6 to 15 digits"),
        ({"city": "x" * 81}, "At most 80 characters."),
        ({"name": "Alice\x00Martin", "postal_code": "75O02"}, "A French postal code has 5 digits"),
    ],
)
def test_address_form_says_what_is_wrong(web, session, alice, zones, changes, message):
    log_in(web)
    response = submit(web, "/compte/adresses/nouvelle", ADDRESS | changes)
    assert response.status_code == 422
    assert message in response.text
    assert my_addresses(session, alice) == []


def test_someone_elses_address_is_not_found(web, session, alice, zones):
    bobs = addresses.add_address(session, factories.user(session, email="bob@example.com"),
                                 **ADDRESS | {"name": "Bob"})
    log_in(web)
    path = f"/compte/adresses/{bobs.id}"
    assert web.get(path).status_code == 404
    assert submit(web, path, ADDRESS, form_page="/compte/adresses/nouvelle").status_code == 404
    for action in ("supprimer", "par-defaut"):
        assert submit(web, f"{path}/{action}", form_page="/compte/adresses").status_code == 404
    session.expire_all()
    assert session.get(Address, bobs.id).name == "Bob"
    assert "Bob" not in web.get("/compte/adresses").text
    assert web.get("/compte/adresses/99999999999999999999").status_code == 404
    assert web.get("/compte/adresses/2147483647").status_code == 404


def test_address_actions_need_the_csrf_token(web, session, alice, zones):
    address = addresses.add_address(session, alice, **ADDRESS)
    log_in(web)
    assert web.post(f"/compte/adresses/{address.id}/supprimer").status_code == 400
    assert web.post("/compte/adresses/nouvelle", data=ADDRESS).status_code == 400
    assert len(my_addresses(session, alice)) == 1


def test_login_answers_are_byte_identical_for_unknown_and_known_addresses(web, alice):
    """Apart from the CSRF token and the address typed, which the form shows back."""
    pages = []
    for email in ("alice@example.com", "nobody@example.com"):
        response = log_in(web, email=email, password="not the password")
        assert response.status_code == 422
        pages.append(without_tokens(response.text).replace(email, "EMAIL"))
    assert pages[0] == pages[1]
