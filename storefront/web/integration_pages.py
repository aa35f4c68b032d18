"""The integration pages (API clients, webhook subscriptions and their deliveries), written once
for the seller portal and the back office: each area's views call these with its :class:`Owner`.

A seller's pages see and change only that seller's clients, subscriptions and deliveries
(another seller's id in a URL answers 404 and changes nothing: the services look them up
scoped); the back office sees every seller's and the operator's own. Secrets are shown once,
on the page after the form (storefront/web/secret_once.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from storefront.extensions import db
from storefront.marketplace import api_clients, webhooks
from storefront.marketplace.errors import Conflict, DomainError, InvalidValue, NotFound
from storefront.marketplace.models import DeliveryStatus, Seller, WebhookDelivery
from storefront.web import secret_once
from storefront.web.integration_forms import ApiClientForm, ConfirmForm, SubscriptionForm
from storefront.web.query_params import MAX_ID
from storefront.web.refusals import explain

CLIENT_SECRET = "api-client"
SIGNING_SECRET = "webhook-subscription"
DELIVERIES_SHOWN = 50
OPERATOR = "operator"  # the seller filter's value for the operator's own


@dataclass(frozen=True)
class Owner:
    """Whose integrations a page shows: ``area`` is the blueprint (``seller``, ``backoffice``)
    and its template folder; ``seller`` owns what is created (None: the operator); ``operator``
    sees and changes every seller's."""

    area: str
    seller: Seller | None
    operator: bool = False

    def url(self, endpoint: str, **values) -> str:
        """The URL of this area's integration view ``endpoint`` (``clients``, ``webhooks``…)."""
        return url_for(f"{self.area}.integration_{endpoint}", **values)

    def render(self, page: str, status: int = 200, **context):
        return render_template(f"{self.area}/{page}", owner=self, active="integrations", **context), status


# --- Routes: the same in both areas ---------------------------------------------------------------

CLIENT_ID = "<string(maxlength=64):client_id>"
SUBSCRIPTION = f"<int(max={MAX_ID}):subscription_id>"
DELIVERY = f"<int(max={MAX_ID}):delivery_id>"


def add_routes(bp: Blueprint, owner: Callable[[], Owner], *, deliveries_list: bool = False) -> list[str]:
    """Put the integration pages on ``bp`` as ``<area>.integration_<name>``, each called with
    ``owner()`` (whose integrations the request is about), and return those endpoints. The back
    office adds the list of every delivery; the portal shows a seller's on each subscription's
    page."""
    routes = [
        ("GET", "/integrations", "clients", clients_page),
        ("POST", "/integrations/clients", "create_client", create_client),
        ("GET", f"/integrations/clients/{CLIENT_ID}/created", "client_created", client_created),
        ("GET", f"/integrations/clients/{CLIENT_ID}/revoke", "confirm_revoke", confirm_revoke),
        ("POST", f"/integrations/clients/{CLIENT_ID}/revoke", "revoke_client", revoke_client),
        ("GET", "/integrations/webhooks", "webhooks", webhooks_page),
        ("POST", "/integrations/webhooks", "subscribe", create_subscription),
        ("GET", f"/integrations/webhooks/{SUBSCRIPTION}", "subscription", subscription_page),
        ("GET", f"/integrations/webhooks/{SUBSCRIPTION}/created", "subscription_created",
         subscription_created),
        ("GET", f"/integrations/webhooks/{SUBSCRIPTION}/deactivate", "confirm_deactivate",
         confirm_deactivate),
        ("POST", f"/integrations/webhooks/{SUBSCRIPTION}/deactivate", "deactivate", deactivate),
        ("POST", f"/integrations/deliveries/{DELIVERY}/replay", "replay", replay),
    ]
    if deliveries_list:
        routes.append(("GET", "/integrations/deliveries", "deliveries", deliveries_page))
    for method, rule, name, page in routes:
        def view(_page=page, **values):
            return _page(owner(), **values)

        view.__name__ = view.__qualname__ = f"integration_{name}"
        bp.add_url_rule(rule, f"integration_{name}", view, methods=[method])
    return [f"{bp.name}.integration_{name}" for _method, _rule, name, _page in routes]


