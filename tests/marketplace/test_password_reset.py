"""Password reset service: signed, expiring, single-use links, and the email (no HTTP)."""

from __future__ import annotations

import time

import pytest
from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from storefront.marketplace import accounts, password_reset
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OutboxMessage
from storefront.marketplace.password_reset import (
    ResetLinkExpired,
    ResetLinkInvalid,
    ResetLinkUsed,
    make_reset_token,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from tests import factories
from tests.email_fixtures import rendered_outbox

SECRET = "a-secret-key-for-these-tests-0123456789abcdef"


@pytest.fixture
def alice(session):
    user = factories.user(session, email="alice@example.com")
    user.name = "Alice"
    session.commit()
    return user


def outbox(session) -> list[OutboxMessage]:
    return rendered_outbox(session)


def ask(session, email, locale="fr"):
    return request_password_reset(
        session, email, secret_key=SECRET, locale=locale
    )


def test_a_token_leads_back_to_its_user(session, alice):
    token = make_reset_token(alice, SECRET)
    assert user_for_reset_token(session, token, SECRET) == alice


def test_a_token_works_once(session, alice):
    token = make_reset_token(alice, SECRET)
    user = user_for_reset_token(session, token, SECRET)
    reset_password(session, user, "a brand new password")
    with pytest.raises(ResetLinkUsed):
        user_for_reset_token(session, token, SECRET)
    assert accounts.authenticate(session, "alice@example.com", "a brand new password") == alice
    assert accounts.authenticate(session, "alice@example.com", "correct horse battery") is None


def test_any_password_change_retires_earlier_tokens(session, alice):
    first = make_reset_token(alice, SECRET)
    second = make_reset_token(alice, SECRET)
    reset_password(session, user_for_reset_token(session, second, SECRET), "a brand new password")
    with pytest.raises(ResetLinkUsed):
        user_for_reset_token(session, first, SECRET)


def test_a_new_email_address_retires_earlier_tokens(session, alice):
    token = make_reset_token(alice, SECRET)
    alice.email = "alice@elsewhere.example"
    session.commit()
    with pytest.raises(ResetLinkUsed):
        user_for_reset_token(session, token, SECRET)


def test_an_expired_token_is_refused(session, alice, monkeypatch):
    # Made two hours ago: the signer's clock is set back while it signs.
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now - 7200)
    token = make_reset_token(alice, SECRET)
    monkeypatch.undo()
    with pytest.raises(ResetLinkExpired):
        user_for_reset_token(session, token, SECRET)
    # Within a longer limit, the same token is fine.
    assert user_for_reset_token(session, token, SECRET, max_age_seconds=3 * 3600) == alice


def test_the_time_limit_is_a_parameter(session, alice):
    token = make_reset_token(alice, SECRET)
    with pytest.raises(ResetLinkExpired):
        user_for_reset_token(session, token, SECRET, max_age_seconds=-1)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # the signature
        lambda token: "e" + token[1:] if token[0] != "e" else "f" + token[1:],  # the payload
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: "",
        lambda token: "not-a-token",
        lambda token: token + "." + token,
    ],
)
def test_a_tampered_token_is_refused(session, alice, tamper):
    token = make_reset_token(alice, SECRET)
    with pytest.raises(ResetLinkInvalid) as caught:
        user_for_reset_token(session, tamper(token), SECRET)
    assert type(caught.value) is ResetLinkInvalid


def test_a_token_of_another_key_or_purpose_is_refused(session, alice):
    with pytest.raises(ResetLinkInvalid):
        user_for_reset_token(session, make_reset_token(alice, "another-secret-key"), SECRET)
    # Signed with the right key but without the reset salt, as any other signed value would be.
    forged = URLSafeTimedSerializer(SECRET).dumps({"user": alice.id, "check": "x" * 32})
    with pytest.raises(ResetLinkInvalid):
        user_for_reset_token(session, forged, SECRET)


def test_a_token_of_a_deactivated_account_is_refused(session, alice):
    token = make_reset_token(alice, SECRET)
    alice.active = False
    session.commit()
    with pytest.raises(ResetLinkInvalid):
        user_for_reset_token(session, token, SECRET)


def test_the_token_does_not_carry_the_password_hash(alice):
    payload = URLSafeTimedSerializer(SECRET, salt=password_reset.RESET_SALT).loads(
        make_reset_token(alice, SECRET)
    )
    assert set(payload) == {"user", "check"}
    assert payload["check"] not in alice.password_hash


def test_a_new_password_has_a_minimum_length(session, alice):
    before = alice.password_hash
    with pytest.raises(InvalidValue):
        reset_password(session, alice, "short")
    with pytest.raises(InvalidValue):
        reset_password(session, alice, "x" * (accounts.MAX_PASSWORD_LENGTH + 1))
    session.expire_all()
    assert alice.password_hash == before


def test_asking_for_a_link_writes_an_email_to_the_outbox(session, alice):
    ask(session, "  Alice@Example.com ", locale="en")
    session.rollback()  # the email was committed with the request, not left pending
    (message,) = outbox(session)
    assert message.to_address == "alice@example.com"
    assert message.kind == "password_reset"
    assert message.locale == "en"
    assert "Alice" in message.text_body
    assert "60 minutes" in message.text_body
    # The one link builder of emails: the account's reset page under the shop's PUBLIC_URL.
    reset_page = current_app.config["PUBLIC_URL"] + "/compte/mot-de-passe/nouveau/"
    link = next(word for word in message.text_body.split() if word.startswith(reset_page))
    assert link in message.html_body
    token = link.removeprefix(reset_page)
    assert user_for_reset_token(session, token, SECRET) == alice


@pytest.mark.parametrize(
    "email", ["nobody@example.com", "not an email", "", "alice@example.com\x00"]
)
def test_asking_for_an_unknown_address_does_nothing_and_says_nothing(session, alice, email):
    assert ask(session, email) is None
    assert outbox(session) == []


def test_a_deactivated_account_gets_no_link(session, alice):
    alice.active = False
    session.commit()
    ask(session, "alice@example.com")
    assert outbox(session) == []


def test_a_wrong_locale_fails_alike_for_every_address(session, alice):
    for email in ("alice@example.com", "nobody@example.com"):
        with pytest.raises(InvalidValue):
            ask(session, email, locale="de")
    assert outbox(session) == []
