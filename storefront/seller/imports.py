"""Seller portal: offer imports and status and tracking imports. Thin adapters over
``marketplace.offer_imports`` and ``marketplace.status_imports``: the upload
records a QUEUED import and queues the worker's job (never run in the request); the import's
page polls its progress with htmx every 2 s (a meta refresh without JavaScript); another
seller's import answers 404. The feed URL (``marketplace.offer_feeds``) is the seller's admin's
only, as API clients are: its address may carry a key to the seller's own systems."""

from __future__ import annotations

import logging
from datetime import time

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from storefront.extensions import db
from storefront.marketplace import data_imports, offer_feeds, offer_imports, status_imports
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import ImportKind, ImportSource
from storefront.seller import bp
from storefront.seller.forms import (
    ColumnMappingForm,
    OfferFeedForm,
    OfferImportForm,
    StatusImportForm,
)
from storefront.seller.views import seller_admin
from storefront.web.fragments import wants_fragment
from storefront.web.refusals import explain

log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1


def storage() -> offer_imports.Storage:
    return offer_imports.Storage.from_settings(current_app.config)


def queue_run(import_id: int) -> None:
    """Queue the worker's job; if the queue is unreachable, the sweep runs it within minutes."""
    from storefront.jobs.imports import run_data_import

    try:
        run_data_import(import_id)
    except Exception:
        log.exception("could not queue offer import %s; the sweep will run it", import_id)


def _page(form: OfferImportForm | None = None, status: int = 200, feed_form: OfferFeedForm | None = None,
          status_form: StatusImportForm | None = None):
    feed = offer_feeds.feed_of(db.session, current_user.seller_id) if seller_admin() else None
    if feed_form is None and seller_admin():
        feed_form = OfferFeedForm(formdata=None, prefix="feed", obj=feed) if feed else OfferFeedForm(
            formdata=None, prefix="feed")
        if feed is not None and feed.daily_minute is not None:
            feed_form.daily_time.data = time(feed.daily_minute // 60, feed.daily_minute % 60)
    error = offer_feeds.last_error(feed) if feed is not None else None
    return render_template(
        "seller/imports.html", form=form or OfferImportForm(formdata=None),
        status_form=status_form or StatusImportForm(formdata=None),
        imports=data_imports.imports_of(db.session, current_user.seller_id),
        feed_form=feed_form, feed=feed, feed_error=explain(error) if error else "",
    ), status


@bp.get("/imports")
def imports():
    return _page()


@bp.post("/imports")
def import_upload():
    # Refused before the body is read when the browser declares a bigger file.
    if (request.content_length or 0) > storage().max_bytes:
        form = OfferImportForm(formdata=None)
        form.form_errors.append(_("The file is too big: at most %(size)s MB.", size=storage().max_bytes // 1_000_000))
        return _page(form, 413)
    form = OfferImportForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    upload = form.file.data
    try:
        record, to_run = offer_imports.submit(
            db.session, g.seller, upload.stream, storage=storage(), file_name=upload.filename or "",
            mode=form.mode.data, source=ImportSource.UPLOAD, user_id=current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(explain(error))
        return _page(form, error.status)
    return _received(record, to_run)


def _received(record, to_run: bool):
    if to_run:
        queue_run(record.id)
        flash(_("Your file is received: its import is under way."), "success")
    else:
        flash(_("This file was already imported: here is its import."), "info")
    return redirect(url_for(".import_detail", import_id=record.id))


@bp.post("/imports/feed")
def import_feed():
    if not seller_admin():
        abort(403)
    feed_form = OfferFeedForm(prefix="feed")
    if not feed_form.validate_on_submit():
        return _page(OfferImportForm(formdata=None), 422, feed_form)
    try:
        offer_feeds.save(
            db.session, g.seller, url=feed_form.url.data, mode=feed_form.mode.data,
            frequency=feed_form.frequency.data, daily_time=feed_form.daily_time.data,
            enabled=feed_form.enabled.data, allow_private=current_app.config["FEED_ALLOW_PRIVATE_HOSTS"],
        )
    except DomainError as error:
        db.session.rollback()
        field = error.details.get("field")
        if field in feed_form:
            feed_form[field].errors = [explain(error)]
        else:
            feed_form.form_errors.append(explain(error))
        return _page(OfferImportForm(formdata=None), 422, feed_form)
    flash(_("Your feed is saved: the shop fetches your file on its schedule."), "success")
    return redirect(url_for(".imports"))


@bp.post("/imports/statuses")
def status_import_upload():
    """A file of order lines to accept, refuse or ship: the same checks as the offer upload."""
    if (request.content_length or 0) > storage().max_bytes:
        form = StatusImportForm(formdata=None)
        form.form_errors.append(_("The file is too big: at most %(size)s MB.", size=storage().max_bytes // 1_000_000))
        return _page(status=413, status_form=form)
    form = StatusImportForm()
    if not form.validate_on_submit():
        return _page(status=422, status_form=form)
    upload = form.file.data
    try:
        record, to_run = status_imports.submit(
            db.session, g.seller, upload.stream, storage=storage(), file_name=upload.filename or "",
            source=ImportSource.UPLOAD, user_id=current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(explain(error))
        return _page(status=error.status, status_form=form)
    return _received(record, to_run)


def _mine(import_id: int):
    try:
        return data_imports.get_import(db.session, current_user.seller_id, import_id)
    except NotFound:
        abort(404)


@bp.get(f"/imports/<int(max={MAX_ID}):import_id>")
def import_detail(import_id: int):
    record = _mine(import_id)
    errors = data_imports.errors_of(db.session, record, limit=50)
    file_error = data_imports.file_error(record)
    context = {"record": record, "errors": errors, "explain": explain, "as_error": data_imports.as_error,
               "file_error": explain(file_error) if file_error else "",
               "statuses": record.kind == ImportKind.STATUSES}
    if wants_fragment():
        return render_template("seller/partials/import_progress.html", **context), 200, {"Vary": "HX-Request"}
    return render_template("seller/import.html", **context), 200, {"Vary": "HX-Request"}


@bp.get(f"/imports/<int(max={MAX_ID}):import_id>/errors.csv")
def import_errors(import_id: int):
    record = _mine(import_id)
    key = _("Order") if record.kind == ImportKind.STATUSES else _("SKU")
    headers = (_("Line"), key, _("Field"), _("Level"), _("Message"))
    body = data_imports.error_report(db.session, record, explain, headers)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{record.id}-errors.csv"'})


@bp.route("/imports/mapping", methods=["GET", "POST"])
def import_mapping():
    saved = offer_imports.saved_mapping(db.session, current_user.seller_id)
    form = ColumnMappingForm.for_fields(offer_imports.FIELDS, saved)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                offer_imports.save_mapping(db.session, g.seller, form.columns(offer_imports.FIELDS))
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(explain(error))
            else:
                flash(_("Your column mapping is saved: it applies to your next files."), "success")
                return redirect(url_for(".import_mapping"))
    return render_template("seller/import_mapping.html", form=form, fields=offer_imports.FIELDS), status
