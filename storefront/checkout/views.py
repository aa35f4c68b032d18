"""Checkout views: address → delivery → payment → review → place order, and the orders pages.

Each step re-reads the cart through ``cart.review`` (the corrections it applies are shown on the
page), and sends the shopper back to the first step that is not done. Nothing a form carries is
trusted for money: the server recomputes every total, and the review form's total only serves
to refuse an order whose total is not the one the shopper saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from storefront import clock
from storefront.cart import current
from storefront.cart.views import apply_mode_choices, render_expired_form
from storefront.checkout import bp
from storefront.checkout.forms import CardForm, DeliveryAddressForm, GuestAddressForm
from storefront.documents import layout, render
from storefront.extensions import db, limiter
from storefront.marketplace import (
    addresses,
    checkout,
    customer_invoices,
    mappings,
    payment_operations,
    tracking,
)
from storefront.marketplace import cart as cart_service
from storefront.marketplace.cart import CartView, ShippingAddress
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import Cart, CustomerOrder, Zone
from storefront.marketplace.orders import deadline as order_deadline
from storefront.marketplace.payments import PaymentProvider
from storefront.marketplace.refusals import Refusal
from storefront.shop import shopper
from storefront.web import refusals
from storefront.web.fragments import wants_fragment

STEPS = ("address", "delivery", "payment", "review")
# Card numbers tried from one cart (or one customer): enough for typing mistakes and a declined
# card or two, not for testing stolen card numbers one after the other. Counted per cart rather
# than per address, so that shoppers behind one network address do not block each other.
CARD_ATTEMPTS_LIMIT = "10 per 10 minutes"
MAX_ID = 2**31 - 1


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    return render_expired_form(error)


@bp.errorhandler(429)
def too_many_card_attempts(error):
    message = _(
        "Too many card numbers have been tried for this cart. Nothing has been charged and your "
        "cart is unchanged: please wait a few minutes before trying again."
    )
    page = render_template("errors/error.html", error=error, status=429, message=message)
    return make_response(page, 429)


@bp.app_context_processor
def inject_checkout_helpers():
    return {
        "tracking_url": tracking.tracking_url,
        "order_status": checkout.order_status,
        "order_deadline": order_deadline,  # what the seller must do next, and by when
    }


# --- Where the shopper is in checkout ------------------------------------------------------------


@dataclass
class Progress:
    cart: Cart
    zone: Zone | None = None
    view: CartView | None = None

    @property
    def notices(self) -> list[str]:
        return [refusals.notice_message(n) for n in self.view.notices] if self.view else []


def _progress(step: str, *, reviewed: bool = True):
    """The cart and its review for ``step``, or a redirect to the first step not done yet.

    ``reviewed=False`` (the delivery step's POST, whose service reviews the cart itself) stops
    after the address check, with no view."""
    cart = current.current_cart()
    if cart is None:
        return _cart_is_empty()
    if step == "address":
        return Progress(cart) if cart.lines else _cart_is_empty()
    try:
        zone = cart_service.zone_of(db.session, cart)
    except DomainError:
        zone = None
    if zone is None or not cart.email:
        flash(_("Where should we deliver? Give the delivery address first."), "info")
        return redirect(url_for(".address"))
    if not reviewed:
        return Progress(cart, zone)
    progress = Progress(cart, zone, cart_service.review(db.session, cart, zone, now=clock.now()))
    if progress.view.is_empty:
        return _back_to_cart(progress)
    if step == "delivery":
        return progress
    if not progress.view.deliverable:
        return _back_to("delivery", progress, refusals.explain(_undeliverable(progress.view)))
    if step == "payment":
        return progress
    if not cart.payment_token:
        return _back_to("payment", progress, _("Choose how to pay first."))
    return progress


def _cart_is_empty():
    flash(
        _("Your cart is empty. If you were checking out, your session may have ended: log in "
          "to find the cart of your account, or add the items again."),
        "info",
    )
    return redirect(url_for("cart.show"))


def _back_to_cart(progress: Progress):
    if not progress.notices:
        return _cart_is_empty()
    for notice in progress.notices:
        flash(notice, "warning")
    return redirect(url_for("cart.show"))


def _back_to(step: str, progress: Progress, message: str):
    for notice in progress.notices:
        flash(notice, "warning")
    flash(message, "info")
    return redirect(url_for(f".{step}"))


def _undeliverable(view: CartView) -> DomainError:
    names = ", ".join(s.shipper.name for s in view.undeliverable)
    return DomainError("undeliverable", reason=Refusal.UNDELIVERABLE, shippers=names)


def _page(template: str, progress: Progress, step: str, status: int = 200, **context):
    context.setdefault("error", None)
    if progress.view is not None:
        g.cart_count = progress.view.count  # the header's count: the review has just counted
    page = render_template(
        template, progress=progress, view=progress.view, cart=progress.cart, step=step,
        steps=STEPS, notices=progress.notices, **context,
    )
    return make_response(page, status)


# --- Step 1: address -----------------------------------------------------------------------------


@bp.get("/")
def start():
    return redirect(url_for(".address"))


@bp.route("/adresse", methods=["GET", "POST"])
def address():
    progress = _progress("address")
    if not isinstance(progress, Progress):
        return progress
    cart = progress.cart
    user = current_user if current_user.is_authenticated else None
    form = DeliveryAddressForm() if user else GuestAddressForm()
    book = addresses.addresses_of(db.session, user) if user else []
    error = None

    if request.method == "POST" and user and request.form.get("address_id"):
        # A signed-in customer picks an address of their book.
        try:
            chosen = addresses.get_address(db.session, user, _id(request.form["address_id"]))
        except NotFound:
            error = _("This address is not in your address book any more: choose another one.")
        else:
            try:
                return _save_address(cart, _from_book(chosen), email=user.email)
            except DomainError as err:
                error = refusals.explain(err)
    elif request.method == "POST" and form.validate_on_submit():
        email = user.email if user else form.email.data
        try:
            response = _save_address(cart, ShippingAddress(**form.address_fields()), email=email)
            if user and form.save.data:
                addresses.add_address(db.session, user, **form.address_fields())
            return response
        except DomainError as err:
            _field_error(form, err)
    elif request.method == "GET":
        _prefill(form, cart, book)

    status = 422 if request.method == "POST" else 200
    return _page("checkout/address.html", progress, "address", status, form=form, book=book,
                 error=error)


def _save_address(cart: Cart, address: ShippingAddress, *, email: str):
    cart_service.set_address(db.session, cart, address, email=email)
    # Browsing follows the delivery address, so that product pages promise the same dates.
    shopper.choose(cart.ship_country, cart.ship_postal_code)
    return redirect(url_for(".delivery"))


def _from_book(entry) -> ShippingAddress:
    return ShippingAddress(
        name=entry.name, line1=entry.line1, line2=entry.line2, postal_code=entry.postal_code,
        city=entry.city, country=entry.country, phone=entry.phone,
    )


def _prefill(form, cart: Cart, book) -> None:
    address = cart_service.address_of(cart)
    if address is not None:
        for name in ("name", "line1", "line2", "postal_code", "city", "country", "phone"):
            form[name].data = getattr(address, name)
    if "email" in form and cart.email:
        form.email.data = cart.email


def _field_error(form, error: DomainError) -> None:
    field = error.details.get("field")
    message = refusals.explain(error)
    if field == "postal_code" and error.details.get("reason") is None:
        country = form.country.data
        message = _(
            "Sorry, we do not deliver to %(postal_code)s (%(country)s), or this postal code is "
            "not valid. We deliver to France (mainland, Corsica, overseas) and Belgium.",
            postal_code=form.postal_code.data, country=country,
        )
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


# --- Step 2: delivery per shipment ---------------------------------------------------------------


@bp.route("/livraison", methods=["GET", "POST"])
def delivery():
    posted = request.method == "POST"
    progress = _progress("delivery", reviewed=not posted)
    if not isinstance(progress, Progress):
        return progress
    error = None
    if posted:
        try:
            progress.view = apply_mode_choices(progress.cart, progress.zone)
        except DomainError as err:
            error = refusals.explain(err)
            progress.view = cart_service.review(db.session, progress.cart, progress.zone, now=clock.now())
        if progress.view.is_empty:
            return _back_to_cart(progress)
        if error is None and not wants_fragment() and request.form.get("next") == "payment":
            return redirect(url_for(".payment"))
    status = 422 if error and not wants_fragment() else 200
    template = "checkout/partials/delivery_body.html" if wants_fragment() else "checkout/delivery.html"
    response = _page(template, progress, "delivery", status, error=error, fragment=wants_fragment())
    response.vary.add("HX-Request")
    return response


# --- Step 3: payment -----------------------------------------------------------------------------


def _card_attempts_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "cart:" + (session.get(current.SESSION_KEY) or get_remote_address())


@bp.route("/paiement", methods=["GET", "POST"])
@limiter.limit(CARD_ATTEMPTS_LIMIT, methods=["POST"], key_func=_card_attempts_key)
def payment():
    progress = _progress("payment")
    if not isinstance(progress, Progress):
        return progress
    form = CardForm()
    if form.validate_on_submit():
        try:
            method = _provider().tokenize_card(
                number=form.number.data, expiry=form.expiry.data, cvc=form.cvc.data,
                holder=form.holder.data, today=clock.today(),
            )
            cart_service.set_payment_method(
                db.session, progress.cart, method=method.method, token=method.token, label=method.label
            )
        except DomainError as err:
            _field_error(form, err)
        else:
            return redirect(url_for(".review"))
    status = 422 if form.is_submitted() else 200
    return _page("checkout/payment.html", progress, "payment", status, form=form,
                 sandbox=_provider().name == "sandbox")


# --- Step 4: review and place the order ----------------------------------------------------------


@bp.get("/recapitulatif")
def review():
    progress = _progress("review")
    if not isinstance(progress, Progress):
        return progress
    return _render_review(progress)


def _render_review(progress: Progress, *, error: str | None = None, status: int = 200,
                   confirm_email: bool = False):
    # A new key each time the page is shown: every submission of this one form is one order.
    return _page("checkout/review.html", progress, "review", status, error=error,
                 confirm_email=confirm_email,
                 idempotency_key=checkout.new_idempotency_key(),
                 address=cart_service.address_of(progress.cart))


@bp.post("/valider")
def place():
    key = request.form.get("idempotency_key", "")
    existing = checkout.order_by_key(db.session, key)
    if existing is not None:
        # A double click or a replay: the order of this form exists, show it.
        return redirect(_confirmation_url(existing))
    try:
        checkout.check_idempotency_key(key)
    except DomainError as err:
        flash(refusals.explain(err), "error")
        return redirect(url_for(".review"))
    progress = _progress("review")
    if not isinstance(progress, Progress):
        return progress
    if progress.view.notices:
        return _render_review(progress, status=409)
    payment = checkout.pay_and_place(
        db.session, progress.cart, progress.view, provider=_provider(),
        payment_codes=_payment_codes(), idempotency_key=key,
        shown_total=_int(request.form.get("expected_total")), locale=str(get_locale()),
    )
    Outcome = checkout.PaymentOutcome
    if payment.outcome == Outcome.NOT_AUTHORIZED:
        return _render_review(progress, error=refusals.explain(payment.error),
                              status=payment.error.status,
                              confirm_email=_reason(payment.error) == Refusal.EMAIL_NOT_CONFIRMED)
    if payment.outcome == Outcome.DECLINED:
        return _page("checkout/payment.html", progress, "payment", 402, form=CardForm(formdata=None),
                     sandbox=_provider().name == "sandbox",
                     error=_("Your payment was declined (%(reason)s). Nothing has been charged and "
                             "your cart is unchanged: try another card.", reason=payment.message))
    if payment.outcome == Outcome.NEEDS_CONFIRMATION:
        return redirect(url_for(".confirm_payment"))
    return _after_placing(payment)


@bp.route("/paiement/confirmation", methods=["GET", "POST"])
def confirm_payment():
    """The bank's confirmation step (3-D Secure), simulated by the sandbox."""
    key = request.form.get("idempotency_key", "")
    if request.method == "POST" and (existing := checkout.order_by_key(db.session, key)):
        return redirect(_confirmation_url(existing))
    cart = current.current_cart()
    if cart is None or not cart.payment_reference:
        flash(_("There is no payment waiting for confirmation."), "info")
        return redirect(url_for(".review"))
    if request.method == "GET":
        return render_template("checkout/confirm_payment.html", cart=cart)
    payment = checkout.confirm_and_place(
        db.session, cart, confirmed=request.form.get("action") == "confirm", provider=_provider(),
        payment_codes=_payment_codes(), locale=str(get_locale()),
    )
    Outcome = checkout.PaymentOutcome
    if payment.outcome == Outcome.NOT_CONFIRMED:
        flash(_("The payment was not confirmed. Nothing has been charged and your cart is "
                "unchanged."), "info")
        return redirect(url_for(".payment"))
    if payment.outcome == Outcome.NOT_AUTHORIZED:
        flash(refusals.explain(payment.error), "error")
        return redirect(url_for(".payment"))
    if payment.outcome == Outcome.DECLINED:
        flash(_("The payment was declined. Nothing has been charged."), "error")
        return redirect(url_for(".payment"))
    return _after_placing(payment)


def _after_placing(payment: checkout.Payment):
    if payment.outcome == checkout.PaymentOutcome.REFUSED:
        flash(refusals.explain(payment.error), "error")
        return redirect(url_for(".review"))
    return redirect(_confirmation_url(payment.order))


# --- After the order -----------------------------------------------------------------------------


@bp.get("/confirmation/<string(maxlength=20):number>")
@login_required
def confirmation(number: str):
    order = _my_order(number)
    return render_template("checkout/confirmation.html", order=order)


@bp.get("/suivi/<string(maxlength=200):token>")
def guest_order(token: str):
    """A guest's order, by the signed link of its confirmation (page and email)."""
    try:
        order = checkout.order_for_link(db.session, token, current_app.secret_key)
    except NotFound:
        abort(404)
    response = make_response(render_template(
        "checkout/confirmation.html", order=order,
        **_documents(order, lambda endpoint, **ids: url_for(f".guest_{endpoint}", token=token, **ids))))
    # The address holds the key to the order: keep it out of shared caches and referrers.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(f"/suivi/<string(maxlength=200):token>/factures/<int(max={MAX_ID}):invoice_id>.pdf")
def guest_invoice(token: str, invoice_id: int):
    """A seller order's invoice, to whoever holds the order's signed link (a guest's order)."""
    try:
        order = checkout.order_for_link(db.session, token, current_app.secret_key)
    except NotFound:
        abort(404)
    return _invoice_file(order, invoice_id)


@bp.get(f"/suivi/<string(maxlength=200):token>/avoirs/<int(max={MAX_ID}):note_id>.pdf")
def guest_credit_note(token: str, note_id: int):
    """A credit note of the order, to whoever holds the order's signed link (a guest's order)."""
    try:
        order = checkout.order_for_link(db.session, token, current_app.secret_key)
    except NotFound:
        abort(404)
    return _credit_note_file(order, note_id)


@bp.get("/mes-commandes")
@login_required
def orders():
    return render_template(
        "checkout/orders.html", orders=checkout.orders_of(db.session, current_user.id)
    )


@bp.get("/mes-commandes/<string(maxlength=20):number>")
@login_required
def order(number: str):
    order = _my_order(number)
    return render_template(
        "checkout/order.html", order=order,
        payments=payment_operations.payments_of(db.session, order),
        **_documents(order, lambda endpoint, **ids: url_for(f".{endpoint}", number=order.number, **ids)),
    )


def _documents(order: CustomerOrder, url) -> dict:
    """The order's invoices and credit notes and their downloads' addresses, for
    checkout/partials/order_invoices.html (``url(endpoint, **ids)``: this reader's address)."""
    invoices = customer_invoices.invoices_of(db.session, order)
    credit_notes = customer_invoices.credit_notes_of(db.session, order)
    return {
        "invoices": invoices,
        "invoice_urls": {seller_order_id: url("invoice", invoice_id=invoice.id)
                         for seller_order_id, invoice in invoices.items()},
        "credit_notes": credit_notes,
        "credit_note_urls": {note.id: url("credit_note", note_id=note.id)
                             for notes in credit_notes.values() for note in notes},
    }


@bp.get(f"/mes-commandes/<string(maxlength=20):number>/factures/<int(max={MAX_ID}):invoice_id>.pdf")
@login_required
def invoice(number: str, invoice_id: int):
    """A seller order's invoice, to the customer who placed the order (another customer's, or
    an invoice of another order: 404, as if there were none)."""
    return _invoice_file(_my_order(number), invoice_id)


@bp.get(f"/mes-commandes/<string(maxlength=20):number>/avoirs/<int(max={MAX_ID}):note_id>.pdf")
@login_required
def credit_note(number: str, note_id: int):
    """A credit note of the order, to the customer who placed it (anyone else: 404)."""
    return _credit_note_file(_my_order(number), note_id)


def _credit_note_file(order: CustomerOrder, note_id: int):
    try:
        note = customer_invoices.credit_note_for(db.session, order, note_id)
    except NotFound:
        abort(404)
    return _pdf_download(render.customer_credit_note_pdf(note, _document_texts()), f"avoir-{note.number}.pdf")


def _document_texts() -> dict:
    return layout.load_overrides(Path(current_app.config["THEMES_DIR"]) / current_app.config["THEME"])


def _pdf_download(data: bytes, filename: str):
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The customer's name, address and purchases: never kept by a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _invoice_file(order: CustomerOrder, invoice_id: int):
    try:
        invoice = customer_invoices.invoice_for(db.session, order, invoice_id)
    except NotFound:
        abort(404)
    return _pdf_download(render.customer_invoice_pdf(invoice, _document_texts()), f"facture-{invoice.number}.pdf")


def _my_order(number: str) -> CustomerOrder:
    try:
        return checkout.order_of(db.session, number, customer_id=current_user.id)
    except NotFound:
        # Another customer's order looks exactly like one that does not exist.
        abort(404)


# --- Helpers of this blueprint -------------------------------------------------------------------


def _provider() -> PaymentProvider:
    return current_app.extensions["payment_provider"]


def _confirmation_url(order: CustomerOrder) -> str:
    if order.customer_id is not None:
        return url_for(".confirmation", number=order.number)
    return url_for(".guest_order", token=checkout.order_link_token(order, current_app.secret_key))


def _reason(error: DomainError | None) -> str | None:
    return error.details.get("reason") if error is not None else None


def _int(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) < 12 else None


def _id(raw: str) -> int:
    value = _int(raw)
    if value is None or value > MAX_ID:
        raise NotFound("no address")
    return value


def _payment_codes() -> dict[str, str]:
    """PAYMENT_CODES (the environment's defaults) with the operator's mapping on top."""
    return mappings.payment_codes(db.session, current_app.config["PAYMENT_CODES"])
