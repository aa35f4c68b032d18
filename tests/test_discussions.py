"""Customers' conversations through the Flask client: asking from a product or an order, the
thread page (htmx reply, polling, unread markers, closed state), the header's unread count, and
access control (another customer's thread or order is 404, never the data)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.marketplace import discussions, orders, preferences, tracking
from storefront.marketplace.models import ActorRole, Message, Thread
from tests import order_fixtures
from tests.checkout_fixtures import tags_with, text_of
from tests.order_fixtures import HTMX, Visitor, html_text, part_of, place

people = order_fixtures.people  # the fixture, for this module's tests


@pytest.fixture
def camille(client, people) -> Visitor:
    return Visitor(client).log_in(people.customer)


def alpha_part(session, people, customer=None):
    order = place(session, customer or people.customer, (people.shop.offers["alpha"], 1))
    return part_of(order, people.shop.alpha)


def ask(session, people, part=None, body="Bonjour, où en est mon colis ?"):
    part = part or alpha_part(session, people)
    thread = discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER", body,
                                     seller_order=part)
    session.commit()
    return thread


def message_count(session) -> int:
    return session.scalar(select(func.count(Message.id)))


# --- who gets in ---------------------------------------------------------------------------------


def test_messages_are_for_signed_in_customers(client, session, people):
    visitor = Visitor(client)
    response = visitor.get("/messages/")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    visitor.log_in(people.alpha_staff)
    assert visitor.get("/messages/").status_code == 403


def test_another_customers_thread_is_not_found(client, session, people):
    thread = ask(session, people, body="Mon adresse est secrète")
    intruder = Visitor(client).log_in(people.other_customer)
    for path in (f"/messages/{thread.id}", f"/messages/{thread.id}/nouveaux?after=0"):
        response = intruder.get(path)
        assert response.status_code == 404 and "secrète" not in response.get_data(as_text=True)
    before = message_count(session)
    assert intruder.post(f"/messages/{thread.id}/repondre", {"body": "Coucou"}).status_code == 404
    assert intruder.post(f"/messages/{thread.id}/clore").status_code == 404
    assert message_count(session) == before
    assert intruder.get("/messages/999999").status_code == 404
    assert intruder.get("/messages/99999999999999").status_code == 404


def test_another_customers_order_cannot_be_asked_about(client, session, people):
    part = alpha_part(session, people)
    intruder = Visitor(client).log_in(people.other_customer)
    path = f"/messages/commande/{part.number}/nouveau"
    assert intruder.get(path).status_code == 404
    assert intruder.post(path, {"topic": "WHERE_IS_MY_ORDER", "body": "?"}).status_code == 404
    assert intruder.get("/messages/commande/SF%00/nouveau").status_code == 404
    assert session.scalar(select(func.count(Thread.id))) == 0


# --- asking --------------------------------------------------------------------------------------


def test_asking_a_seller_about_an_offer_from_the_product_page(client, session, people, camille):
    offer = people.shop.offers["alpha"]
    product = people.shop.products["dryer"]
    page = camille.page(f"/p/{product.id}/{product.slug}")
    links = [tag for tag in tags_with(page, "contact-seller") if f'data-offer-id="{offer.id}"' in tag]
    assert links
    href = re.search(r'href="([^"]+)"', links[0]).group(1).replace("&amp;", "&")

    form = camille.page(href)
    assert "Alpha Maison" in form and "Question about the product" in form
    assert 'value="PRODUCT_QUESTION"' in form
    assert 'value="WHERE_IS_MY_ORDER"' not in form  # order topics are not offered here
    response = camille.post(href, {"topic": "PRODUCT_QUESTION", "body": "Existe-t-il en blanc ?"})

    assert response.status_code == 302
    thread = session.scalars(select(Thread)).one()
    assert (thread.offer_id, thread.seller_id, thread.seller_order_id) == (offer.id, people.shop.alpha.id, None)
    assert response.headers["Location"].endswith(f"/messages/{thread.id}")


def test_anonymous_visitors_log_in_before_asking(client, session, people):
    offer = people.shop.offers["alpha"]
    response = Visitor(client).get(f"/messages/nouveau?offre={offer.id}")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_asking_about_an_order_from_my_orders(client, session, people, camille):
    part = alpha_part(session, people)
    page = camille.page(f"/commande/mes-commandes/{part.customer_order.number}")
    (link,) = [tag for tag in tags_with(page, "contact-about-order") if part.number in tag]
    path = f"/messages/commande/{part.number}/nouveau"
    assert path in link

    form = camille.page(path)  # in English here; the French labels are the store's own words
    for code, label in [("WHERE_IS_MY_ORDER", "Where is my order?"), ("DAMAGED_PRODUCT", "Damaged product"),
                        ("INVOICE_REQUEST", "Invoice request"), ("RETURN", "Return / withdrawal")]:
        assert f'value="{code}"' in form and label in form
    assert 'value="PRODUCT_QUESTION"' not in form
    camille.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = camille.page(path)
    for label in ("Où est ma commande ?", "Produit endommagé", "Demande de facture", "Retour / rétractation"):
        assert label in french
    camille.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    bad = camille.post(path, {"topic": "PRODUCT_QUESTION", "body": "?"})  # not an order topic
    assert bad.status_code == 422
    empty = camille.post(path, {"topic": "RETURN", "body": "   "})
    assert empty.status_code == 422 and "Write a message before sending it." in html_text(empty.get_data(as_text=True))
    assert session.scalar(select(func.count(Thread.id))) == 0

    done = camille.post(path, {"topic": "RETURN", "body": "Je souhaite retourner l'article."})
    assert done.status_code == 302
    thread = session.scalars(select(Thread)).one()
    assert thread.seller_order_id == part.id and thread.topic.code == "RETURN"
    page = camille.page(f"/commande/mes-commandes/{part.customer_order.number}")
    assert f"/messages/{thread.id}" in page  # the conversation is listed with the order


# --- the thread page -----------------------------------------------------------------------------


def test_the_thread_page_shows_messages_with_roles_and_unread_markers(client, session, people, camille):
    thread = ask(session, people)
    discussions.post_message(session, thread, people.alpha_staff, "Il part demain.\n<script>alert(1)</script>")
    header = camille.page("/messages/")
    (badge,) = tags_with(header, "unread-count")
    assert 'data-count="1"' in badge

    page = camille.page(f"/messages/{thread.id}")

    assert tags_with(page, "thread") and tags_with(page, "message-form")
    roles = [re.search(r'data-author-role="(\w+)"', tag).group(1) for tag in tags_with(page, "message")]
    assert roles == ["CUSTOMER", "SELLER"]
    unread = [tag for tag in tags_with(page, "message") if 'data-unread="true"' in tag]
    assert len(unread) == 1 and 'data-author-role="SELLER"' in unread[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'data-count="0"' in tags_with(page, "unread-count")[0]  # read by opening the page
    assert tags_with(page, "tracking-link") == []  # nothing shipped yet
    # Read: the next visit shows no marker.
    assert 'data-unread="true"' not in camille.page(f"/messages/{thread.id}")


def test_replying_with_htmx_returns_the_message_partial(client, session, people, camille):
    thread = ask(session, people)
    response = camille.htmx_post(f"/messages/{thread.id}/repondre", {"body": "Merci !\r\nÀ bientôt"})
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith("<li") and "<html" not in fragment
    assert 'data-testid="message"' in fragment and 'data-author-role="CUSTOMER"' in fragment
    assert session.scalars(select(Message.body).order_by(Message.id.desc())).first() == "Merci !\nÀ bientôt"


def test_replying_without_javascript_redirects_to_the_thread(client, session, people, camille):
    thread = ask(session, people)
    response = camille.post(f"/messages/{thread.id}/repondre", {"body": "Sans JavaScript"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/messages/{thread.id}")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a message before sending it."),
        ("   \n  ", "Write a message before sending it."),
        ("x" * 5001, "A message has at most 5000 characters."),
        ("\x00\x07", "Write a message before sending it."),
    ],
)
def test_bad_messages_are_refused_with_the_form_again(client, session, people, camille, body, message):
    thread = ask(session, people)
    before = message_count(session)
    htmx = camille.htmx_post(f"/messages/{thread.id}/repondre", {"body": body})
    assert htmx.status_code == 422
    assert htmx.headers["HX-Retarget"] == f"#message-form-{thread.id}" and htmx.headers["HX-Reswap"] == "outerHTML"
    assert message in text_of(htmx.get_data(as_text=True), "message-error")[0]
    plain = camille.post(f"/messages/{thread.id}/repondre", {"body": body})
    assert plain.status_code == 422 and tags_with(plain.get_data(as_text=True), "thread")
    assert message_count(session) == before


def test_new_messages_appear_by_polling(client, session, people, camille):
    thread = ask(session, people)
    page = camille.page(f"/messages/{thread.id}")
    (messages_list,) = tags_with(page, "messages")
    poll = re.search(r'hx-get="([^"]+)"', messages_list).group(1).replace("&amp;", "&")
    assert 'hx-trigger="every 5s"' in messages_list
    assert camille.get(poll, headers=HTMX).status_code == 204  # nothing new

    discussions.post_message(session, thread, people.alpha_staff, "Réponse du vendeur")
    session.commit()
    response = camille.get(poll, headers=HTMX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith("<ol") and "Réponse du vendeur" in fragment
    assert 'data-unread="true"' in tags_with(fragment, "message")[-1]
    new_poll = re.search(r'hx-get="([^"]+)"', tags_with(fragment, "messages")[0]).group(1).replace("&amp;", "&")
    assert camille.get(new_poll, headers=HTMX).status_code == 204
    assert discussions.unread_total(session, people.customer) == 0


def test_a_closed_thread_takes_no_more_messages(client, session, people, camille):
    thread = ask(session, people)
    assert camille.post(f"/messages/{thread.id}/clore").status_code == 302
    page = camille.page(f"/messages/{thread.id}")
    assert tags_with(page, "thread-closed") and not tags_with(page, "message-form")
    assert 'data-status="CLOSED"' in tags_with(page, "thread")[0]
    before = message_count(session)
    refused = camille.htmx_post(f"/messages/{thread.id}/repondre", {"body": "Encore une question"})
    assert refused.status_code == 409
    assert "This conversation is closed" in text_of(refused.get_data(as_text=True), "message-error")[0]
    assert message_count(session) == before


def test_the_customer_sees_the_tracking_link_on_the_thread(client, session, people, camille):
    part = alpha_part(session, people)
    thread = ask(session, people, part=part)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    tracking.ship(session, part, carrier_code="CHRONOPOST", tracking_number="XY123456789FR", actor_role=ActorRole.SELLER)
    page = camille.page(f"/messages/{thread.id}")
    (link,) = tags_with(page, "tracking-link")
    assert "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY123456789FR" in link
    assert 'data-status="SHIPPED"' in tags_with(page, "order-status")[0]


def test_the_mediated_model_is_said_and_hides_the_seller(client, session, people, camille):
    preferences.set(session, "relations_model", "MEDIATED")
    part = alpha_part(session, people)
    form = camille.page(f"/messages/commande/{part.number}/nouveau")
    assert "Write to customer service" in html_text(form)
    thread = ask(session, people, part=part)
    discussions.forward_message(session, thread, thread.messages[0], people.operator)
    discussions.post_message(session, thread, people.alpha_staff, "Note interne du vendeur")
    page = camille.page(f"/messages/{thread.id}")
    assert "Note interne du vendeur" not in page
    assert [re.search(r'data-author-role="(\w+)"', t).group(1) for t in tags_with(page, "message")] == ["CUSTOMER"]


def test_turning_message_emails_off(client, session, people, camille):
    assert camille.post("/messages/preferences", {}).status_code == 302  # unchecked box
    session.expire_all()
    assert session.get(type(people.customer), people.customer.id).message_emails is False
    camille.post("/messages/preferences", {"message_emails": "y"})
    session.expire_all()
    assert session.get(type(people.customer), people.customer.id).message_emails is True
