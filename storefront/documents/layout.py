"""The words printed on the finance documents (statements, commission invoices, credit notes, the
customers' invoices), in French first, and in the reader's language beside it (the seller's as
onboarding recorded it; the customer's order's) when it is another one.

A merchant changes them without touching code: a theme may hold ``documents/texts.json``
(``{"fr": {"invoice_title": "FACTURE DE COMMISSION"}, "en": {...}}``), whose texts replace these
key by key (:func:`load_overrides`). The legal mentions are texts too, so a lawyer's wording can
replace ours; the figures are never texts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "invoice_title": "FACTURE",
        "credit_note_title": "AVOIR",
        "statement_title": "RELEVÉ VENDEUR",
        "number": "N°",
        "issue_date": "Date d’émission",
        "due_date": "Échéance",
        "issuer": "Émetteur",
        "recipient": "Destinataire",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_number": "N° TVA intracommunautaire",
        "period": "Période",
        "period_dates": "du {start} au {end}",
        "statement_ref": "Relevé n° {id}",
        "description": "Désignation",
        "base": "Base HT",
        "rate": "Taux",
        "amount_ht": "Montant HT",
        "sales_invoice": "Commission sur les ventes de la période du {start} au {end}",
        "shipping_invoice": "Commission sur les frais de port de la période du {start} au {end}",
        "sales_credit": "Commission remboursée sur les remboursements de la période du {start} au {end}",
        "shipping_credit": "Commission remboursée sur les frais de port de la période du {start} au {end}",
        "total_ht": "Total HT",
        "vat": "TVA {rate}",
        "total_ttc": "Total TTC",
        "payment_terms": "Conditions de paiement : à {days} jours, échéance le {due}, réglée par "
                         "compensation sur les reversements de la marketplace.",
        "late_penalties": "Pas d’escompte pour paiement anticipé. En cas de retard : pénalités au "
                          "taux de trois fois le taux d’intérêt légal et indemnité forfaitaire de "
                          "40 € pour frais de recouvrement (art. L441-10 du Code de commerce).",
        "credit_note_terms": "Avoir imputé sur les reversements de la marketplace.",
        "opening_balance": "Solde reporté du relevé précédent",
        "sales": "Ventes",
        "shipping": "Frais de port",
        "refunds": "Remboursements",
        "commissions": "Commissions",
        "commission_refunds": "Commissions remboursées",
        "commission_vat": "TVA sur commissions",
        "adjustments": "Ajustements",
        "payouts": "Versements",
        "period_total": "Total de la période",
        "payable": "Montant à verser",
        "carried_forward": "Solde débiteur reporté sur le prochain relevé",
        "documents": "Documents émis",
        "lines": "Opérations",
        "date": "Date",
        "kind": "Nature",
        "order": "Commande",
        "amount": "Montant",
        "CAPTURE": "Vente",
        "REFUND": "Remboursement",
        "COMMISSION": "Commission",
        "COMMISSION_REFUND": "Commission remboursée",
        "COMMISSION_VAT": "TVA sur commission",
        "SHIPPING_FEE": "Frais de port",
        "ADJUSTMENT": "Ajustement",
        "PAYOUT": "Versement",
        "customer_invoice_title": "FACTURE",
        "seller": "Vendeur",
        "customer": "Client",
        "on_behalf": "Facture émise par {marketplace} au nom et pour le compte de {seller}.",
        "order_ref": "Commande n° {number} du {day}",
        "sale_date": "Date de la vente",
        "quantity": "Qté",
        "unit_price_ttc": "P.U. TTC",
        "amount_ttc": "Montant TTC",
        "line_vat": "TVA",
        "shipping_line": "Frais de port",
        "vat_included": "Prix TTC, TVA de {rate} incluse.",
        "paid": "Facture acquittée : payée par carte à la commande, débitée le {day}.",
        "email": "E-mail",
        "customer_credit_note_title": "AVOIR",
        "credit_note_on_behalf": "Avoir émis par {marketplace} au nom et pour le compte de {seller}.",
        "credit_note_of": "Avoir sur la facture n° {number} du {day}",
        "refund_line": "Remboursement : {title}",
        "credit_note_refunded": "Montant remboursé sur le moyen de paiement de la commande le {day}.",
    },
    "en": {
        "invoice_title": "INVOICE",
        "credit_note_title": "CREDIT NOTE",
        "statement_title": "SELLER STATEMENT",
        "number": "No.",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "issuer": "Issuer",
        "recipient": "Recipient",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_number": "VAT number",
        "period": "Period",
        "period_dates": "from {start} to {end}",
        "statement_ref": "Statement no. {id}",
        "description": "Description",
        "base": "Base excl. VAT",
        "rate": "Rate",
        "amount_ht": "Amount excl. VAT",
        "sales_invoice": "Commission on the sales from {start} to {end}",
        "shipping_invoice": "Commission on the shipping fees from {start} to {end}",
        "sales_credit": "Commission given back on the refunds from {start} to {end}",
        "shipping_credit": "Commission given back on the shipping fees from {start} to {end}",
        "total_ht": "Total excl. VAT",
        "vat": "VAT {rate}",
        "total_ttc": "Total incl. VAT",
        "payment_terms": "Payment terms: {days} days, due on {due}, settled against the "
                         "marketplace's payouts.",
        "late_penalties": "No discount for early payment. Late payment: penalties at three times "
                          "the legal interest rate and a fixed fee of 40 € for collection costs.",
        "credit_note_terms": "Credited against the marketplace's payouts.",
        "opening_balance": "Balance carried from the previous statement",
        "sales": "Sales",
        "shipping": "Shipping",
        "refunds": "Refunds",
        "commissions": "Commissions",
        "commission_refunds": "Commissions given back",
        "commission_vat": "VAT on commissions",
        "adjustments": "Adjustments",
        "payouts": "Payouts",
        "period_total": "Total of the period",
        "payable": "Amount payable",
        "carried_forward": "Negative balance carried to the next statement",
        "documents": "Documents issued",
        "lines": "Operations",
        "date": "Date",
        "kind": "Kind",
        "order": "Order",
        "amount": "Amount",
        "CAPTURE": "Sale",
        "REFUND": "Refund",
        "COMMISSION": "Commission",
        "COMMISSION_REFUND": "Commission given back",
        "COMMISSION_VAT": "VAT on commission",
        "SHIPPING_FEE": "Shipping",
        "ADJUSTMENT": "Adjustment",
        "PAYOUT": "Payout",
        "customer_invoice_title": "INVOICE",
        "seller": "Seller",
        "customer": "Customer",
        "on_behalf": "Invoice issued by {marketplace} in the name and on behalf of {seller}.",
        "order_ref": "Order no. {number} of {day}",
        "sale_date": "Date of sale",
        "quantity": "Qty",
        "unit_price_ttc": "Unit price incl. VAT",
        "amount_ttc": "Amount incl. VAT",
        "line_vat": "VAT",
        "shipping_line": "Shipping",
        "vat_included": "Prices include VAT at {rate}.",
        "paid": "Invoice paid: by card when ordering, charged on {day}.",
        "email": "Email",
        "customer_credit_note_title": "CREDIT NOTE",
        "credit_note_on_behalf": "Credit note issued by {marketplace} in the name and on behalf of {seller}.",
        "credit_note_of": "Credit note against invoice no. {number} of {day}",
        "refund_line": "Refund: {title}",
        "credit_note_refunded": "Amount refunded to the order's means of payment on {day}.",
    },
}


class Texts:
    """The texts of one document: French, and the other language after a slash when there is
    one. ``texts("vat", rate="20 %")`` formats; a key no language has is a programming error."""

    def __init__(self, locale: str = "fr", overrides: Mapping[str, Mapping[str, str]] | None = None):
        self.locale = locale if locale in TEXTS else "fr"
        self._by_locale = {
            code: {**words, **dict((overrides or {}).get(code, {}))} for code, words in TEXTS.items()
        }

    def __call__(self, key: str, **values) -> str:
        french = self._by_locale["fr"][key].format(**values)
        if self.locale == "fr":
            return french
        return f"{french} / {self._by_locale[self.locale][key].format(**values)}"

    def french(self, key: str, **values) -> str:
        return self._by_locale["fr"][key].format(**values)


def load_overrides(theme_dir: str | Path | None) -> dict[str, dict[str, str]]:
    """The texts a theme replaces (``<theme>/documents/texts.json``), only known keys kept."""
    if theme_dir is None:
        return {}
    path = Path(theme_dir) / "documents" / "texts.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        code: {key: str(text) for key, text in words.items() if key in TEXTS["fr"]}
        for code, words in data.items() if code in TEXTS and isinstance(words, dict)
    }


def euros(cents: int | None, currency: str = "EUR") -> str:
    """``123456`` → ``1 234,56 €`` (French writing; a plain space between thousands so that the
    text read back from the PDF is the one written)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", " ")
    symbol = "€" if currency == "EUR" else currency
    return f"{sign}{grouped},{rest:02d} {symbol}"


def percent(rate_bp: int | None) -> str:
    """``1250`` → ``12,5 %``."""
    if rate_bp is None:
        return "—"
    whole, rest = divmod(rate_bp, 100)
    return f"{whole} %" if not rest else f"{whole},{rest:02d}".rstrip("0") + " %"


def french_date(day: date | str) -> str:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return day.strftime("%d/%m/%Y")
