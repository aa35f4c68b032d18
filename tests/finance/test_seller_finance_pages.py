"""The seller portal's Finance page: balance, statements and their downloads, ledger lines with
filters and pages, in English and French; a seller never reads another seller's statement or
document (404, as one that does not exist)."""

from __future__ import annotations

import csv
import io

import pypdf
import pytest
from sqlalchemy import select

from storefront.marketplace import billing
from storefront.marketplace.models import BillingDocument, BillingDocumentKind, Statement
from tests import order_fixtures
from tests.finance.billing_fixtures import K, entry, paris, sale
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people  # the fixture

NOV = paris(2026, 11, 3, 10)
DEC = paris(2026, 12, 2, 10)


@pytest.fixture
def books(session, people):
    shop = people.shop
    sale(session, shop.alpha, NOV, price=10_000, commission=1_200)
    entry(session, shop.alpha, K.COMMISSION_REFUND, 120, NOV)
    entry(session, shop.alpha, K.REFUND, -1_000, NOV)
    sale(session, shop.alpha, DEC, price=4_000, commission=480)  # not on a statement yet
    sale(session, shop.beta, NOV, price=7_000, commission=700)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))
    return people


def mine(session, seller):
    statement = session.scalar(select(Statement).where(Statement.seller_id == seller.id))
    documents = {d.kind: d for d in billing.documents_of(session, statement)}
    return statement, documents


def test_the_finance_page_shows_balance_statements_and_ledger_lines(client, session, books):
    alpha_statement, documents = mine(session, books.shop.alpha)
    visitor = Visitor(client).log_in(books.alpha_staff)
    page = visitor.page("/seller/finance")
    text = html_text(page)
    assert 'href="/seller/finance" aria-current="page"' in page  # in the portal's navigation
    # 10 000 − 1 200 + 120 − 1 000, the VAT of November's invoice (−240) and credit note (+24),
    # and December's sale (4 000 − 480, not invoiced yet).
    assert 'data-cents="11224"' in page
    assert f'data-statement="{alpha_statement.id}"' in page
    assert f"/seller/finance/statements/{alpha_statement.id}.pdf" in page
    assert f"/seller/finance/statements/{alpha_statement.id}.csv" in page
    invoice = documents[BillingDocumentKind.COMMISSION_INVOICE]
    credit = documents[BillingDocumentKind.CREDIT_NOTE]
    assert f"Commission invoice {invoice.number}" in text and f"Credit note {credit.number}" in text
    assert page.count('data-testid="ledger-line"') == 6 + 2  # with the VAT of the invoice and the credit note
    assert page.count('data-kind="COMMISSION_VAT"') == 2 and "VAT on commission" in text
    assert "next statement" in text  # December's sale
    # Beta's statement is not Alpha's business.
    beta_statement, _ = mine(session, books.shop.beta)
    assert f'data-statement="{beta_statement.id}"' not in page

    visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    text = html_text(visitor.page("/seller/finance"))
    for words in ["Finance", "Solde", "Relevés", "Facture de commission", "Avoir", "Lignes du compte",
                  "Commission remboursée", "prochain relevé"]:
        assert words in text, words


def test_the_ledger_filters_by_kind_and_days_and_pages(client, session, books):
    alpha = books.shop.alpha
    for n in range(55):
        entry(session, alpha, K.ADJUSTMENT, n + 1, paris(2026, 12, 5, 9, n))
    session.commit()
    visitor = Visitor(client).log_in(books.alpha_staff)

    page = visitor.page("/seller/finance?kind=COMMISSION")
    assert page.count('data-testid="ledger-line"') == 2
    assert page.count('data-kind="COMMISSION"') == 2
    page = visitor.page("/seller/finance?since=2026-12-01&until=2026-12-02")
    assert page.count('data-testid="ledger-line"') == 2  # December's sale and its commission
    page = visitor.page("/seller/finance?kind=ADJUSTMENT")
    assert page.count('data-testid="ledger-line"') == 50 and "Page 1 of 2" in page
    page = visitor.page("/seller/finance?kind=ADJUSTMENT&page=2")
    assert page.count('data-testid="ledger-line"') == 5
    assert "kind=ADJUSTMENT" in page  # the pages keep the filter
    # Nonsense in the filters is ignored, not an error.
    page = visitor.page("/seller/finance?kind=DROP+TABLE&since=yesterday&page=-3")
    assert page.count('data-testid="ledger-line"') == 50


def test_downloads_are_the_seller_own_and_another_seller_gets_404(client, session, books):
    alpha_statement, documents = mine(session, books.shop.alpha)
    beta_statement, beta_documents = mine(session, books.shop.beta)
    visitor = Visitor(client).log_in(books.alpha_staff)

    response = visitor.get(f"/seller/finance/statements/{alpha_statement.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    text = " ".join(pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "RELEVÉ VENDEUR" in text and "Ventes 100,00 €" in text

    response = visitor.get(f"/seller/finance/statements/{alpha_statement.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sum(int(row["amount_cents"]) for row in rows) == alpha_statement.total == 7_920 - 240 + 24

    invoice = documents[BillingDocumentKind.COMMISSION_INVOICE]
    response = visitor.get(f"/seller/finance/documents/{invoice.id}.pdf")
    assert response.status_code == 200
    assert invoice.number in pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()

    beta_invoice = beta_documents[BillingDocumentKind.COMMISSION_INVOICE]
    for path in [f"/seller/finance/statements/{beta_statement.id}.pdf",
                 f"/seller/finance/statements/{beta_statement.id}.csv",
                 f"/seller/finance/documents/{beta_invoice.id}.pdf",
                 "/seller/finance/documents/999999.pdf", "/seller/finance/statements/999999.csv"]:
        assert visitor.get(path).status_code == 404, path
    # Asking changed nothing: no document was issued by reading.
    session.expire_all()
    assert len(session.scalars(select(BillingDocument)).all()) == 3


def test_only_seller_accounts_see_finance(client, session, books):
    assert client.get("/seller/finance").status_code == 302  # to the log-in page
    customer = Visitor(client).log_in(books.customer)
    assert customer.get("/seller/finance").status_code == 403
    statement, _ = mine(session, books.shop.alpha)
    assert customer.get(f"/seller/finance/statements/{statement.id}.pdf").status_code == 403


def test_the_page_reads_as_many_rows_in_as_many_queries(client, session, books, count_queries):
    """More statements and lines cost no more queries (no query per row)."""
    visitor = Visitor(client).log_in(books.alpha_staff)
    visitor.page("/seller/finance")  # warm the caches (preferences, reference data)
    with count_queries() as few:
        visitor.page("/seller/finance")
    alpha = books.shop.alpha
    for day in (paris(2026, 11, 20), paris(2026, 12, 3)):
        sale(session, alpha, day, price=1_000, commission=100)
        entry(session, alpha, K.COMMISSION_REFUND, 10, day)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 12, 16, 1))
    visitor.page("/seller/finance")
    with count_queries() as many:
        page = visitor.page("/seller/finance")
    assert page.count('data-testid="statement-row"') == 3
    assert len(many) == len(few), many


def test_a_seller_with_no_money_yet_sees_empty_lists(client, session, people):
    from storefront.marketplace.models import Role
    from tests import factories

    staff = factories.user(session, Role.SELLER, seller=people.shop.gamma, email="gamma@example.com")
    session.commit()
    page = Visitor(client).log_in(staff).page("/seller/finance")
    assert 'data-cents="0"' in page
    assert 'data-testid="no-statements"' in page and 'data-testid="no-ledger-lines"' in page
