"""Who is emailed about a new message, in both customer-relations models, delivered to a real
SMTP server; unread counts; opting out. No HTTP.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.marketplace import discussions, preferences
from storefront.marketplace.errors import InvalidValue, NotAllowed, NotFound
from storefront.marketplace.models import (
    ActorRole,
    OutboxMessage,
    RelationsModel,
    Role,
    SellerOrder,
    ThreadKind,
)
from tests import email_fixtures, factories, order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server

ADDRESSES = ("camille@example.com", "dominique@example.com", "alpha@example.com", "beta@example.com",
             "service@example.com")


def alpha_part(session, people):
    order = place(session, people.customer, (people.shop.offers["alpha"], 1))
    return part_of(order, people.shop.alpha)


def ask(session, people, body="Bonjour, où en est mon colis ?"):
    return discussions.open_thread(
        session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER", body,
        seller_order=alpha_part(session, people),
    )


def inbox(smtp_server) -> dict[str, list]:
    """The messages received, by recipient."""
    found: dict[str, list] = {}
    for message in smtp_server.messages:
        found.setdefault(message["To"], []).append(message)
    return found


def new_message_mails(smtp_server) -> dict[str, list]:
    """The message notifications received, by recipient (orders also send confirmations)."""
    found: dict[str, list] = {}
    for to, messages in inbox(smtp_server).items():
        kept = [m for m in messages if _links_to_a_thread(m)]
        if kept:
            found[to] = kept
    return found


def _links_to_a_thread(message) -> bool:
    text = message.get_body(("plain",)).get_content()
    return "/messages/" in text or "/threads/" in text


def texts(messages) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in messages]


def assert_no_other_address(message, *allowed):
    raw = message.as_string()
    for address in ADDRESSES:
        if address not in allowed:
            assert address not in raw, f"{address} leaked into an email to {message['To']}"


# --- direct model --------------------------------------------------------------------------------


def test_direct_model_customer_and_seller_are_emailed_about_each_others_messages(session, people, smtp_server):
    thread = ask(session, people)
    mails = new_message_mails(smtp_server)
    (to_seller,) = mails["alpha@example.com"]
    assert set(mails) == {"alpha@example.com"}  # the operator reads direct threads, unprompted
    text = to_seller.get_body(("plain",)).get_content()
    assert "Bonjour, où en est mon colis ?" in text
    assert f"http://127.0.0.1:5000/seller/messages/{thread.id}" in text
    assert "Camille M." in text  # a first name and an initial, never the address
    assert part_of(thread_order(session, thread), people.shop.alpha).number in text
    assert_no_other_address(to_seller, "alpha@example.com")

    smtp_server.envelopes.clear()
    discussions.post_message(session, thread, people.alpha_staff, "Il part demain matin.")
    (to_customer,) = new_message_mails(smtp_server)["camille@example.com"]
    text = to_customer.get_body(("plain",)).get_content()
    assert "Il part demain matin." in text and "Alpha Maison" in text
    assert f"http://127.0.0.1:5000/messages/{thread.id}" in text
    assert_no_other_address(to_customer, "camille@example.com")

    smtp_server.envelopes.clear()
    discussions.post_message(session, thread, people.operator, "Nous suivons votre dossier.")
    assert set(new_message_mails(smtp_server)) == {"camille@example.com", "alpha@example.com"}


def thread_order(session, thread):
    return session.get(SellerOrder, thread.seller_order_id).customer_order


def test_a_claim_brings_customer_service_in(session, people, smtp_server):
    thread = ask(session, people)
    discussions.escalate(session, thread, people.operator)
    assert thread.kind == ThreadKind.CLAIM
    smtp_server.envelopes.clear()
    discussions.post_message(session, thread, people.customer, "Toujours rien reçu.")
    assert set(new_message_mails(smtp_server)) == {"alpha@example.com", "service@example.com"}
    (to_operator,) = new_message_mails(smtp_server)["service@example.com"]
    assert f"/backoffice/threads/{thread.id}" in to_operator.get_body(("plain",)).get_content()


def test_questions_to_the_retailer_go_to_customer_service(session, people, smtp_server):
    offer = people.shop.offers["first_party"]
    discussions.open_thread(
        session, people.customer, people.shop.retailer, "PRODUCT_QUESTION", "Quelle consommation ?", offer=offer
    )
    assert set(new_message_mails(smtp_server)) == {"service@example.com"}


# --- mediated model ------------------------------------------------------------------------------


def test_mediated_model_the_customer_only_deals_with_customer_service(session, people, smtp_server):
    preferences.set(session, "relations_model", RelationsModel.MEDIATED.value)
    thread = ask(session, people, body="Mon colis est en retard.")
    assert thread.model == RelationsModel.MEDIATED
    assert set(new_message_mails(smtp_server)) == {"service@example.com"}
    # The seller does not see the thread until customer service brings it in.
    with pytest.raises(NotFound):
        discussions.get_thread(session, thread.id, people.alpha_staff)
    with pytest.raises(NotAllowed):
        discussions.post_message(session, thread, people.alpha_staff, "Je réponds quand même")

    smtp_server.envelopes.clear()
    customer_message = thread.messages[0]
    discussions.forward_message(session, thread, customer_message, people.operator, note="Pouvez-vous vérifier ?")
    (to_seller,) = new_message_mails(smtp_server)["alpha@example.com"]
    text = to_seller.get_body(("plain",)).get_content()
    assert "Pouvez-vous vérifier ?" in text and "> Mon colis est en retard." in text
    assert set(new_message_mails(smtp_server)) == {"alpha@example.com"}
    assert discussions.get_thread(session, thread.id, people.alpha_staff) == thread

    smtp_server.envelopes.clear()
    discussions.post_message(session, thread, people.alpha_staff, "Expédié hier, numéro 6A123.")
    assert set(new_message_mails(smtp_server)) == {"service@example.com"}  # never the customer

    smtp_server.envelopes.clear()
    discussions.post_message(session, thread, people.operator, "Votre colis est parti hier.", to=ActorRole.CUSTOMER)
    (to_customer,) = new_message_mails(smtp_server)["camille@example.com"]
    text = to_customer.get_body(("plain",)).get_content()
    assert "Votre colis est parti hier." in text
    assert "Alpha Maison" not in text and "6A123" not in text  # the seller stays behind the shop
    assert_no_other_address(to_customer, "camille@example.com")

    seen_by_customer = [m.body for m in discussions.visible_messages(session, thread, ActorRole.CUSTOMER)]
    assert seen_by_customer == ["Mon colis est en retard.", "Votre colis est parti hier."]


def test_the_model_applies_to_new_threads_only(session, people):
    old = ask(session, people)
    preferences.set(session, "relations_model", "MEDIATED")
    new = ask(session, people)
    assert (old.model, new.model) == (RelationsModel.DIRECT, RelationsModel.MEDIATED)
    with pytest.raises(InvalidValue):
        preferences.set(session, "relations_model", "ANARCHY")


# --- opting out, and what a message may contain --------------------------------------------------


def test_a_recipient_who_opted_out_gets_no_message_email(session, people, smtp_server):
    discussions.set_message_emails(session, people.alpha_staff, False)
    other = factories.user(
        session, Role.SELLER, seller=people.shop.alpha, email="alpha2@example.com"
    )
    session.commit()
    ask(session, people)
    assert set(new_message_mails(smtp_server)) == {"alpha2@example.com"}
    assert other.message_emails


def test_html_in_a_message_is_text_in_the_email(session, people, smtp_server):
    ask(session, people, body='<script>alert("x")</script> <b>gras</b>')
    (mail,) = new_message_mails(smtp_server)["alpha@example.com"]
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("body", "reason"), [("", "empty"), (" \n\t ", "empty"), ("x" * 5001, "too_long"),
                                              ("\x00\x01", "empty")])
def test_a_bad_message_writes_and_sends_nothing(session, people, smtp_server, body, reason):
    thread = ask(session, people)
    before = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
    with pytest.raises(InvalidValue) as refused:
        discussions.post_message(session, thread, people.alpha_staff, body)
    assert refused.value.details["reason"] == reason
    assert session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) == before
    assert len(thread.messages) == 1


def test_control_characters_are_dropped_but_line_breaks_kept(session, people):
    thread = ask(session, people, body="Ligne 1\x07\nLigne 2\x00")
    assert thread.messages[0].body == "Ligne 1\nLigne 2"


# --- unread counts -------------------------------------------------------------------------------


def test_unread_counts_for_each_side(session, people):
    thread = ask(session, people)
    assert discussions.unread_total(session, people.customer) == 0  # their own message
    assert discussions.unread_total(session, people.alpha_staff) == 1
    assert discussions.unread_total(session, people.beta_staff) == 0
    assert discussions.unread_total(session, people.operator) == 0  # direct: not waiting for it
    assert [t.id for t in discussions.awaiting_reply(session, people.alpha_staff)] == [thread.id]

    discussions.post_message(session, thread, people.alpha_staff, "Réponse 1")
    discussions.post_message(session, thread, people.alpha_staff, "Réponse 2")
    assert discussions.unread_total(session, people.customer) == 2
    assert discussions.unread_counts(session, people.customer, [thread.id]) == {thread.id: 2}
    assert discussions.unread_total(session, people.alpha_staff) == 0
    assert discussions.awaiting_reply(session, people.alpha_staff) == []

    discussions.mark_read(session, thread, people.customer)
    assert discussions.unread_total(session, people.customer) == 0

    preferences.set(session, "relations_model", "MEDIATED")
    ask(session, people)
    assert discussions.unread_total(session, people.operator) == 1


def test_a_colleague_reading_does_not_read_for_another(session, people):
    colleague = factories.user(
        session, Role.SELLER, seller=people.shop.alpha, email="alpha2@example.com"
    )
    thread = ask(session, people)
    discussions.mark_read(session, thread, people.alpha_staff)
    assert discussions.unread_total(session, people.alpha_staff) == 0
    assert discussions.unread_total(session, colleague) == 1


def test_customer_names_never_fall_back_to_the_address(session, people):
    people.customer.name = ""
    assert discussions.customer_name(people.customer) == ""
    people.customer.name = "Camille Martin"
    assert discussions.customer_name(people.customer) == "Camille M."
