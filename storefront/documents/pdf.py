"""Statement, invoice and credit-note PDFs (fpdf2: pure Python, from PyPI alone), drawn from the
figures stored when the document was issued and the words of :mod:`.layout`: the same document
gives the same pages every time.

DejaVu Sans (vendored in ``fonts/``, Bitstream Vera license beside it) holds the € sign and the
French letters that the PDF core fonts lack.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .layout import Texts, euros, french_date, percent

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
# The characters documents print: Latin (every European language written with it), Greek and
# Cyrillic (a name, an address), punctuation, the euro and trade-mark signs.
UNICODE_RANGES = ((0x20, 0x24F), (0x370, 0x4FF), (0x2000, 0x206F), (0x20AC, 0x20AC), (0x2122, 0x2122))


@functools.cache
def font_files() -> dict[str, Path]:
    """The vendored fonts cut down to :data:`UNICODE_RANGES`, made once per process (and kept
    in the temporary directory between processes): fpdf2 reads a whole font file for every
    document, and DejaVu's 6,000 glyphs made a one-page invoice take 0.1 s instead of 0.04 s."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    sources = {"": FONTS / "DejaVuSans.ttf", "B": FONTS / "DejaVuSans-Bold.ttf"}
    digest = hashlib.sha256(repr((UNICODE_RANGES, [p.stat().st_size for p in sources.values()])).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"storefront-fonts-{digest}"
    folder.mkdir(exist_ok=True)
    made = {}
    for style, source in sources.items():
        target = folder / source.name
        if not target.exists():
            options = subset.Options()
            options.layout_features, options.name_IDs, options.notdef_outline = ["*"], ["*"], True
            options.drop_tables += ["FFTM"]
            font = TTFont(str(source))
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=[c for low, high in UNICODE_RANGES for c in range(low, high + 1)])
            logging.getLogger("fontTools").setLevel(logging.ERROR)
            cutter.subset(font)
            partial = folder / f".{source.name}.{os.getpid()}"
            font.save(str(partial))
            os.replace(partial, target)  # another process may write the same file: both whole
        made[style] = target
    return made


