"""The finance API's statements, commission invoices and credit notes (with their PDF) and ledger
lines, over HTTP with a real OAuth 2.0 client, on books made the real way: orders placed,
shipped and captured through the sandbox, a refund, and the billing period closed. A seller's
client reads its own (another seller's statement or invoice: 404, nothing of it in the answer),
an operator's client every seller's with a ``seller`` filter; pages follow a stable order."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import select

from storefront.api.finance import InvoicePage, LedgerPage, StatementOut, StatementPage
from storefront.marketplace import billing, orders, tracking
from storefront.marketplace.models import (
    ActorRole,
    BillingDocument,
    LedgerEntry,
    Statement,
    utcnow,
)
from tests.api.test_api_orders import (  # noqa: F401
    call,
    client_for,
    is_problem,
    live,
    orders_placed,
    token_of,
)
from tests.finance.billing_fixtures import legal_identities
from tests.finance.test_invoices import pdf_text

SELLER = ActorRole.SELLER


@pytest.fixture
def books(session, orders_placed):  # noqa: F811
    """Alpha ships its two orders and refunds 5,00 € of the first; Beta ships its one; the
    period is closed a month and a half later: a statement each, Alpha's with an invoice and a
    credit note, Beta's with an invoice."""
    people, parts = orders_placed
    legal_identities(session, people.shop)
    for n, part in enumerate(parts):
        orders.accept(session, part, actor_role=SELLER)
        tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number=f"CP3000000{n}FR", actor_role=SELLER)
    orders.refund(session, parts[0], amount=500, reason_code="DAMAGED", actor_role=SELLER)
    billing.close_ended_periods(session, utcnow() + timedelta(days=45))
    session.expire_all()
    alpha, beta = people.shop.alpha, people.shop.beta

    def statement_of(seller):
        return session.scalar(select(Statement).where(Statement.seller_id == seller.id))

    return people, statement_of(alpha), statement_of(beta)


@pytest.fixture
def tokens(session, live, books):  # noqa: F811
    people, _, _ = books

    def token(seller, scopes="finance:read"):
        return token_of(live, *client_for(session, seller, scopes))

    return {"alpha": token(people.shop.alpha), "beta": token(people.shop.beta),
            "alpha_orders": token(people.shop.alpha, "orders:read"), "operator": token(None)}


def _walk(live, path, token, **params):  # noqa: F811
    """Every item of a list, page by page through the ``Link`` headers."""
    seen, url = [], f"{live}{path}"
    first = True
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, params=params if first else None)
        first = False
        assert page.status_code == 200, page.json()
        seen += page.json()["items"]
        # Every page is what the OpenAPI document declares (extra fields refused).
        SHAPES[path].model_validate(page.json())
        assert bool(page.json()["next_cursor"]) == ("link" in page.headers)
        link = page.headers.get("link")
        url = link.split(">")[0][1:] if link else None
    return seen


SHAPES = {"/api/v1/finance/statements": StatementPage, "/api/v1/finance/invoices": InvoicePage,
          "/api/v1/finance/ledger": LedgerPage}


def money(amount):
    return {"amount": amount, "currency": "EUR"}


def test_a_seller_reads_its_statement_with_money_objects_and_its_documents(session, live, books, tokens):  # noqa: F811
    _people, alpha, beta = books
    listed = call(live, "/api/v1/finance/statements", tokens["alpha"])
    assert listed.status_code == 200, listed.json()
    [item] = listed.json()["items"]
    assert item["id"] == alpha.id and item["seller"] == "alpha"
    assert item["sales"] == money(alpha.sales) and item["refunds"] == money(-500)
    assert item["commissions"] == money(alpha.commissions) and item["payable"] == money(alpha.payable)
    assert item["total"] == money(alpha.total) and item["carried_forward"] == money(0)
    period = session.get(Statement, alpha.id).period
    assert item["period"] == {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()}
    documents = billing.documents_of(session, alpha)
    assert [(d["number"], d["kind"]) for d in item["documents"]] == [(d.number, str(d.kind)) for d in documents]
    assert item["documents"][0]["pdf_url"] == f"{live}/api/v1/finance/invoices/{documents[0].id}/pdf"
    one = call(live, f"/api/v1/finance/statements/{alpha.id}", tokens["alpha"])
    assert one.status_code == 200 and one.json() == item
    StatementOut.model_validate(one.json())
    assert item["url"] == f"{live}/api/v1/finance/statements/{alpha.id}"

    # Beta's statement is no statement at all for Alpha: nothing of it in the answer.
    refused = call(live, f"/api/v1/finance/statements/{beta.id}", tokens["alpha"])
    body = is_problem(refused, 404, "not_found")
    assert "beta" not in refused.text.lower() and str(beta.payable) not in str(body)
    is_problem(call(live, "/api/v1/finance/statements/2147483647", tokens["alpha"]), 404, "not_found")
    # The seller filter is the operator's: Alpha's client still reads its own alone.
    assert call(live, "/api/v1/finance/statements", tokens["alpha"], params={"seller": "beta"}).json()["items"] == [item]
    is_problem(call(live, "/api/v1/finance/statements", tokens["alpha_orders"]), 403, "insufficient_scope")


