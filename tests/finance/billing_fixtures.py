"""A small marketplace to bill: the retailer (the invoices' issuer, with its legal identity) and
sellers onboarded with theirs, and ledger entries written at chosen moments (the ledger is what
billing reads; tests/finance/test_payment_flow.py covers how payments write it)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from storefront.marketplace import preferences, sellers
from storefront.marketplace.models import LedgerEntry, LedgerKind, SellerApplication

PARIS = ZoneInfo("Europe/Paris")
K = LedgerKind


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def retailer(session):
    seller = sellers.create_seller(
        session, "storefront", "Storefront", is_operator=True, legal_name="Storefront SAS", city="Lyon")
    seller.siret, seller.vat_number = "55210055400013", "FR40552100554"
    preferences.set(session, "retailer_address", "12 rue de la République, 69002")
    return seller


def onboarded_seller(session, code: str, *, locale: str = "fr", legal_name: str | None = None):
    number = sum(map(ord, code)) % 1000
    siret = f"{732829320 + number:09d}000{number % 100:02d}"
    seller = sellers.create_seller(
        session, code, f"Boutique {code.title()}", legal_name=legal_name or f"{code.title()} SARL",
        city="Nantes")
    seller.siret, seller.vat_number = siret, f"FR{number % 100:02d}{siret[:9]}"
    session.add(SellerApplication(
        shop_name=seller.name, legal_name=seller.legal_name, siret=siret, address="3 quai de la Fosse",
        postal_code="44000", city="Nantes", contact_name="Contact", contact_email=f"{code}@example.com",
        locale=locale, seller_id=seller.id,
    ))
    session.commit()
    return seller


def entry(session, seller, kind: LedgerKind, amount: int, at: datetime, **extra) -> LedgerEntry:
    row = LedgerEntry(created_at=at.astimezone(UTC), seller_id=seller.id, kind=kind, amount=amount,
                      currency="EUR", **extra)
    session.add(row)
    session.flush()
    return row


def sale(session, seller, at: datetime, *, price: int, commission: int) -> None:
    entry(session, seller, K.CAPTURE, price, at)
    entry(session, seller, K.COMMISSION, -commission, at)


def legal_identities(session, shop) -> None:
    """The retailer's and Alpha's legal identities in the ``people`` shop (Alpha onboarded with
    its address), as the invoices print them."""
    retail = shop.retailer
    retail.legal_name, retail.siret, retail.vat_number, retail.city = (
        "Storefront SAS", "55210055400013", "FR40552100554", "Lyon")
    preferences.set(session, "retailer_address", "12 rue de la République, 69002")
    alpha = shop.alpha
    alpha.legal_name, alpha.siret, alpha.vat_number, alpha.city = (
        "Alpha Maison SARL", "73282932000074", "FR44732829320", "Nantes")
    session.add(SellerApplication(
        shop_name=alpha.name, legal_name=alpha.legal_name, siret=alpha.siret, address="3 quai de la Fosse",
        postal_code="44000", city="Nantes", contact_name="Alice", contact_email="alice@example.com",
        locale="fr", seller_id=alpha.id))
    session.commit()
