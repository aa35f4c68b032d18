"""The seller portal through the Flask client: who gets in, what a seller sees (only its own),
and the order page's actions, refused ones included (a clear message, nothing changed, no 500)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront import clock
from storefront.marketplace import discussions, orders, tracking
from storefront.marketplace.models import (
    ActorRole,
    Cancellation,
    Offer,
    OrderTransition,
    Parcel,
    ProductListing,
    Refund,
    Role,
    SellerOrder,
    SellerOrderState,
)
from tests import factories, order_fixtures
from tests.checkout_fixtures import tags_with, text_of
from tests.order_fixtures import HTMX, Visitor, html_text, part_of, place

S = SellerOrderState
people = order_fixtures.people  # the fixture, for this module's tests


@pytest.fixture
def alpha(client, people) -> Visitor:
    return Visitor(client).log_in(people.alpha_staff)


def alpha_part(session, people, dryers=2, washers=1, customer=None):
    lines = [(people.shop.offers["alpha"], dryers)]
    if washers:
        lines.append((people.shop.offers["alpha_washer"], washers))
    return part_of(place(session, customer or people.customer, *lines), people.shop.alpha)


def order_url(part, action=""):
    return f"/seller/orders/{part.number}" + (f"/{action}" if action else "")


def state_of(session, part):
    session.expire_all()
    fresh = session.get(SellerOrder, part.id)
    return fresh.state, fresh.version, [(line.state, line.quantity_canceled) for line in fresh.lines]


def counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (OrderTransition, Cancellation, Refund, Parcel)
    )


# --- who gets in ---------------------------------------------------------------------------------


def test_only_sellers_get_in(client, session, people):
    visitor = Visitor(client)
    anonymous = visitor.get("/seller/")
    assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"]
    for person in (people.customer, people.operator):
        visitor.log_in(person)
        for path in ("/seller/", "/seller/orders", "/seller/offers", "/seller/messages"):
            response = visitor.get(path)
            assert response.status_code == 403, (person, path)
            assert "Alpha" not in response.get_data(as_text=True)
        visitor.post("/compte/deconnexion")
    visitor.log_in(people.alpha_staff)
    assert visitor.get("/seller/").status_code == 200


def test_a_customer_using_a_seller_url_gets_no_data(client, session, people):
    part = alpha_part(session, people)
    visitor = Visitor(client).log_in(people.customer)
    before = state_of(session, part)
    assert visitor.get(order_url(part)).status_code == 403
    assert visitor.post(order_url(part, "accept"), {"version": part.version}).status_code == 403
    assert state_of(session, part) == before


def test_another_sellers_order_is_not_found(client, session, people):
    part = alpha_part(session, people)
    beta = Visitor(client).log_in(people.beta_staff)
    before = state_of(session, part)
    response = beta.get(order_url(part))
    assert response.status_code == 404 and part.number not in response.get_data(as_text=True)
    for action in ("accept", "refuse", "ship", "cancel", "refund"):
        assert beta.post(order_url(part, action), {"version": before[1], "reason": "OUT_OF_STOCK"}).status_code == 404
    assert state_of(session, part) == before
    assert part.number not in beta.page("/seller/orders")
    assert beta.get("/seller/orders/SF%00-A").status_code == 404
    assert tags_with(beta.page(f"/seller/orders?q={part.number}"), "order-row") == []


# --- dashboard and list --------------------------------------------------------------------------


def test_the_dashboard_shows_the_sellers_day(client, session, people, alpha):
    waiting = alpha_part(session, people, washers=0)
    to_ship = alpha_part(session, people, dryers=1, washers=0)
    late = alpha_part(session, people, dryers=1, washers=0)
    others = part_of(place(session, people.other_customer, (people.shop.offers["beta"], 1)), people.shop.beta)
    for part in (to_ship, late):
        orders.accept(session, part, actor_role=ActorRole.SELLER)
    late.lines[0].shipment.ship_by = orders.today_in_shop(session) - timedelta(days=2)
    discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                            "Où en est ma commande ?", seller_order=to_ship)
    session.commit()

    page = alpha.page("/seller/")

    sections = {name: page.split(f'data-testid="{name}"')[1].split("</section>")[0]
                for name in ("to-accept", "to-ship", "late-shipments", "unanswered-messages")}
    assert waiting.number in sections["to-accept"] and "Accept by" in sections["to-accept"]
    assert to_ship.number in sections["to-ship"] and late.number in sections["to-ship"]
    assert late.number in sections["late-shipments"] and to_ship.number not in sections["late-shipments"]
    assert "Où est ma commande ?" in sections["unanswered-messages"]
    assert others.number not in page
    (badge,) = tags_with(page, "unread-count")
    assert 'data-count="1"' in badge


def test_the_order_list_filters(client, session, people, alpha):
    waiting = alpha_part(session, people, washers=0)
    accepted = alpha_part(session, people, dryers=1, washers=0)
    orders.accept(session, accepted, actor_role=ActorRole.SELLER)
    session.commit()
    rows = lambda page: [re.search(r'data-number="([^"]+)"', tag).group(1) for tag in tags_with(page, "order-row")]  # noqa: E731
    assert set(rows(alpha.page("/seller/orders"))) == {waiting.number, accepted.number}
    assert rows(alpha.page("/seller/orders?state=SHIPPING")) == [accepted.number]
    assert rows(alpha.page(f"/seller/orders?q={waiting.number}")) == [waiting.number]
    assert rows(alpha.page("/seller/orders?late=1")) == []
    assert alpha.get("/seller/orders?state=<script>&page=-1&q=%00").status_code == 200


# --- the order page ------------------------------------------------------------------------------


def test_accepting_from_the_order_page(client, session, people, alpha):
    part = alpha_part(session, people)
    page = alpha.page(order_url(part))
    assert tags_with(page, "accept-order") and tags_with(page, "refuse-order")
    assert 'data-status="WAITING_ACCEPTANCE"' in tags_with(page, "order-status")[0]
    assert "Camille Martin" in page and "12 rue de la Paix" in page  # where to ship
    assert "camille@example.com" not in page  # never the customer's address

    response = alpha.post(order_url(part, "accept"), {"version": part.version})

    assert response.status_code == 302
    assert state_of(session, part)[0] == S.SHIPPING
    page = alpha.page(order_url(part))
    assert 'data-status="SHIPPING"' in tags_with(page, "order-status")[0]
    assert "The order is accepted" in page
    assert tags_with(page, "ship-order") and tags_with(page, "tracking-number")


def test_refusing_needs_a_reason_sellers_may_use(client, session, people, alpha):
    part = alpha_part(session, people)
    before = state_of(session, part)
    missing = alpha.post(order_url(part, "refuse"), {"version": part.version, "reason": ""})
    assert missing.status_code == 422 and state_of(session, part) == before
    # The form only offers the seller's refusal reasons; another one gets the page back.
    for forged in ("SUSPECTED_FRAUD", "DAMAGED", "NOPE"):
        reserved = alpha.post(order_url(part, "refuse"), {"version": part.version, "reason": forged})
        assert reserved.status_code == 422
        assert "Check the form" in text_of(reserved.get_data(as_text=True), "action-error")[0]
        assert state_of(session, part) == before

    refused = alpha.post(order_url(part, "refuse"), {"version": part.version, "reason": "PRICE_ERROR"})
    assert refused.status_code == 302 and state_of(session, part)[0] == S.REFUSED


def test_deciding_line_by_line(client, session, people, alpha):
    part = alpha_part(session, people)
    dryer, washer = sorted(part.lines, key=lambda line: line.unit_price)
    page = alpha.page(order_url(part))
    assert len(tags_with(page, "accept-line")) == 2
    response = alpha.post(order_url(part, "decide"), {
        "version": part.version, f"decision-{dryer.id}": "accept", f"decision-{washer.id}": "refuse",
        "reason": "OUT_OF_STOCK",
    })
    assert response.status_code == 302
    state, _version, lines = state_of(session, part)
    assert state == S.SHIPPING and sorted(lines) == sorted([("ACCEPTED", 0), ("REFUSED", 1)])


def test_accepting_an_already_cancelled_order_says_so(client, session, people, alpha):
    part = alpha_part(session, people)
    orders.cancel_order(session, part, reason_code="OUT_OF_STOCK", actor_role=ActorRole.OPERATOR)
    before = state_of(session, part)
    response = alpha.post(order_url(part, "accept"), {"version": part.version})
    assert response.status_code == 409
    (message,) = text_of(response.get_data(as_text=True), "action-error")
    assert message == "This order is cancelled: its lines can no longer be accepted or refused."
    assert state_of(session, part) == before


def test_two_tabs_racing_on_the_same_order(client, session, people, alpha):
    """Both tabs show version N; the first one's action wins, the second gets a clear message."""
    part = alpha_part(session, people)
    shown = part.version
    assert alpha.post(order_url(part, "accept"), {"version": shown}).status_code == 302
    before, before_counts = state_of(session, part), counts(session)

    late = alpha.post(order_url(part, "refuse"), {"version": shown, "reason": "OUT_OF_STOCK"})

    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "changed elsewhere" in text_of(page, "action-error")[0]
    assert 'data-status="SHIPPING"' in tags_with(page, "order-status")[0]  # the order as it is now
    assert state_of(session, part) == before and counts(session) == before_counts
    forged = alpha.post(order_url(part, "ship"), {"version": "abc", "carrier": "DPD", "tracking_number": "DPD-1234",
                                                   "shipped_on": orders.today_in_shop(session).isoformat()})
    assert forged.status_code == 409 and counts(session) == before_counts


