"""Back-office catalog imports (permission CATALOG): upload a product or category file, follow
its import, download its report, run it again; map the product files' categories to the shop's.
Thin adapters over ``marketplace.catalog_imports``; the run happens in the worker."""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.catalog_forms import CatalogImportForm, ConfirmForm, SourceCategoryForm
from storefront.extensions import db
from storefront.marketplace import catalog_imports, category_tree, offer_imports
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import ImportSource
from storefront.marketplace.staff import Permission
from storefront.web.fragments import wants_fragment
from storefront.web.refusals import explain

log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1
ID = f"<int(max={MAX_ID})"


def _storage() -> offer_imports.Storage:
    return offer_imports.Storage.from_settings(current_app.config)


def _queue(import_id: int) -> None:
    """The worker's job; if the queue is unreachable, the sweep runs the import within minutes."""
    from storefront.jobs.imports import run_data_import

    try:
        run_data_import(import_id)
    except Exception:
        log.exception("could not queue catalog import %s; the sweep will run it", import_id)


def _page(form: CatalogImportForm, status: int = 200):
    unmapped = sum(1 for m in catalog_imports.mappings(db.session) if m.included and m.category_id is None)
    return render_template("backoffice/catalog_imports.html", form=form, unmapped=unmapped,
                           imports=catalog_imports.imports(db.session)), status


@bp.get("/catalog/imports", endpoint="catalog_imports")
@requires(Permission.CATALOG)
def catalog_imports_page():
    return _page(CatalogImportForm())


@bp.post("/catalog/imports")
@requires(Permission.CATALOG)
def catalog_import_upload():
    # Refused before the body is read when the browser declares a bigger file.
    if (request.content_length or 0) > _storage().max_bytes:
        form = CatalogImportForm(formdata=None)
        form.form_errors.append(_("The file is too big: at most %(size)s MB.", size=_storage().max_bytes // 1_000_000))
        return _page(form, 413)
    form = CatalogImportForm()
    upload = form.file.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        if not form.errors:
            form.file.errors = [*form.file.errors, _("Choose a file.")]
        return _page(form, 422)
    try:
        record, to_run = catalog_imports.submit(
            db.session, form.kind.data, upload.stream, storage=_storage(), file_name=upload.filename or "",
            source=ImportSource.UPLOAD, user_id=current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(explain(error))
        return _page(form, error.status)
    if to_run:
        _queue(record.id)
        flash(_("The file is received: its import is under way."), "success")
    else:
        flash(_("This file is being imported: here is its import."), "info")
    return redirect(url_for(".catalog_import_detail", import_id=record.id))


def _record(import_id: int):
    try:
        return catalog_imports.get_import(db.session, import_id)
    except NotFound:
        abort(404)


@bp.get(f"/catalog/imports/{ID}:import_id>")
@requires(Permission.CATALOG)
def catalog_import_detail(import_id: int):
    record = _record(import_id)
    file_error = offer_imports.file_error(record)
    context = {"record": record, "errors": offer_imports.errors_of(db.session, record, limit=200),
               "explain": explain, "as_error": offer_imports.as_error,
               "file_error": explain(file_error) if file_error else "", "again_form": ConfirmForm(formdata=None)}
    if wants_fragment():
        return (render_template("backoffice/partials/catalog_import_progress.html", **context), 200,
                {"Vary": "HX-Request"})
    return render_template("backoffice/catalog_import.html", **context), 200, {"Vary": "HX-Request"}


@bp.get(f"/catalog/imports/{ID}:import_id>/errors.csv")
@requires(Permission.CATALOG)
def catalog_import_errors(import_id: int):
    record = _record(import_id)
    headers = (_("Line"), _("Key"), _("Field"), _("Level"), _("Message"))
    body = offer_imports.error_report(db.session, record, explain, headers)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{record.id}-report.csv"'})


@bp.post(f"/catalog/imports/{ID}:import_id>/again")
@requires(Permission.CATALOG)
def catalog_import_again(import_id: int):
    record = _record(import_id)
    if ConfirmForm().validate_on_submit() and record.finished:
        catalog_imports.again(db.session, record)
        _queue(record.id)
        flash(_("The import runs again with the current category mapping."), "success")
    return redirect(url_for(".catalog_import_detail", import_id=record.id))


@bp.route("/catalog/imports/categories", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def catalog_import_mapping():
    """One row per source category: the shop category it goes to, and whether to import it."""
    rows = catalog_imports.mappings(db.session)
    form = SourceCategoryForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            choices = []
            for row in rows:
                raw = request.form.get(f"category-{row.id}", "")
                category_id = int(raw) if raw.isdigit() and len(raw) < 11 else None
                choices.append((row.source, category_id, request.form.get(f"include-{row.id}") == "1"))
            if form.source.data:
                choices.append((form.source.data, None, True))
            try:
                catalog_imports.save_mapping(db.session, choices)
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(explain(error))
            else:
                flash(_("The category mapping is saved: it applies to the next product files."), "success")
                return redirect(url_for(".catalog_import_mapping"))
    locale = str(get_locale() or "fr")
    tree = [(row.category.id, "— " * row.depth + row.category.label_for(locale))
            for row in category_tree.rows(db.session)]
    return render_template("backoffice/catalog_import_mapping.html", rows=rows, tree=tree, form=form,
                           typed=request.form if request.method == "POST" else None), status
