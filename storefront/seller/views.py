"""Seller portal views: thin adapters over ``seller_portal``, ``orders`` and ``discussions``.

``before_request`` lets in seller accounts only (anonymous visitors go to the log-in page,
other accounts get 403); everything below reads ``current_user.seller_id`` and nothing else to
decide whose data it shows.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront import clock, page_cache
from storefront.auth import private_area
from storefront.discussions import conversation
from storefront.discussions.forms import MessageEmailsForm
from storefront.extensions import db
from storefront.marketplace import discussions, finance, orders, seller_portal
from storefront.marketplace.errors import DomainError, NeedsConfirmation, NotFound
from storefront.marketplace.models import Role, Seller, SellerOrderState
from storefront.marketplace.orders import OrderAction as A
from storefront.seller import bp
from storefront.seller.forms import NewOfferForm, OfferForm
from storefront.web import integration_pages, order_actions, query_params
from storefront.web.fragments import wants_fragment
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
NUMBER = "<string(maxlength=24):number>"
THREAD_TEMPLATE = "seller/thread.html"


private_area(bp, Role.SELLER)


@bp.before_request
def own_shop():
    # Registered after private_area's check: the user is a signed-in seller account here.
    if current_user.seller_id is None:
        abort(403)
    g.seller = db.session.get(Seller, current_user.seller_id)
    return None


def _me():
    return current_user._get_current_object()


# --- Dashboard -----------------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    board = seller_portal.dashboard(db.session, _me())
    return render_template(
        "seller/dashboard.html", board=board, today=clock.today(), deadline=orders.deadline
    )


# --- Orders --------------------------------------------------------------------------------------


@bp.get("/orders")
def order_list():
    state = request.args.get("state", "")
    state = state if state in SellerOrderState.__members__ else ""
    late = request.args.get("late") == "1"
    today = clock.today()
    found = orders.search_seller_orders(
        db.session,
        seller_id=current_user.seller_id,
        state=SellerOrderState(state) if state else None,
        number=request.args.get("q", ""),
        late_on=today if late else None,
        page=_page(),
    )
    return render_template(
        "seller/orders.html",
        found=found,
        state=state,
        late=late,
        q=request.args.get("q", "")[:24],
        today=today,
        deadline=orders.deadline,
        states=list(SellerOrderState),
    )


# What the order page has buttons for (delivery is confirmed by the customer or the shop).
ORDER_PAGE_ACTIONS = frozenset(
    {A.ACCEPT, A.REFUSE, A.DECIDE, A.SHIP, A.ADD_PARCEL, A.CANCEL, A.REFUND}
)


@bp.get(f"/orders/{NUMBER}")
def order(number: str):
    detail = _my_order_detail(number)
    return _order_page(detail, order_actions.order_forms(detail))


def _order_page(detail, forms, status: int = 200):
    commission = finance.order_commission(db.session, detail.seller_order)
    return render_template("seller/order.html", detail=detail, forms=forms, commission=commission), status


@bp.post(f"/orders/{NUMBER}/<any(accept, refuse, decide, ship, cancel, refund):action>")
def order_action(number: str, action: str):
    detail = _my_order_detail(number)
    return order_actions.act(
        action,
        detail,
        actor_id=current_user.id,
        back=url_for(".order", number=detail.seller_order.number),
        render=lambda forms, status: _order_page(_my_order_detail(number), forms, status),
    )


def _my_order_detail(number: str) -> orders.OrderDetail:
    try:
        seller_order = seller_portal.seller_order_for(db.session, current_user.seller_id, number)
    except NotFound:
        # Another seller's order looks exactly like one that does not exist.
        abort(404)
    return orders.order_detail(db.session, seller_order, _me(), offered=ORDER_PAGE_ACTIONS)


# --- Offers --------------------------------------------------------------------------------------


@bp.get("/offers")
def offers():
    found = seller_portal.offers_of(
        db.session, current_user.seller_id, search=request.args.get("q", ""), page=_page()
    )
    forms = {offer.id: OfferForm(formdata=None, obj=offer, prefix=f"offer-{offer.id}") for offer in found.items}
    return render_template("seller/offers.html", found=found, forms=forms, q=request.args.get("q", "")[:100])


@bp.post(f"/offers/<int(max={MAX_ID}):offer_id>")
def offer_update(offer_id: int):
    try:
        offer = seller_portal.offer_for(db.session, current_user.seller_id, offer_id)
    except NotFound:
        abort(404)
    form = OfferForm(prefix=f"offer-{offer.id}")
    status = 422
    if form.validate_on_submit():
        try:
            offer = seller_portal.update_offer(
                db.session,
                g.seller,
                offer.id,
                price=form.price.data,
                origin_price=form.origin_price.data,
                stock=form.stock.data,
                lead_time_days=form.lead_time_days.data,
                confirmed=form.confirms_price(),
            )
        except NeedsConfirmation as error:
            # Nothing saved: the row comes back as typed, with the warning and a box to tick.
            form.confirmation = explain(error)
            status = error.status
        except DomainError as error:
            form.form_errors.append(explain(error))
            status = error.status
        else:
            if wants_fragment():
                fresh = OfferForm(formdata=None, obj=offer, prefix=f"offer-{offer.id}")
                response = render_template("seller/partials/offer_row.html", offer=offer, form=fresh, saved=True)
                return response, 200, {"Vary": "HX-Request"}
            flash(_("The offer %(sku)s is saved.", sku=offer.sku), "success")
            return redirect(url_for(".offers", q=request.args.get("q", "")))
    else:
        db.session.rollback()
    if wants_fragment():
        row = render_template("seller/partials/offer_row.html", offer=offer, form=form, saved=False)
        return row, status, {"Vary": "HX-Request", "HX-Retarget": f"#offer-{offer.id}", "HX-Reswap": "outerHTML"}
    return render_template(
        "seller/offers.html",
        found=seller_portal.OfferPage([offer], 1, 1, 1),
        forms={offer.id: form},
        q="",
    ), status


@bp.route("/offers/new", methods=["GET", "POST"])
def offer_new():
    """A new offer: the product by GTIN or number (a title search helps find it), then price,
    stock, condition and lead time; created by seller_portal.add_offer (the API's rules)."""
    form = NewOfferForm()
    if request.method == "GET":
        form.lead_time_days.data = g.seller.default_lead_time_days
        chosen = query_params.identifier(request.args.get("product"))
        if chosen is not None:
            form.product.data = str(chosen)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                offer = seller_portal.add_offer(
                    db.session, g.seller, form.product.data, price=form.price.data, stock=form.stock.data,
                    condition=form.condition.data, lead_time_days=form.lead_time_days.data,
                )
            except DomainError as error:
                field = getattr(form, str(error.details.get("field", "")), None)
                if field is not None and field.name != "csrf_token" and hasattr(field, "errors"):
                    field.errors = [*field.errors, explain(error)]
                else:
                    form.form_errors.append(explain(error))
                status = error.status
            else:
                page_cache.clear()  # the product's page shows the new offer at once (this process)
                flash(_("The offer %(sku)s is created: it shows on the product's page.", sku=offer.sku), "success")
                return redirect(url_for(".offers", q=offer.sku))
    q = request.args.get("q", "")[:100]
    return render_template(
        "seller/offer_new.html", form=form, q=q,
        matches=seller_portal.product_matches(db.session, q) if q.strip() else [],
    ), status


# --- Messages ------------------------------------------------------------------------------------


@bp.get("/messages")
def inbox():
    me = _me()
    threads = discussions.threads_for(db.session, me, limit=100)
    return render_template(
        "seller/inbox.html",
        threads=threads,
        unread=discussions.unread_counts(db.session, me, [t.id for t in threads]),
        waiting=discussions.awaiting_reply(db.session, me, limit=100),
        preference_form=MessageEmailsForm(message_emails=me.message_emails),
    )


@bp.post("/messages/preferences")
def email_preference():
    form = MessageEmailsForm()
    if form.validate_on_submit():
        discussions.set_message_emails(db.session, _me(), bool(form.message_emails.data))
        flash(_("Your email preference is saved."), "success")
    return redirect(url_for(".inbox"))


@bp.get(f"/messages/<int(max={MAX_ID}):thread_id>")
def thread(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.page(found, THREAD_TEMPLATE, conversation.urls_for(found, closable=False), **conversation.subjects(found))


@bp.post(f"/messages/<int(max={MAX_ID}):thread_id>/reply")
def reply(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.reply(found, THREAD_TEMPLATE, conversation.urls_for(found, closable=False), **conversation.subjects(found))


@bp.get(f"/messages/<int(max={MAX_ID}):thread_id>/new")
def poll(thread_id: int):
    found = conversation.load(thread_id, _me())
    return conversation.poll(found, conversation.urls_for(found, closable=False))


# --- Integrations: API clients and webhooks (the seller's admin only) ----------------------------


def seller_admin() -> bool:
    """Whether the signed-in account is its seller's admin (seller_portal.is_seller_admin),
    asked once per request and only by the pages that need it (the navigation, integrations)."""
    if "seller_admin" not in g:
        g.seller_admin = seller_portal.is_seller_admin(db.session, _me())
    return g.seller_admin


@bp.context_processor
def navigation_needs():
    return {"seller_admin": seller_admin}


@bp.before_request
def integrations_for_admin_only():
    """API clients and webhooks hand a program the seller's whole account: only the seller's
    admin manages them; other staff get 403."""
    if request.endpoint and request.endpoint.startswith("seller.integration") and not seller_admin():
        abort(403)


def _owner() -> integration_pages.Owner:
    return integration_pages.Owner("seller", g.seller)


integration_pages.add_routes(bp, _owner)


def _page() -> int:
    return query_params.page(request.args)