# --- API clients ---------------------------------------------------------------------------------


def clients_page(owner: Owner, form: ApiClientForm | None = None, status: int = 200):
    clients = api_clients.list_clients(db.session, seller=None if owner.operator else owner.seller)
    return owner.render(
        "integrations.html", status, clients=clients, form=form or ApiClientForm(formdata=None),
        revoke_form=ConfirmForm(),
    )


def create_client(owner: Owner):
    form = ApiClientForm()
    if form.validate_on_submit():
        try:
            made = api_clients.create_client(db.session, form.name.data, seller=owner.seller, scopes=form.scopes.data or [])
        except InvalidValue as error:
            _on_field(form, error, default="scopes")
        else:
            secret_once.keep(CLIENT_SECRET, made.client.client_id, made.client_secret)
            return redirect(owner.url("client_created", client_id=made.client.client_id), 303)
    return clients_page(owner, form, 422)


def client_created(owner: Owner, client_id: str):
    client = _client(owner, client_id)
    secret = secret_once.take(CLIENT_SECRET, client.client_id)
    body, status = owner.render("integrations_secret.html", kind="client", client=client, secret=secret)
    return secret_once.never_stored(make_response(body, status))


def confirm_revoke(owner: Owner, client_id: str):
    client = _client(owner, client_id)
    return owner.render("integrations_confirm.html", kind="revoke", client=client, form=ConfirmForm())


def revoke_client(owner: Owner, client_id: str):
    client = _client(owner, client_id)
    if not ConfirmForm().validate_on_submit():
        return owner.render("integrations_confirm.html", 400, kind="revoke", client=client, form=ConfirmForm())
    api_clients.revoke_client(db.session, client.client_id, seller=_scope(owner))
    flash(_("The client %(name)s is revoked: it gets no new access token.", name=client.name), "success")
    return redirect(owner.url("clients"), 303)


def _client(owner: Owner, client_id: str):
    try:
        return api_clients.get_client(db.session, client_id, seller=_scope(owner))
    except NotFound:
        abort(404)


def _scope(owner: Owner) -> Seller | None:
    """The seller the services narrow lookups to: None (everyone) for the operator."""
    return None if owner.operator else owner.seller


# --- Webhook subscriptions -----------------------------------------------------------------------


def webhooks_page(owner: Owner, form: SubscriptionForm | None = None, status: int = 200):
    shown, sellers, chosen = _seller_filter(owner)
    if owner.operator:
        subscriptions = webhooks.subscriptions_of(db.session, shown, everyone=chosen == "")
    else:
        subscriptions = webhooks.subscriptions_of(db.session, owner.seller)
    return owner.render(
        "integrations_webhooks.html", status, subscriptions=subscriptions, form=form or SubscriptionForm(formdata=None),
        sellers=sellers, seller_names={s.id: s.name for s in sellers}, chosen_seller=chosen,
    )


def create_subscription(owner: Owner):
    form = SubscriptionForm()
    if form.validate_on_submit():
        try:
            subscription = webhooks.subscribe(
                db.session, owner.seller, form.url.data, form.events.data or [],
                allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"],
                description=form.description.data or "",
            )
        except InvalidValue as error:
            _on_field(form, error, default="events")
        else:
            secret_once.keep(SIGNING_SECRET, str(subscription.id), subscription.secret)
            return redirect(owner.url("subscription_created", subscription_id=subscription.id), 303)
    return webhooks_page(owner, form, 422)


def subscription_created(owner: Owner, subscription_id: int):
    subscription = _subscription(owner, subscription_id)
    secret = secret_once.take(SIGNING_SECRET, str(subscription.id))
    body, status = owner.render("integrations_secret.html", kind="subscription", subscription=subscription, secret=secret)
    return secret_once.never_stored(make_response(body, status))


def subscription_page(owner: Owner, subscription_id: int):
    subscription = _subscription(owner, subscription_id)
    deliveries = webhooks.deliveries_of(
        db.session, _scope(owner), subscription_id=subscription.id, everyone=owner.operator, limit=DELIVERIES_SHOWN
    )
    return owner.render(
        "integrations_subscription.html", subscription=subscription, deliveries=deliveries, form=ConfirmForm(),
        can_replay=webhooks.can_replay, seller_name=_seller_name(subscription.seller_id),
    )