def ship_form(part, **overrides):
    """The ship form's fields; a ``shipped_on`` given as a timedelta counts from the shop's today."""
    shipped_on = overrides.pop("shipped_on", timedelta(0))
    if isinstance(shipped_on, timedelta):
        shipped_on = (clock.today() + shipped_on).isoformat()
    return {"version": part.version, "carrier": "COLISSIMO", "tracking_number": "6A12345678901",
            "shipped_on": shipped_on, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tracking_number": "6A 123 456"}, "without spaces"),
        ({"tracking_number": "6A123\x01456"}, "without spaces"),
        ({"tracking_number": "<b>6A123</b>"}, "without spaces"),
        ({"tracking_number": ""}, "Check the form"),
        ({"carrier": "PIGEON"}, "Check the form"),  # not among the choices
        ({"shipped_on": timedelta(days=3)}, "cannot be in the future"),
        ({"shipped_on": "31/31/2026"}, "Check the form"),
        ({"ship-999999": "1"}, "Choose at least one line"),
    ],
)
def test_bad_shipping_input_changes_nothing(client, session, people, alpha, overrides, message):
    part = alpha_part(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    session.commit()
    before, before_counts = state_of(session, part), counts(session)
    response = alpha.post(order_url(part, "ship"), ship_form(part, **overrides))
    assert response.status_code in (409, 422)
    assert message in html_text(response.get_data(as_text=True))
    assert state_of(session, part) == before and counts(session) == before_counts


def test_shipping_shows_the_tracking_link(client, session, people, alpha):
    part = alpha_part(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    session.commit()
    dryer = next(line for line in part.lines if line.offer_id == people.shop.offers["alpha"].id)
    # First parcel: one dryer only.
    quantities = {f"ship-{line.id}": "0" for line in part.lines} | {f"ship-{dryer.id}": "1"}
    response = alpha.post(order_url(part, "ship"), ship_form(part, tracking_number=" 6a12345678901 ", **quantities))
    assert response.status_code == 302
    assert state_of(session, part)[0] == S.SHIPPING
    session.expire_all()
    part = session.get(SellerOrder, part.id)
    second = alpha.post(order_url(part, "ship"), ship_form(part, carrier="DPD", tracking_number="DPD-998877"))
    assert second.status_code == 302
    page = alpha.page(order_url(part))
    links = tags_with(page, "tracking-link")
    assert len(links) == 2
    assert 'href="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"' in links[0]
    assert 'href="https://trace.dpd.fr/fr/trace/DPD-998877"' in links[1]
    assert 'data-status="SHIPPED"' in tags_with(page, "order-status")[0]


def test_cancelling_units_from_the_order_page(client, session, people, alpha):
    part = alpha_part(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    session.commit()
    dryer = next(line for line in part.lines if line.offer_id == people.shop.offers["alpha"].id)
    stock = session.scalar(select(Offer.stock).where(Offer.id == dryer.offer_id))
    before, before_counts = state_of(session, part), counts(session)

    for data, message in [
        ({f"cancel-{dryer.id}": "1", "reason": "SUSPECTED_FRAUD"}, "Check the form"),  # not offered to sellers
        ({f"cancel-{dryer.id}": "5", "reason": "OUT_OF_STOCK"}, "Only 2 unit(s)"),
        ({f"cancel-{dryer.id}": "x", "reason": "OUT_OF_STOCK"}, "whole number"),
        ({f"cancel-{dryer.id}": "0", "reason": "OUT_OF_STOCK"}, "Choose at least one line"),
    ]:
        response = alpha.post(order_url(part, "cancel"), {"version": part.version, **data})
        assert response.status_code == 422, data
        assert message in html_text(response.get_data(as_text=True)), data
        assert state_of(session, part) == before and counts(session) == before_counts

    done = alpha.post(order_url(part, "cancel"), {"version": part.version, f"cancel-{dryer.id}": "1",
                                                   "reason": "OUT_OF_STOCK", "note": "Dernier abîmé"})
    assert done.status_code == 302
    assert session.scalar(select(Offer.stock).where(Offer.id == dryer.offer_id)) == stock + 1


def test_refunds_from_the_order_page_never_exceed_what_was_paid(client, session, people, alpha):
    part = alpha_part(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    tracking.ship(session, part, carrier_code="GLS", tracking_number="GLS-55555", actor_role=ActorRole.SELLER)
    session.commit()
    before_counts = counts(session)

    above = alpha.post(order_url(part, "refund"), {"version": part.version, "amount": "48,99", "reason": "DAMAGED",
                                                    "line": ""})
    assert above.status_code == 302  # 48,99 € is exactly the items' price
    session.expire_all()
    part = session.get(SellerOrder, part.id)
    too_much = alpha.post(order_url(part, "refund"), {"version": part.version, "amount": "0,01", "reason": "DAMAGED"})
    assert too_much.status_code == 422
    assert "At most €0.00 can still be refunded" in html_text(too_much.get_data(as_text=True))
    garbage = alpha.post(order_url(part, "refund"), {"version": part.version, "amount": "12,5,0", "reason": "DAMAGED"})
    assert garbage.status_code == 422 and "Enter an amount like 12,50." in html_text(garbage.get_data(as_text=True))
    assert counts(session) == (before_counts[0], before_counts[1], before_counts[2] + 1, before_counts[3])
    assert session.scalar(select(Refund.amount)) == 4899


# --- offers --------------------------------------------------------------------------------------


def test_editing_offers(client, session, people, alpha):
    offer = people.shop.offers["alpha"]
    page = alpha.page("/seller/offers")
    assert "A-DRY" in page and "B-FRIDGE" not in page  # Beta's offer is not Alpha's business
    prefix = f"offer-{offer.id}-"

    saved = alpha.htmx_post(f"/seller/offers/{offer.id}", {
        prefix + "price": "13,90", prefix + "origin_price": "15,00", prefix + "stock": "0",
        prefix + "lead_time_days": "3",
    })
    assert saved.status_code == 200 and tags_with(saved.get_data(as_text=True), "offer-saved")
    session.expire_all()
    offer = session.get(Offer, offer.id)
    assert (offer.price, offer.origin_price, offer.stock, offer.lead_time_days) == (1390, 1500, 0, 3)
    listing = session.scalars(select(ProductListing).where(ProductListing.product_id == offer.product_id)).all()
    assert listing and not any(row.best_offer_id == offer.id for row in listing)  # sold out: not the best

    wrong = alpha.htmx_post(f"/seller/offers/{offer.id}", {
        prefix + "price": "20,00", prefix + "origin_price": "10,00", prefix + "stock": "1", prefix + "lead_time_days": "1",
    })
    assert wrong.status_code == 422 and wrong.headers["HX-Retarget"] == f"#offer-{offer.id}"
    bad = alpha.post(f"/seller/offers/{offer.id}", {prefix + "price": "abc", prefix + "stock": "-1",
                                                     prefix + "lead_time_days": "1"})
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Offer, offer.id).price == 1390

    assert alpha.get("/seller/offers?q=%00%25_&page=x").status_code == 200
    others = people.shop.offers["beta"]
    assert alpha.post(f"/seller/offers/{others.id}", {f"offer-{others.id}-price": "1,00"}).status_code == 404


# --- messages ------------------------------------------------------------------------------------


def test_answering_a_customer_from_the_portal(client, session, people, alpha):
    part = alpha_part(session, people, washers=0)
    thread = discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                                     "<b>Où</b> est mon colis ?", seller_order=part)
    inbox = alpha.page("/seller/messages")
    assert f"/seller/messages/{thread.id}" in inbox and tags_with(inbox, "thread-unread")

    page = alpha.page(f"/seller/messages/{thread.id}")
    (message,) = tags_with(page, "message")
    assert 'data-author-role="CUSTOMER"' in message and 'data-unread="true"' in message
    assert "&lt;b&gt;Où&lt;/b&gt; est mon colis ?" in page and "<b>Où</b>" not in page
    assert 'data-count="0"' in tags_with(page, "unread-count")[0]  # read now

    reply = alpha.htmx_post(f"/seller/messages/{thread.id}/reply", {"body": "Parti ce matin."})
    assert reply.status_code == 200
    fragment = reply.get_data(as_text=True)
    assert fragment.lstrip().startswith("<li") and 'data-author-role="SELLER"' in fragment
    assert "Parti ce matin." in fragment

    empty = alpha.htmx_post(f"/seller/messages/{thread.id}/reply", {"body": "   "})
    assert empty.status_code == 422 and empty.headers["HX-Retarget"] == f"#message-form-{thread.id}"
    assert 'data-testid="message-form"' in empty.get_data(as_text=True)
    assert alpha.get(f"/seller/messages/{thread.id}/new?after=999999", headers=HTMX).status_code == 204

    other = Visitor(client.application.test_client()).log_in(people.beta_staff)
    assert other.get(f"/seller/messages/{thread.id}").status_code == 404
    assert other.post(f"/seller/messages/{thread.id}/reply", {"body": "Intrus"}).status_code == 404
    assert len(session.get(type(thread), thread.id).messages) == 2


def test_a_warehouse_order_has_no_shipping_form_for_the_seller(client, session, people):
    gamma_staff = factories.user(session, Role.SELLER, seller=people.shop.gamma, email="gamma@example.com")
    part = part_of(place(session, people.customer, (people.shop.offers["gamma"], 1)), people.shop.gamma)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    session.commit()
    gamma = Visitor(client).log_in(gamma_staff)
    page = gamma.page(order_url(part))
    assert tags_with(page, "warehouse-ships") and not tags_with(page, "ship-order")
    refused = gamma.post(order_url(part, "ship"), ship_form(part))
    assert refused.status_code == 403
    assert "warehouse" in text_of(refused.get_data(as_text=True), "action-error")[0]
    assert state_of(session, part)[0] == S.SHIPPING
