"""The customer's invoice of each seller order: issued when the seller order's share is captured
(a real order placed, accepted and shipped, captured through the sandbox), in the seller's name
by the marketplace on its behalf, numbered in the seller's series without gaps, its figures
adding up per line and in total, its PDF read back with pypdf, and served to that customer only
(or to whoever holds the guest order's signed link)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.documents import render
from storefront.marketplace import (
    checkout,
    customer_invoices,
    orders,
    payment_operations,
    tracking,
)
from storefront.marketplace.models import (
    ActorRole,
    CustomerInvoice,
    IssuedDocumentChanged,
    PaymentOperation,
    PaymentOperationKind,
)
from tests import order_fixtures
from tests.finance.billing_fixtures import legal_identities
from tests.finance.test_invoices import pdf_text
from tests.order_fixtures import Visitor, html_text, part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


@pytest.fixture
def identities(session, people):
    """The retailer's and Alpha's legal identities (Alpha onboarded with its address)."""
    shop = people.shop
    legal_identities(session, shop)
    return shop


def ship(session, part, tracking_number: str) -> None:
    orders.accept(session, part, actor_role=SELLER)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number=tracking_number, actor_role=SELLER)


def invoices(session) -> list[CustomerInvoice]:
    session.expire_all()
    return list(session.scalars(select(CustomerInvoice).order_by(CustomerInvoice.id)))


def test_nothing_is_invoiced_before_the_capture(session, people, identities):
    order = place(session, people.customer, (identities.offers["alpha"], 2))
    orders.accept(session, part_of(order, identities.alpha), actor_role=SELLER)
    assert invoices(session) == []


def test_the_capture_issues_the_invoice_in_the_seller_name_with_figures_that_add_up(session, people, identities):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 2))
    part = part_of(order, shop.alpha)
    ship(session, part, "CP10000001FR")

    [invoice] = invoices(session)
    year = invoice.issue_date.year
    assert invoice.number == f"ALPHA-{year}-000001" and invoice.sequence == 1
    assert invoice.seller_order_id == part.id and invoice.customer_order_id == order.id
    assert invoice.order_number == part.number and invoice.customer_order_number == order.number
    # Issued by the seller, as onboarding knows it; by the retailer on its behalf.
    assert invoice.issuer["legal_name"] == "Alpha Maison SARL"
    assert (invoice.issuer["siren"], invoice.issuer["siret"], invoice.issuer["vat_number"]) == (
        "732829320", "73282932000074", "FR44732829320")
    assert invoice.issuer["address"] == "3 quai de la Fosse" and invoice.issuer["postal_code"] == "44000"
    assert invoice.on_behalf_of["legal_name"] == "Storefront SAS"
    assert invoice.customer["name"] == "Camille Martin" and invoice.customer["city"] == "Paris"
    assert invoice.customer["address"] == "12 rue de la Paix" and invoice.customer["postal_code"] == "75002"

    product, shipping = invoice.lines
    assert (product["kind"], product["title"], product["quantity"], product["unit_price"]) == (
        "product", "Sèche-linge pompe à chaleur", 2, 1500)
    # 30,00 € TTC at 20 %: 25,00 € HT and 5,00 € VAT.
    assert (product["total_ttc"], product["total_ht"], product["vat"]) == (3000, 2500, 500)
    # Alpha's cheapest delivery (relay), 3,90 € + 1,00 € for the second item = 4,90 € TTC:
    # 4,08 € HT (4,0833… rounded) + 0,82 € VAT.
    assert (shipping["kind"], shipping["total_ttc"], shipping["total_ht"], shipping["vat"]) == ("shipping", 490, 408, 82)
    for line in invoice.lines:
        assert line["total_ht"] + line["vat"] == line["total_ttc"]
    assert (invoice.total_ht, invoice.vat, invoice.total_ttc) == (2908, 582, 3490)
    assert invoice.total_ttc == sum(line["total_ttc"] for line in invoice.lines)
    # What the invoice says is what was charged.
    capture = session.scalar(select(PaymentOperation).where(
        PaymentOperation.seller_order_id == part.id, PaymentOperation.kind == PaymentOperationKind.CAPTURE))
    assert invoice.total_ttc == capture.amount and invoice.payment_operation_id == capture.id


@pytest.mark.parametrize("ttc", [0, 1, 5, 6, 7, 99, 100, 101, 599, 1199, 123457])
def test_the_split_of_a_price_including_vat_adds_up(ttc):
    ht, vat = customer_invoices.split_ttc(ttc)
    assert ht + vat == ttc and vat >= 0
    # The nearest cent to the exact amount excluding tax.
    assert abs(ht * 12000 - ttc * 10000) <= 6000


def test_numbers_follow_each_other_per_seller_and_an_issued_invoice_never_changes(session, people, identities):
    shop = identities
    first = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    second = place(session, people.other_customer, (shop.offers["alpha"], 1))
    ship(session, part_of(first, shop.alpha), "CP10000002FR")
    ship(session, part_of(first, shop.beta), "CP10000003FR")
    ship(session, part_of(second, shop.alpha), "CP10000004FR")
    numbers = [invoice.number.rsplit("-", 2)[::2] for invoice in invoices(session)]
    assert numbers == [["ALPHA", "000001"], ["BETA", "000001"], ["ALPHA", "000002"]]
    invoice = invoices(session)[0]
    invoice.total_ttc += 1
    with pytest.raises(IssuedDocumentChanged):
        session.flush()
    session.rollback()


def test_a_capture_recorded_again_issues_nothing_more(session, people, identities, app):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    ship(session, part, "CP10000005FR")
    [invoice] = invoices(session)
    # The back office's capture button, the worker's sweep, the answer recorded again: the
    # same capture, the same invoice, no number consumed.
    assert payment_operations.capture(session, part).id == invoice.payment_operation_id
    provider = app.extensions["payment_provider"]
    assert payment_operations.settle_due(session, provider) == 0
    operation = session.get(PaymentOperation, invoice.payment_operation_id)
    assert customer_invoices.issue_for_capture(session, operation, operation.done_at).id == invoice.id
    session.commit()
    assert [i.id for i in invoices(session)] == [invoice.id]
    assert session.scalar(select(func.count()).select_from(CustomerInvoice)) == 1


def test_a_capture_the_provider_could_not_make_at_first_is_invoiced_when_it_is_made(session, people, identities, app):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    provider = app.extensions["payment_provider"]
    provider.outage(1)
    try:
        ship(session, part_of(order, shop.alpha), "CP10000006FR")
    finally:
        provider.outage(0)
    assert invoices(session) == []
    later = session.scalar(select(PaymentOperation.next_attempt_at).where(PaymentOperation.kind == PaymentOperationKind.CAPTURE))
    assert payment_operations.settle_due(session, provider, now=later) == 1
    [invoice] = invoices(session)
    assert invoice.number.endswith("-000001")


def test_the_pdf_carries_the_legal_mentions_and_totals(session, people, identities):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 2))
    part = part_of(order, shop.alpha)
    ship(session, part, "CP10000007FR")
    [invoice] = invoices(session)
    text = pdf_text(render.customer_invoice_pdf(invoice))
    assert f"FACTURE N° {invoice.number}" in text
    assert "Facture émise par Storefront SAS au nom et pour le compte de Alpha Maison SARL" in text
    assert "Alpha Maison SARL" in text and "SIREN : 732829320" in text and "SIRET : 73282932000074" in text
    assert "FR44732829320" in text and "3 quai de la Fosse" in text
    assert "Camille Martin" in text and "12 rue de la Paix" in text
    assert part.number in text
    assert "Sèche-linge pompe à chaleur" in text and "Frais de port" in text
    assert "Total HT 29,08 €" in text and "TVA 20 % 5,82 €" in text and "Total TTC 34,90 €" in text
    assert "25,00 €" in text and "5,00 €" in text  # the product line's HT and VAT


def _order_page(client, person, number):
    visitor = Visitor(client).log_in(person)
    response = visitor.get(f"/commande/mes-commandes/{number}")
    return visitor, response


def test_the_order_page_links_the_invoice_and_serves_it_to_that_customer_only(client, session, people, identities):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    number = order.number
    ship(session, part_of(order, shop.alpha), "CP10000008FR")
    [invoice] = invoices(session)
    url = f"/commande/mes-commandes/{number}/factures/{invoice.id}.pdf"

    visitor, response = _order_page(client, people.customer, number)
    raw = response.get_data(as_text=True)
    assert f'href="{url}"' in raw
    assert raw.count('data-testid="order-invoice"') == 1  # Beta has not shipped: no invoice yet
    assert f"Invoice {invoice.number}" in html_text(raw)
    download = visitor.get(url)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="facture-{invoice.number}.pdf"'
    assert "no-store" in download.headers["Cache-Control"]
    assert invoice.number in pdf_text(download.get_data())
    visitor.post("/compte/deconnexion")

    # Another customer: neither the order nor its invoice exists for them, whatever the path.
    other_order = place(session, people.other_customer, (shop.offers["alpha"], 1))
    other, response = _order_page(client, people.other_customer, number)
    assert response.status_code == 404
    assert other.get(url).status_code == 404
    assert other.get(f"/commande/mes-commandes/{other_order.number}/factures/{invoice.id}.pdf").status_code == 404
    other.post("/compte/deconnexion")
    # Signed out: the sign-in page, not the file.
    assert client.get(url).status_code in (302, 401)


def test_the_order_page_in_french(client, session, people, identities):
    shop = identities
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    ship(session, part_of(order, shop.alpha), "CP10000009FR")
    [invoice] = invoices(session)
    visitor = Visitor(client).log_in(people.customer)
    visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    try:
        page = html_text(visitor.get(f"/commande/mes-commandes/{order.number}").get_data(as_text=True))
    finally:
        visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Factures" in page and f"Facture {invoice.number}" in page


def test_a_guest_gets_the_invoice_through_the_order_signed_link(client, session, people, identities):
    shop = identities
    order = place(session, None, (shop.offers["alpha"], 1), email="guest@example.com")
    ship(session, part_of(order, shop.alpha), "CP10000010FR")
    [invoice] = invoices(session)
    token = checkout.order_link_token(order, current_app.secret_key)
    page = client.get(f"/commande/suivi/{token}").get_data(as_text=True)
    url = f"/commande/suivi/{token}/factures/{invoice.id}.pdf"
    assert f'href="{url}"' in page
    download = client.get(url)
    assert download.status_code == 200 and invoice.number in pdf_text(download.get_data())
    assert "no-store" in download.headers["Cache-Control"]
    # Another order's link does not open this invoice; a forged link opens nothing.
    other = place(session, None, (shop.offers["alpha"], 1), email="someone@example.com")
    other_token = checkout.order_link_token(other, current_app.secret_key)
    assert client.get(f"/commande/suivi/{other_token}/factures/{invoice.id}.pdf").status_code == 404
    assert client.get(f"/commande/suivi/{'a' * 40}/factures/{invoice.id}.pdf").status_code == 404


def test_the_retailer_own_sale_is_invoiced_in_its_own_name_without_the_mandate_mention(session, people, identities):
    shop = identities
    order = place(session, people.customer, (shop.offers["first_party"], 1))
    # The retailer's own orders are accepted as they are placed.
    tracking.ship(session, part_of(order, shop.retailer), carrier_code="COLISSIMO",
                  tracking_number="CP10000011FR", actor_role=SELLER)
    [invoice] = invoices(session)
    assert invoice.number.startswith(shop.retailer.code.upper() + "-")
    assert invoice.on_behalf_of is None and invoice.issuer["legal_name"] == "Storefront SAS"
    text = pdf_text(render.customer_invoice_pdf(invoice))
    assert "au nom et pour le compte de" not in text and "Storefront SAS" in text
    assert "SIREN : 552100554" in text
