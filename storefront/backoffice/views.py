"""Back office views: thin adapters over ``orders``, ``discussions`` and ``preferences``.

Operator accounts only (anonymous visitors go to the log-in page, other accounts get 403).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront import clock
from storefront.auth import private_area
from storefront.backoffice import access, bp, home
from storefront.backoffice.access import requires
from storefront.backoffice.forms import ForwardForm, RelationsModelForm
from storefront.discussions import conversation
from storefront.discussions.forms import MessageEmailsForm
from storefront.extensions import db
from storefront.marketplace import api_audit, discussions, finance, orders, preferences, tracking
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import (
    ActorRole,
    ApiClient,
    Message,
    RelationsModel,
    Role,
    Seller,
    SellerOrder,
    SellerOrderState,
    ThreadKind,
    ThreadStatus,
)
from storefront.marketplace.staff import Permission
from storefront.web import integration_pages, order_actions, query_params
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
NUMBER = "<string(maxlength=24):number>"
THREAD_TEMPLATE = "backoffice/thread.html"
PER_PAGE = 50


private_area(bp, Role.OPERATOR)
access.install(bp)


def _me():
    return current_user._get_current_object()


@bp.get("/")
@requires(Permission.DASHBOARD)
def index():
    model = preferences.get(db.session, "relations_model", fresh=True)
    return render_template(
        "backoffice/index.html",
        form=RelationsModelForm(formdata=None, model=model),
        model=model,
        waiting=discussions.awaiting_reply(db.session, _me(), limit=20),
        unread=discussions.unread_total(db.session, _me()),
        preference_form=MessageEmailsForm(message_emails=_me().message_emails),
        **home.overview_context(),  # the marketplace at a glance (backoffice/home.py)
    )


@bp.post("/relations")
@requires(Permission.SETTINGS)
def relations_model():
    """The model alone (the form now lives on the preferences page, which this returns to)."""
    form = RelationsModelForm()
    if not form.validate_on_submit():
        flash(_("Choose a model."), "error")
        return redirect(url_for(".settings"))
    try:
        preferences.update(db.session, _me(), {"relations_model": form.model.data})
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("Saved: new conversations follow this model; the ones already open keep theirs."), "success")
    return redirect(url_for(".settings"))


@bp.post("/preferences")
@requires(Permission.DASHBOARD)
def email_preference():
    form = MessageEmailsForm()
    if form.validate_on_submit():
        discussions.set_message_emails(db.session, _me(), bool(form.message_emails.data))
        flash(_("Your email preference is saved."), "success")
    return redirect(url_for(".index"))


# --- Orders --------------------------------------------------------------------------------------


@bp.get("/orders")
@requires(Permission.ORDERS)
def order_list():
    state = request.args.get("state", "")
    state = state if state in SellerOrderState.__members__ else ""
    seller_code = "".join(ch for ch in request.args.get("seller", "") if ch.isprintable())[:40]
    seller = db.session.scalar(select(Seller).where(Seller.code == seller_code)) if seller_code else None
    # The home's figures link here: late orders, and orders placed from ``since`` to ``until``.
    late = request.args.get("late") == "1"
    since, until = _day(request.args.get("since", "")), _day(request.args.get("until", ""))
    found = orders.search_seller_orders(
        db.session,
        seller_id=seller.id if seller else None,
        state=SellerOrderState(state) if state else None,
        number=request.args.get("q", ""),
        late_on=orders.today_in_shop(db.session) if late else None,
        placed_from=_start_of(since) if since else None,
        placed_before=_start_of(until + timedelta(days=1)) if until else None,
        page=_page(),
        per_page=PER_PAGE,
    )
    return render_template(
        "backoffice/orders.html",
        found=found,
        state=state,
        q=request.args.get("q", "")[:24],
        seller_code=seller.code if seller else "",
        sellers=list(db.session.scalars(select(Seller).order_by(Seller.name))),
        states=list(SellerOrderState),
        deadline=orders.deadline,
        today=clock.today(),
        late=late,
        since=since,
        until=until,
    )


# What the order page has buttons for: the seller's, plus delivery and closing.
ORDER_PAGE_ACTIONS = frozenset(orders.OrderAction)


@bp.get(f"/orders/{NUMBER}")
@requires(Permission.ORDERS)
def order(number: str):
    detail = _order_detail(number)
    return _order_page(detail, order_actions.order_forms(detail))


@bp.post(f"/orders/{NUMBER}/<any(accept, refuse, decide, ship, cancel, refund):action>")
@requires(Permission.ORDERS)
def order_action(number: str, action: str):
    detail = _order_detail(number)
    return order_actions.act(
        action,
        detail,
        actor_id=current_user.id,
        back=url_for(".order", number=detail.seller_order.number),
        render=lambda forms, status: _order_page(_order_detail(number), forms, status),
    )


@bp.post(f"/orders/{NUMBER}/<any(received, close):step>")
@requires(Permission.ORDERS)
def order_step(number: str, step: str):
    seller_order = _order(number)
    form_version = request.form.get("version", "")
    expected = int(form_version) if form_version.isdigit() and len(form_version) < 10 else -1
    service = tracking.mark_received if step == "received" else orders.close
    try:
        service(db.session, seller_order, actor_role=ActorRole.OPERATOR, actor_id=current_user.id,
                expected_version=expected)
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The order is updated."), "success")
    return redirect(url_for(".order", number=seller_order.number))


def _order_page(detail, forms, status: int = 200):
    commission = finance.order_commission(db.session, detail.seller_order)
    return render_template("backoffice/order.html", detail=detail, forms=forms, commission=commission), status


def _order(number: str) -> SellerOrder:
    try:
        return orders.get_seller_order(db.session, (number or "")[:24])
    except NotFound:
        abort(404)


def _order_detail(number: str) -> orders.OrderDetail:
    return orders.order_detail(db.session, _order(number), _me(), offered=ORDER_PAGE_ACTIONS)


# --- Conversations -------------------------------------------------------------------------------


@bp.get("/threads")
@requires(Permission.ORDERS)
def thread_list():
    model = request.args.get("model", "")
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    page = _page()
    threads = discussions.all_threads(
        db.session,
        model=RelationsModel(model) if model in RelationsModel.__members__ else None,
        kind=ThreadKind(kind) if kind in ThreadKind.__members__ else None,
        status=ThreadStatus(status) if status in ThreadStatus.__members__ else None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    return render_template(
        "backoffice/threads.html",
        threads=threads,
        unread=discussions.unread_counts(db.session, _me(), [t.id for t in threads]),
        model=model,
        kind=kind,
        status=status,
        page=page,
        more=len(threads) == PER_PAGE,
    )


@bp.get(f"/threads/<int(max={MAX_ID}):thread_id>")
@requires(Permission.ORDERS)
def thread(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.page(found, THREAD_TEMPLATE, conversation.urls_for(found, closable=True), **conversation.subjects(found), seller=db.session.get(Seller, found.seller_id))


@bp.post(f"/threads/<int(max={MAX_ID}):thread_id>/reply")
@requires(Permission.ORDERS)
def reply(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.reply(found, THREAD_TEMPLATE, conversation.urls_for(found, closable=True), **conversation.subjects(found), seller=db.session.get(Seller, found.seller_id))


@bp.get(f"/threads/<int(max={MAX_ID}):thread_id>/new")
@requires(Permission.ORDERS)
def poll(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.poll(found, conversation.urls_for(found, closable=True))


@bp.post(f"/threads/<int(max={MAX_ID}):thread_id>/escalate")
@requires(Permission.ORDERS)
def escalate(thread_id: int):
    found = conversation.load(thread_id, _me())
    try:
        discussions.escalate(db.session, found, _me())
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The conversation is now a claim handled by customer service."), "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post(f"/threads/<int(max={MAX_ID}):thread_id>/close")
@requires(Permission.ORDERS)
def close(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.close(found, conversation.urls_for(found, closable=True))


@bp.post(f"/threads/<int(max={MAX_ID}):thread_id>/forward/<int(max={MAX_ID}):message_id>")
@requires(Permission.ORDERS)
def forward(thread_id: int, message_id: int):
    found = conversation.load(thread_id, _me())
    message = db.session.get(Message, message_id)
    if message is None or message.thread_id != found.id:
        abort(404)
    form = ForwardForm()
    if form.validate_on_submit():
        try:
            discussions.forward_message(db.session, found, message, _me(), note=form.note.data or "")
        except DomainError as error:
            flash(explain(error), "error")
        else:
            flash(_("The message is forwarded to the seller."), "success")
    return redirect(url_for(".thread", thread_id=found.id))


# --- API audit -----------------------------------------------------------------------------------

AUDIT_OPERATOR = "operator"  # the seller filter's value for the operator's own clients


@bp.get("/api-audit")
@requires(Permission.OPERATIONS)
def api_audit_list():
    """What the API's clients changed, newest first, filtered by client, seller, object, dates."""
    args = request.args
    sellers = list(db.session.scalars(select(Seller).order_by(Seller.name)))
    seller_code = _text(args.get("seller", ""), 40)
    seller = next((s for s in sellers if s.code == seller_code), None)
    kinds = api_audit.kinds(db.session)
    kind = _text(args.get("kind", ""), 32)
    since, until = _day(args.get("since", "")), _day(args.get("until", ""))
    filters = api_audit.AuditFilters(
        client_id=_text(args.get("client", ""), 64),
        seller_id=seller.id if seller else None,
        operator=seller_code == AUDIT_OPERATOR,
        object_kind=kind if kind in kinds else "",
        object_id=_text(args.get("object", ""), 64),
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    return render_template(
        "backoffice/api_audit.html",
        found=api_audit.search(db.session, filters, page=_page(), per_page=PER_PAGE),
        filters=filters,
        seller_code=seller.code if seller else (AUDIT_OPERATOR if filters.operator else ""),
        sellers=sellers,
        clients=list(db.session.execute(select(ApiClient.client_id, ApiClient.name).order_by(ApiClient.name))),
        kinds=kinds,
        since=since,
        until=until,
        operator=AUDIT_OPERATOR,
    )


def _text(raw: str, length: int) -> str:
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:length]


def _day(raw: str) -> date | None:
    """A YYYY-MM-DD date from a filter (anything else: no filter). Years 1900 to 9998 only:
    midnight of 0001-01-01 in Paris is before the first UTC moment Python has (a 500)."""
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None
    return day if day is not None and 1900 <= day.year <= 9998 else None


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the shop's time zone (the page shows the shop's times)."""
    return datetime.combine(day, time.min, tzinfo=clock.tz())


def _page() -> int:
    return query_params.page(request.args)


# --- Integrations: every API client, webhook subscription and delivery --------------------------

# The operator's own clients and subscriptions belong to no seller; it sees and changes everyone's.
OPERATOR = integration_pages.Owner("backoffice", None, operator=True)
access.declare(Permission.OPERATIONS, integration_pages.add_routes(bp, lambda: OPERATOR, deliveries_list=True))
