"""Commission invoices and credit notes from real orders (placed, shipped, captured and refunded
through the sandbox), their PDFs read back with pypdf for the French legal mentions and totals,
the statement's PDF and CSV, and the texts a merchant replaces."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import select

from storefront.documents import layout, render
from storefront.marketplace import billing, orders, tracking
from storefront.marketplace.models import (
    ActorRole,
    BillingDocument,
    BillingDocumentKind,
    Statement,
    utcnow,
)
from tests import order_fixtures
from tests.finance.billing_fixtures import (
    K,
    entry,
    legal_identities,
    onboarded_seller,
    paris,
    retailer,
    sale,
)
from tests.order_fixtures import part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def billed(session, people):
    """Alpha sells 2 × 15,00 € at 12 % (the shop's rate), ships, then refunds 5,00 € of it;
    the period is closed a month and a half later."""
    shop = people.shop
    legal_identities(session, shop)

    order = place(session, people.customer, (shop.offers["alpha"], 2))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="CP12345FR", actor_role=SELLER)
    orders.refund(session, part, amount=500, reason_code="DAMAGED", actor_role=SELLER, line_id=part.lines[0].id)
    later = utcnow() + timedelta(days=45)
    billing.close_ended_periods(session, later)
    statement = session.scalar(select(Statement).where(Statement.seller_id == shop.alpha.id))
    return statement, part


def test_the_invoice_and_credit_note_of_real_orders_carry_the_commissions_by_rate(session, billed):
    statement, part = billed
    assert (statement.sales, statement.refunds, statement.commissions, statement.commission_refunds) == (
        3_000, -500, -360, 60)
    invoice, credit = billing.documents_of(session, statement)
    [line] = invoice.lines
    assert (line["description"], line["base"], line["rate_bp"], line["amount"]) == ("sales_invoice", 3_000, 1200, 360)
    assert (invoice.total_ht, invoice.vat, invoice.total_ttc) == (360, 72, 432)
    [line] = credit.lines
    assert (line["description"], line["base"], line["rate_bp"], line["amount"]) == ("sales_credit", 500, 1200, 60)
    assert (credit.total_ht, credit.vat, credit.total_ttc) == (60, 12, 72)


def test_the_invoice_pdf_carries_the_french_legal_mentions_and_totals(session, billed):
    statement, _ = billed
    invoice, credit = billing.documents_of(session, statement)
    text = pdf_text(render.document_pdf(invoice))
    year = invoice.issue_date.year
    for mention in [
        f"FACTURE N° FC-{year}-000001",
        f"Date d’émission : {invoice.issue_date:%d/%m/%Y}",
        f"Échéance : {invoice.due_date:%d/%m/%Y}",
        # Both parties: legal name, address, SIREN, SIRET, VAT number.
        "Storefront SAS", "12 rue de la République, 69002", "SIREN : 552100554", "SIRET : 55210055400013",
        "FR40552100554",
        "Alpha Maison SARL", "3 quai de la Fosse", "44000 Nantes", "SIREN : 732829320", "SIRET : 73282932000074",
        "FR44732829320",
        "Commission sur les ventes de la période du",
        "30,00 €", "12 %", "Total HT 3,60 €", "TVA 20 % 0,72 €", "Total TTC 4,32 €",
        "Conditions de paiement : à 30 jours", "40 €", "L441-10",
    ]:
        assert mention in text, (mention, text)

    credit_text = pdf_text(render.document_pdf(credit))
    for mention in [f"AVOIR N° AV-{year}-000001", "Commission remboursée", "5,00 €", "Total HT 0,60 €",
                    "TVA 20 % 0,12 €", "Total TTC 0,72 €", "SIREN : 732829320"]:
        assert mention in credit_text, (mention, credit_text)


def test_the_statement_pdf_and_csv_add_up_to_the_statement(session, billed):
    statement, part = billed
    text = pdf_text(render.statement_pdf(session, statement))
    for mention in ["RELEVÉ VENDEUR", "Ventes 30,00 €", "Remboursements -5,00 €", "Commissions -3,60 €",
                    "Commissions remboursées 0,60 €", f"Montant à verser {layout.euros(statement.payable)}",
                    "FC-", "AV-", part.number]:
        assert mention in text, (mention, text)

    rows = list(csv.DictReader(io.StringIO(render.statement_lines_csv(session, statement))))
    assert len(rows) == statement.entry_count
    assert sum(int(row["amount_cents"]) for row in rows) == statement.total
    # Every line names its order, but the VAT of the documents, which names the document.
    assert {row["order"] for row in rows if row["kind"] != "COMMISSION_VAT"} == {part.number}
    assert {row["reference"][:3] for row in rows if row["kind"] == "COMMISSION_VAT"} == {"FC-", "AV-"}
    assert {row["kind"] for row in rows} >= {"CAPTURE", "COMMISSION", "REFUND", "COMMISSION_REFUND", "COMMISSION_VAT"}


def test_an_english_speaking_seller_gets_french_first_then_english(session):
    retailer(session)
    seller = onboarded_seller(session, "gamma", locale="en")
    sale(session, seller, paris(2026, 11, 3), price=10_000, commission=1_500)
    entry(session, seller, K.SHIPPING_FEE, 0, paris(2026, 11, 3))
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))
    [invoice] = session.scalars(select(BillingDocument)).all()
    text = pdf_text(render.document_pdf(invoice))
    assert "FACTURE / INVOICE N° / No. FC-2026-000001" in text
    assert "Total TTC / Total incl. VAT 18,00 €" in text


def test_a_theme_replaces_the_texts_it_names(tmp_path, session):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "texts.json").write_text(json.dumps(
        {"fr": {"invoice_title": "FACTURE DE COMMISSION", "unknown": "x"}, "de": {"x": "y"}}), encoding="utf-8")
    overrides = layout.load_overrides(tmp_path)
    assert overrides == {"fr": {"invoice_title": "FACTURE DE COMMISSION"}}
    retailer(session)
    seller = onboarded_seller(session, "delta")
    sale(session, seller, paris(2026, 11, 3), price=10_000, commission=1_000)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))
    invoice = session.scalar(select(BillingDocument).where(BillingDocument.kind == BillingDocumentKind.COMMISSION_INVOICE))
    assert "FACTURE DE COMMISSION N° FC-2026-000001" in pdf_text(render.document_pdf(invoice, overrides))


def test_money_and_rates_in_french_writing():
    assert layout.euros(123456) == "1 234,56 €"
    assert layout.euros(-5) == "-0,05 €"
    assert layout.percent(1250) == "12,5 %" and layout.percent(2000) == "20 %"
    assert billing.vat_of(360) == 72 and billing.vat_of(3) == 1 and billing.vat_of(2) == 0
