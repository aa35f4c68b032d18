"""A statement's or a document's file, from the database: what the portal's downloads (and any
other reader: the back office, the API) send. Reads only what the document needs, in a few
queries whatever its number of lines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.marketplace import billing
from storefront.marketplace.models import (
    BillingDocument,
    BillingPeriod,
    CustomerCreditNote,
    CustomerInvoice,
    Seller,
    SellerOrder,
    Statement,
)

from . import pdf
from .layout import Texts
from .statement_csv import statement_csv


def _order_numbers(session: Session, lines) -> dict[int, str]:
    ids = {entry.seller_order_id for entry in lines if entry.seller_order_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(SellerOrder.id, SellerOrder.number).where(SellerOrder.id.in_(ids))).all())


def statement_pdf(session: Session, statement: Statement, overrides: dict | None = None) -> bytes:
    lines = billing.statement_lines(session, statement)
    documents = billing.documents_of(session, statement)
    if documents:
        party, locale = documents[0].recipient, documents[0].locale
    else:
        party, locale = billing.seller_party(session, session.get(Seller, statement.seller_id))
    period = session.get(BillingPeriod, statement.period_id)
    return pdf.statement_pdf(statement, period, party, documents, lines, Texts(locale, overrides),
                             order_numbers=_order_numbers(session, lines))


def statement_lines_csv(session: Session, statement: Statement) -> str:
    lines = billing.statement_lines(session, statement)
    return statement_csv(lines, order_numbers=_order_numbers(session, lines))


def customer_invoice_pdf(invoice: CustomerInvoice, overrides: dict | None = None) -> bytes:
    """A seller order's invoice to its customer, in French (and the order's language beside)."""
    return pdf.customer_invoice_pdf(invoice, Texts(invoice.locale, overrides))


def customer_credit_note_pdf(note: CustomerCreditNote, overrides: dict | None = None) -> bytes:
    """The credit note of money given back to a customer, in French (and the order's language)."""
    return pdf.customer_credit_note_pdf(note, Texts(note.locale, overrides))


def document_pdf(document: BillingDocument, overrides: dict | None = None) -> bytes:
    return pdf.document_pdf(document, Texts(document.locale, overrides), statement_id=document.statement_id)
