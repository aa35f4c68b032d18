"""Mappings of the shop's codes to the marketplace's, each checked where it is used: the message
type on threads opened with a topic (and in the API's discussions), the marketplace code of a
reason on cancellations and refunds (and in the API's orders), the delivery mode and carrier on
shipments placed at checkout, the payment code on orders. Reason codes: created, relabelled,
deactivated (no longer offered nor accepted, old records keep it). Every write audited; other
roles get 403 and change nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.marketplace import discussions, mappings, operator_audit, orders, reason_codes
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import (
    ActorRole,
    Cancellation,
    CustomerOrder,
    DiscussionTopic,
    OperatorAuditEntry,
    OperatorRole,
    ReasonCode,
    ReasonType,
    Refund,
    Shipment,
    Thread,
)
from tests import checkout_fixtures, order_fixtures
from tests.api.test_api_orders import _forge
from tests.backoffice.test_shop_settings import audit_count, staff_member
from tests.marketplace.test_order_lifecycle import alpha_order, shipped
from tests.order_fixtures import part_of, place
from tests.test_checkout import Checkout

people = order_fixtures.people
shop = checkout_fixtures.shop


def api(client, path: str, scope: str) -> dict:
    token = _forge({"scope": scope})  # an operator client's token
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def reason(session, type_: ReasonType, code: str) -> ReasonCode:
    return session.scalar(select(ReasonCode).where(ReasonCode.type == type_, ReasonCode.code == code))


REASON_FORM = {"label": "Rupture de stock", "label_en": "Out of stock", "seller_allowed": "y",
               "operator_allowed": "y", "marketplace_code": "", "active": "y"}


# --- Message types -------------------------------------------------------------------------------


def test_a_topics_message_type_is_recorded_on_new_threads_and_shown_by_the_api(session, client, people):
    topic = session.scalar(select(DiscussionTopic).where(DiscussionTopic.code == "WHERE_IS_MY_ORDER"))
    assert topic.message_type == "DELIVERY"  # the demo's
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    before = discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                                     "Où est mon colis ?", seller_order=part)
    session.commit()
    assert before.message_type == "DELIVERY"

    operator = staff_member(session, client)
    response = operator.post(f"/backoffice/mappings/topics/{topic.id}",
                             {f"topic{topic.id}-message_type": "order_tracking"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(DiscussionTopic, topic.id).message_type == "ORDER_TRACKING"
    entry = operator_audit.search(session, action="mapping.topic").entries[0]
    assert (entry.before, entry.after) == ({"message_type": "DELIVERY"}, {"message_type": "ORDER_TRACKING"})

    after = discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                                    "Toujours rien ?", seller_order=part)
    session.commit()
    assert session.get(Thread, after.id).message_type == "ORDER_TRACKING"
    assert session.get(Thread, before.id).message_type == "DELIVERY"  # what was reported stays
    listed = api(client, "/api/v1/discussions", "discussions:read")["items"]
    assert {item["id"]: item["message_type"] for item in listed} == {before.id: "DELIVERY", after.id: "ORDER_TRACKING"}
    assert api(client, f"/api/v1/discussions/{after.id}", "discussions:read")["message_type"] == "ORDER_TRACKING"


def test_a_bad_message_type_is_kept_with_its_error_and_changes_nothing(session, client, people):
    topic = session.scalar(select(DiscussionTopic).where(DiscussionTopic.code == "RETURN"))
    operator = staff_member(session, client)
    entries = audit_count(session)
    for typed in ("RETOUR CLIENT", "<script>x</script>", "É" * 3, "A" * 41, "RE\x00TOUR"):
        response = operator.post(f"/backoffice/mappings/topics/{topic.id}", {f"topic{topic.id}-message_type": typed})
        assert response.status_code == 422, typed
        page = response.get_data(as_text=True)
        assert f'data-testid="error-topic{topic.id}-message_type"' in page
        assert "<script>x" not in page
    assert 'value="A' in page or 'value="RE' in page
    session.expire_all()
    assert session.get(DiscussionTopic, topic.id).message_type == "RETURN"
    assert audit_count(session) == entries
    assert operator.post("/backoffice/mappings/topics/99999999", {}).status_code == 404


# --- Reason codes --------------------------------------------------------------------------------


def test_cancellations_and_refunds_record_the_reasons_marketplace_code_and_the_api_shows_it(
        session, client, people):
    operator = staff_member(session, client)
    for type_, code, mapped in ((ReasonType.CANCELATION, "OUT_OF_STOCK", "RUPTURE"),
                                (ReasonType.REFUND, "DAMAGED", "PRODUIT_ABIME")):
        found = reason(session, type_, code)
        response = operator.post(f"/backoffice/mappings/reasons/{found.id}", {
            "label": found.label, "label_en": found.label_en, "customer_allowed": "y" if found.customer_allowed else "",
            "seller_allowed": "y", "operator_allowed": "y", "marketplace_code": mapped, "active": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    session.expire_all()  # the web's requests saved through their own sessions
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    dryer = next(line for line in part.lines if line.offer_id == people.shop.offers["alpha"].id)
    orders.cancel_lines(session, part, {dryer.id: 1}, reason_code="OUT_OF_STOCK", actor_role=ActorRole.SELLER)
    shipped(session, part)
    orders.refund(session, part, amount=500, reason_code="DAMAGED", actor_role=ActorRole.SELLER)
    session.commit()
    assert session.scalar(select(Cancellation.marketplace_code)) == "RUPTURE"
    assert session.scalar(select(Refund.marketplace_code)) == "PRODUIT_ABIME"

    # A later mapping edit does not rewrite what was reported.
    later = reason(session, ReasonType.CANCELATION, "OUT_OF_STOCK")
    reason_codes.update(session, None, later, reason_codes.ReasonFields(
        later.label, later.label_en, seller_allowed=True, marketplace_code="AUTRE"))
    body = api(client, f"/api/v1/orders/{part.number}", "orders:read")
    assert [(c["reason_code"], c["marketplace_code"]) for c in body["cancellations"]] == [("OUT_OF_STOCK", "RUPTURE")]
    assert [(r["reason_code"], r["marketplace_code"]) for r in body["refunds"]] == [("DAMAGED", "PRODUIT_ABIME")]


def test_an_operator_creates_a_reason_then_edits_its_labels_and_who_may_use_it(session, client, people):
    operator = staff_member(session, client)
    page = operator.page("/backoffice/mappings/reasons/new?type=REFUND")
    assert 'value="REFUND" selected' in page or re.search(r'selected[^>]*value="REFUND"', page)
    created = operator.post("/backoffice/mappings/reasons/new", {
        **REASON_FORM, "code": "late_delivery", "type": "REFUND", "label": "Livraison en retard",
        "label_en": "Late delivery", "customer_allowed": "y", "marketplace_code": "RETARD"})
    assert created.status_code == 302 and "type=REFUND" in created.headers["Location"]
    new = reason(session, ReasonType.REFUND, "LATE_DELIVERY")
    assert (new.label, new.label_en, new.customer_allowed, new.marketplace_code, new.active) == (
        "Livraison en retard", "Late delivery", True, "RETARD", True)
    assert [r.code for r in orders.reason_codes(session, ReasonType.REFUND, ActorRole.CUSTOMER)][-1] == "LATE_DELIVERY"
    assert operator_audit.search(session, action="reason_code.create").entries[0].after["code"] == "LATE_DELIVERY"

    again = operator.post("/backoffice/mappings/reasons/new", {**REASON_FORM, "code": "LATE_DELIVERY", "type": "REFUND"})
    assert again.status_code == 422 and 'data-testid="error-code"' in again.get_data(as_text=True)

    edited = operator.post(f"/backoffice/mappings/reasons/{new.id}", {
        **REASON_FORM, "label": "Retard de livraison", "label_en": "Delivery delay", "seller_allowed": "",
        "customer_allowed": "", "marketplace_code": "RETARD"})
    assert edited.status_code == 302
    session.expire_all()
    new = session.get(ReasonCode, new.id)
    assert (new.label, new.label_en, new.customer_allowed, new.seller_allowed) == (
        "Retard de livraison", "Delivery delay", False, False)
    entry = operator_audit.search(session, action="reason_code.update").entries[0]
    assert entry.before == {"label": "Livraison en retard", "label_en": "Late delivery", "customer_allowed": True,
                            "seller_allowed": True}
    assert entry.after == {"label": "Retard de livraison", "label_en": "Delivery delay", "customer_allowed": False,
                           "seller_allowed": False}
    listing = operator.page("/backoffice/mappings?type=REFUND")
    assert "Retard de livraison" in listing and "Rupture de stock" not in listing  # filtered by type


def test_refused_reason_values_are_kept_and_save_nothing(session, client, people):
    operator = staff_member(session, client)
    found = reason(session, ReasonType.CANCELATION, "PRICE_ERROR")
    entries = audit_count(session)
    for data, field in [({"label": ""}, "label"), ({"label": "x" * 121}, "label"),
                        ({"marketplace_code": "PAS BON"}, "marketplace_code"),
                        ({"label_en": "y" * 200}, "label_en")]:
        response = operator.post(f"/backoffice/mappings/reasons/{found.id}", {**REASON_FORM, **data})
        assert response.status_code == 422, data
        page = response.get_data(as_text=True)
        assert f'data-testid="error-{field}"' in page
        value = next(iter(data.values()))
        if value:
            assert value in page
    session.expire_all()
    assert session.get(ReasonCode, found.id).label == "Erreur de prix"
    assert audit_count(session) == entries
    for data in [{"code": "", "type": "REFUND"}, {"code": "PAS-BON", "type": "REFUND"}, {"code": "OK", "type": "NOPE"},
                 {"code": "\x00", "type": "REFUND"}, {"code": "X" * 41, "type": "REFUND"}]:
        assert operator.post("/backoffice/mappings/reasons/new", {**REASON_FORM, **data}).status_code == 422, data
    assert audit_count(session) == entries
    assert operator.get(f"/backoffice/mappings/reasons/{2**31 - 1}").status_code == 404


def test_a_deactivated_reason_is_no_longer_offered_nor_accepted_and_old_records_keep_it(session, client, people):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    dryer = next(line for line in part.lines if line.offer_id == people.shop.offers["alpha"].id)
    orders.cancel_lines(session, part, {dryer.id: 1}, reason_code="PRICE_ERROR", actor_role=ActorRole.SELLER)
    session.commit()
    operator = staff_member(session, client)
    assert 'value="PRICE_ERROR"' in operator.page(f"/backoffice/orders/{part.number}")

    found = reason(session, ReasonType.CANCELATION, "PRICE_ERROR")
    response = operator.post(f"/backoffice/mappings/reasons/{found.id}", {**REASON_FORM, "label": found.label,
                                                                          "label_en": found.label_en, "active": ""})
    assert response.status_code == 302
    entry = operator_audit.search(session, action="reason_code.deactivate").entries[0]
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    session.expire_all()

    assert "PRICE_ERROR" not in [r.code for r in orders.reason_codes(session, ReasonType.CANCELATION, ActorRole.SELLER)]
    assert 'value="PRICE_ERROR"' not in operator.page(f"/backoffice/orders/{part.number}")
    with pytest.raises(DomainError):
        orders.cancel_lines(session, part, {dryer.id: 1}, reason_code="PRICE_ERROR", actor_role=ActorRole.SELLER)
    session.rollback()
    token = _forge({"scope": "orders:read orders:write"})
    refused = client.post(f"/api/v1/orders/{part.number}/cancel", headers={"Authorization": f"Bearer {token}"},
                          json={"reason_code": "PRICE_ERROR", "lines": [{"line_id": dryer.id, "quantity": 1}]})
    assert refused.status_code == 422 and refused.get_json()["field"] == "reason_code", refused.get_json()
    listed = api(client, "/api/v1/reason-codes", "reference:read")["items"]
    assert ("REFUSAL", "PRICE_ERROR") in [(item["type"], item["code"]) for item in listed]  # another reason
    assert ("CANCELATION", "PRICE_ERROR") not in [(item["type"], item["code"]) for item in listed]
    session.expire_all()
    assert session.scalar(select(func.count(Cancellation.id))) == 1
    body = api(client, f"/api/v1/orders/{part.number}", "orders:read")
    assert [c["reason_code"] for c in body["cancellations"]] == ["PRICE_ERROR"]  # kept
    assert "Inactive" in operator.page("/backoffice/mappings?type=CANCELATION")


# --- Delivery modes and payment codes ------------------------------------------------------------


def test_shipments_record_the_mapped_delivery_mode_and_carrier_and_orders_the_payment_code(app, session, client, shop):
    operator = staff_member(session, client)
    assert operator.post("/backoffice/mappings/delivery/THD", {
        "mode-THD-marketplace_mode": "thd", "mode-THD-carrier": "COLISSIMO"}).status_code == 302
    assert operator.post("/backoffice/mappings/payments/card", {"pay-card-code": "CARTE_BANCAIRE"}).status_code == 302
    entry = operator_audit.search(session, action="mapping.delivery_mode").entries[0]
    assert entry.after == {"marketplace_code": "THD", "carrier_code": "COLISSIMO"}
    assert operator_audit.search(session, action="mapping.payment_method").entries[0].after == {
        "marketplace_code": "CARTE_BANCAIRE"}
    page = operator.page("/backoffice/mappings")
    assert "In use: CARTE_BANCAIRE" in page
    operator.post("/compte/deconnexion")

    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    assert shopper.place(key, total).status_code == 302
    order = session.scalar(select(CustomerOrder))
    assert order.payment_code == "CARTE_BANCAIRE"
    shipment = session.scalar(select(Shipment))
    assert (shipment.mode.code, shipment.marketplace_mode, shipment.marketplace_carrier) == ("THD", "THD", "COLISSIMO")
    body = api(client, f"/api/v1/orders/{order.seller_orders[0].number}", "orders:read")
    assert body["payment_code"] == "CARTE_BANCAIRE"
    assert [(s["delivery_mode"], s["marketplace_delivery_mode"], s["marketplace_carrier"]) for s in body["shipments"]] == [
        ("THD", "THD", "COLISSIMO")]

    # Emptied, the override goes back to the shop's PAYMENT_CODES.
    operator = staff_member(session, client)
    assert operator.post("/backoffice/mappings/payments/card", {"pay-card-code": ""}).status_code == 302
    assert mappings.payment_codes(db.session, app.config["PAYMENT_CODES"]) == app.config["PAYMENT_CODES"]


def test_bad_delivery_and_payment_codes_are_refused_and_unknown_ones_are_404(session, client, shop):
    operator = staff_member(session, client)
    entries = audit_count(session)
    bad = operator.post("/backoffice/mappings/delivery/THD", {"mode-THD-marketplace_mode": "T H D",
                                                              "mode-THD-carrier": "OK"})
    assert bad.status_code == 422 and 'value="T H D"' in bad.get_data(as_text=True)
    assert 'data-testid="error-mode-THD-marketplace_mode"' in bad.get_data(as_text=True)
    assert operator.post("/backoffice/mappings/payments/card", {"pay-card-code": "C\x00B"}).status_code == 422
    assert operator.post("/backoffice/mappings/delivery/NOPE", {}).status_code == 404
    assert operator.post("/backoffice/mappings/payments/bitcoin", {"pay-bitcoin-code": "BTC"}).status_code == 404
    assert audit_count(session) == entries


@pytest.mark.parametrize("role", [OperatorRole.CATALOG, OperatorRole.SUPPORT, OperatorRole.FINANCE])
def test_other_roles_get_403_and_change_nothing(session, client, people, role):
    topic = session.scalar(select(DiscussionTopic))
    found = session.scalar(select(ReasonCode))
    visitor = staff_member(session, client, role)
    entries = session.scalar(select(func.count(OperatorAuditEntry.id)))
    for path in ("/backoffice/mappings", "/backoffice/mappings/reasons/new", f"/backoffice/mappings/reasons/{found.id}"):
        assert visitor.get(path).status_code == 403, path
    for path, data in [(f"/backoffice/mappings/topics/{topic.id}", {f"topic{topic.id}-message_type": "X"}),
                       ("/backoffice/mappings/reasons/new", {**REASON_FORM, "code": "NEW", "type": "REFUND"}),
                       (f"/backoffice/mappings/reasons/{found.id}", {**REASON_FORM, "active": ""}),
                       ("/backoffice/mappings/delivery/THD", {"mode-THD-marketplace_mode": "X"}),
                       ("/backoffice/mappings/payments/card", {"pay-card-code": "X"})]:
        assert visitor.post(path, data).status_code == 403, path
    assert 'data-testid="nav-mappings"' not in visitor.page("/backoffice/")
    session.expire_all()
    assert session.scalar(select(func.count(OperatorAuditEntry.id))) == entries
    assert session.get(ReasonCode, found.id).active is True


def test_reason_codes_are_searched_sorted_and_paged_keeping_type_and_search(session, client, people, monkeypatch):
    from storefront.backoffice import mappings as mapping_views

    monkeypatch.setattr(mapping_views, "PER_PAGE", 2)
    operator = staff_member(session, client)
    cancel_codes = sorted(r.code for r in session.scalars(select(ReasonCode).where(ReasonCode.type == ReasonType.CANCELATION)))
    assert len(cancel_codes) > 2
    page = operator.page("/backoffice/mappings?type=CANCELATION&sort=code&dir=asc")
    shown = re.findall(r'data-testid="reason-CANCELATION-([A-Z0-9_]+)"', page)
    assert shown == cancel_codes[:2]
    assert 'href="/backoffice/mappings?type=CANCELATION&amp;sort=code&amp;dir=asc&amp;page=2#reasons" rel="next"' in page
    assert 'href="/backoffice/mappings?type=CANCELATION&amp;sort=code&amp;dir=desc&amp;page=1#reasons"' in page
    second = operator.page("/backoffice/mappings?type=CANCELATION&sort=code&dir=asc&page=2")
    assert re.findall(r'data-testid="reason-CANCELATION-([A-Z0-9_]+)"', second) == cancel_codes[2:4]
    found = operator.page("/backoffice/mappings?q=rupture")
    assert set(re.findall(r'data-testid="reason-[A-Z_]+-([A-Z0-9_]+)"', found)) == {"OUT_OF_STOCK"}
    assert 'value="rupture"' in found
    nothing = operator.page("/backoffice/mappings?q=%3Cb%3Ezz")
    assert "No reason matches this search." in nothing and 'value="&lt;b&gt;zz"' in nothing
