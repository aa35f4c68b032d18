"""Back office: the finance reports (``/backoffice/finance/reports``), GMV and commission over
time by seller or by category, thin over ``marketplace.finance_reports``: a GET form (period,
bucket, dimension: the address can be kept and shared), two charts drawn on the server (SVG
images from their own route, storefront/backoffice/charts.py), the table of the same figures and
its CSV (``?format=csv``). For staff who see the commissions (Permission.COMMISSIONS)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from babel.dates import format_interval
from babel.numbers import format_decimal
from flask import Response, abort, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from storefront import clock
from storefront.backoffice import bp, charts
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import finance_reports
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.finance_reports import (
    OTHERS,
    SHIPPING,
    Asked,
    Bucket,
    Dimension,
    Report,
)
from storefront.marketplace.order_exports import escape_cell
from storefront.marketplace.staff import Permission
from storefront.web.refusals import explain

CSV_COLUMNS = ("period_start", "period_end", "dimension", "code", "name", "gmv_cents", "gmv",
               "commission_cents", "commission", "currency")


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    since = StringField(_l("First day"), render_kw={"type": "date"})
    until = StringField(_l("Last day"), render_kw={"type": "date"})
    bucket = SelectField(_l("Group by"), choices=[
        SelectChoice(Bucket.DAY.value, _l("Day")), SelectChoice(Bucket.WEEK.value, _l("Week")),
        SelectChoice(Bucket.MONTH.value, _l("Month"))])
    dimension = SelectField(_l("Split by"), choices=[
        SelectChoice(Dimension.SELLER.value, _l("Seller")),
        SelectChoice(Dimension.CATEGORY.value, _l("Category"))])


@bp.get("/finance/reports")
@requires(Permission.COMMISSIONS)
def finance_reports_page():
    form, asked = _read()
    if asked is None:
        return _page(form, None), 422
    report = finance_reports.report(db.session, asked)
    if request.args.get("format") == "csv":
        return _csv(report)
    return _page(form, report)


@bp.get(f"/finance/reports/<any({', '.join(charts.FINANCE_CHARTS)}):chart>.svg")
@requires(Permission.COMMISSIONS)
def finance_report_chart(chart: str):
    _form, asked = _read()
    if asked is None:
        abort(422)  # the page links charts of valid requests only
    report = finance_reports.report(db.session, asked)
    svg = charts.render_finance(chart, report, [group_label(report, group) for group in report.groups])
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": charts.CHART_POLICY})


def _read() -> tuple[ReportForm, Asked | None]:
    """The form as typed, and the request it makes (None, with the field's error, if wrong)."""
    form = ReportForm(request.args if request.args else None)
    default = finance_reports.default_asked(clock.today())
    try:
        asked = finance_reports.read_asked(form.since.data, form.until.data, form.bucket.data,
                                           form.dimension.data, today=default.last_day)
    except InvalidValue as error:
        getattr(form, str(error.details.get("field"))).errors = [explain(error)]
        return form, None
    # What was left empty shows its default; what was typed stays as typed.
    form.since.data = form.since.data or asked.first_day.isoformat()
    form.until.data = form.until.data or asked.last_day.isoformat()
    form.bucket.data, form.dimension.data = asked.bucket.value, asked.dimension.value
    return form, asked


def _page(form: ReportForm, report: Report | None):
    args = _args(report.asked) if report else {}
    return render_template(
        "backoffice/finance_reports.html", form=form, report=report,
        label=lambda group: group_label(report, group), slot_label=lambda slot: slot_label(report, slot),
        chart_url=lambda chart: url_for("backoffice.finance_report_chart", chart=chart, **args),
        csv_url=url_for("backoffice.finance_reports_page", format="csv", **args) if report else None,
        percent=_percent, swatch=charts.finance_swatch,
    )


def _args(asked: Asked) -> dict:
    return {"since": asked.first_day.isoformat(), "until": asked.last_day.isoformat(),
            "bucket": asked.bucket.value, "dimension": asked.dimension.value}


def group_label(report: Report, group) -> str:
    if group.key == OTHERS:
        return _("Other sellers") if report.asked.dimension == Dimension.SELLER else _("Other categories")
    if group.key == SHIPPING:
        return _("Shipping (no category)")
    return group.label_for(_locale())


def slot_label(report: Report, slot) -> str:
    """The slot in the table: ``3 déc. 2026``, ``1–7 déc. 2026``."""
    if slot.first_day == slot.last_day:
        return format_date(slot.first_day, "d MMM yyyy")
    return format_interval(slot.first_day, slot.last_day, "yMMMd", locale=_locale())


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return format_decimal(Decimal(part) / Decimal(whole) * 100, format="0.0", locale=_locale()) + " %"


def _locale() -> str:
    return str(get_locale() or "fr")


def _csv(report: Report) -> Response:
    """The table's rows: ``;``-separated UTF-8 with a BOM, as the order exports (French Excel
    opens it as it is); amounts in cents and in units with the locale's decimal separator."""
    locale = _locale()

    def units(cents: int) -> str:
        return format_decimal(Decimal(cents) / 100, format="0.00", locale=locale)

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for slot, group, gmv, commission in report.cells():
        writer.writerow([escape_cell(cell) for cell in (
            slot.first_day.isoformat(), slot.last_day.isoformat(), report.asked.dimension.value, group.key,
            group_label(report, group), gmv, units(gmv), commission, units(commission), report.currency)])
    asked = report.asked
    name = f"finances-{asked.dimension.value}-{asked.first_day.isoformat()}-{asked.last_day.isoformat()}.csv"
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
