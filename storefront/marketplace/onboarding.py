"""Seller onboarding: a company applies on /vendre, the operator reviews, the seller opens.

``submit`` checks everything the company typed (identifiers by their keys, documents by their
content) and refuses the whole application at once with every field's reason, so the form can
say all that is wrong in one go. Files are written before the rows and removed again if the
transaction fails: a refused or failed application leaves neither rows nor orphan files.

The operator then asks for more information (the company gets a signed link back to its form,
pre-filled; re-submitting puts it back in the queue), approves (the seller opens and its first
user, the seller's admin, is invited to choose a password) or rejects with a reason. Each of the
operator's decisions is written to the audit log in its own transaction, with its email.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import (
    company_ids,
    invitations,
    operator_audit,
    outbox,
    sellers,
    signed_links,
    staff,
    uploads,
)
from .errors import InvalidTransition, InvalidValue, NotFound
from .models import (
    ApplicationDocument,
    ApplicationState,
    Category,
    DocumentKind,
    Role,
    Seller,
    SellerApplication,
    User,
)
from .paging import Page
from .staff import Permission
from .text import slugify
from .unit_of_work import transaction

APPLICATION_SALT = "storefront.seller-application"
LINK_MAX_AGE_SECONDS = 30 * 24 * 3600  # a month to gather a missing paper
COUNTRIES = ("FR", "BE", "LU", "DE", "NL", "ES", "IT", "PT", "AT", "IE", "CH", "GB")
MAX_MESSAGE = 2000
OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.INFO_REQUESTED)

# Field: its longest value (the columns' sizes).
LENGTHS = {
    "shop_name": 120, "legal_name": 200, "company_number": 40, "address": 200,
    "postal_code": 12, "city": 80, "contact_name": 120, "contact_email": 254, "contact_phone": 30,
}
REQUIRED = ("shop_name", "legal_name", "address", "postal_code", "city", "contact_name",
            "contact_email", "contact_phone", "vat_number", "iban")


class ApplicationInvalid(InvalidValue):
    """Something in the application is wrong; ``details["errors"]`` maps each field (or
    document kind) to its reason code: required, too_long, siret, siret_taken, vat, vat_siren,
    iban, email, phone, country, categories, and for documents missing or the reason of
    ``uploads.UploadRefused`` (empty, too_large, unsupported, damaged, too_many_pixels)."""


class ApplicationLinkInvalid(InvalidValue):
    """The correction link is altered, expired, or its request has been answered already."""


@dataclass
class ApplicationData:
    """What the company types (as typed: :func:`submit` normalises and checks it)."""

    shop_name: str = ""
    legal_name: str = ""
    country: str = "FR"
    siret: str = ""
    company_number: str = ""
    vat_number: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    categories: list[str] = field(default_factory=list)
    iban: str = ""

    @classmethod
    def of(cls, application: SellerApplication) -> ApplicationData:
        return cls(**{f.name: getattr(application, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Upload:
    kind: DocumentKind
    data: bytes
    name: str = ""


def required_documents() -> tuple[DocumentKind, ...]:
    return tuple(DocumentKind)


def selectable_categories(session: Session) -> list[Category]:
    """The categories a company may choose: the first two levels of the tree."""
    from . import reference

    chosen = []
    for root in reference.category_tree(session):
        chosen.append(root.category)
        chosen.extend(child.category for child in root.children)
    return chosen


# --- Checking an application ---------------------------------------------------------------------


def check(session: Session, data: ApplicationData, uploaded: Iterable[Upload], *,
          needed: Iterable[DocumentKind], exclude_id: int | None = None,
          ) -> tuple[ApplicationData, list[tuple[DocumentKind, uploads.CheckedFile]]]:
    """The application normalised, and its files checked, or :class:`ApplicationInvalid` with
    every reason found. ``needed``: the kinds that must be among ``uploaded``."""
    errors: dict[str, str] = {}
    clean = replace(data, **{
        name: " ".join("".join(ch for ch in (getattr(data, name) or "") if ch.isprintable()).split())
        for name in LENGTHS
    })
    for name in REQUIRED:
        if not (getattr(clean, name) or "").strip():
            errors[name] = "required"
    for name, longest in LENGTHS.items():
        if len(getattr(clean, name)) > longest:
            errors[name] = "too_long"

    clean.country = (data.country or "").strip().upper()
    if clean.country not in COUNTRIES:
        errors["country"] = "country"
    clean.siret = company_ids.normalize_digits(data.siret)
    if clean.country == "FR":
        clean.company_number = ""
        if not clean.siret:
            errors["siret"] = "required"
        elif not company_ids.valid_siret(clean.siret):
            errors["siret"] = "siret"
        elif _siret_taken(session, clean.siret, exclude_id):
            errors["siret"] = "siret_taken"
    else:
        clean.siret = ""
        if not clean.company_number:
            errors["company_number"] = "required"

    clean.vat_number = company_ids.normalize_vat(data.vat_number)
    if clean.vat_number and "vat_number" not in errors:
        if len(clean.vat_number) > 20 or not company_ids.valid_vat(clean.vat_number):
            errors["vat_number"] = "vat"
        elif clean.country == "FR" and "siret" not in errors and not company_ids.vat_matches_siren(
            clean.vat_number, clean.siret
        ):
            errors["vat_number"] = "vat_siren"

    clean.iban = company_ids.normalize_iban(data.iban)
    if clean.iban and not company_ids.valid_iban(clean.iban):
        errors["iban"] = "iban"

    if clean.contact_email and "contact_email" not in errors:
        try:
            clean.contact_email = validate_email(clean.contact_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors["contact_email"] = "email"
    phone_digits = sum(ch.isdigit() for ch in clean.contact_phone)
    if clean.contact_phone and "contact_phone" not in errors and (
        phone_digits < 6 or any(not (ch.isdigit() or ch in "+ .()-") for ch in clean.contact_phone)
    ):
        errors["contact_phone"] = "phone"

    known = {c.code for c in selectable_categories(session)}
    clean.categories = list(dict.fromkeys(code for code in data.categories if code in known))
    if not clean.categories or len(clean.categories) != len(set(data.categories)):
        errors["categories"] = "categories"

    checked: list[tuple[DocumentKind, uploads.CheckedFile]] = []
    given = {}
    for upload in uploaded:
        given[upload.kind] = upload
    for kind, upload in given.items():
        try:
            checked.append((kind, uploads.check(upload.data, upload.name)))
        except uploads.UploadRefused as refused:
            errors[f"document_{kind.value}"] = refused.details["problem"]
    for kind in needed:
        if kind not in given:
            errors[f"document_{kind.value}"] = "missing"
    if errors:
        raise ApplicationInvalid("the application is not complete or not valid", errors=errors)
    return clean, checked


def _siret_taken(session: Session, siret: str, exclude_id: int | None) -> bool:
    """A company applies once at a time, and not again once it sells."""
    query = select(SellerApplication.id).where(
        SellerApplication.siret == siret,
        SellerApplication.state.in_((*OPEN_STATES, ApplicationState.APPROVED)),
    )
    if exclude_id is not None:
        query = query.where(SellerApplication.id != exclude_id)
    return session.scalar(query.limit(1)) is not None


# --- The company's side --------------------------------------------------------------------------


def submit(session: Session, data: ApplicationData, uploaded: Iterable[Upload], *,
           storage_dir: str | os.PathLike, locale: str = "fr") -> SellerApplication:
    """A new application (SUBMITTED), its documents stored, and the "received" email."""
    clean, checked = check(session, data, list(uploaded), needed=required_documents())

    def write(names: list[str]) -> SellerApplication:
        application = SellerApplication(**_columns(clean), locale=locale if locale in ("fr", "en") else "fr",
                                        state=ApplicationState.SUBMITTED,
                                        submitted_at=shop_clock.of(session).now())
        session.add(application)
        session.flush()
        _attach(session, application, checked, names)
        _received_email(session, application)
        return application

    return _with_files(session, storage_dir, checked, write)[0]


def resubmit(session: Session, application: SellerApplication, data: ApplicationData,
             uploaded: Iterable[Upload], *, storage_dir: str | os.PathLike) -> SellerApplication:
    """The company's corrections after a request for information: back to SUBMITTED. A new
    document of a kind replaces the old one (whose file is deleted once the change is saved)."""
    if application.state != ApplicationState.INFO_REQUESTED:
        raise InvalidTransition("this application is not waiting for corrections")
    clean, checked = check(session, data, list(uploaded), needed=(), exclude_id=application.id)
    replaced: list[str] = []

    def write(names: list[str]) -> SellerApplication:
        for name, value in _columns(clean).items():
            setattr(application, name, value)
        new_kinds = {kind for kind, _ in checked}
        for document in list(application.documents):
            if document.kind in new_kinds:
                replaced.append(document.stored_name)
                application.documents.remove(document)
                session.delete(document)
        session.flush()
        _attach(session, application, checked, names)
        application.state = ApplicationState.SUBMITTED
        application.submitted_at = shop_clock.of(session).now()
        _received_email(session, application)
        return application

    result = _with_files(session, storage_dir, checked, write)[0]
    for name in replaced:
        uploads.remove(storage_dir, name)
    return result


def _columns(clean: ApplicationData) -> dict[str, Any]:
    return {f.name: getattr(clean, f.name) for f in fields(ApplicationData)}


def _attach(session, application, checked, names) -> None:
    for (kind, file), name in zip(checked, names, strict=True):
        session.add(ApplicationDocument(
            application_id=application.id, kind=kind, content_type=file.content_type,
            stored_name=name, original_name=file.original_name, size=len(file.data),
        ))
    session.flush()
    session.expire(application, ["documents"])


def _with_files(session: Session, storage_dir, checked, write: Callable[[list[str]], Any]) -> tuple[Any, list[str]]:
    """Store the files, then run ``write(names)`` in one transaction; if anything fails, the
    files go too (no orphan file without its row)."""
    names: list[str] = []
    try:
        for _, file in checked:
            names.append(uploads.store(storage_dir, file))
        with transaction(session):
            result = write(names)
    except BaseException:
        for name in names:
            uploads.remove(storage_dir, name)
        raise
    return result, names


def _received_email(session: Session, application: SellerApplication) -> None:
    outbox.record_email(
        session, to=application.contact_email, template="application_received",
        context={"contact_name": application.contact_name, "shop_name": application.shop_name,
                 "number": application.id},
        locale=application.locale, kind="application_received",
    )


def make_link_token(application: SellerApplication, secret_key: str | bytes) -> str:
    return signed_links.make(secret_key, APPLICATION_SALT,
                             {"application": application.id, "round": application.round})


def application_for_token(session: Session, token: str, secret_key: str | bytes) -> SellerApplication:
    """The application a correction link opens: only while its request for information (that
    round) is unanswered."""
    data = signed_links.read(
        secret_key, APPLICATION_SALT, token, max_age_seconds=LINK_MAX_AGE_SECONDS,
        fields={"application": int, "round": int}, what="application",
        invalid=ApplicationLinkInvalid, expired=ApplicationLinkInvalid,
    )
    application = session.get(SellerApplication, data["application"])
    if (application is None or application.state != ApplicationState.INFO_REQUESTED
            or application.round != data["round"]):
        raise ApplicationLinkInvalid("this application link has been used or is no longer valid")
    return application


# --- The operator's side -------------------------------------------------------------------------


def get_application(session: Session, application_id: int) -> SellerApplication:
    application = session.get(SellerApplication, application_id)
    if application is None:
        raise NotFound(f"no application {application_id}")
    return application


def available_actions(application: SellerApplication) -> frozenset[str]:
    """What the operator may do with it now: ask, approve, reject (open applications only)."""
    if application.state == ApplicationState.SUBMITTED:
        return frozenset({"ask", "approve", "reject"})
    if application.state == ApplicationState.INFO_REQUESTED:
        return frozenset({"approve", "reject"})
    return frozenset()


def _require_open(application: SellerApplication, action: str) -> None:
    if action not in available_actions(application):
        raise InvalidTransition(f"an application {application.state.value} cannot be {action}ed")


def _message(text: str, what: str) -> str:
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch in "\n\t").strip()
    if not text:
        raise InvalidValue(f"write the {what}", field="message", problem="required")
    if len(text) > MAX_MESSAGE:
        raise InvalidValue(f"the {what} is too long", field="message", problem="too_long")
    return text


def ask_for_information(session: Session, actor: User, application: SellerApplication,
                        message: str, *, secret_key: str | bytes) -> SellerApplication:
    """INFO_REQUESTED, with the operator's question emailed to the company and a link back to
    its form."""
    with transaction(session):
        staff.require(actor, Permission.APPLICATIONS)
        _require_open(application, "ask")
        message = _message(message, "question")
        before = operator_audit.snapshot(application, ["state", "info_request", "round"])
        application.state = ApplicationState.INFO_REQUESTED
        application.info_request = message
        application.round += 1
        application.reviewer_id = actor.id
        session.flush()
        outbox.record_email(
            session, to=application.contact_email, template="application_info_requested",
            context={
                "contact_name": application.contact_name, "shop_name": application.shop_name,
                "message": message,
                "form_url": outbox.link("endpoint", endpoint="onboarding.complete",
                                        values={"token": make_link_token(application, secret_key)}),
                "expires_days": LINK_MAX_AGE_SECONDS // 86400,
            },
            locale=application.locale, kind="application_info_requested",
        )
        operator_audit.record(
            session, actor, "application.info_requested", application, before=before,
            after=operator_audit.snapshot(application, ["state", "info_request", "round"]),
            summary=application.legal_name,
        )
    return application


def approve(session: Session, actor: User, application: SellerApplication, *,
            secret_key: str | bytes) -> Seller:
    """The seller opens (OPEN), named after the application, and its first user (the seller's
    admin) is invited by email; all or nothing."""
    with transaction(session):
        staff.require(actor, Permission.APPLICATIONS)
        _require_open(application, "approve")
        before = operator_audit.snapshot(application, ["state", "seller_id"])
        seller = sellers.create_seller(
            session, _free_code(session, application.shop_name), application.shop_name,
            legal_name=application.legal_name, city=application.city, country=application.country,
        )
        seller.siret = application.siret
        seller.vat_number = application.vat_number
        invitations.invite(
            session, email=application.contact_email, name=application.contact_name,
            role=Role.SELLER, seller=seller, secret_key=secret_key, invited_by=actor,
            locale=application.locale,
        )
        _decide(session, actor, application, ApplicationState.APPROVED)
        application.seller_id = seller.id
        session.flush()
        operator_audit.record(
            session, actor, "application.approved", application, before=before,
            after=operator_audit.snapshot(application, ["state", "seller_id"]),
            summary=f"{application.legal_name} → {seller.code}",
        )
    return seller


def reject(session: Session, actor: User, application: SellerApplication, reason: str) -> SellerApplication:
    """REJECTED, with the reason emailed to the company."""
    with transaction(session):
        staff.require(actor, Permission.APPLICATIONS)
        _require_open(application, "reject")
        reason = _message(reason, "reason")
        before = operator_audit.snapshot(application, ["state", "reason"])
        _decide(session, actor, application, ApplicationState.REJECTED)
        application.reason = reason
        outbox.record_email(
            session, to=application.contact_email, template="application_rejected",
            context={"contact_name": application.contact_name, "shop_name": application.shop_name,
                     "reason": reason},
            locale=application.locale, kind="application_rejected",
        )
        operator_audit.record(
            session, actor, "application.rejected", application, before=before,
            after=operator_audit.snapshot(application, ["state", "reason"]),
            summary=application.legal_name,
        )
    return application


def _decide(session: Session, actor: User, application: SellerApplication, state: ApplicationState) -> None:
    application.state = state
    application.reviewer_id = actor.id
    application.decided_at = shop_clock.of(session).now()


def _free_code(session: Session, name: str) -> str:
    """A seller code from the shop's name (``la-belle-epicerie``), numbered if taken."""
    base = slugify(name, 32)
    code, number = base, 1
    while session.scalar(select(Seller.id).where(Seller.code == code)) is not None:
        number += 1
        code = f"{base[:36]}-{number}"
    return code


