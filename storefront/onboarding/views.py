"""/vendre: the application form, its thank-you page, and the corrections page the operator's
email links to. Thin: the form's values go to ``marketplace.onboarding``, whose reasons come
back next to the fields (typed values kept; files cannot be, so the page says which to attach
again)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from storefront.extensions import db, limiter
from storefront.marketplace import onboarding, uploads
from storefront.marketplace.errors import InvalidTransition
from storefront.marketplace.models import DocumentKind
from storefront.onboarding import bp
from storefront.onboarding.forms import DOCUMENT_FIELDS, DOCUMENT_LABELS, ApplicationForm

FORM_POSTS_LIMIT = "10 per minute"
# The three documents and the form's text: anything bigger is refused before it is read.
MAX_REQUEST_BYTES = len(DocumentKind) * uploads.MAX_BYTES + 1024 * 1024
# The corrections page's address holds its token: out of caches, and out of the Referer of
# whatever the page links to (even on this site: access logs keep referrers).
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
TEXT_FIELDS = ("shop_name", "legal_name", "country", "siret", "company_number", "vat_number",
               "address", "postal_code", "city", "contact_name", "contact_email",
               "contact_phone", "iban")


@bp.url_value_preprocessor
def limit_request_size(endpoint, values):
    # Before any before_request (the CSRF check reads the form first): the limit must be set
    # before the body is parsed.
    request.max_content_length = MAX_REQUEST_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    form = _form(formdata=None)
    form.form_errors.append(_("The files are too large together: each document may weigh %(mb)d MB at most.",
                              mb=uploads.MAX_BYTES // (1024 * 1024)))
    return render_template("onboarding/apply.html", form=form, completing=None,
                           action=request.path, document_labels=DOCUMENT_LABELS), 413


@bp.route("", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def apply():
    form = _form()
    if form.is_submitted():
        done = _send(form, lambda data, files: onboarding.submit(
            db.session, data, files, storage_dir=current_app.config["KYC_STORAGE_DIR"],
            locale=str(get_locale() or "fr"),
        ))
        if done:
            return redirect(url_for(".sent"))
    return _page(form, None)


@bp.get("/merci")
def sent():
    return render_template("onboarding/sent.html")


@bp.route("/completer/<string(maxlength=400):token>", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def complete(token: str):
    try:
        application = onboarding.application_for_token(db.session, token, current_app.secret_key)
    except onboarding.ApplicationLinkInvalid:
        page = render_template("onboarding/link_error.html")
        return page, 410, PRIVATE
    if request.method == "GET":
        form = _form(formdata=None, data=onboarding.ApplicationData.of(application).__dict__)
    else:
        form = _form()
        done = _send(form, lambda data, files: onboarding.resubmit(
            db.session, application, data, files, storage_dir=current_app.config["KYC_STORAGE_DIR"],
        ))
        if done:
            return redirect(url_for(".sent"))
    page, status = _page(form, application)
    return page, status, PRIVATE


def _form(formdata=..., data=None) -> ApplicationForm:
    kwargs = {} if formdata is ... else {"formdata": formdata}
    form = ApplicationForm(data=data, **kwargs)
    form.categories.choices = [
        SelectChoice(category.code, ("— " if category.level > 1 else "") + category.label_for(str(get_locale() or "fr")))
        for category in onboarding.selectable_categories(db.session)
    ]
    return form


def _send(form: ApplicationForm, service) -> bool:
    """Call ``service(data, files)``; False with the reasons on the form if it refuses."""
    form.validate()
    if form.csrf_token.errors:
        form.form_errors.append(_("The page had expired: check the form and send it again."))
        return False
    for field in form:
        field.errors = []  # the service says what is wrong, every field at once
    data = onboarding.ApplicationData(
        **{name: getattr(form, name).data or "" for name in TEXT_FIELDS},
        categories=[str(code)[:40] for code in (form.categories.data or [])][:50],
    )
    files = []
    for kind, name in DOCUMENT_FIELDS.items():
        storage = request.files.get(name)
        if storage and storage.filename:
            files.append(onboarding.Upload(kind, uploads.read_limited(storage.stream), storage.filename))
    try:
        service(data, files)
    except onboarding.ApplicationInvalid as refused:
        _show(form, refused.details["errors"], attached={f.kind for f in files})
        return False
    except InvalidTransition:
        form.form_errors.append(_("This application has been sent already."))
        return False
    return True


def _show(form: ApplicationForm, errors: dict[str, str], attached: set[DocumentKind]) -> None:
    for name, reason in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [_message(reason)]
    again = [
        DOCUMENT_FIELDS[kind] for kind in attached if DOCUMENT_FIELDS[kind] not in errors
    ]
    for name in again:
        getattr(form, name).errors = [_("Attach this file again: files are not kept when the form comes back.")]
    form.form_errors.append(_("Some answers need your attention: see the messages next to the fields."))


def _message(reason: str) -> str:
    return {
        "required": _("Fill in this field."),
        "too_long": _("This answer is too long."),
        "siret": _("This SIRET is not valid: check its 14 digits."),
        "siret_taken": _("An application for this SIRET is already under review or approved."),
        "vat": _("This VAT number is not valid (in France: FR, a two-digit key, then the SIREN)."),
        "vat_siren": _("This VAT number is not the one of the SIRET's company."),
        "iban": _("This IBAN is not valid: check its country, length and key."),
        "email": _("Enter a valid email address, like name@example.com."),
        "phone": _("Enter a phone number: digits, spaces and + . - ( ) only."),
        "country": _("Choose a country from the list."),
        "categories": _("Choose at least one category from the list."),
        "missing": _("Attach this document."),
        "empty": _("This file is empty."),
        "too_large": _("This file is larger than %(mb)d MB.", mb=uploads.MAX_BYTES // (1024 * 1024)),
        "unsupported": _("Only PDF, PNG or JPEG files are accepted (checked on the content, not the name)."),
        "damaged": _("This picture cannot be read: the file may be damaged."),
        "too_many_pixels": _("This picture has too many pixels: scan or photograph it at a lower resolution."),
    }.get(reason, _("Check this answer."))


def _page(form: ApplicationForm, application):
    status = 422 if form.is_submitted() and (form.form_errors or any(f.errors for f in form)) else 200
    action = url_for(".complete", token=request.view_args["token"]) if application else url_for(".apply")
    if application is not None:
        for name in DOCUMENT_FIELDS.values():
            getattr(form, name).flags.required = False  # received already; a new file replaces it
    page = render_template("onboarding/apply.html", form=form, completing=application, action=action,
                           document_labels=DOCUMENT_LABELS)
    return page, status
