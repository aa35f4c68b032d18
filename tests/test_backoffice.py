"""The operator's back office through the Flask client: every order and conversation, stepping
into a thread (both models), forwarding, escalation, and the customer-relations setting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.marketplace import discussions, orders, preferences, tracking
from storefront.marketplace.models import (
    ActorRole,
    Message,
    RelationsModel,
    SellerOrder,
    SellerOrderState,
    Thread,
    ThreadKind,
    ThreadStatus,
)
from tests import order_fixtures
from tests.checkout_fixtures import tags_with, text_of
from tests.order_fixtures import Visitor, part_of, place

people = order_fixtures.people  # the fixture, for this module's tests


@pytest.fixture
def operator(client, people) -> Visitor:
    return Visitor(client).log_in(people.operator)


def ask(session, people, body="Où est mon colis ?"):
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    thread = discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER", body,
                                     seller_order=part)
    session.commit()
    return thread


def test_only_the_operator_gets_in(client, session, people):
    visitor = Visitor(client)
    assert "/compte/connexion" in visitor.get("/backoffice/").headers["Location"]
    for person in (people.customer, people.alpha_staff):
        visitor.log_in(person)
        for path in ("/backoffice/", "/backoffice/orders", "/backoffice/threads"):
            assert visitor.get(path).status_code == 403, (person, path)
        assert visitor.post("/backoffice/relations", {"model": "MEDIATED"}).status_code == 403
        visitor.post("/compte/deconnexion")
    assert preferences.get(session, "relations_model") == "DIRECT"


def test_every_order_is_listed(client, session, people, operator):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    numbers = {so.number for so in order.seller_orders}
    page = operator.page("/backoffice/orders")
    listed = {re.search(r'data-number="([^"]+)"', tag).group(1) for tag in tags_with(page, "order-row")}
    assert numbers <= listed
    beta = part_of(order, shop.beta)
    assert [re.search(r'data-number="([^"]+)"', t).group(1)
            for t in tags_with(operator.page("/backoffice/orders?seller=beta"), "order-row")] == [beta.number]
    detail = operator.page(f"/backoffice/orders/{beta.number}")
    assert 'data-status="WAITING_ACCEPTANCE"' in tags_with(detail, "order-status")[0]
    assert operator.get("/backoffice/orders/SF-000000-XXXXX-A").status_code == 404
    assert operator.get("/backoffice/orders/SF%00").status_code == 404
    assert operator.get("/backoffice/orders?seller=%00&q=%00&state=%00").status_code == 200


def test_the_operator_runs_an_order_to_its_end(client, session, people, operator):
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    tracking.ship(session, part, carrier_code="UPS", tracking_number="1Z999AA10123456784", actor_role=ActorRole.SELLER)
    session.commit()
    path = f"/backoffice/orders/{part.number}"
    assert operator.post(f"{path}/received", {"version": part.version}).status_code == 302
    session.expire_all()
    part = session.get(SellerOrder, part.id)
    assert part.state == SellerOrderState.RECEIVED
    stale = operator.post(f"{path}/close", {"version": part.version - 1})
    assert stale.status_code == 302 and session.get(SellerOrder, part.id).state == SellerOrderState.RECEIVED
    assert "changed elsewhere" in operator.page(path)
    assert operator.post(f"{path}/close", {"version": part.version}).status_code == 302
    session.expire_all()
    part = session.get(SellerOrder, part.id)
    assert part.state == SellerOrderState.CLOSED
    assert part.transitions[-1].actor_role == ActorRole.OPERATOR
    assert part.transitions[-1].actor_id == people.operator.id


def test_stepping_into_a_direct_thread(client, session, people, operator):
    thread = ask(session, people)
    listing = operator.page("/backoffice/threads")
    assert f"/backoffice/threads/{thread.id}" in listing
    page = operator.page(f"/backoffice/threads/{thread.id}")
    assert tags_with(page, "thread") and not tags_with(page, "message-recipient")  # direct: to both

    response = operator.htmx_post(f"/backoffice/threads/{thread.id}/reply", {"body": "Nous regardons."})
    assert response.status_code == 200 and 'data-author-role="OPERATOR"' in response.get_data(as_text=True)
    message = session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert (message.author_role, message.visible_to_customer, message.visible_to_seller) == (
        ActorRole.OPERATOR, True, True
    )


def test_answering_and_forwarding_in_the_mediated_model(client, session, people, operator):
    preferences.set(session, "relations_model", RelationsModel.MEDIATED.value)
    thread = ask(session, people, body="Colis abîmé")
    page = operator.page(f"/backoffice/threads/{thread.id}")
    assert tags_with(page, "message-recipient") and tags_with(page, "forward-message")

    to_customer = operator.post(f"/backoffice/threads/{thread.id}/reply", {"body": "Nous contactons le vendeur.",
                                                                            "to": "CUSTOMER"})
    assert to_customer.status_code == 302
    customer_message = thread.messages[0]
    forwarded = operator.post(f"/backoffice/threads/{thread.id}/forward/{customer_message.id}",
                              {"note": "Pouvez-vous voir ?"})
    assert forwarded.status_code == 302
    session.expire_all()
    bodies_for_seller = [m.body for m in discussions.visible_messages(session, session.get(Thread, thread.id),
                                                                      ActorRole.SELLER)]
    assert bodies_for_seller == ["Pouvez-vous voir ?\n\n> Colis abîmé"]
    bodies_for_customer = [m.body for m in discussions.visible_messages(session, session.get(Thread, thread.id),
                                                                        ActorRole.CUSTOMER)]
    assert bodies_for_customer == ["Colis abîmé", "Nous contactons le vendeur."]
    # A forward of a message of another thread is not found.
    other = ask(session, people, body="Autre")
    assert operator.post(f"/backoffice/threads/{thread.id}/forward/{other.messages[0].id}").status_code == 404


def test_escalating_and_closing(client, session, people, operator):
    thread = ask(session, people)
    assert operator.post(f"/backoffice/threads/{thread.id}/escalate").status_code == 302
    again = operator.post(f"/backoffice/threads/{thread.id}/escalate")
    assert again.status_code == 302
    page = operator.page(f"/backoffice/threads/{thread.id}")
    assert "already a claim" in page and tags_with(page, "thread-claim")
    assert operator.post(f"/backoffice/threads/{thread.id}/close").status_code == 302
    session.expire_all()
    thread = session.get(Thread, thread.id)
    assert (thread.kind, thread.status) == (ThreadKind.CLAIM, ThreadStatus.CLOSED)
    claims = operator.page("/backoffice/threads?kind=CLAIM&status=CLOSED")
    assert f"/backoffice/threads/{thread.id}" in claims
    assert f"/backoffice/threads/{thread.id}" not in operator.page("/backoffice/threads?status=OPEN")


def test_setting_the_relations_model(client, session, people, operator):
    old = ask(session, people)
    page = operator.page("/backoffice/settings")  # moved from the overview to the preferences
    assert 'value="DIRECT" checked' in page or re.search(r'checked[^>]*value="DIRECT"', page)
    assert operator.post("/backoffice/relations", {"model": "MEDIATED"}).status_code == 302
    assert preferences.get(session, "relations_model") == "MEDIATED"
    assert operator.post("/backoffice/relations", {"model": "SOMETHING"}).status_code == 302
    assert preferences.get(session, "relations_model") == "MEDIATED"
    new = ask(session, people)
    session.expire_all()
    assert (session.get(Thread, old.id).model, session.get(Thread, new.id).model) == (
        RelationsModel.DIRECT, RelationsModel.MEDIATED
    )
    # The mediated thread waits for customer service: it shows on the overview and in the count.
    overview = operator.page("/backoffice/")
    assert f"/backoffice/threads/{new.id}" in overview
    assert text_of(overview, "unread-count") == ["1"]