def document_for(session: Session, actor: User, document_id: int) -> ApplicationDocument:
    """A KYC document, for staff who may read them only."""
    staff.require(actor, Permission.KYC_DOCUMENTS)
    document = session.get(ApplicationDocument, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


# --- The list ------------------------------------------------------------------------------------

SORTS = {
    "-submitted": (SellerApplication.submitted_at.desc(), SellerApplication.id.desc()),
    "submitted": (SellerApplication.submitted_at.asc(), SellerApplication.id.asc()),
    "name": (func.lower(SellerApplication.legal_name).asc(), SellerApplication.id.asc()),
    "-name": (func.lower(SellerApplication.legal_name).desc(), SellerApplication.id.desc()),
    "state": (SellerApplication.state.asc(), SellerApplication.submitted_at.desc()),
}


class ApplicationPage(Page[SellerApplication]):
    """Seller applications matching the review list's filters, one page of them."""


def search(session: Session, *, state: ApplicationState | None = None, text: str = "",
           sort: str = "-submitted", page: int = 1, per_page: int = 50) -> ApplicationPage:
    """Applications filtered by state and by name (legal or shop, part of) or SIRET (start)."""
    query = select(SellerApplication)
    if state is not None:
        query = query.where(SellerApplication.state == state)
    text = (text or "").strip()
    if text:
        digits = company_ids.normalize_digits(text)
        conditions = [SellerApplication.legal_name.ilike(f"%{_escape(text)}%", escape="\\"),
                      SellerApplication.shop_name.ilike(f"%{_escape(text)}%", escape="\\")]
        if digits.isdigit():
            conditions.append(SellerApplication.siret.startswith(digits, autoescape=True))
        query = query.where(or_(*conditions))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(*SORTS.get(sort, SORTS["-submitted"]))
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return ApplicationPage(list(items), total, max(page, 1), per_page)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
