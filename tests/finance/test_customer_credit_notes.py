"""The customer's credit note ("facture d'avoir") after money went back: issued when the provider
has made the refund (as the invoice is when it made the capture), in the seller's name, naming
the invoice it corrects, in the seller's own series without gaps (also at once on PostgreSQL),
once per refund however often it is retried; its PDF read back with pypdf; served from the
order page to that customer only (or the guest's signed link)."""

from __future__ import annotations

import threading

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.documents import render
from storefront.extensions import db
from storefront.marketplace import (
    checkout,
    customer_invoices,
    orders,
    payment_operations,
    preferences,
)
from storefront.marketplace.models import (
    ActorRole,
    CustomerCreditNote,
    IssuedDocumentChanged,
    PaymentOperation,
    PaymentOperationKind,
    PaymentOperationStatus,
    ReasonType,
)
from tests import order_fixtures
from tests.conftest import POSTGRES
from tests.finance.billing_fixtures import legal_identities
from tests.finance.test_customer_invoices import invoices, ship
from tests.finance.test_invoices import pdf_text
from tests.order_fixtures import Visitor, html_text, part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


@pytest.fixture
def shop(session, people):
    legal_identities(session, people.shop)
    return people.shop


def notes(session) -> list[CustomerCreditNote]:
    session.expire_all()
    return list(session.scalars(select(CustomerCreditNote).order_by(CustomerCreditNote.id)))


def shipped(session, customer, shop, quantity=2, tracking="CP20000001FR"):
    order = place(session, customer, (shop.offers["alpha"], quantity))
    part = part_of(order, shop.alpha)
    ship(session, part, tracking)
    return order, part


def test_a_refund_made_by_the_provider_issues_the_credit_note_of_the_invoice(session, people, shop):
    order, part = shipped(session, people.customer, shop)
    [invoice] = invoices(session)
    assert notes(session) == []
    orders.refund(session, part, amount=600, shipping_amount=100, reason_code="DAMAGED", actor_role=SELLER)

    [note] = notes(session)
    year = note.issue_date.year
    assert note.number == f"ALPHA-AV-{year}-000001" and note.sequence == 1
    assert (note.invoice_id, note.invoice_number, note.invoice_date) == (invoice.id, invoice.number, invoice.issue_date)
    assert note.seller_order_id == part.id and note.customer_order_id == order.id and note.refund_id is not None
    assert note.issuer == invoice.issuer and note.on_behalf_of == invoice.on_behalf_of
    assert note.customer == invoice.customer
    product, shipping = note.lines
    # 6,00 € TTC given back: 5,00 € HT + 1,00 € VAT; 1,00 € of shipping: 0,83 € + 0,17 €.
    assert (product["title"], product["total_ttc"], product["total_ht"], product["vat"]) == (
        "Sèche-linge pompe à chaleur", 600, 500, 100)
    assert (shipping["kind"], shipping["total_ttc"], shipping["total_ht"], shipping["vat"]) == ("shipping", 100, 83, 17)
    assert (note.total_ht, note.vat, note.total_ttc) == (583, 117, 700)
    refund_op = session.get(PaymentOperation, note.payment_operation_id)
    assert refund_op.kind == PaymentOperationKind.REFUND and refund_op.amount == note.total_ttc

    # A second refund: the next number of the seller's series of credit notes.
    orders.refund(session, part, amount=400, reason_code="DAMAGED", actor_role=SELLER)
    assert [n.number for n in notes(session)] == [f"ALPHA-AV-{year}-000001", f"ALPHA-AV-{year}-000002"]
    # Issued, never changed.
    first = notes(session)[0]
    first.total_ttc += 1
    with pytest.raises(IssuedDocumentChanged):
        session.flush()
    session.rollback()


def test_a_refund_retried_by_the_worker_issues_one_credit_note(session, people, shop, app):
    _order, part = shipped(session, people.customer, shop)
    provider = app.extensions["payment_provider"]
    provider.outage(1)
    try:
        orders.refund(session, part, amount=500, reason_code="DAMAGED", actor_role=SELLER)
    finally:
        provider.outage(0)
    # The provider could not be reached: no money went back, no credit note, no number taken.
    assert notes(session) == []
    operation = session.scalar(select(PaymentOperation).where(PaymentOperation.kind == PaymentOperationKind.REFUND))
    assert operation.status == PaymentOperationStatus.PENDING
    later = operation.next_attempt_at
    assert payment_operations.settle_due(session, provider, now=later) == 1
    assert payment_operations.settle_due(session, provider, now=later) == 0
    assert payment_operations.settle(session, provider, operation.id) == PaymentOperationStatus.DONE
    [note] = notes(session)
    assert note.number.endswith("-000001") and note.total_ttc == 500
    # The answer recorded again: the same credit note.
    operation = session.get(PaymentOperation, operation.id)
    assert customer_invoices.issue_credit_note(session, operation, operation.done_at).id == note.id
    session.commit()
    assert session.scalar(select(func.count()).select_from(CustomerCreditNote)) == 1


def test_units_cancelled_after_a_capture_at_acceptance_are_credited_too(session, people, shop):
    preferences.set(session, "capture_at", "accept")
    session.commit()
    order = place(session, people.customer, (shop.offers["alpha"], 2))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    [invoice] = invoices(session)
    line = part.lines[0]
    reason = orders.reason_codes(session, ReasonType.CANCELATION, SELLER)[0]
    orders.cancel_lines(session, part, {line.id: 1}, reason_code=reason.code, actor_role=SELLER)
    [note] = notes(session)
    assert note.refund_id is None and note.invoice_number == invoice.number
    assert note.lines[0]["total_ttc"] == line.unit_price