def test_the_operator_reads_every_sellers_statements_by_page_and_filters(live, books, tokens):  # noqa: F811
    _people, alpha, beta = books
    seen = _walk(live, "/api/v1/finance/statements", tokens["operator"], limit=1)
    assert [s["id"] for s in seen] == sorted([alpha.id, beta.id], reverse=True)  # newest first
    betas = call(live, "/api/v1/finance/statements", tokens["operator"], params={"seller": "beta"}).json()["items"]
    assert [s["id"] for s in betas] == [beta.id]
    assert call(live, f"/api/v1/finance/statements/{beta.id}", tokens["operator"]).json()["seller"] == "beta"
    # By the period's days: the period ended before the day after its last one.
    last_day = seen[0]["period"]["last_day"]
    first_day = seen[0]["period"]["first_day"]
    assert len(call(live, "/api/v1/finance/statements", tokens["operator"],
                    params={"since": last_day, "until": last_day}).json()["items"]) == 2
    assert call(live, "/api/v1/finance/statements", tokens["operator"],
                params={"until": "2000-01-01"}).json()["items"] == []
    after = (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
    assert call(live, "/api/v1/finance/statements", tokens["operator"], params={"since": after}).json()["items"] == []
    assert first_day < last_day
    body = is_problem(call(live, "/api/v1/finance/statements", tokens["operator"],
                           params={"since": last_day, "until": first_day}), 400, "invalid_parameter")
    assert body["field"] == "until"


def test_invoices_and_credit_notes_with_their_pdf(session, live, books, tokens):  # noqa: F811
    _people, alpha, beta = books
    alphas = billing.documents_of(session, alpha)
    [beta_invoice] = billing.documents_of(session, beta)
    listed = call(live, "/api/v1/finance/invoices", tokens["alpha"]).json()["items"]
    assert [i["number"] for i in listed] == [d.number for d in reversed(alphas)]
    invoice = next(i for i in listed if i["kind"] == "COMMISSION_INVOICE")
    document = next(d for d in alphas if d.number == invoice["number"])
    assert (invoice["total_ht"], invoice["vat"], invoice["total_ttc"]) == (
        money(document.total_ht), money(document.vat), money(document.total_ttc))
    assert invoice["vat_rate_bp"] == 2000 and invoice["statement_id"] == alpha.id
    assert invoice["issue_date"] == document.issue_date.isoformat()
    assert invoice["lines"] == [{"on": "sales", "base": money(line["base"]), "rate_bp": line["rate_bp"],
                                 "amount": money(line["amount"])} for line in document.lines]
    assert invoice["lines"][0]["rate_bp"] == 1200
    credits = call(live, "/api/v1/finance/invoices", tokens["alpha"], params={"kind": "credit_note"}).json()["items"]
    assert [c["kind"] for c in credits] == ["CREDIT_NOTE"]
    assert call(live, f"/api/v1/finance/invoices/{document.id}", tokens["alpha"]).json() == invoice

    pdf = call(live, f"/api/v1/finance/invoices/{document.id}/pdf", tokens["alpha"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert f"FACTURE N° {document.number}" in text and "Alpha Maison SARL" in text and "SIREN" in text

    # Beta's invoice: 404 as JSON and as PDF, for Alpha; the operator reads it.
    for path in (f"/api/v1/finance/invoices/{beta_invoice.id}", f"/api/v1/finance/invoices/{beta_invoice.id}/pdf"):
        refused = call(live, path, tokens["alpha"])
        is_problem(refused, 404, "not_found")
        assert beta_invoice.number not in refused.text
        assert call(live, path, tokens["operator"]).status_code == 200
    everything = _walk(live, "/api/v1/finance/invoices", tokens["operator"], limit=1)
    assert len(everything) == 3 and [i["id"] for i in everything] == sorted((i["id"] for i in everything), reverse=True)
    assert {i["seller"] for i in everything} == {"alpha", "beta"}
    assert [i["number"] for i in call(live, "/api/v1/finance/invoices", tokens["operator"],
                                      params={"seller": "beta"}).json()["items"]] == [beta_invoice.number]
    assert session.get(BillingDocument, beta_invoice.id).number == beta_invoice.number


def test_ledger_lines_page_in_a_stable_order_with_filters(session, live, books, tokens):  # noqa: F811
    people, _alpha, _beta = books
    expected = billing.ledger_page(session, people.shop.alpha.id, per_page=200).items
    seen = _walk(live, "/api/v1/finance/ledger", tokens["alpha"], limit=3)
    assert [line["id"] for line in seen] == [line.entry.id for line in expected]
    first = seen[-1]
    entry = session.get(LedgerEntry, first["id"])
    assert first["amount"] == money(entry.amount) and first["kind"] == str(entry.kind)
    assert first["created_at"] == entry.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert first["statement_id"] is not None and first["seller"] == "alpha"
    refunds = call(live, "/api/v1/finance/ledger", tokens["alpha"], params={"kind": "REFUND"}).json()["items"]
    assert [line["amount"] for line in refunds] == [money(-500)]
    assert call(live, "/api/v1/finance/ledger", tokens["alpha"], params={"until": "2000-01-01"}).json()["items"] == []
    today = entry.created_at.date()
    around = call(live, "/api/v1/finance/ledger", tokens["alpha"],
                  params={"since": (today - timedelta(days=1)).isoformat(), "limit": 200}).json()["items"]
    assert len(around) == len(expected)
    # Every seller's for the operator, one seller's with the filter; Beta's client, Beta's alone.
    betas = _walk(live, "/api/v1/finance/ledger", tokens["beta"], limit=2)
    assert {line["seller"] for line in betas} == {"beta"}
    assert _walk(live, "/api/v1/finance/ledger", tokens["operator"], seller="beta") == betas
    assert len(_walk(live, "/api/v1/finance/ledger", tokens["operator"], limit=7)) == len(seen) + len(betas)


@pytest.mark.parametrize("path", ["/api/v1/finance/statements", "/api/v1/finance/invoices", "/api/v1/finance/ledger"])
@pytest.mark.parametrize("params, field, code", [
    ({"cursor": "forged"}, "cursor", "invalid_cursor"),
    ({"since": "yesterday"}, "since", "invalid_parameter"),
    ({"limit": "0"}, "limit", "invalid_parameter"),
    ({"kind": "GIFT"}, "kind", "invalid_parameter"),
])
def test_refused_parameters_name_themselves(live, books, tokens, path, params, field, code):  # noqa: F811
    if field == "kind" and path.endswith("statements"):
        return  # statements have no kind
    assert is_problem(call(live, path, tokens["alpha"], params=params), 400, code)["field"] == field


def test_a_cursor_of_one_list_is_refused_by_another(live, books, tokens):  # noqa: F811
    page = call(live, "/api/v1/finance/ledger", tokens["operator"], params={"limit": 1}).json()
    cursor = page["next_cursor"]
    assert cursor
    for path in ("/api/v1/finance/statements", "/api/v1/finance/invoices"):
        is_problem(call(live, path, tokens["operator"], params={"cursor": cursor}), 400, "invalid_cursor")
    statements = call(live, "/api/v1/finance/statements", tokens["operator"], params={"limit": 1}).json()
    is_problem(call(live, "/api/v1/finance/ledger", tokens["operator"],
                    params={"cursor": statements["next_cursor"]}), 400, "invalid_cursor")
