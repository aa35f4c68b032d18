"""Order export pages, shared by the seller portal and the back office: the download form (a
GET, so the link can be bookmarked and needs no CSRF token), the scheduled push's settings form,
and the streamed file. The rules (what is exported, what a since or a folder may be) are
``marketplace.order_exports``'s; this only maps them to forms and a response."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, current_app, stream_with_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import order_exports
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import ExportFormat
from storefront.web.refusals import explain

FORMAT_CHOICES = [
    SelectChoice(ExportFormat.CSV.value, _l("CSV (Excel, semicolons)")),
    SelectChoice(ExportFormat.XLSX.value, _l("Excel (XLSX)")),
    SelectChoice(ExportFormat.JSONL.value, _l("JSON lines")),
]
SINCE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class DownloadForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    format = SelectField(_l("Format"), choices=FORMAT_CHOICES, default=ExportFormat.CSV.value,
                         validators=[InputRequired()])
    since = StringField(
        _l("Orders new or changed since"),
        description=_l("Shop time. Orders changed after they were placed (cancellations, refunds, "
                       "shipments) are included again."),
        render_kw={"type": "datetime-local"},
        validators=[InputRequired()],  # read by order_exports.read_since; this marks it required
    )


class PushForm(FlaskForm):
    """Shown on the same page as the download form: its fields are prefixed (push-format), so
    that no two fields share an id."""

    enabled = BooleanField(_l("Push my new and changed orders to my drop folder"))
    format = SelectField(_l("Format"), choices=FORMAT_CHOICES, default=ExportFormat.CSV.value,
                         validators=[InputRequired()])
    folder = StringField(
        _l("Folder"),
        description=_l("Inside your drop folder, for example erp/in; leave it empty for the drop "
                       "folder itself."),
        validators=[Length(max=order_exports.MAX_FOLDER)],
    )


def push_form(**kwargs) -> PushForm:
    return PushForm(prefix="push", **kwargs)


def download_form(args) -> DownloadForm:
    """The form from the query string; a week ago by default."""
    form = DownloadForm(args if args else None)
    if not form.since.data:
        form.since.data = (clock.now().astimezone(clock.current().tz) - timedelta(days=7)).replace(
            hour=0, minute=0).strftime(SINCE_FORMAT)
    return form


def read(form: DownloadForm) -> tuple[ExportFormat, datetime] | None:
    """The format and the moment asked for, or None with the form's fields showing what is wrong."""
    fmt = since = None
    try:
        fmt = order_exports.read_format(form.format.data)
    except InvalidValue as error:
        form.format.errors = [explain(error)]
    try:
        since = order_exports.read_since(form.since.data, clock.current().tz)
    except InvalidValue as error:
        form.since.errors = [explain(error)]
    return (fmt, since) if fmt and since else None


def download(fmt: ExportFormat, *, seller_id: int | None, seller_code: str | None,
             since: datetime) -> Response:
    """The file, streamed as it is written (the rows are read a batch at a time)."""
    export = order_exports.OrderExport(db.session, seller_id=seller_id, since=since,
                                       locale=str(get_locale() or "fr"))
    name = order_exports.file_name(fmt, seller_code, clock.now())
    body = stream_with_context(order_exports.byte_chunks(fmt, export.rows()))
    response = Response(body, mimetype=order_exports.MEDIA_TYPES[fmt].split(";")[0])
    if fmt == ExportFormat.CSV:
        response.headers["Content-Type"] = order_exports.MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def drop_root() -> str:
    return current_app.config["EXPORT_DROP_ROOT"]
