"""Back office: seller applications (list, detail, ask for more, approve, reject) and their KYC
documents. Thin adapters over ``marketplace.onboarding``; documents open only for staff holding
KYC_DOCUMENTS (identity papers and bank details), the rest for APPLICATIONS."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import company_ids, onboarding, uploads
from storefront.marketplace.errors import DomainError, InvalidValue, NotFound
from storefront.marketplace.models import ApplicationState, User
from storefront.marketplace.staff import Permission
from storefront.onboarding.forms import COUNTRY_LABELS, DOCUMENT_LABELS, Needed
from storefront.web import query_params

MAX_ID = 2**31 - 1
PER_PAGE = 25


class ApplicationDecisionForm(FlaskForm):
    """The message of a request for information or the reason of a rejection (the service
    says when one is needed); approving needs none."""

    message = TextAreaField(_l("Message for the company"), render_kw={"maxlength": onboarding.MAX_MESSAGE},
                            validators=[Needed()])


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/applications")
@requires(Permission.APPLICATIONS)
def application_list():
    args = request.args
    state = args.get("state", "")
    state = state if state in ApplicationState.__members__ else ""
    text = "".join(ch for ch in args.get("q", "") if ch.isprintable()).strip()[:80]
    sort = args.get("sort", "")
    sort = sort if sort in onboarding.SORTS else "-submitted"
    found = onboarding.search(
        db.session, state=ApplicationState(state) if state else None, text=text, sort=sort,
        page=query_params.page(args), per_page=PER_PAGE,
    )
    if found.items == [] and found.page > found.pages:  # past the last page: show the last
        found = onboarding.search(db.session, state=ApplicationState(state) if state else None,
                                  text=text, sort=sort, page=found.pages, per_page=PER_PAGE)
    return render_template(
        "backoffice/applications.html", found=found, state=state, q=text, sort=sort,
        states=list(ApplicationState), sorts=list(onboarding.SORTS),
    )


@bp.get(f"/applications/<int(max={MAX_ID}):application_id>")
@requires(Permission.APPLICATIONS)
def application_detail(application_id: int):
    return _detail_page(_application(application_id), ApplicationDecisionForm(formdata=None), None)


@bp.post(f"/applications/<int(max={MAX_ID}):application_id>/<any(ask, approve, reject):action>")
@requires(Permission.APPLICATIONS)
def application_action(application_id: int, action: str):
    application = _application(application_id)
    form = ApplicationDecisionForm()
    if not form.validate_on_submit():
        return _detail_page(application, form, action, 422)
    try:
        if action == "ask":
            onboarding.ask_for_information(db.session, _me(), application, form.message.data or "",
                                           secret_key=current_app.secret_key)
            flash(_("Your request is emailed to the company, with a link back to its application."), "success")
        elif action == "approve":
            seller = onboarding.approve(db.session, _me(), application, secret_key=current_app.secret_key)
            flash(_("Approved: the seller %(name)s is open and its first user is invited by email.",
                    name=seller.name), "success")
        else:
            onboarding.reject(db.session, _me(), application, form.message.data or "")
            flash(_("The application is rejected; the company receives the reason by email."), "success")
    except DomainError as error:
        db.session.expire_all()
        if isinstance(error, InvalidValue) and error.details.get("field") == "message":
            form.message.errors = [_("Write a message for the company.") if error.details.get("problem") == "required"
                                   else _("At most %(max)d characters.", max=onboarding.MAX_MESSAGE)]
        else:
            form.form_errors.append(_refusal(error))
        return _detail_page(_application(application_id), form, action, error.status)
    return redirect(url_for(".application_detail", application_id=application_id))


@bp.get(f"/applications/documents/<int(max={MAX_ID}):document_id>")
@requires(Permission.KYC_DOCUMENTS)
def application_document(document_id: int):
    try:
        document = onboarding.document_for(db.session, _me(), document_id)
        path = uploads.path_of(current_app.config["KYC_STORAGE_DIR"], document.stored_name)
    except NotFound:
        abort(404)
    if not path.is_file():
        abort(404)
    # At most 5 MB: read whole, so no file handle outlives the request.
    response = Response(path.read_bytes(), mimetype=document.content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="application-{document.application_id}-{document.kind.value.lower()}{path.suffix}"'
    )
    # Never rendered by the browser as something else, never kept in a shared cache.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _application(application_id: int):
    try:
        return onboarding.get_application(db.session, application_id)
    except NotFound:
        abort(404)


def _refusal(error: DomainError) -> str:
    if error.status == 409:
        return _("This application has been decided already; reload the page.")
    if "already exists for this email" in error.message:
        return _("An account already exists for the contact's email address: the seller cannot be opened with it.")
    return _("The application could not be changed. Reload the page and try again.")


def _detail_page(application, form, action, status: int = 200):
    return render_template(
        "backoffice/application.html", application=application, form=form, action=action,
        actions=onboarding.available_actions(application),
        document_labels=DOCUMENT_LABELS, country_labels=COUNTRY_LABELS,
        iban=company_ids.format_iban(application.iban),
        categories=_category_labels(application.categories),
    ), status


def _category_labels(codes: list[str]) -> list[str]:
    labels = {c.code: c.label for c in onboarding.selectable_categories(db.session)}
    return [labels.get(code, code) for code in codes]