def test_no_invoice_no_credit_note(session, people, shop):
    """A refund operation of a seller order never invoiced (an order from before invoices) has
    no invoice to correct: nothing is issued, and nothing fails."""
    _order, part = shipped(session, people.customer, shop)
    [invoice] = invoices(session)
    operation = session.get(PaymentOperation, invoice.payment_operation_id)
    assert customer_invoices.issue_credit_note(session, operation, operation.done_at) is None  # a capture


def test_the_pdf_names_the_invoice_and_carries_the_legal_mentions(session, people, shop):
    _order, part = shipped(session, people.customer, shop)
    orders.refund(session, part, amount=600, shipping_amount=100, reason_code="DAMAGED", actor_role=SELLER)
    [invoice] = invoices(session)
    [note] = notes(session)
    text = pdf_text(render.customer_credit_note_pdf(note))
    assert f"AVOIR N° {note.number}" in text
    assert f"Avoir sur la facture n° {invoice.number} du " in text
    assert "Avoir émis par Storefront SAS au nom et pour le compte de Alpha Maison SARL" in text
    assert "SIREN : 732829320" in text and "SIRET : 73282932000074" in text and "FR44732829320" in text
    assert "Camille Martin" in text and part.number in text
    assert "Remboursement : Sèche-linge pompe à chaleur" in text and "Frais de port" in text
    assert "Total HT 5,83 €" in text and "TVA 20 % 1,17 €" in text and "Total TTC 7,00 €" in text
    assert "Montant remboursé sur le moyen de paiement de la commande" in text


def test_the_order_page_links_the_credit_note_for_that_customer_only(client, session, people, shop):
    order, part = shipped(session, people.customer, shop)
    number = order.number
    orders.refund(session, part, amount=600, reason_code="DAMAGED", actor_role=SELLER)
    [note] = notes(session)
    url = f"/commande/mes-commandes/{number}/avoirs/{note.id}.pdf"

    visitor = Visitor(client).log_in(people.customer)
    raw = visitor.get(f"/commande/mes-commandes/{number}").get_data(as_text=True)
    assert f'href="{url}"' in raw and 'data-testid="order-credit-note"' in raw
    assert f"Credit note {note.number}" in html_text(raw)
    download = visitor.get(url)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="avoir-{note.number}.pdf"'
    assert "no-store" in download.headers["Cache-Control"]
    assert note.number in pdf_text(download.get_data())
    visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    try:
        french = html_text(visitor.get(f"/commande/mes-commandes/{number}").get_data(as_text=True))
    finally:
        visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert f"Avoir {note.number}" in french and "remboursé 6,00" in french
    visitor.post("/compte/deconnexion")

    # Another customer: 404 by this order's path and by their own order's.
    other_order = place(session, people.other_customer, (shop.offers["alpha"], 1))
    other = Visitor(client).log_in(people.other_customer)
    assert other.get(url).status_code == 404
    assert other.get(f"/commande/mes-commandes/{other_order.number}/avoirs/{note.id}.pdf").status_code == 404
    other.post("/compte/deconnexion")
    assert client.get(url).status_code in (302, 401)


def test_a_guest_gets_the_credit_note_through_the_order_signed_link(client, session, people, shop):
    order = place(session, None, (shop.offers["alpha"], 1), email="guest@example.com")
    part = part_of(order, shop.alpha)
    ship(session, part, "CP20000002FR")
    orders.refund(session, part, amount=300, reason_code="DAMAGED", actor_role=SELLER)
    [note] = notes(session)
    token = checkout.order_link_token(order, current_app.secret_key)
    page = client.get(f"/commande/suivi/{token}").get_data(as_text=True)
    url = f"/commande/suivi/{token}/avoirs/{note.id}.pdf"
    assert f'href="{url}"' in page
    download = client.get(url)
    assert download.status_code == 200 and note.number in pdf_text(download.get_data())
    other = place(session, None, (shop.offers["alpha"], 1), email="someone@example.com")
    other_token = checkout.order_link_token(other, current_app.secret_key)
    assert client.get(f"/commande/suivi/{other_token}/avoirs/{note.id}.pdf").status_code == 404
    assert client.get(f"/commande/suivi/{'a' * 40}/avoirs/{note.id}.pdf").status_code == 404


@pytest.mark.skipif(not POSTGRES, reason="row locks (SELECT … FOR UPDATE) need PostgreSQL")
def test_refunds_made_at_once_number_without_gaps_and_each_once(session, people, shop, app):
    shop.offers["alpha"].stock = 20
    session.commit()
    parts = [shipped(session, people.customer, shop, 1, f"CP2100000{n}FR")[1] for n in range(6)]
    provider = app.extensions["payment_provider"]
    provider.outage(len(parts))
    try:
        for part in parts:
            orders.refund(session, part, amount=200, reason_code="DAMAGED", actor_role=SELLER)
    finally:
        provider.outage(0)
    assert notes(session) == []
    ids = list(session.scalars(select(PaymentOperation.id).where(
        PaymentOperation.kind == PaymentOperationKind.REFUND).order_by(PaymentOperation.id)))
    session.commit()
    start, errors, engine = threading.Barrier(4), [], db.engine

    def settle_all(mine):
        try:
            with app.app_context(), Session(engine) as own:
                start.wait()
                for operation_id in mine:
                    payment_operations.settle(own, provider, operation_id)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    # Two workers on every other refund, two more on the same ones again (a retry racing).
    jobs = [ids[0::2], ids[1::2], ids[0::2], ids[1::2]]
    threads = [threading.Thread(target=settle_all, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    found = notes(session)
    assert sorted(n.sequence for n in found) == list(range(1, len(parts) + 1))
    assert sorted(n.payment_operation_id for n in found) == ids
