"""Back office: mappings of the shop's codes to the marketplace's (message types, reason codes,
delivery modes and carriers, payment codes). Thin adapters over ``marketplace.mappings`` and
``marketplace.reason_codes``; every write is audited there."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.settings_forms import (
    REASON_TYPE_LABELS,
    DeliveryMappingForm,
    PaymentMappingForm,
    ReasonEditForm,
    ReasonForm,
    TopicMappingForm,
)
from storefront.extensions import db
from storefront.marketplace import mappings, reason_codes
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import DeliveryMode, DiscussionTopic, ReasonCode, ReasonType
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
MODE = "<string(maxlength=20):code>"
METHOD = "<string(maxlength=30):method>"
PER_PAGE = 50


def _me():
    return current_user._get_current_object()


def _reason_type() -> str:
    value = request.args.get("type", "")
    return value if value in ReasonType.__members__ else ""


@bp.get("/mappings")
@requires(Permission.SETTINGS)
def mapping_index():
    return _page()


def _page(failed: tuple[str, str, object] | None = None, status: int = 200):
    """The page; ``failed`` = (kind, key, form) puts back a refused row's typed values and errors."""
    overview = mappings.overview(db.session, current_app.config["PAYMENT_CODES"])
    kind, key, failed_form = failed or ("", "", None)

    def form_for(this_kind, this_key, make):
        return failed_form if (this_kind, this_key) == (kind, key) else make()

    reason_type = _reason_type()
    q = query_params.search(request.args)
    sort, descending = query_params.sort(request.args, reason_codes.REASON_SORTS, "type")
    reasons = reason_codes.reason_page(db.session, type=ReasonType(reason_type) if reason_type else None, q=q,
                                       sort=sort, descending=descending, page=query_params.page(request.args),
                                       per_page=PER_PAGE)
    return render_template(
        "backoffice/mappings.html",
        topics=[(topic, form_for("topic", str(topic.id), lambda t=topic: TopicMappingForm(
            formdata=None, message_type=t.message_type, prefix=f"topic{t.id}"))) for topic in overview.topics],
        modes=[(mode, form_for("mode", mode.code, lambda c=codes, m=mode: DeliveryMappingForm(
            formdata=None, marketplace_mode=c.mode, carrier=c.carrier, prefix=f"mode-{m.code}")))
            for mode, codes in overview.modes],
        payments=[(row, form_for("payment", row.method, lambda r=row: PaymentMappingForm(
            formdata=None, code=r.override, prefix=f"pay-{r.method}"))) for row in overview.payments],
        reasons=reasons,
        reason_type=reason_type,
        q=q,
        sort=sort,
        direction="desc" if descending else "asc",
        type_labels=REASON_TYPE_LABELS,
    ), status


def _saved(changed: bool):
    flash(_("Saved.") if changed else _("Nothing to change."), "success" if changed else "info")
    return redirect(url_for(".mapping_index"))


@bp.post(f"/mappings/topics/<int(max={MAX_ID}):topic_id>")
@requires(Permission.SETTINGS)
def mapping_topic(topic_id: int):
    topic = db.session.get(DiscussionTopic, topic_id) or abort(404)
    form = TopicMappingForm(prefix=f"topic{topic.id}")
    if form.validate_on_submit():
        try:
            return _saved(mappings.set_message_type(db.session, _me(), topic, form.message_type.data))
        except DomainError as error:
            form.message_type.errors = [explain(error)]
    return _page(("topic", str(topic.id), form), 422)


@bp.post(f"/mappings/delivery/{MODE}")
@requires(Permission.SETTINGS)
def mapping_delivery(code: str):
    mode = db.session.scalar(select(DeliveryMode).where(DeliveryMode.code == code)) or abort(404)
    form = DeliveryMappingForm(prefix=f"mode-{mode.code}")
    if form.validate_on_submit():
        try:
            return _saved(mappings.set_delivery_codes(db.session, _me(), mode.code, form.marketplace_mode.data,
                                                      form.carrier.data))
        except DomainError as error:
            field = form.carrier if error.details.get("field") == "carrier_code" else form.marketplace_mode
            field.errors = [explain(error)]
    return _page(("mode", mode.code, form), 422)


@bp.post(f"/mappings/payments/{METHOD}")
@requires(Permission.SETTINGS)
def mapping_payment(method: str):
    known = {row.method for row in mappings.overview(db.session, current_app.config["PAYMENT_CODES"]).payments}
    if method not in known:
        abort(404)
    form = PaymentMappingForm(prefix=f"pay-{method}")
    if form.validate_on_submit():
        try:
            return _saved(mappings.set_payment_code(db.session, _me(), method, form.code.data))
        except DomainError as error:
            form.code.errors = [explain(error)]
    return _page(("payment", method, form), 422)


# --- Reason codes --------------------------------------------------------------------------------


def _fields(form) -> reason_codes.ReasonFields:
    return reason_codes.ReasonFields(
        label=form.label.data or "", label_en=form.label_en.data or "",
        customer_allowed=form.customer_allowed.data, seller_allowed=form.seller_allowed.data,
        operator_allowed=form.operator_allowed.data, marketplace_code=form.marketplace_code.data or "",
        active=form.active.data,
    )


def _put_error(form, error: DomainError) -> None:
    field = getattr(form, str(error.details.get("field") or ""), None)
    if field is None:
        form.form_errors.append(explain(error))
    else:
        field.errors = [*field.errors, explain(error)]


@bp.route("/mappings/reasons/new", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def reason_new():
    form = ReasonForm(formdata=request.form if request.method == "POST" else None,
                      type=_reason_type() or ReasonType.CANCELATION.value)
    if request.method == "POST" and form.validate_on_submit():
        try:
            reason = reason_codes.create(db.session, _me(), form.code.data, form.type.data, _fields(form))
        except DomainError as error:
            _put_error(form, error)
        else:
            flash(_("The reason %(code)s is created.", code=reason.code), "success")
            return redirect(url_for(".mapping_index", type=reason.type.value) + "#reasons")
    status = 422 if request.method == "POST" else 200
    return render_template("backoffice/reason_form.html", form=form, reason=None, type_labels=REASON_TYPE_LABELS), status


@bp.route(f"/mappings/reasons/<int(max={MAX_ID}):reason_id>", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def reason_edit(reason_id: int):
    reason = db.session.get(ReasonCode, reason_id) or abort(404)
    if request.method == "POST":
        form = ReasonEditForm()
    else:
        form = ReasonEditForm(formdata=None, obj=reason)
    if request.method == "POST" and form.validate_on_submit():
        try:
            changed = reason_codes.update(db.session, _me(), reason, _fields(form))
        except DomainError as error:
            _put_error(form, error)
        else:
            flash(_("The reason %(code)s is saved.", code=reason.code) if changed else _("Nothing to change."),
                  "success" if changed else "info")
            return redirect(url_for(".mapping_index", type=reason.type.value) + "#reasons")
    status = 422 if request.method == "POST" else 200
    return render_template("backoffice/reason_form.html", form=form, reason=reason, type_labels=REASON_TYPE_LABELS), status
