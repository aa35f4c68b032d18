"""The sellers' ledger as a French FEC (Fichier des Écritures Comptables, article A47 A-1 of the
Livre des procédures fiscales): the 18 columns in their order, separated by tabs, one accounting
entry (écriture) per ledger entry, each balanced (its debits equal its credits).

The marketplace's books, seen from the retailer: the customer's money comes in through the
payment provider (512 PSP), what is owed to a seller sits on its own third-party account (467,
with the seller's code as auxiliary account), the commission kept is revenue (706), the VAT on
it is collected (44571), and adjustments are other charges or income (658 / 758). Every kind of
ledger entry maps to one debit and one credit:

============================  =======================  =======================
ledger entry (seller's sign)  debit                    credit
============================  =======================  =======================
CAPTURE, SHIPPING_FEE (+)     512 PSP                  467 seller
REFUND (−)                    467 seller               512 PSP
COMMISSION (−)                467 seller               706 commissions
COMMISSION_REFUND (+)         706 commissions          467 seller
COMMISSION_VAT (− or +)       467 seller / 44571       44571 / 467 seller
ADJUSTMENT (− or +)           467 seller / 658         758 / 467 seller
PAYOUT (−)                    467 seller               512 bank
============================  =======================  =======================

Amounts use a decimal comma and no thousands separator, dates are YYYYMMDD in the shop's time
zone, as the administration's specification asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from .models import LedgerEntry, LedgerKind, Seller

K = LedgerKind

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
           "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
           "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")

SELLERS = ("467000", "Vendeurs de la marketplace")
PSP = ("512100", "Prestataire de paiement")
BANK = ("512000", "Banque")
COMMISSIONS = ("706000", "Commissions de la marketplace")
VAT = ("445710", "TVA collectée")
CHARGES = ("658000", "Charges diverses de gestion courante")
INCOME = ("758000", "Produits divers de gestion courante")

JOURNALS = {  # the journal of each kind: sales (VT) for commissions, bank (BQ) for money moves
    K.CAPTURE: ("BQ", "Banque"), K.SHIPPING_FEE: ("BQ", "Banque"), K.REFUND: ("BQ", "Banque"),
    K.PAYOUT: ("BQ", "Banque"), K.COMMISSION: ("VT", "Ventes"), K.COMMISSION_REFUND: ("VT", "Ventes"),
    K.COMMISSION_VAT: ("VT", "Ventes"), K.ADJUSTMENT: ("OD", "Opérations diverses"),
}
LABELS = {
    K.CAPTURE: "Vente encaissée", K.SHIPPING_FEE: "Frais de port encaissés", K.REFUND: "Remboursement client",
    K.PAYOUT: "Reversement vendeur", K.COMMISSION: "Commission", K.COMMISSION_REFUND: "Commission remboursée",
    K.COMMISSION_VAT: "TVA sur commission", K.ADJUSTMENT: "Ajustement",
}


def _other_account(kind: LedgerKind, amount: int) -> tuple[str, str]:
    """The account facing the seller's in the entry of ``kind`` (the seller's sign ``amount``)."""
    if kind in (K.CAPTURE, K.SHIPPING_FEE, K.REFUND):
        return PSP
    if kind == K.PAYOUT:
        return BANK
    if kind in (K.COMMISSION, K.COMMISSION_REFUND):
        return COMMISSIONS
    if kind == K.COMMISSION_VAT:
        return VAT
    return INCOME if amount < 0 else CHARGES  # ADJUSTMENT: the seller owes (income) or is owed


def amount_text(cents: int) -> str:
    """``123456`` → ``"1234,56"``; 0 → ``"0,00"`` (the FEC's decimal comma, no separator)."""
    units, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{units},{rest:02d}"


def rows(session: Session, start: date, end: date) -> Iterator[list[str]]:
    """The FEC's lines (without the header) of the entries written from ``start`` to ``end``
    (shop days, both included), two per entry, oldest first, streamed."""
    clock = shop_clock.of(session)
    since = datetime.combine(start, time(0), clock.tz)
    until = datetime.combine(end + timedelta(days=1), time(0), clock.tz)
    sellers = {s.id: s for s in session.scalars(select(Seller))}
    query = (select(LedgerEntry).where(LedgerEntry.created_at >= since, LedgerEntry.created_at < until)
             .order_by(LedgerEntry.id).execution_options(yield_per=2000))
    for entry in session.scalars(query):
        yield from entry_lines(entry, sellers[entry.seller_id], clock.local_date(entry.created_at))


def entry_lines(entry: LedgerEntry, seller: Seller, day: date) -> list[list[str]]:
    """The two lines (debit, credit) of one ledger entry."""
    kind = LedgerKind(entry.kind)
    journal, journal_label = JOURNALS[kind]
    other = _other_account(kind, entry.amount)
    owed_to_seller = entry.amount > 0  # the seller's account is credited
    amount = amount_text(abs(entry.amount))
    number = f"{journal}{entry.id:09d}"
    when = day.strftime("%Y%m%d")
    piece = entry.reference or f"LE{entry.id}"
    label = f"{LABELS[kind]} {seller.code}"[:100]

    def line(account: tuple[str, str], debit: bool, auxiliary: bool) -> list[str]:
        return [journal, journal_label, number, when, account[0], account[1],
                seller.code if auxiliary else "", (seller.legal_name or seller.name) if auxiliary else "",
                piece, when, label, amount if debit else "0,00", "0,00" if debit else amount,
                "", "", when, "", ""]

    seller_line = line(SELLERS, debit=not owed_to_seller, auxiliary=True)
    other_line = line(other, debit=owed_to_seller, auxiliary=False)
    return [other_line, seller_line] if owed_to_seller else [seller_line, other_line]


def file_name(siren: str, end: date) -> str:
    """``<SIREN>FEC<YYYYMMDD>.txt``, the name the administration expects (closing date)."""
    return f"{siren or '000000000'}FEC{end.strftime('%Y%m%d')}.txt"


def write(lines: Iterator[list[str]], out) -> int:
    """The header and ``lines``, tab-separated, CRLF, UTF-8, to the text stream ``out``; returns
    how many lines were written (the header aside)."""
    out.write("\t".join(COLUMNS) + "\r\n")
    count = 0
    for line in lines:
        out.write("\t".join(value.replace("\t", " ").replace("\r", " ").replace("\n", " ") for value in line)
                  + "\r\n")
        count += 1
    return count

