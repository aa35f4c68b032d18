"""The application service: a company applies, the operator asks for more, approves or rejects;
refusals leave no row, no file and no audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.marketplace import onboarding, operator_audit, outbox, seller_portal
from storefront.marketplace.errors import InvalidTransition, InvalidValue, NotAllowed
from storefront.marketplace.models import (
    ApplicationDocument,
    ApplicationState,
    DocumentKind,
    OperatorAuditEntry,
    OperatorRole,
    OutboxMessage,
    Role,
    Seller,
    SellerApplication,
    SellerState,
    User,
)
from tests import factories
from tests import onboarding_fixtures as files

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def kyc(tmp_path):
    return tmp_path / "kyc"


@pytest.fixture
def operator(session):
    files.categories(session)
    user = factories.user(session, Role.OPERATOR, email="review@staff.example.com")
    session.commit()
    return user


def stored(kyc) -> list[str]:
    return sorted(p.name for p in kyc.iterdir()) if kyc.exists() else []


def emails(session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def apply(session, kyc, **changes) -> SellerApplication:
    return onboarding.submit(session, files.answers(**changes), files.documents(), storage_dir=kyc)


def test_an_application_is_saved_with_its_documents_and_acknowledged(session, operator, kyc):
    application = apply(session, kyc, iban="fr14 2004 1010 0505 0001 3m02 606", siret="732 829 320 00074")
    assert application.state == ApplicationState.SUBMITTED and application.submitted_at
    assert application.siret == "73282932000074" and application.iban == "FR1420041010050500013M02606"
    kinds = {d.kind: d for d in application.documents}
    assert set(kinds) == set(DocumentKind)
    assert kinds[DocumentKind.BANK].content_type == "image/png"
    assert sorted(d.stored_name for d in application.documents) == stored(kyc)
    [email] = emails(session, "application_received")
    assert email.to_address == "helene@epicerie.example.com" and email.locale == "fr"


def test_every_reason_comes_at_once_and_nothing_is_kept(session, operator, kyc):
    bad = files.answers(
        shop_name="", siret="73282932000075", vat_number="FR00732829320", iban="FR1420041010050500013M02607",
        contact_email="not an email", contact_phone="call me", categories=["nowhere"], country="FR",
    )
    uploaded = [onboarding.Upload(DocumentKind.IDENTITY, files.exe(), "id.pdf"),
                onboarding.Upload(DocumentKind.KBIS, files.pdf(), "kbis.pdf")]
    with pytest.raises(onboarding.ApplicationInvalid) as refused:
        onboarding.submit(session, bad, uploaded, storage_dir=kyc)
    assert refused.value.details["errors"] == {
        "shop_name": "required", "siret": "siret", "vat_number": "vat", "iban": "iban",
        "contact_email": "email", "contact_phone": "phone", "categories": "categories",
        "document_IDENTITY": "unsupported", "document_BANK": "missing",
    }
    assert count(session, SellerApplication) == 0 and stored(kyc) == [] and count(session, OutboxMessage) == 0


def test_a_vat_number_of_another_company_is_refused(session, operator, kyc):
    with pytest.raises(onboarding.ApplicationInvalid) as refused:
        apply(session, kyc, vat_number="FR83404833048")
    assert refused.value.details["errors"] == {"vat_number": "vat_siren"}


def test_a_foreign_company_gives_its_number_instead_of_a_siret(session, operator, kyc):
    with pytest.raises(onboarding.ApplicationInvalid) as refused:
        apply(session, kyc, country="DE", siret="", vat_number="DE123456789")
    assert refused.value.details["errors"] == {"company_number": "required"}
    application = apply(session, kyc, country="DE", siret="whatever", company_number="HRB 12345",
                        vat_number="DE123456789", iban="DE89 3704 0044 0532 0130 00")
    assert (application.siret, application.company_number) == ("", "HRB 12345")


def test_a_company_applies_once_at_a_time(session, operator, kyc):
    apply(session, kyc)
    with pytest.raises(onboarding.ApplicationInvalid) as refused:
        apply(session, kyc)
    assert refused.value.details["errors"] == {"siret": "siret_taken"}


def test_a_failure_after_the_files_are_written_removes_them(session, operator, kyc, monkeypatch):
    def broken(*args, **kwargs):
        raise InvalidValue("the outbox is broken")

    monkeypatch.setattr(outbox, "record_email", broken)
    with pytest.raises(InvalidValue):
        apply(session, kyc)
    assert stored(kyc) == [] and count(session, SellerApplication) == 0
    assert count(session, ApplicationDocument) == 0


def test_ask_then_resubmit_with_a_replaced_document(session, operator, kyc):
    application = apply(session, kyc)
    old_bank = next(d.stored_name for d in application.documents if d.kind == DocumentKind.BANK)
    onboarding.ask_for_information(session, operator, application, "Le RIB est illisible.", secret_key=SECRET)
    assert application.state == ApplicationState.INFO_REQUESTED and application.round == 1
    [email] = emails(session, "application_info_requested")
    assert "Le RIB est illisible." in email.context
    [entry] = operator_audit.search(session, action="application.").entries
    assert entry.action == "application.info_requested"
    assert (entry.before["state"], entry.after["state"]) == ("SUBMITTED", "INFO_REQUESTED")

    token = onboarding.make_link_token(application, SECRET)
    assert onboarding.application_for_token(session, token, SECRET) is application
    onboarding.resubmit(
        session, application, files.answers(city="Villeurbanne"),
        [onboarding.Upload(DocumentKind.BANK, files.pdf(), "rib-lisible.pdf")], storage_dir=kyc,
    )
    assert application.state == ApplicationState.SUBMITTED and application.city == "Villeurbanne"
    bank = [d for d in application.documents if d.kind == DocumentKind.BANK]
    assert [d.original_name for d in bank] == ["rib-lisible.pdf"]
    assert old_bank not in stored(kyc) and len(stored(kyc)) == 3
    with pytest.raises(onboarding.ApplicationLinkInvalid):
        onboarding.application_for_token(session, token, SECRET)  # answered
    with pytest.raises(InvalidTransition):
        onboarding.resubmit(session, application, files.answers(), [], storage_dir=kyc)
    assert len(emails(session, "application_received")) == 2


def test_approving_opens_the_seller_and_invites_its_admin(session, operator, kyc):
    application = apply(session, kyc)
    seller = onboarding.approve(session, operator, application, secret_key=SECRET)
    assert (seller.code, seller.name, seller.state) == ("la-belle-epicerie", "La Belle Épicerie", SellerState.OPEN)
    assert (seller.legal_name, seller.siret, seller.vat_number, seller.city) == (
        "Belle Épicerie SAS", files.SIRET, files.VAT, "Lyon")
    assert application.state == ApplicationState.APPROVED and application.seller_id == seller.id
    assert application.reviewer_id == operator.id and application.decided_at
    user = session.scalar(select(User).where(User.email == "helene@epicerie.example.com"))
    assert user.role == Role.SELLER and user.seller_id == seller.id and not user.email_confirmed
    assert seller_portal.is_seller_admin(session, user)
    [invitation] = emails(session, "invitation")
    assert invitation.to_address == "helene@epicerie.example.com"
    [entry] = operator_audit.search(session, action="application.approved").entries
    assert entry.after == {"state": "APPROVED", "seller_id": seller.id}
    with pytest.raises(InvalidTransition):
        onboarding.reject(session, operator, application, "trop tard")


def test_approving_is_all_or_nothing(session, operator, kyc):
    application = apply(session, kyc)
    factories.user(session, email="helene@epicerie.example.com")  # the contact shops here already
    session.commit()
    audit_before = count(session, OperatorAuditEntry)
    with pytest.raises(InvalidValue):
        onboarding.approve(session, operator, application, secret_key=SECRET)
    session.expire_all()
    assert application.state == ApplicationState.SUBMITTED and application.seller_id is None
    assert count(session, Seller) == 0 and emails(session, "invitation") == []
    assert count(session, OperatorAuditEntry) == audit_before


def test_rejecting_needs_a_reason_and_emails_it(session, operator, kyc):
    application = apply(session, kyc)
    with pytest.raises(InvalidValue) as refused:
        onboarding.reject(session, operator, application, "  ")
    assert refused.value.details == {"field": "message", "problem": "required"}
    onboarding.reject(session, operator, application, "Activité hors de notre catalogue.")
    assert application.state == ApplicationState.REJECTED
    [email] = emails(session, "application_rejected")
    assert "Activité hors de notre catalogue." in email.context
    assert onboarding.available_actions(application) == frozenset()
    # Rejected, the company may apply again with the same SIRET.
    assert apply(session, kyc).state == ApplicationState.SUBMITTED


def test_staff_without_the_permission_cannot_decide(session, operator, kyc):
    application = apply(session, kyc)
    catalog = factories.user(session, Role.OPERATOR, email="catalog@staff.example.com")
    catalog.operator_role = OperatorRole.CATALOG
    session.commit()
    with pytest.raises(NotAllowed):
        onboarding.approve(session, catalog, application, secret_key=SECRET)
    with pytest.raises(NotAllowed):
        onboarding.document_for(session, catalog, application.documents[0].id)
    assert application.state == ApplicationState.SUBMITTED and count(session, OperatorAuditEntry) == 0


def test_search_filters_and_sorts(session, operator, kyc):
    first = apply(session, kyc)
    second = apply(session, kyc, siret="35600000000048", vat_number="FR39356000000", legal_name="Zèbre et Cie",
                   shop_name="Zèbre", contact_email="z@example.com")
    onboarding.reject(session, operator, second, "Non.")
    assert [a.id for a in onboarding.search(session).items] == [second.id, first.id]
    assert [a.id for a in onboarding.search(session, sort="name").items] == [first.id, second.id]
    assert [a.id for a in onboarding.search(session, state=ApplicationState.SUBMITTED).items] == [first.id]
    assert [a.id for a in onboarding.search(session, text="3560").items] == [second.id]
    assert [a.id for a in onboarding.search(session, text="épicerie").items] in ([first.id], [])
    assert [a.id for a in onboarding.search(session, text="Belle").items] == [first.id]
    assert onboarding.search(session, text="100%_").total == 0
    page = onboarding.search(session, per_page=1, page=2)
    assert page.total == 2 and page.pages == 2 and [a.id for a in page.items] == [first.id]
