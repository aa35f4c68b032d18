"""Issue 11's account journey in a real browser, in French, as a newcomer lives it:

registering answers "check your email" and signs nobody in; the link of the confirmation email
(read from the outbox, rendered as the worker renders it) confirms the address and leads to the
log-in form; the account page has a Security card; a wrong current password is refused without
keeping a password in the form, the right one changes it and keeps this browser signed in while
a second browser signed in before is signed out; "log out everywhere" signs out this one too.
Registering an address that has an account shows the very same page. Five wrong passwords on one
account from one address answer 429 with the log-in form and a sentence saying what to do.

Each page and state is saved to test-artifacts/ at 1280 and 390 px (tests/browser/screens.py),
and fails on anything wider than the window or cut off.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.marketplace.models import User
from tests import factories
from tests.browser.screens import assert_french, assert_french_spacing, assert_kept_apart, shoot
from tests.email_fixtures import rendered_outbox

pytestmark = pytest.mark.browser

NEWCOMER = "chloe.dubois@example.com"
FIRST_PASSWORD = "un long mot de passe"
NEW_PASSWORD = "un tout nouveau mot de passe"


def register(page, base: str, email: str, password: str = FIRST_PASSWORD) -> None:
    page.goto(base + "/compte/inscription")
    form = page.get_by_test_id("register")
    form.locator('input[name="name"]').fill("Chloé Dubois")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.locator('input[name="confirm"]').fill(password)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-sent")).to_be_visible()


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/compte/connexion")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("logout")).to_be_visible()


def signed_out(page) -> None:
    expect(page.get_by_test_id("logout")).to_have_count(0)
    expect(page.get_by_test_id("login-link")).to_be_visible()


def confirmation_path(session, to: str) -> str:
    messages = [m for m in rendered_outbox(session) if m.kind == "confirm_email" and m.to_address == to]
    assert len(messages) == 1, [(m.kind, m.to_address) for m in rendered_outbox(session)]
    link = re.search(r"https?://\S+", messages[0].text_body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_register_confirm_change_password_and_log_out_everywhere(live_server, browser_page, session):
    page = browser_page

    # Registering: "check your email", the address typed shown, nobody signed in.
    register(page, live_server, NEWCOMER)
    assert page.url.endswith("/compte/inscription/verifiez-vos-emails")
    # "e-mails" does not break at its hyphen on a phone (a no-break hyphen).
    expect(page.locator("h1")).to_have_text("Consultez vos e\u2011mails")
    expect(page.get_by_test_id("flash-messages")).to_contain_text(NEWCOMER)
    expect(page.get_by_test_id("resend-confirmation-submit")).to_have_text("M’envoyer un nouveau lien")
    signed_out(page)
    assert_french(page)
    assert_french_spacing(page.get_by_test_id("register-sent"))
    shoot(page, "account-register-sent")

    # The confirmation email's link: confirmed, and the log-in form (opening a link proves the
    # inbox, not the password).
    page.goto(live_server + confirmation_path(session, NEWCOMER))
    assert page.url.endswith("/compte/connexion")
    expect(page.get_by_test_id("flash-messages")).to_contain_text("Votre adresse e-mail est confirmée. Merci\u202f!")
    signed_out(page)
    assert_french(page)
    shoot(page, "account-confirmed")
    session.expire_all()
    assert session.scalar(select(User).where(User.email == NEWCOMER)).email_confirmed_at is not None

    # Signed in here, and in a second browser (another device) before the change.
    log_in(page, live_server, NEWCOMER, FIRST_PASSWORD)
    other = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        device = other.new_page()
        log_in(device, live_server, NEWCOMER, FIRST_PASSWORD)

        # The account page: confirmed (no reminder), and the Security card.
        page.goto(live_server + "/compte/")
        expect(page.get_by_test_id("account-unconfirmed")).to_have_count(0)
        security = page.get_by_test_id("account-security")
        expect(security.locator("h2")).to_have_text("Sécurité")
        expect(security.get_by_test_id("change-password-link")).to_have_text("Modifier mon mot de passe")
        expect(security.get_by_test_id("logout-everywhere")).to_have_text("Me déconnecter de tous les appareils")
        assert_french(page)
        shoot(page, "account-home-security")

        # A wrong current password: the error at its field, no password kept in the form.
        security.get_by_test_id("change-password-link").click()
        expect(page.get_by_test_id("change-password")).to_be_visible()
        page.locator('input[name="current_password"]').fill("pas le bon")
        page.locator('input[name="password"]').fill(NEW_PASSWORD)
        page.locator('input[name="confirm"]').fill(NEW_PASSWORD)
        page.get_by_test_id("change-password-submit").click()
        error = page.get_by_test_id("error-current_password")
        expect(error).to_have_text("Ce n’est pas votre mot de passe actuel.")
        expect(page.locator('input[name="current_password"]')).to_have_attribute("aria-invalid", "true")
        for name in ("current_password", "password", "confirm"):
            expect(page.locator(f'input[name="{name}"]')).to_have_value("")
        assert FIRST_PASSWORD not in page.content() and NEW_PASSWORD not in page.content()
        assert_french(page)
        assert_french_spacing(page.get_by_test_id("change-password"))
        assert_kept_apart(page, '[data-testid="change-password-submit"]', '[data-testid="change-password"] .form + p')
        shoot(page, "account-change-password-error")

        # The right one: changed, still signed in here.
        page.locator('input[name="current_password"]').fill(FIRST_PASSWORD)
        page.locator('input[name="password"]').fill(NEW_PASSWORD)
        page.locator('input[name="confirm"]').fill(NEW_PASSWORD)
        page.get_by_test_id("change-password-submit").click()
        expect(page.get_by_test_id("flash-messages")).to_contain_text(
            "Votre mot de passe a été modifié. Vos autres appareils sont déconnectés.")
        expect(page.get_by_test_id("account-home")).to_be_visible()
        expect(page.get_by_test_id("logout")).to_be_visible()

        # The other device, signed in before the change, is signed out when it reloads.
        device.reload()
        signed_out(device)
        device.goto(live_server + "/compte/")
        assert "/compte/connexion" in device.url
    finally:
        other.close()

    # "Log out everywhere": this browser too, and the log-in form says so.
    page.get_by_test_id("logout-everywhere").click()
    assert page.url.endswith("/compte/connexion")
    expect(page.get_by_test_id("flash-messages")).to_contain_text("Vous êtes déconnecté sur tous vos appareils")
    signed_out(page)
    page.goto(live_server + "/compte/")
    assert "/compte/connexion" in page.url
    # The new password is the one that opens the account now.
    log_in(page, live_server, NEWCOMER, NEW_PASSWORD)


def test_a_known_address_gets_the_same_check_your_email_page(live_server, browser_page, session):
    known = factories.user(session, email="camille@example.com")
    session.commit()
    page = browser_page
    register(page, live_server, "new.one@example.com")
    fresh = page.inner_text("main")
    register(page, live_server, known.email)
    assert page.url.endswith("/compte/inscription/verifiez-vos-emails")
    signed_out(page)
    assert page.inner_text("main") == fresh  # the same words (the address is in the flash)
    expect(page.get_by_test_id("flash-messages")).to_contain_text(known.email)
    # The owner of the known address is told by email, not the visitor on the page.
    kinds = {(m.kind, m.to_address) for m in rendered_outbox(session)}
    assert kinds == {("confirm_email", "new.one@example.com"), ("account_exists", known.email)}


def test_five_wrong_passwords_on_one_account_answer_429_with_the_form(live_server, browser_page, session):
    factories.user(session, email="camille@example.com")
    session.commit()
    page = browser_page
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.request.method == "POST" else None)
    for _ in range(6):
        page.goto(live_server + "/compte/connexion")
        page.locator('input[name="email"]').fill("camille@example.com")
        page.locator('input[name="password"]').fill("une mauvaise supposition")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert statuses == [422] * 5 + [429]
    errors = page.get_by_test_id("form-errors")
    expect(errors).to_contain_text("Trop de tentatives de connexion")
    expect(errors).to_contain_text("15 minutes")
    assert_french_spacing(errors)
    assert_kept_apart(page, '[data-testid="form-errors"]', '#field-email')
    # The form is still there, with the address typed, to try later or to reset the password.
    expect(page.locator('input[name="email"]')).to_have_value("camille@example.com")
    expect(page.locator('input[name="password"]')).to_have_value("")
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    signed_out(page)
    assert_french(page)
    shoot(page, "account-login-throttled")
