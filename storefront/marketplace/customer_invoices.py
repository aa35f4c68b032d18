"""The customer's invoice of each seller order, issued by the marketplace in the seller's name and
on its behalf ("facture émise par la marketplace au nom et pour le compte de <seller>").

It is issued when the seller order's share is captured: :func:`issue_for_capture` runs in the
transaction that records the provider's answer and writes the CAPTURE ledger entries
(``payment_operations.settle``), so that an invoice exists exactly when the money was taken.
One per seller order (a unique seller order, and a look first): a capture recorded again issues
nothing more. Its number comes from the seller's own series without gaps
(``<SELLER CODE>-<year>-<n>``, ``invoice_numbers``), and its figures are stored as issued (the
PDF is drawn from them again, the same every time).

Prices are VAT included at 20 %: each line's amount excluding tax is its amount including tax
divided by 1.2, rounded half up to the cent, and its VAT the difference, so that HT + TVA = TTC
on every line and the totals (sums of the lines) add up too.

Money given back after the invoice (a refund, or units cancelled after the capture) gets a
**credit note** ("facture d'avoir", :func:`issue_credit_note`), the invoice standing as issued.
It is issued when the provider has given the money back, in the transaction that records its
answer and writes the REFUND ledger entries (``payment_operations.settle``), for the same reason
the invoice waits for the capture: the document says what happened to the customer's money,
and a refund the provider declines (or has not made yet) gave nothing back. One per refund
operation (its unique ``payment_operation_id``, and a look first): a refund retried by the
worker, or its answer recorded again, issues nothing more. It names the invoice it corrects, is
issued in the same names (the invoice's parties), and is numbered in the seller's own series of
credit notes without gaps (``<SELLER CODE>-AV-<year>-<n>``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import billing, invoice_numbers, sellers
from . import clock as shop_clock
from .errors import NotFound
from .models import (
    CustomerCreditNote,
    CustomerInvoice,
    CustomerOrder,
    OrderLine,
    PaymentOperation,
    PaymentOperationKind,
    Seller,
    SellerOrder,
)

VAT_RATE_BP = billing.VAT_RATE_BP


def split_ttc(amount_ttc: int, rate_bp: int = VAT_RATE_BP) -> tuple[int, int]:
    """``amount_ttc`` cents including VAT at ``rate_bp`` as (excluding tax, VAT), rounded half
    up to the cent on the amount excluding tax; the two add up to ``amount_ttc`` exactly."""
    divisor = 10000 + rate_bp
    sign = -1 if amount_ttc < 0 else 1
    ht = sign * ((abs(amount_ttc) * 10000 * 2 + divisor) // (2 * divisor))
    return ht, amount_ttc - ht


def series_of(seller_id: int) -> str:
    """The counter's series of a seller's customer invoices (the printed number carries the
    seller's code)."""
    return f"C{seller_id}"


def credit_note_series_of(seller_id: int) -> str:
    """The counter's series of a seller's credit notes to customers (printed ``<CODE>-AV``)."""
    return f"A{seller_id}"


def _customer(order: CustomerOrder) -> dict:
    return {
        "name": order.ship_name, "email": order.email, "address": order.ship_line1,
        "address2": order.ship_line2, "postal_code": order.ship_postal_code, "city": order.ship_city,
        "country": order.ship_country,
    }


def _marketplace(session: Session, seller: Seller) -> dict | None:
    """Who issues the invoice on the seller's behalf: the retailer's legal identity (None when
    the seller is the retailer itself: its own sale, its own invoice)."""
    if seller.is_operator:
        return None
    try:
        return billing.retailer_party(session)
    except NotFound:
        # No retailer set up: the mention still names the marketplace, without its identity.
        retailer = sellers.operator_seller(session, required=False)
        return {"name": retailer.name if retailer else "", "legal_name": retailer.legal_name if retailer else ""}


def issue_for_capture(session: Session, operation: PaymentOperation, at: datetime) -> CustomerInvoice | None:
    """The invoice of the seller order ``operation`` (a capture the provider has carried out)
    took the money of, in the caller's transaction; the existing one if it was issued already;
    None for anything else than a capture with something captured."""
    if operation.kind != PaymentOperationKind.CAPTURE or operation.seller_order_id is None or not operation.amount:
        return None
    existing = invoice_of_seller_order(session, operation.seller_order_id)
    if existing is not None:
        return existing
    seller_order = session.get(SellerOrder, operation.seller_order_id)
    customer_order = session.get(CustomerOrder, seller_order.customer_order_id)
    seller = session.get(Seller, seller_order.seller_id)
    breakdown = operation.breakdown or {}
    captured = [(int(line_id), int(amount)) for line_id, amount in breakdown.get("lines", [])]
    order_lines = {
        line.id: line for line in session.scalars(
            select(OrderLine).where(OrderLine.id.in_([line_id for line_id, _ in captured])))
    }
    lines = []
    for line_id, amount in captured:
        line = order_lines[line_id]
        quantity = line.quantity - line.quantity_canceled
        if quantity <= 0 or line.unit_price * quantity != amount:
            # What was captured is not a whole number of units at the line's price: one unit
            # of the amount captured (never seen: a capture takes the live units).
            quantity, unit_price = 1, amount
        else:
            unit_price = line.unit_price
        ht, vat = split_ttc(amount)
        lines.append({"kind": "product", "title": line.title, "sku": line.sku, "quantity": quantity,
                      "unit_price": unit_price, "total_ttc": amount, "total_ht": ht, "vat": vat})
    shipping = int(breakdown.get("shipping", 0))
    if shipping:
        ht, vat = split_ttc(shipping)
        lines.append({"kind": "shipping", "title": "", "sku": "", "quantity": 1, "unit_price": shipping,
                      "total_ttc": shipping, "total_ht": ht, "vat": vat})
    issuer, locale = billing.seller_party(session, seller)
    clock = shop_clock.of(session)
    issue_date = clock.local_date(at)
    series = series_of(seller.id)
    sequence, number = invoice_numbers.allocate(session, series, issue_date.year, label=seller.code.upper())
    total_ht = sum(line["total_ht"] for line in lines)
    vat = sum(line["vat"] for line in lines)
    invoice = CustomerInvoice(
        series=series, year=issue_date.year, sequence=sequence, number=number,
        seller_order_id=seller_order.id, customer_order_id=customer_order.id, seller_id=seller.id,
        payment_operation_id=operation.id, order_number=seller_order.number,
        customer_order_number=customer_order.number,
        order_date=clock.local_date(customer_order.created_at), issue_date=issue_date,
        currency=operation.currency, issuer=issuer, on_behalf_of=_marketplace(session, seller),
        customer=_customer(customer_order), lines=lines, total_ht=total_ht, vat_rate_bp=VAT_RATE_BP,
        vat=vat, total_ttc=total_ht + vat, locale=customer_order.locale or "fr", created_at=at,
    )
    session.add(invoice)
    session.flush()
    return invoice


def issue_credit_note(session: Session, operation: PaymentOperation, at: datetime) -> CustomerCreditNote | None:
    """The credit note of the money ``operation`` (a refund the provider has carried out) gave
    back, in the caller's transaction; the existing one if it was issued already; None for
    anything else, or for a seller order that was never invoiced (nothing to correct)."""
    if operation.kind != PaymentOperationKind.REFUND or operation.seller_order_id is None or not operation.amount:
        return None
    existing = session.scalar(
        select(CustomerCreditNote).where(CustomerCreditNote.payment_operation_id == operation.id))
    if existing is not None:
        return existing
    invoice = invoice_of_seller_order(session, operation.seller_order_id)
    if invoice is None:
        return None
    breakdown = operation.breakdown or {}
    given_back = [(int(line_id), int(amount)) for line_id, amount in breakdown.get("lines", []) if int(amount)]
    order_lines = {
        line.id: line for line in session.scalars(
            select(OrderLine).where(OrderLine.id.in_([line_id for line_id, _ in given_back])))
    }
    lines = []
    for line_id, amount in given_back:
        line = order_lines[line_id]
        ht, vat = split_ttc(amount)
        lines.append({"kind": "product", "title": line.title, "sku": line.sku,
                      "total_ttc": amount, "total_ht": ht, "vat": vat})
    shipping = int(breakdown.get("shipping", 0))
    if shipping:
        ht, vat = split_ttc(shipping)
        lines.append({"kind": "shipping", "title": "", "sku": "", "total_ttc": shipping,
                      "total_ht": ht, "vat": vat})
    seller = session.get(Seller, invoice.seller_id)
    issue_date = shop_clock.of(session).local_date(at)
    series = credit_note_series_of(seller.id)
    sequence, number = invoice_numbers.allocate(session, series, issue_date.year,
                                                label=f"{seller.code.upper()}-AV")
    total_ht = sum(line["total_ht"] for line in lines)
    vat = sum(line["vat"] for line in lines)
    note = CustomerCreditNote(
        series=series, year=issue_date.year, sequence=sequence, number=number,
        invoice_id=invoice.id, invoice_number=invoice.number, invoice_date=invoice.issue_date,
        seller_order_id=invoice.seller_order_id, customer_order_id=invoice.customer_order_id,
        seller_id=invoice.seller_id, payment_operation_id=operation.id, refund_id=operation.refund_id,
        order_number=invoice.order_number, customer_order_number=invoice.customer_order_number,
        issue_date=issue_date, currency=operation.currency,
        # The invoice's parties: the credit note corrects that invoice, between the same people.
        issuer=invoice.issuer, on_behalf_of=invoice.on_behalf_of, customer=invoice.customer,
        lines=lines, total_ht=total_ht, vat_rate_bp=VAT_RATE_BP, vat=vat, total_ttc=total_ht + vat,
        locale=invoice.locale, created_at=at,
    )
    session.add(note)
    session.flush()
    return note


# --- Reads (scoped to the order's customer) ------------------------------------------------------


def invoice_of_seller_order(session: Session, seller_order_id: int) -> CustomerInvoice | None:
    return session.scalar(select(CustomerInvoice).where(CustomerInvoice.seller_order_id == seller_order_id))


def invoices_of(session: Session, customer_order: CustomerOrder) -> dict[int, CustomerInvoice]:
    """The invoices of a customer order, by seller order id (one query)."""
    return {
        invoice.seller_order_id: invoice for invoice in session.scalars(
            select(CustomerInvoice).where(CustomerInvoice.customer_order_id == customer_order.id)
            .order_by(CustomerInvoice.id))
    }


def invoice_for(session: Session, customer_order: CustomerOrder, invoice_id: int) -> CustomerInvoice:
    """The invoice ``invoice_id`` if it is of ``customer_order`` (an order its reader was given
    access to); NotFound otherwise: another customer's invoice looks like none at all."""
    invoice = session.get(CustomerInvoice, invoice_id)
    if invoice is None or invoice.customer_order_id != customer_order.id:
        raise NotFound("no such invoice")
    return invoice


def credit_notes_of(session: Session, customer_order: CustomerOrder) -> dict[int, list[CustomerCreditNote]]:
    """The credit notes of a customer order, by seller order id, oldest first (one query)."""
    found: dict[int, list[CustomerCreditNote]] = {}
    for note in session.scalars(
        select(CustomerCreditNote).where(CustomerCreditNote.customer_order_id == customer_order.id)
        .order_by(CustomerCreditNote.id)
    ):
        found.setdefault(note.seller_order_id, []).append(note)
    return found


def credit_note_for(session: Session, customer_order: CustomerOrder, note_id: int) -> CustomerCreditNote:
    """The credit note ``note_id`` if it is of ``customer_order``; NotFound otherwise, like
    :func:`invoice_for`."""
    note = session.get(CustomerCreditNote, note_id)
    if note is None or note.customer_order_id != customer_order.id:
        raise NotFound("no such credit note")
    return note


__all__ = ["credit_note_for", "credit_notes_of", "invoice_for", "issue_credit_note", "invoice_of_seller_order", "invoices_of", "issue_for_capture", "split_ttc"]