class _Page(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_title(title)
        self.set_creator("Storefront")
        self.set_auto_page_break(True, margin=18)
        self.add_page()
        self.set_font(FONT, "", 9)

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(FONT, "B", size)
        self.cell(0, 9, text, **NEXT_LINE)
        self.set_font(FONT, "", 9)

    def line_of(self, text: str, bold: bool = False, height: float = 5) -> None:
        self.set_font(FONT, "B" if bold else "", 9)
        self.multi_cell(0, height, text, **NEXT_LINE)
        self.set_font(FONT, "", 9)

    def row(self, cells: list[tuple[str, float, str]], bold: bool = False, border: int | str = 0) -> None:
        """One table row: (text, width in mm, align L/R) each."""
        self.set_font(FONT, "B" if bold else "", 9)
        for text, width, align in cells:
            self.cell(width, 6, text, border=border, align=align)
        self.ln(6)
        self.set_font(FONT, "", 9)


def _party_lines(party: dict, texts: Texts) -> list[str]:
    lines = [party.get("legal_name") or party.get("name", "")]
    if party.get("address"):
        lines.append(party["address"])
    city = " ".join(part for part in (party.get("postal_code", ""), party.get("city", "")) if part)
    if city or party.get("country"):
        lines.append(", ".join(part for part in (city, party.get("country", "")) if part))
    lines.append(f"{texts('siren')} : {party.get('siren') or '—'}")
    lines.append(f"{texts('siret')} : {party.get('siret') or '—'}")
    lines.append(f"{texts('vat_number')} : {party.get('vat_number') or '—'}")
    return lines


def _two_parties(pdf: _Page, left: tuple[str, dict], right: tuple[str, dict], texts: Texts) -> None:
    top = bottom = pdf.get_y()
    for column, (title, party) in enumerate((left, right)):
        pdf.set_xy(pdf.l_margin + column * 95, top)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(90, 5, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9)
        for text in _party_lines(party, texts):
            pdf.multi_cell(90, 5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 4)


def document_pdf(document, texts: Texts, *, statement_id: int) -> bytes:
    """An invoice or a credit note (a ``BillingDocument``)."""
    is_invoice = document.kind == "COMMISSION_INVOICE"
    title = texts("invoice_title" if is_invoice else "credit_note_title")
    pdf = _Page(f"{title} {document.number}")
    pdf.heading(f"{title} {texts('number')} {document.number}")
    pdf.line_of(f"{texts('issue_date')} : {french_date(document.issue_date)}")
    if is_invoice:
        pdf.line_of(f"{texts('due_date')} : {french_date(document.due_date)}")
    first = document.lines[0] if document.lines else None
    if first:
        dates = {"start": french_date(first["start"]), "end": french_date(first["end"])}
        pdf.line_of(f"{texts('period')} : {texts('period_dates', **dates)} — {texts('statement_ref', id=statement_id)}")
    pdf.ln(3)
    _two_parties(pdf, (texts("issuer"), document.issuer), (texts("recipient"), document.recipient), texts)

    widths = (100, 30, 20, 30)
    pdf.row([(texts("description"), widths[0], "L"), (texts("base"), widths[1], "R"),
             (texts("rate"), widths[2], "R"), (texts("amount_ht"), widths[3], "R")], bold=True, border="B")
    for line in document.lines:
        dates = {"start": french_date(line["start"]), "end": french_date(line["end"])}
        description = texts.french(line["description"], **dates)
        top = pdf.get_y()
        pdf.multi_cell(widths[0], 5, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        height = max(pdf.get_y() - top, 5)
        pdf.set_xy(pdf.l_margin + widths[0], top)
        pdf.cell(widths[1], 5, euros(line.get("base"), document.currency), align="R")
        pdf.cell(widths[2], 5, percent(line.get("rate_bp")), align="R")
        pdf.cell(widths[3], 5, euros(line["amount"], document.currency), align="R")
        pdf.set_xy(pdf.l_margin, top + max(height, 10))
    pdf.ln(2)
    label_width, amount_width = 150, 30
    pdf.row([(texts("total_ht"), label_width, "R"), (euros(document.total_ht, document.currency), amount_width, "R")])
    pdf.row([(texts("vat", rate=percent(document.vat_rate_bp)), label_width, "R"),
             (euros(document.vat, document.currency), amount_width, "R")])
    pdf.row([(texts("total_ttc"), label_width, "R"), (euros(document.total_ttc, document.currency), amount_width, "R")],
            bold=True)
    pdf.ln(4)
    if is_invoice:
        days = (document.due_date - document.issue_date).days
        pdf.line_of(texts("payment_terms", days=days, due=french_date(document.due_date)))
        pdf.line_of(texts("late_penalties"))
    else:
        pdf.line_of(texts("credit_note_terms"))
    return bytes(pdf.output())


STATEMENT_ROWS = ("sales", "shipping", "refunds", "commissions", "commission_refunds", "commission_vat", "adjustments",
                  "payouts")


def statement_pdf(statement, period, seller: dict, documents, lines, texts: Texts, *, order_numbers: dict) -> bytes:
    """A seller's statement: its sums, what is payable or carried over, its documents and its
    lines (``order_numbers``: seller order id → number)."""
    title = texts("statement_title")
    pdf = _Page(f"{title} {statement.id}")
    pdf.heading(f"{title} — {texts('statement_ref', id=statement.id)}")
    dates = {"start": french_date(period.first_day), "end": french_date(period.last_day)}
    pdf.line_of(f"{texts('period')} : {texts('period_dates', **dates)}")
    pdf.ln(2)
    for text in _party_lines(seller, texts):
        pdf.line_of(text)
    pdf.ln(3)
    currency = statement.currency

    def amount_row(label: str, cents: int, bold: bool = False) -> None:
        pdf.row([(label, 140, "L"), (euros(cents, currency), 40, "R")], bold=bold)

    if statement.opening_balance:
        amount_row(texts("opening_balance"), statement.opening_balance)
    for key in STATEMENT_ROWS:
        if getattr(statement, key):
            amount_row(texts(key), getattr(statement, key))
    amount_row(texts("period_total"), statement.total, bold=True)
    amount_row(texts("payable"), statement.payable, bold=True)
    if statement.carried_forward:
        amount_row(texts("carried_forward"), statement.carried_forward, bold=True)
    if documents:
        pdf.ln(3)
        pdf.heading(texts("documents"), 11)
        for document in documents:
            kind = texts("invoice_title" if document.kind == "COMMISSION_INVOICE" else "credit_note_title")
            pdf.line_of(f"{kind} {document.number} — {texts('total_ttc')} {euros(document.total_ttc, currency)}")
    pdf.ln(3)
    pdf.heading(texts("lines"), 11)
    widths = (30, 60, 50, 40)
    pdf.row([(texts("date"), widths[0], "L"), (texts("kind"), widths[1], "L"),
             (texts("order"), widths[2], "L"), (texts("amount"), widths[3], "R")], bold=True, border="B")
    for entry in lines:
        pdf.row([
            (french_date(entry.created_at.date()), widths[0], "L"),
            (texts.french(str(entry.kind)), widths[1], "L"),
            (order_numbers.get(entry.seller_order_id, ""), widths[2], "L"),
            (euros(entry.amount, currency), widths[3], "R"),
        ])
    return bytes(pdf.output())


def _customer_lines(customer: dict, texts: Texts) -> list[str]:
    lines = [customer.get("name", "")]
    for key in ("address", "address2"):
        if customer.get(key):
            lines.append(customer[key])
    city = " ".join(part for part in (customer.get("postal_code", ""), customer.get("city", "")) if part)
    if city or customer.get("country"):
        lines.append(", ".join(part for part in (city, customer.get("country", "")) if part))
    if customer.get("email"):
        lines.append(f"{texts('email')} : {customer['email']}")
    return lines


def _customer_header(pdf: _Page, document, texts: Texts, mandate_key: str) -> None:
    """The seller and the customer side by side, under the mention of the mandate when the
    marketplace issues the document on the seller's behalf."""
    if document.on_behalf_of is not None:
        marketplace = document.on_behalf_of.get("legal_name") or document.on_behalf_of.get("name") or "la marketplace"
        seller = document.issuer.get("legal_name") or document.issuer.get("name", "")
        pdf.line_of(texts(mandate_key, marketplace=marketplace, seller=seller), bold=True)
    pdf.ln(3)
    top = bottom = pdf.get_y()
    columns = ((texts("seller"), _party_lines(document.issuer, texts)),
               (texts("customer"), _customer_lines(document.customer, texts)))
    for column, (heading, lines) in enumerate(columns):
        pdf.set_xy(pdf.l_margin + column * 95, top)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(90, 5, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9)
        for text in lines:
            pdf.multi_cell(90, 5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 4)


def _customer_totals(pdf: _Page, document, texts: Texts) -> None:
    currency = document.currency
    pdf.ln(2)
    label_width, amount_width = 150, 30
    pdf.row([(texts("total_ht"), label_width, "R"), (euros(document.total_ht, currency), amount_width, "R")])
    pdf.row([(texts("vat", rate=percent(document.vat_rate_bp)), label_width, "R"),
             (euros(document.vat, currency), amount_width, "R")])
    pdf.row([(texts("total_ttc"), label_width, "R"), (euros(document.total_ttc, currency), amount_width, "R")],
            bold=True)
    pdf.ln(4)
    pdf.line_of(texts("vat_included", rate=percent(document.vat_rate_bp)))


def customer_invoice_pdf(invoice, texts: Texts) -> bytes:
    """A seller order's invoice to its customer (a ``CustomerInvoice``): the seller issues it,
    the marketplace on its behalf, with the mention that says so."""
    title = texts("customer_invoice_title")
    currency = invoice.currency
    pdf = _Page(f"{title} {invoice.number}")
    pdf.heading(f"{title} {texts('number')} {invoice.number}")
    pdf.line_of(f"{texts('issue_date')} : {french_date(invoice.issue_date)}")
    pdf.line_of(f"{texts('sale_date')} : {french_date(invoice.issue_date)}")
    pdf.line_of(texts("order_ref", number=invoice.order_number, day=french_date(invoice.order_date)))
    _customer_header(pdf, invoice, texts, "on_behalf")

    widths = (68, 12, 26, 26, 22, 26)
    pdf.row([(texts.french("description"), widths[0], "L"), (texts.french("quantity"), widths[1], "R"),
             (texts.french("unit_price_ttc"), widths[2], "R"), (texts.french("amount_ht"), widths[3], "R"),
             (texts.french("line_vat"), widths[4], "R"), (texts.french("amount_ttc"), widths[5], "R")],
            bold=True, border="B")
    for line in invoice.lines:
        description = line["title"] if line["kind"] == "product" else texts.french("shipping_line")
        top = pdf.get_y()
        pdf.multi_cell(widths[0], 5, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        height = max(pdf.get_y() - top, 5)
        pdf.set_xy(pdf.l_margin + widths[0], top)
        pdf.cell(widths[1], 5, str(line["quantity"]), align="R")
        pdf.cell(widths[2], 5, euros(line["unit_price"], currency), align="R")
        pdf.cell(widths[3], 5, euros(line["total_ht"], currency), align="R")
        pdf.cell(widths[4], 5, euros(line["vat"], currency), align="R")
        pdf.cell(widths[5], 5, euros(line["total_ttc"], currency), align="R")
        pdf.set_xy(pdf.l_margin, top + max(height, 6))
    _customer_totals(pdf, invoice, texts)
    pdf.line_of(texts("paid", day=french_date(invoice.issue_date)))
    return bytes(pdf.output())


def customer_credit_note_pdf(note, texts: Texts) -> bytes:
    """The credit note of money given back to a customer (a ``CustomerCreditNote``), naming the
    invoice it corrects, issued like it: by the seller, the marketplace on its behalf."""
    title = texts("customer_credit_note_title")
    currency = note.currency
    pdf = _Page(f"{title} {note.number}")
    pdf.heading(f"{title} {texts('number')} {note.number}")
    pdf.line_of(f"{texts('issue_date')} : {french_date(note.issue_date)}")
    pdf.line_of(texts("credit_note_of", number=note.invoice_number, day=french_date(note.invoice_date)), bold=True)
    pdf.line_of(texts("order_ref", number=note.order_number, day=french_date(note.invoice_date)))
    _customer_header(pdf, note, texts, "credit_note_on_behalf")

    widths = (96, 26, 26, 32)
    pdf.row([(texts.french("description"), widths[0], "L"), (texts.french("amount_ht"), widths[1], "R"),
             (texts.french("line_vat"), widths[2], "R"), (texts.french("amount_ttc"), widths[3], "R")],
            bold=True, border="B")
    for line in note.lines:
        description = (texts.french("refund_line", title=line["title"]) if line["kind"] == "product"
                       else texts.french("shipping_line"))
        top = pdf.get_y()
        pdf.multi_cell(widths[0], 5, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        height = max(pdf.get_y() - top, 5)
        pdf.set_xy(pdf.l_margin + widths[0], top)
        pdf.cell(widths[1], 5, euros(line["total_ht"], currency), align="R")
        pdf.cell(widths[2], 5, euros(line["vat"], currency), align="R")
        pdf.cell(widths[3], 5, euros(line["total_ttc"], currency), align="R")
        pdf.set_xy(pdf.l_margin, top + max(height, 6))
    _customer_totals(pdf, note, texts)
    pdf.line_of(texts("credit_note_refunded", day=french_date(note.issue_date)))
    return bytes(pdf.output())
