"""Back office: operations (the outbox's waiting and failed emails, failed webhook deliveries,
the scheduled jobs' runs), the audit log of operator writes, and the staff accounts. Thin views
over ``outbox_admin``, ``webhooks``, ``job_runs``, ``operator_audit`` and ``staff_accounts``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from storefront import jobs
from storefront.backoffice import access, bp
from storefront.backoffice.access import requires
from storefront.backoffice.operations_forms import ROLE_LABELS, ConfirmForm, InviteForm, RoleForm
from storefront.extensions import db
from storefront.marketplace import job_runs, operator_audit, outbox_admin, staff_accounts, webhooks
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import (
    DeliveryStatus,
    OperatorAuditEntry,
    OutboxStatus,
    WebhookDelivery,
)
from storefront.marketplace.refusals import Refusal
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.refusals import explain

PER_PAGE = 25
ID = "<int(max=2147483647):{}>"


@dataclass(frozen=True)
class Pager:
    """Previous/next links of one list, keeping the other parameters of the URL."""

    page: int
    total: int
    per_page: int
    param: str = "page"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def url(self, page: int) -> str:
        args = request.args.to_dict()
        args[self.param] = page
        return url_for(request.endpoint, **args)


def _me():
    return current_user._get_current_object()


def _text(name: str, length: int) -> str:
    return "".join(ch for ch in request.args.get(name, "") if ch.isprintable()).strip()[:length]


def _number(name: str) -> int:
    return query_params.whole(request.args.get(name), low=1, high=query_params.MAX_PAGE) or 1


def _day(name: str) -> date | None:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


# --- Operations ----------------------------------------------------------------------------------


@bp.get("/operations")
@requires(Permission.OPERATIONS)
def operations():
    status_text = request.args.get("status", "")
    status = OutboxStatus(status_text) if status_text in OutboxStatus.__members__ else None
    kinds = outbox_admin.kinds(db.session)
    kind = _text("kind", 40)
    kind = kind if kind in kinds else ""
    page = _number("page")
    found = outbox_admin.messages(db.session, status=status, kind=kind, page=page, per_page=PER_PAGE)
    job_names = jobs.scheduled_names()
    job = _text("job", 80)
    job = job if job in job_names else ""
    runs_page = _number("runs_page")
    runs, runs_total = job_runs.history(db.session, job, page=runs_page, per_page=PER_PAGE)
    failed_webhooks = db.session.scalar(
        select(func.count(WebhookDelivery.id)).where(WebhookDelivery.status == DeliveryStatus.FAILED)
    ) or 0
    return render_template(
        "backoffice/operations.html",
        found=found,
        status=status.value if status else "",
        statuses=list(OutboxStatus),
        kind=kind,
        kinds=kinds,
        pager=Pager(page, found.total, PER_PAGE),
        jobs=job_runs.statuses(db.session, job_names),
        job=job,
        runs=runs,
        runs_pager=Pager(runs_page, runs_total, PER_PAGE, "runs_page"),
        failed_webhooks=failed_webhooks,
        recent_failures=webhooks.deliveries_of(db.session, None, status=DeliveryStatus.FAILED, everyone=True, limit=5),
        form=ConfirmForm(formdata=None),
    )


@bp.post(f"/operations/emails/{ID.format('message_id')}/<any(retry, cancel):action>")
@requires(Permission.OPERATIONS)
def outbox_action(message_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "retry":
            outbox_admin.retry(db.session, _me(), message_id)
        else:
            outbox_admin.cancel(db.session, _me(), message_id)
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The email is back in line: it is being sent.") if action == "retry"
              else _("The email is cancelled: it will not be sent."), "success")
    back = {k: v for k, v in request.args.items() if k in ("status", "kind", "page", "job", "runs_page")}
    return redirect(url_for(".operations", **back))


# --- Audit log -----------------------------------------------------------------------------------

# Where an audit entry's target has a back-office page: candidates (endpoint, parameter), the
# first that exists, opens for the reader's role and builds is linked. The parameter names the
# URL value the target's id goes under (``"code"``: the entry's summary, which holds the
# seller's code); None is a list page.
TARGET_PAGES: dict[str, list[tuple[str, str | None]]] = {
    "user_account": [("backoffice.customer_detail", "customer_id"), ("backoffice.staff_list", None)],
    "commission_rate": [("backoffice.commission_list", None)],
    "outbox_message": [("backoffice.operations", None)],
    "seller": [("backoffice.seller_detail", "code"), ("backoffice.seller_list", None)],
    "seller_application": [("backoffice.application_detail", "application_id")],
    "product": [("backoffice.product_edit", "product_id"), ("backoffice.product_list", None)],
    "category": [("backoffice.category_edit", "category_id"), ("backoffice.category_list", None)],
    "value_list": [("backoffice.value_list_edit", "list_id")],
    "brand": [("backoffice.brand_list", None)],
    "event_category": [("backoffice.event_detail", "event_id"), ("backoffice.event_list", None)],
    "zone": [("backoffice.delivery_zone", "zone_id"), ("backoffice.delivery_index", None)],
    "carrier": [("backoffice.delivery_carrier", "carrier_id"), ("backoffice.delivery_index", None)],
    "delivery_mode": [("backoffice.delivery_mode", "mode_id"), ("backoffice.delivery_index", None)],
    "shipping_rate": [("backoffice.delivery_rates", None)],
    "reason_code": [("backoffice.reason_edit", "reason_id"), ("backoffice.mapping_index", None)],
    "discussion_topic": [("backoffice.mapping_index", None)],
    "marketplace_mapping": [("backoffice.mapping_index", None)],
    "seller_order": [("backoffice.order_list", None)],
    "store_setting": [("backoffice.settings", None)],
    "preferences": [("backoffice.settings", None)],
}


def target_link(entry: OperatorAuditEntry) -> str | None:
    candidates = TARGET_PAGES.get(entry.target_kind, [])
    if entry.target_kind == "user_account" and entry.action.startswith("staff."):
        candidates = [("backoffice.staff_list", None)]  # a staff member, not a customer
    for endpoint, parameter in candidates:
        if not access.allowed(endpoint):
            continue
        values = {}
        if parameter == "code":
            if not entry.summary:
                continue
            values["code"] = entry.summary
        elif parameter is not None:
            if not entry.target_id.isdigit():
                continue
            values[parameter] = int(entry.target_id)
        if endpoint == "backoffice.commission_list" and isinstance(entry.after, dict) and entry.after.get("seller"):
            values["seller"] = entry.after["seller"]  # a seller's override: that seller's rates
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


@bp.get("/audit")
@requires(Permission.AUDIT)
def audit_log():
    filters = {
        "actor": _text("actor", 254),
        "action": _text("action", 64),
        "target_kind": _text("kind", 32),
        "target_id": _text("object", 64),
        "since": _day("since"),
        "until": _day("until"),
    }
    page = _number("page")
    found = operator_audit.search(db.session, **filters, page=page, per_page=PER_PAGE)
    kinds = list(db.session.scalars(select(OperatorAuditEntry.target_kind).distinct().order_by(OperatorAuditEntry.target_kind)))
    actions = list(db.session.scalars(select(OperatorAuditEntry.action).distinct().order_by(OperatorAuditEntry.action)))
    return render_template(
        "backoffice/audit_log.html",
        found=found,
        filters=filters,
        kinds=kinds,
        actions=actions,
        pager=Pager(page, found.total, PER_PAGE),
        target_link=target_link,
    )


# --- Staff ---------------------------------------------------------------------------------------


@bp.get("/staff")
@requires(Permission.STAFF)
def staff_list():
    return _staff_page(InviteForm(formdata=None))


@bp.post("/staff/invite")
@requires(Permission.STAFF)
def staff_invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _staff_page(form, 422)
    try:
        staff_accounts.invite(
            db.session, _me(), email=form.email.data, name=form.name.data or "", role=form.role.data,
            secret_key=current_app.secret_key, locale=form.locale.data,
        )
    except DomainError as error:
        code = error.details.get("reason")
        (form.email.errors if code in (Refusal.EMAIL_TAKEN, Refusal.EMAIL) else form.form_errors).append(explain(error))
        return _staff_page(form, error.status)
    flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for(".staff_list"))


@bp.post(f"/staff/{ID.format('user_id')}/<any(role, deactivate, reactivate, resend):action>")
@requires(Permission.STAFF)
def staff_action(user_id: int, action: str):
    form = RoleForm() if action == "role" else ConfirmForm()
    if not form.validate_on_submit():
        if action != "role":
            abort(400)
        flash(_("Choose a role."), "error")
        return redirect(url_for(".staff_list"))
    try:
        if action == "role":
            staff_accounts.set_role(db.session, _me(), user_id, form.role.data)
            message = _("The role is changed.")
        elif action == "deactivate":
            staff_accounts.deactivate(db.session, _me(), user_id)
            message = _("The account is deactivated: it can no longer sign in.")
        elif action == "reactivate":
            staff_accounts.reactivate(db.session, _me(), user_id)
            message = _("The account is active again.")
        else:
            staff_accounts.resend_invitation(db.session, _me(), user_id, secret_key=current_app.secret_key)
            message = _("The invitation is sent again.")
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(message, "success")
    return redirect(url_for(".staff_list"))


def _staff_page(form: InviteForm, status: int = 200):
    members = staff_accounts.members(db.session)
    return render_template(
        "backoffice/staff.html",
        members=members,
        form=form,
        confirm_form=ConfirmForm(formdata=None),
        role_labels=ROLE_LABELS,
        me=_me(),
    ), status