def confirm_deactivate(owner: Owner, subscription_id: int):
    subscription = _subscription(owner, subscription_id)
    return owner.render("integrations_confirm.html", kind="deactivate", subscription=subscription, form=ConfirmForm())


def deactivate(owner: Owner, subscription_id: int):
    subscription = _subscription(owner, subscription_id)
    if not ConfirmForm().validate_on_submit():
        return owner.render("integrations_confirm.html", 400, kind="deactivate", subscription=subscription, form=ConfirmForm())
    webhooks.deactivate(db.session, subscription)
    flash(_("Events are no longer sent to %(url)s.", url=subscription.url), "success")
    return redirect(owner.url("subscription", subscription_id=subscription.id), 303)


def replay(owner: Owner, delivery_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        delivery = webhooks.replay(db.session, delivery_id, _scope(owner), operator=owner.operator)
    except NotFound:
        abort(404)
    except Conflict:
        # Not refusals.explain: its sentence for BUSY speaks of placing an order.
        flash(_("This event is already waiting to be sent: it goes out in a moment."), "error")
        waiting = db.session.get(WebhookDelivery, delivery_id)  # the owner's: replay checked it
        return redirect(_back(owner, waiting.subscription_id), 303)
    flash(_("The event %(type)s will be sent again in a moment.", type=delivery.event.type), "success")
    return redirect(_back(owner, delivery.subscription_id), 303)


def deliveries_page(owner: Owner):
    """Every delivery, newest first, filtered by seller and status (the back office)."""
    shown, sellers, chosen = _seller_filter(owner)
    status = request.args.get("status", "")
    status = status if status in DeliveryStatus.__members__ else ""
    deliveries = webhooks.deliveries_of(
        db.session, shown, status=DeliveryStatus(status) if status else None,
        everyone=owner.operator and chosen == "", limit=DELIVERIES_SHOWN,
    )
    return owner.render(
        "integrations_deliveries.html", deliveries=deliveries, sellers=sellers, seller_names={s.id: s.name for s in sellers},
        chosen_seller=chosen, chosen_status=status, statuses=list(DeliveryStatus), form=ConfirmForm(),
        can_replay=webhooks.can_replay,
    )


def _subscription(owner: Owner, subscription_id: int):
    try:
        return webhooks.get_subscription(db.session, subscription_id, _scope(owner), operator=owner.operator)
    except NotFound:
        abort(404)


def _seller_filter(owner: Owner) -> tuple[Seller | None, list[Seller], str]:
    """The back office's seller filter: (the seller to show or None, every seller for the
    menu, the chosen value: "" for everyone, ``operator`` for the operator's own, or an id)."""
    if not owner.operator:
        return owner.seller, [], ""
    sellers = list(db.session.scalars(select(Seller).order_by(Seller.name)))
    chosen = request.args.get("seller", "")
    if chosen == OPERATOR:
        return None, sellers, chosen
    found = next((s for s in sellers if str(s.id) == chosen), None)
    return found, sellers, str(found.id) if found else ""


def _seller_name(seller_id: int | None) -> str | None:
    if seller_id is None:
        return None
    seller = db.session.get(Seller, seller_id)
    return seller.name if seller else None


def _back(owner: Owner, subscription_id: int | None = None) -> str:
    """Back where the replay button was: the subscription's page, or the back office's list."""
    if request.form.get("back") == "deliveries" and owner.operator:
        return owner.url("deliveries", **{k: v for k, v in request.args.items() if k in ("seller", "status")})
    if subscription_id is not None:
        return owner.url("subscription", subscription_id=subscription_id)
    return owner.url("webhooks")


def _on_field(form, error: DomainError, *, default: str) -> None:
    """Put a service's refusal on the field it names (else ``default``), in the visitor's words."""
    field = getattr(form, str(error.details.get("field") or default), None) or getattr(form, default)
    field.errors = [*field.errors, explain(error)]
    db.session.rollback()
