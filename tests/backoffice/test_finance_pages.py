"""The back office's Finance pages (/backoffice/finance): statements by payout state, seller and
period, a statement's page (lines, CSV, documents, block and unblock), payout batches (made from
the PAYABLE statements checked, their SEPA file downloaded again), the billing periods; the
payout preferences; finance staff and admins only (others 403, a seller never gets in); and the
seller portal's payout state and next payout."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from storefront.marketplace import billing, payouts, preferences
from storefront.marketplace.models import (
    LedgerEntry,
    LedgerKind,
    OperatorRole,
    PayoutBatch,
    PayoutState,
    SellerApplication,
    Statement,
)
from tests import order_fixtures
from tests.finance.billing_fixtures import legal_identities, paris, sale
from tests.order_fixtures import Visitor, audit_count, html_text

people = order_fixtures.people
PAGE = "/backoffice/finance"
NOV = paris(2026, 11, 3, 10)
ALPHA_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def books(app, session, people, monkeypatch):
    """Alpha (onboarded, with an IBAN) and Beta (no application: no IBAN) each with a statement
    of 1–15 November, seen on 24 November: both payable."""
    shop = people.shop
    legal_identities(session, shop)
    session.scalar(select(SellerApplication).where(SellerApplication.seller_id == shop.alpha.id)).iban = ALPHA_IBAN
    preferences.set(session, "payout_debtor_iban", "FR7630006000011234567890189")
    preferences.set(session, "payout_debtor_bic", "BNPAFRPPXXX")
    sale(session, shop.alpha, NOV, price=10_000, commission=1_000)
    sale(session, shop.beta, NOV, price=4_000, commission=400)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))
    monkeypatch.setitem(app.config, "FROZEN_TIME", paris(2026, 11, 24, 10))
    return people


def statement_of(session, seller) -> Statement:
    return session.scalar(select(Statement).where(Statement.seller_id == seller.id))


def payout_entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == LedgerKind.PAYOUT))


@pytest.mark.parametrize("role", [OperatorRole.ADMIN, OperatorRole.FINANCE])
def test_block_unblock_and_pay_from_the_pages(session, books, staff_of, role):
    alpha, beta = books.shop.alpha, books.shop.beta
    mine, theirs = statement_of(session, alpha), statement_of(session, beta)
    visitor = staff_of(role)
    page = visitor.page("/backoffice/")
    assert f'href="{PAGE}"' in page and 'data-testid="nav-finance"' in page

    page = visitor.page(PAGE)
    assert page.count('data-testid="statement-row"') == 2 and 'data-state="PAYABLE"' in page
    assert visitor.page(f"{PAGE}?state=PAID").count('data-testid="statement-row"') == 0
    assert visitor.page(f"{PAGE}?seller={beta.id}").count('data-testid="statement-row"') == 1
    # Nonsense in the query string is ignored, never an error.
    assert visitor.get(f"{PAGE}?state=NOPE&seller=x&period=-1&page=99999").status_code == 200

    # The statement's page: figures, lines, the CSV of its lines.
    page = visitor.page(f"{PAGE}/statements/{mine.id}")
    assert 'data-testid="block-form"' in page and page.count('data-testid="statement-line"') == 3
    rows = list(csv.reader(io.StringIO(visitor.get(f"{PAGE}/statements/{mine.id}.csv").get_data(as_text=True))))
    assert len(rows) == 1 + 3
    assert visitor.get(f"{PAGE}/statements/{mine.id}.pdf").data.startswith(b"%PDF")

    # Block (with a reason), then paying it is refused.
    entries = audit_count(session)
    response = visitor.post(f"{PAGE}/statements/{mine.id}/block", {"reason": "KYC", "note": "RIB à vérifier"})
    assert response.status_code == 302
    page = visitor.page(f"{PAGE}/statements/{mine.id}")
    assert 'data-testid="statement-blocked"' in page and "RIB à vérifier" in page
    assert audit_count(session) == entries + 1
    response = visitor.post(PAGE + "/payouts", {"statement": [str(mine.id)]})
    assert response.status_code == 409 and "is blocked" in html_text(response.get_data(as_text=True))
    assert payout_entries(session) == 0
    response = visitor.post(f"{PAGE}/statements/{mine.id}/unblock")
    assert response.status_code == 302
    assert payouts.statement_view(session, mine.id, today=date(2026, 11, 24)).state == PayoutState.PAYABLE

    # Beta has no IBAN: the batch is refused whole, its boxes stay checked, nothing moves.
    response = visitor.post(PAGE + "/payouts?state=PAYABLE", {"statement": [str(mine.id), str(theirs.id)]})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and f"{beta.name} has no valid IBAN" in html_text(text)
    assert f'value="{mine.id}" id="pay-{mine.id}" checked' in text
    assert payout_entries(session) == 0

    # Alpha alone is paid: a batch with its file.
    response = visitor.post(PAGE + "/payouts", {"statement": [str(mine.id)], "execution_date": "2026-11-25"})
    assert response.status_code == 302
    batch = session.scalars(select(PayoutBatch)).one()
    assert response.headers["Location"].endswith(f"{PAGE}/payouts/{batch.id}")
    page = visitor.page(f"{PAGE}/payouts/{batch.id}")
    assert batch.reference in page and page.count('data-testid="batch-statement"') == 1
    assert "FR76 ••••" in page and "FR7630006000011234567890189" not in page  # the retailer's IBAN, masked
    download = visitor.get(f"{PAGE}/payouts/{batch.id}.xml")
    assert download.headers["Content-Type"].startswith("application/xml")
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.data == batch.xml.encode("utf-8")  # the same file, again
    payouts.validate_pain001(download.data)
    assert visitor.page(f"{PAGE}/payouts").count('data-testid="batch-row"') == 1
    assert payout_entries(session) == 1
    assert visitor.page(f"{PAGE}?state=PAID").count('data-testid="statement-row"') == 1
    # Paying it again from a stale page is refused.
    response = visitor.post(PAGE + "/payouts", {"statement": [str(mine.id)]})
    assert response.status_code == 409 and payout_entries(session) == 1

    page = visitor.page(f"{PAGE}/periods")
    assert page.count('data-testid="period-row"') >= 1 and "1 / 2" in html_text(page)
    assert visitor.get(f"{PAGE}/statements/999999").status_code == 404
    assert visitor.get(f"{PAGE}/payouts/999999.xml").status_code == 404


def test_a_bad_block_reason_or_a_missing_token_changes_nothing(client, session, books, staff_of):
    mine = statement_of(session, books.shop.alpha)
    visitor = staff_of(OperatorRole.ADMIN)
    entries = audit_count(session)
    response = visitor.post(f"{PAGE}/statements/{mine.id}/block", {"reason": "HOLIDAY"})
    assert response.status_code == 422 and 'data-testid="block-form"' in response.get_data(as_text=True)
    response = client.post(f"{PAGE}/statements/{mine.id}/block", data={"reason": "KYC"})
    assert response.status_code == 400
    response = client.post(PAGE + "/payouts", data={"statement": str(mine.id)})
    assert response.status_code == 400
    assert audit_count(session) == entries and payout_entries(session) == 0
    # No statement chosen.
    response = visitor.post(PAGE + "/payouts", {})
    assert response.status_code == 422 and "Choose at least one payable statement." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.CATALOG])
def test_other_staff_get_403(session, books, staff_of, role):
    mine = statement_of(session, books.shop.alpha)
    visitor = staff_of(role)
    for path in (PAGE, f"{PAGE}/periods", f"{PAGE}/payouts", f"{PAGE}/statements/{mine.id}",
                 f"{PAGE}/statements/{mine.id}.csv"):
        assert visitor.get(path).status_code == 403, path
    assert visitor.post(PAGE + "/payouts", {"statement": [str(mine.id)]}).status_code == 403
    assert visitor.post(f"{PAGE}/statements/{mine.id}/block", {"reason": "KYC"}).status_code == 403
    assert payout_entries(session) == 0
    assert 'data-testid="nav-finance"' not in visitor.page("/backoffice/")


def test_a_seller_never_gets_in(client, session, books):
    mine = statement_of(session, books.shop.alpha)
    visitor = Visitor(client).log_in(books.alpha_staff)
    for path in (PAGE, f"{PAGE}/statements/{mine.id}", f"{PAGE}/statements/{mine.id}.csv", f"{PAGE}/payouts"):
        assert visitor.get(path).status_code in (403, 404), path
    assert visitor.post(PAGE + "/payouts", {"statement": [str(mine.id)]}).status_code in (403, 404)
    assert payout_entries(session) == 0


def test_the_seller_portal_shows_payout_states_and_the_next_payout(client, session, books, staff_of):
    mine = statement_of(session, books.shop.alpha)
    seller = Visitor(client).log_in(books.alpha_staff)
    page = seller.page("/seller/finance")
    assert 'data-testid="statement-payout" data-state="PAYABLE"' in page
    assert f'data-cents="{mine.payable}" data-date="2026-11-24"' in page
    payouts.block(session, None, mine.id, "DISPUTE", now=paris(2026, 11, 24, 10))
    page = seller.page("/seller/finance")
    assert 'data-state="BLOCKED"' in page and 'data-testid="no-next-payout"' in page
    payouts.unblock(session, None, mine.id)
    payouts.create_batch(session, None, [mine.id], now=paris(2026, 11, 24, 10))
    page = seller.page("/seller/finance")
    assert 'data-state="PAID"' in page and 'data-testid="no-next-payout"' in page
    assert f"Payout -€{mine.payable / 100:,.2f} No. {mine.id} (paid)" in html_text(page)  # the ledger line
    assert "Payout" in html_text(page)


def test_the_payout_preferences_check_the_iban_and_bic(session, people, staff_of):
    visitor = staff_of(OperatorRole.ADMIN)
    form = {
        "relations_model": "DIRECT", "acceptance_delay_hours": "48", "offer_import_min_minutes": "15",
        "imports_per_day": "24", "order_export_minutes": "60", "capture_at": "ship",
        "billing_cycle": "twice_monthly", "invoice_payment_days": "30", "payout_holding_days": "10",
        "payout_debtor_name": "Storefront SAS", "payout_debtor_iban": "FR76 3000 6000 0112 3456 7890 188",
        "payout_debtor_bic": "BNPAFRPP", "seller_rating_min_count": "3",
    }
    response = visitor.post("/backoffice/settings", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "This IBAN is not valid" in text
    assert 'value="FR76 3000 6000 0112 3456 7890 188"' in text  # kept as typed
    assert preferences.get(session, "payout_debtor_iban", fresh=True) == ""
    response = visitor.post("/backoffice/settings", {**form, "payout_debtor_iban": "FR76 3000 6000 0112 3456 7890 189"})
    assert response.status_code == 302
    assert preferences.get(session, "payout_debtor_iban", fresh=True) == "FR7630006000011234567890189"
    assert preferences.get(session, "payout_holding_days", fresh=True) == 10
    response = visitor.post("/backoffice/settings", {**form, "payout_debtor_iban": "", "payout_debtor_bic": "BNP"})
    assert response.status_code == 422 and "A BIC has 8 or 11 letters and digits" in response.get_data(as_text=True)
