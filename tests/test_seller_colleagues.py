"""Colleagues in the seller portal: the seller's admin invites one (who gets the invitation email
and chooses a password) and removes one (never themselves, never the admin); other accounts of
the shop read the list; an address already used, by another shop's staff or anyone, is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.marketplace import accounts, colleagues
from storefront.marketplace.errors import InvalidValue, NotAllowed
from storefront.marketplace.models import OutboxMessage, Role, User
from tests import email_fixtures, order_fixtures
from tests.order_fixtures import PASSWORD, Visitor, html_text

people = order_fixtures.people
smtp_server = email_fixtures.smtp_server

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture
def colleague(session, people) -> User:
    """A second account of Alpha (not its admin: the admin is its first account)."""
    user = accounts.create_user(session, "bob@example.com", PASSWORD, name="Bob", role=Role.SELLER,
                                seller=people.shop.alpha)
    session.commit()
    return user


def invite(session, people, actor=None, **values):
    fields = {"name": "Nina Martin", "email": "nina@example.com", **values}
    return colleagues.invite(session, actor or people.alpha_staff, secret_key="k" * 32, **fields)


# --- services -------------------------------------------------------------------------------------


def test_the_admin_invites_a_colleague_of_the_shop(session, people):
    nina = invite(session, people, email=" Nina@Example.com ")
    assert (nina.email, nina.role, nina.seller_id, nina.active) == (
        "nina@example.com", Role.SELLER, people.shop.alpha.id, True)
    assert not nina.email_confirmed
    [message] = session.scalars(select(OutboxMessage)).all()
    assert message.kind == "invitation" and message.to_address == "nina@example.com"


def test_addresses_already_used_are_refused_with_their_reason(session, people):
    with pytest.raises(InvalidValue) as other_shop:
        invite(session, people, email="beta@example.com")
    assert other_shop.value.details["reason"] == "colleague_of_other_shop"
    for taken in ("camille@example.com", "alpha@example.com", "service@example.com"):
        with pytest.raises(InvalidValue) as refused:
            invite(session, people, email=taken)
        assert refused.value.details["reason"] == "email_taken"
    for name, email in (("", "x@example.com"), ("N" * 121, "x@example.com"), ("Nina", "pas une adresse")):
        with pytest.raises(InvalidValue):
            invite(session, people, name=name, email=email)
    assert session.scalars(select(OutboxMessage)).all() == []


def test_only_the_admin_manages_colleagues(session, people, colleague):
    with pytest.raises(NotAllowed) as refused:
        invite(session, people, actor=colleague)
    assert refused.value.details["reason"] == "not_seller_admin"
    with pytest.raises(NotAllowed):
        colleagues.remove(session, colleague, people.alpha_staff)
    with pytest.raises(NotAllowed):
        colleagues.invite(session, people.operator, name="N", email="n@example.com", secret_key="k" * 32)


def test_removing_deactivates_never_oneself_nor_another_shops_account(session, people, colleague):
    with pytest.raises(NotAllowed) as myself:
        colleagues.remove(session, people.alpha_staff, people.alpha_staff)
    assert myself.value.details["reason"] == "remove_self"
    with pytest.raises(NotAllowed) as other:
        colleagues.remove(session, people.alpha_staff, people.beta_staff)
    assert other.value.details["reason"] == "not_a_colleague"
    colleagues.remove(session, people.alpha_staff, colleague)
    session.expire_all()
    assert not colleague.active and people.beta_staff.active and people.alpha_staff.active
    assert accounts.authenticate(session, "bob@example.com", PASSWORD) is None


def test_the_admin_cannot_be_removed_even_by_a_later_admin(session, people, colleague):
    # Should the first account be deactivated (by the operator), the next one becomes the admin;
    # it still cannot remove the admin, itself.
    people.alpha_staff.active = False
    session.commit()
    with pytest.raises(NotAllowed) as refused:
        colleagues.remove(session, colleague, colleague)
    assert refused.value.details["reason"] == "remove_self"


# --- pages ----------------------------------------------------------------------------------------


def signed_in(client, user) -> Visitor:
    Visitor(client).post("/compte/deconnexion")
    return Visitor(client).log_in(user)


def test_the_admin_invites_a_colleague_who_receives_the_email_and_joins(client, session, people, smtp_server):
    admin = signed_in(client, people.alpha_staff)
    page = admin.page("/seller/colleagues")
    assert 'data-testid="colleagues-link"' in page and 'data-testid="invite-colleague"' in page
    bad = admin.post("/seller/colleagues", {"name": "<b>Nina</b>", "email": "pas une adresse"})
    assert bad.status_code == 422 and 'value="&lt;b&gt;Nina&lt;/b&gt;"' in bad.get_data(as_text=True)
    taken = admin.post("/seller/colleagues", {"name": "Béa", "email": "beta@example.com"})
    assert taken.status_code == 422 and "another shop" in taken.get_data(as_text=True)
    nul = admin.post("/seller/colleagues", {"name": "N\x00", "email": "n\x00@example.com"})
    assert nul.status_code == 422

    done = admin.post("/seller/colleagues", {"name": "Nina Martin", "email": "nina@example.com"})
    assert done.status_code == 302
    assert "nina@example.com" in html_text(admin.page("/seller/colleagues"))
    [mail] = [m for m in smtp_server.messages if m["To"] == "nina@example.com"]
    body = mail.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/compte/invitation/" in word)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    admin.post("/compte/deconnexion")
    form = Visitor(client)
    assert form.get(path).status_code == 200
    accepted = form.post(path, {"password": "a fine new password", "confirm": "a fine new password"})
    assert accepted.status_code == 302
    nina = accounts.find_user(session, "nina@example.com")
    session.refresh(nina)
    assert nina.email_confirmed and nina.seller_id == people.shop.alpha.id
    response = form.post("/compte/connexion", {"email": "nina@example.com", "password": "a fine new password"})
    assert response.status_code == 302
    assert form.get("/seller/colleagues").status_code == 200


def test_the_admin_removes_a_colleague_after_confirming(client, session, people, colleague):
    admin = signed_in(client, people.alpha_staff)
    confirm = admin.page(f"/seller/colleagues/{colleague.id}/remove")
    assert "bob@example.com" in confirm and 'data-testid="confirm-remove"' in confirm
    assert admin.post(f"/seller/colleagues/{colleague.id}/remove").status_code == 302
    session.expire_all()
    assert not colleague.active
    refused = admin.post(f"/seller/colleagues/{people.alpha_staff.id}/remove", follow_redirects=True)
    assert "cannot remove your own account" in refused.get_data(as_text=True)
    # Another shop's account, or none: as if it did not exist.
    assert admin.get(f"/seller/colleagues/{people.beta_staff.id}/remove").status_code == 404
    assert admin.post(f"/seller/colleagues/{people.beta_staff.id}/remove").status_code == 404
    assert admin.get("/seller/colleagues/99999999999/remove").status_code == 404
    session.expire_all()
    assert people.beta_staff.active


def test_other_accounts_read_the_list_only(client, session, people, colleague):
    bob = signed_in(client, colleague)
    page = bob.page("/seller/colleagues")
    assert "alpha@example.com" in page and 'data-testid="admin-only"' in page
    assert 'data-testid="invite-colleague"' not in page and 'data-testid="remove-colleague"' not in page
    assert bob.post("/seller/colleagues", {"name": "X", "email": "x@example.com"}).status_code == 403
    assert bob.get(f"/seller/colleagues/{people.alpha_staff.id}/remove").status_code == 403
    assert bob.post(f"/seller/colleagues/{people.alpha_staff.id}/remove").status_code == 403
    assert accounts.find_user(session, "x@example.com") is None
    session.expire_all()
    assert people.alpha_staff.active


def test_customers_and_operators_cannot_open_it(client, people):
    for person in (people.customer, people.operator):
        visitor = signed_in(client, person)
        assert visitor.get("/seller/colleagues").status_code == 403
