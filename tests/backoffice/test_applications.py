"""Back office: seller applications. The list (filters, search, sort, pages), the detail, the
three decisions with their emails (received on a real SMTP server) and audit entries, and the
KYC documents, served to those who may read them only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.marketplace import accounts, onboarding
from storefront.marketplace.models import (
    ApplicationState,
    OperatorAuditEntry,
    OperatorRole,
    Seller,
    SellerApplication,
    User,
)
from tests import email_fixtures, order_fixtures
from tests import onboarding_fixtures as files
from tests.order_fixtures import PASSWORD, audit_count, html_text

people = order_fixtures.people
smtp_server = email_fixtures.smtp_server


@pytest.fixture
def kyc(app, tmp_path):
    previous = app.config["KYC_STORAGE_DIR"]
    app.config["KYC_STORAGE_DIR"] = str(tmp_path / "kyc")
    yield tmp_path / "kyc"
    app.config["KYC_STORAGE_DIR"] = previous


@pytest.fixture
def application(session, people, kyc) -> SellerApplication:
    files.categories(session)
    return onboarding.submit(session, files.answers(), files.documents(), storage_dir=kyc)




def test_the_list_filters_searches_sorts_and_pages(session, application, kyc, staff_of):
    other = onboarding.submit(session, files.answers(
        siret="35600000000048", vat_number="FR39356000000", legal_name="Zèbre et Cie", shop_name="Zèbre",
    ), files.documents(), storage_dir=kyc)
    finance = staff_of(OperatorRole.FINANCE)
    page = finance.page("/backoffice/applications")
    assert 'data-testid="nav-applications"' in page and 'aria-current="page"' in page
    assert page.index("Zèbre et Cie") < page.index("Belle Épicerie SAS")  # newest first
    page = finance.page("/backoffice/applications?sort=name")
    assert page.index("Belle Épicerie SAS") < page.index("Zèbre et Cie")
    page = finance.page("/backoffice/applications?q=35600")
    assert "Zèbre et Cie" in page and "Belle Épicerie SAS" not in page
    page = finance.page("/backoffice/applications?q=belle")
    assert "Zèbre et Cie" not in page and "Belle Épicerie SAS" in page
    onboarding.reject(session, accounts.find_user(session, "finance@staff.example.com"), other, "Non.")
    page = finance.page("/backoffice/applications?state=REJECTED")
    assert "Zèbre et Cie" in page and "Belle Épicerie SAS" not in page and "Rejected" in page
    # Anything typed in the query string is ignored rather than a crash.
    for query in ("state=NOPE&sort=DROP TABLE&page=-1", "page=99999", "q=%00%00", "q=" + "x" * 500):
        assert finance.get(f"/backoffice/applications?{query}").status_code == 200, query
    assert "Zèbre et Cie" in finance.page("/backoffice/applications?page=99")  # the last page


def test_the_detail_shows_everything_and_links_the_documents(application, staff_of):
    page = staff_of(OperatorRole.FINANCE).page(f"/backoffice/applications/{application.id}")
    text = html_text(page)
    for shown in ("La Belle Épicerie", "Belle Épicerie SAS", files.SIRET, files.VAT, "12 rue des Lilas",
                  "69003 Lyon", "Hélène Garnier", "helene@epicerie.example.com", "FR14 2004 1010 0505 0001 3M02 606",
                  "Maison", "To review"):
        assert shown in text, shown
    assert len(re.findall(r'data-testid="document-link"', page)) == 3
    assert 'data-testid="action-ask"' in page and 'data-testid="action-approve"' in page


def test_a_document_is_served_as_an_attachment_of_its_checked_type(application, staff_of):
    finance = staff_of(OperatorRole.FINANCE)
    bank = next(d for d in application.documents if d.kind == "BANK")
    response = finance.get(f"/backoffice/applications/documents/{bank.id}")
    assert response.status_code == 200 and response.data == files.png()
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert finance.get("/backoffice/applications/documents/999999").status_code == 404


def test_roles_without_the_permissions_get_403_and_change_nothing(session, application, staff_of):
    catalog = staff_of(OperatorRole.CATALOG)
    before = audit_count(session)
    document = application.documents[0]
    assert catalog.get(f"/backoffice/applications/documents/{document.id}").status_code == 403
    assert catalog.get("/backoffice/applications").status_code == 403
    assert catalog.get(f"/backoffice/applications/{application.id}").status_code == 403
    for action in ("ask", "approve", "reject"):
        response = catalog.post(f"/backoffice/applications/{application.id}/{action}", {"message": "x"})
        assert response.status_code == 403
    assert 'data-testid="nav-applications"' not in catalog.page("/backoffice/")
    catalog.post("/compte/deconnexion")
    support = staff_of(OperatorRole.SUPPORT)
    assert support.get(f"/backoffice/applications/{application.id}").status_code == 403
    assert support.get(f"/backoffice/applications/documents/{document.id}").status_code == 403
    session.expire_all()
    assert application.state == ApplicationState.SUBMITTED and audit_count(session) == before


def test_asking_needs_a_message_then_emails_the_link(session, application, staff_of, smtp_server):
    finance = staff_of(OperatorRole.FINANCE)
    before = audit_count(session)
    empty = finance.post(f"/backoffice/applications/{application.id}/ask", {"message": "  "})
    assert empty.status_code == 422 and "Write a message for the company." in empty.get_data(as_text=True)
    assert audit_count(session) == before
    done = finance.post(f"/backoffice/applications/{application.id}/ask",
                        {"message": "Merci de joindre un Kbis de moins de 3 mois."})
    assert done.status_code == 302
    page = finance.page(done.location)
    assert "Information requested" in page and "Merci de joindre un Kbis de moins de 3 mois." in page
    assert 'data-testid="action-ask"' not in page
    [entry] = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "application.info_requested"))
    assert entry.actor_email == "finance@staff.example.com"
    message = smtp_server.messages[-1]  # in the company's language: it applied in French
    assert message["To"] == "helene@epicerie.example.com"
    assert " ".join(message["Subject"].split()) == "Votre candidature pour vendre sur Storefront : il nous faut plus d’informations"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "/vendre/completer/" in body and "Merci de joindre un Kbis de moins de 3 mois." in body


def test_approving_opens_the_seller_and_emails_the_invitation(session, application, staff_of, smtp_server):
    admin = staff_of(OperatorRole.ADMIN)
    response = admin.post(f"/backoffice/applications/{application.id}/approve", {"message": ""})
    assert response.status_code == 302
    assert "is open and its first user is invited" in admin.page(response.location)
    seller = session.scalar(select(Seller).where(Seller.code == "la-belle-epicerie"))
    user = session.scalar(select(User).where(User.email == "helene@epicerie.example.com"))
    assert seller.is_open and user.seller_id == seller.id
    invitation = next(m for m in smtp_server.messages if m["To"] == "helene@epicerie.example.com")
    assert "/compte/invitation/" in invitation.get_body(preferencelist=("plain",)).get_content()
    again = admin.post(f"/backoffice/applications/{application.id}/approve", {"message": ""})
    assert again.status_code == 409 and "decided already" in again.get_data(as_text=True)
    assert session.scalar(select(func.count(Seller.id)).where(Seller.legal_name == "Belle Épicerie SAS")) == 1


def test_approving_with_a_taken_email_says_so_and_changes_nothing(session, application, staff_of, people):
    accounts.create_user(session, "helene@epicerie.example.com", PASSWORD)
    session.commit()
    admin = staff_of(OperatorRole.ADMIN)
    before = audit_count(session)
    response = admin.post(f"/backoffice/applications/{application.id}/approve", {"message": ""})
    assert response.status_code == 422 and "An account already exists" in response.get_data(as_text=True)
    session.expire_all()
    assert application.state == ApplicationState.SUBMITTED and audit_count(session) == before
    assert session.scalar(select(Seller).where(Seller.code == "la-belle-epicerie")) is None


def test_rejecting_emails_the_reason(session, application, staff_of, smtp_server):
    finance = staff_of(OperatorRole.FINANCE)
    response = finance.post(f"/backoffice/applications/{application.id}/reject",
                            {"message": "Nous ne référençons pas encore l'épicerie fine."})
    assert response.status_code == 302
    page = finance.page(response.location)
    assert "Rejected" in page and 'data-testid="decision-form"' not in page
    message = smtp_server.messages[-1]
    assert message["To"] == "helene@epicerie.example.com"
    assert "Nous ne référençons pas encore l'épicerie fine." in message.get_body(preferencelist=("plain",)).get_content()


def test_unknown_ids_are_404(staff_of, people):
    admin = staff_of(OperatorRole.ADMIN)
    assert admin.get("/backoffice/applications/424242").status_code == 404
    assert admin.post("/backoffice/applications/424242/approve", {}).status_code == 404
    assert admin.get(f"/backoffice/applications/{2**31}").status_code == 404
