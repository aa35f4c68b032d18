"""Cart views: thin adapters over ``marketplace.cart``.

Without JavaScript every action is a form POST answered by a redirect to the cart (or, when
refused, the cart page with the message and a 4xx status). With htmx the answer is the cart's
body partial, plus the header's count swapped out of band; a refusal is then a message inside
that partial (htmx does not swap error responses, and the shopper must see why).
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from storefront import clock
from storefront.cart import bp, current
from storefront.extensions import db
from storefront.marketplace import cart as cart_service
from storefront.marketplace.cart import CartView
from storefront.marketplace.errors import Conflict, DomainError, NotFound
from storefront.marketplace.refusals import Refusal
from storefront.web import refusals
from storefront.web.fragments import wants_fragment


@bp.app_context_processor
def inject_cart_count():
    return {"cart_count": current.cart_count}


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    return render_expired_form(error)


def render_expired_form(error: CSRFError):
    """A POST without its CSRF token, or with one of an ended session: nothing was changed."""
    message = _(
        "This form has expired (the page stayed open a long time, or your session ended). "
        "Nothing has been changed: reload the page and try again."
    )
    if wants_fragment():
        response = make_response(_status_fragment(message, error=True), 400)
    else:
        response = make_response(
            render_template("errors/error.html", error=error, status=400, message=message), 400
        )
    response.vary.add("HX-Request")
    return response


# --- Pages ---------------------------------------------------------------------------------------


@bp.get("/")
def show():
    return render_cart(_review())


@bp.get("/compte")
def count():
    """The header's count alone: what pages served from the shared cache load for each visitor."""
    page = render_template("cart/partials/cart_count.html", count=current.cart_count(), oob=False)
    response = _vary(make_response(page))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/ajouter")
def add():
    try:
        offer_id = cart_service.parse_id(request.form.get("offer_id"), "offer")
        quantity = cart_service.parse_quantity(request.form.get("quantity", "1"))
        product_id = _optional_id(request.form.get("product_id"), "product")
        cart_service.add_item(
            db.session, current.ensure_cart(), offer_id, quantity, product_id=product_id
        )
    except IntegrityError:
        # The same offer added twice at the same instant (a double click): one line won.
        return _add_conflict()
    except DomainError as error:
        message = refusals.explain(error)
        if wants_fragment():
            return _vary(make_response(_status_fragment(message, error=True)))
        return render_cart(_review(), error=message, status=error.status)
    message = _("Added to your cart.")
    if wants_fragment():
        return _vary(make_response(_status_fragment(message)))
    flash(message, "success")
    return redirect(url_for(".show"))


@bp.post("/quantite")
def update():
    def change(cart):
        offer_id = cart_service.parse_id(request.form.get("offer_id"), "offer")
        quantity = cart_service.parse_quantity(request.form.get("quantity"))
        cart_service.set_quantity(db.session, cart, offer_id, quantity)

    return _change(change, _("The quantity has been updated."))


@bp.post("/retirer")
def remove():
    def change(cart):
        offer_id = cart_service.parse_id(request.form.get("offer_id"), "offer")
        cart_service.remove_item(db.session, cart, offer_id)

    return _change(change, _("The item has been removed from your cart."))


@bp.post("/livraison")
def choose_mode():
    def change(cart):
        apply_mode_choices(cart, current.cart_zone(cart))

    return _change(change, _("The delivery mode has been chosen."))


def apply_mode_choices(cart, zone) -> CartView:
    """Apply every ``mode-<shipper id>`` field of the form (one per shipment shown); returns the
    cart's view with the choices made."""
    fields = [(name, value) for name, value in request.form.items() if name.startswith("mode-")]
    if not fields:
        raise NotFound("no delivery mode chosen", reason=Refusal.NO_SHIPMENT)
    choices = {
        cart_service.parse_id(name.removeprefix("mode-"), "seller"): value[:20]
        for name, value in fields[:50]
    }
    return cart_service.choose_deliveries(db.session, cart, choices, zone, now=clock.now())


# --- Rendering -----------------------------------------------------------------------------------


def render_cart(view: CartView, *, error: str | None = None, status: int = 200):
    """The cart page, or its body partial (with the header count out of band) for htmx."""
    context = {
        "view": view,
        "error": error,
        "notices": [refusals.notice_message(n) for n in view.notices],
    }
    if wants_fragment():
        body = render_template("cart/partials/cart_body.html", **context) + _count_fragment()
        return _vary(make_response(body, 200))
    return _vary(make_response(render_template("cart/cart.html", **context), status))


def _change(change, done: str):
    cart = current.current_cart()
    if cart is None:
        error = NotFound("no cart", reason=Refusal.NOT_IN_CART)
        return render_cart(_review(), error=refusals.explain(error), status=404)
    try:
        change(cart)
    except IntegrityError:
        error = Conflict("changed meanwhile")
        return render_cart(_review(), error=_conflict_message(), status=error.status)
    except DomainError as error:
        return render_cart(_review(), error=refusals.explain(error), status=error.status)
    if wants_fragment():
        return render_cart(_review())
    flash(done, "success")
    return redirect(url_for(".show"))


def _add_conflict():
    message = _conflict_message()
    if wants_fragment():
        return _vary(make_response(_status_fragment(message, error=True)))
    return render_cart(_review(), error=message, status=409)


def _conflict_message() -> str:
    return _("Your cart changed at the same moment in another window: check it and try again.")


def _review() -> CartView:
    cart = current.current_cart()
    return cart_service.review(db.session, cart, current.cart_zone(cart), now=clock.now())


def _count_fragment() -> str:
    return render_template(
        "cart/partials/cart_count.html", count=current.cart_count(refresh=True), oob=True
    )


def _status_fragment(message: str, *, error: bool = False) -> str:
    status = render_template("cart/partials/cart_status.html", message=message, error=error, oob=True)
    return status + _count_fragment()


def _vary(response):
    response.vary.add("HX-Request")
    return response


def _optional_id(raw: str | None, what: str) -> int | None:
    if raw is None or raw == "":
        return None
    return cart_service.parse_id(raw, what)
