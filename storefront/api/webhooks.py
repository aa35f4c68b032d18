"""Webhooks through the API: a client subscribes its own systems to events, lists and stops its
subscriptions, reads the deliveries with their attempts and sends one again, over the same
service as the portal's and the back office's pages (``marketplace.webhooks``).

Scopes. Webhooks have no domain of their own among the eight; a subscription is part of the
caller's account set-up, like its shop profile, so it needs ``sellers:read`` to read and
``sellers:write`` to change. And since events carry data of their domains (an order, a message),
subscribing to an event also needs the read scope of its domain (``webhooks.EVENT_SCOPES``):
a client that may not read orders may not have them pushed to it either.

A seller client sees its seller's subscriptions and deliveries only (another's id is 404); an
operator client sees every seller's and subscribes for the operator (every seller's events).
The signing secret is in the answer to the POST, once (and in its idempotent replay, to the
same client that sent the same key); never in a GET.
"""

from __future__ import annotations

from flask import current_app, jsonify
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import api_clients, webhooks
from storefront.marketplace.models import (
    DeliveryStatus,
    Seller,
    WebhookDelivery,
    WebhookSubscription,
)

from . import bp
from .auth import Caller, require_scope
from .idempotency import idempotent
from .problems import ApiProblem
from .schema import MAX_ID as _MAX_ID
from .schema import Body, Id, Out, Query, operation

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# -- shapes ------------------------------------------------------------------------------------------


class SubscriptionBody(Body):
    url: str = Field(min_length=1, max_length=webhooks.MAX_URL_LENGTH,
                     description="an https URL that resolves to public addresses only")
    events: list[str] = Field(min_length=1, max_length=len(webhooks.EVENT_TYPES),
                              description="event types: " + ", ".join(webhooks.EVENT_TYPES))
    description: str = Field("", max_length=200)


class SubscriptionOut(Out):
    id: int
    seller_id: int | None = Field(description="None: the operator's (every seller's events)")
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: str | None


class NewSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="the Standard Webhooks signing secret (whsec_…), shown this once")


class SubscriptionList(Out):
    items: list[SubscriptionOut]


class DeliveriesQuery(Query):
    status: DeliveryStatus | None = None
    subscription_id: Id | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class DeliveryOut(Out):
    id: int
    subscription_id: int
    event_id: str = Field(description="the webhook-id header: the same for every attempt and replay")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str
    last_attempt_at: str | None
    next_attempt_at: str | None = Field(description="when the next try is due (PENDING only)")
    delivered_at: str | None
    created_at: str | None


class DeliveryList(Out):
    items: list[DeliveryOut]


# -- encoding ----------------------------------------------------------------------------------------


def subscription_body(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.id,
        "seller_id": subscription.seller_id,
        "url": subscription.url,
        "events": list(subscription.event_types or []),
        "description": subscription.description or "",
        "active": subscription.active,
        "created_at": webhooks.rfc3339(subscription.created_at),
    }


def delivery_body(delivery: WebhookDelivery) -> dict:
    pending = delivery.status == DeliveryStatus.PENDING
    return {
        "id": delivery.id,
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event.message_id,
        "event_type": delivery.event.type,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error or "",
        "last_attempt_at": webhooks.rfc3339(delivery.last_attempt_at),
        "next_attempt_at": webhooks.rfc3339(delivery.next_attempt_at) if pending else None,
        "delivered_at": webhooks.rfc3339(delivery.delivered_at),
        "created_at": webhooks.rfc3339(delivery.created_at),
    }


def _seller(caller: Caller) -> Seller | None:
    return db.session.get(Seller, caller.seller_id) if caller.seller_id is not None else None


# -- views -------------------------------------------------------------------------------------------


@bp.get("/webhooks/subscriptions")
@require_scope("sellers:read")
@operation(tag="webhooks", responses={200: SubscriptionList})
def list_subscriptions(caller: Caller):
    """The caller's webhook subscriptions (the operator: every seller's and its own)."""
    found = webhooks.subscriptions_of(db.session, _seller(caller), everyone=caller.is_operator)
    return jsonify({"items": [subscription_body(s) for s in found]})


@bp.post("/webhooks/subscriptions")
@require_scope("sellers:write")
@idempotent
@operation(tag="webhooks", body=SubscriptionBody, responses={201: NewSubscriptionOut})
def subscribe(caller: Caller, body: SubscriptionBody):
    """Subscribe a URL to events; the answer holds the signing secret, this once.

    Each event also needs the read scope of its domain (``order.*``: ``orders:read``,
    ``shipment.shipped``: ``tracking:read``, ``message.created``: ``discussions:read``,
    ``offer.updated``: ``catalog:read``). In production the URL must be https and resolve to
    public addresses only."""
    missing = sorted(webhooks.scopes_to_hear(body.events) - caller.scopes)
    if missing:
        raise ApiProblem(403, "insufficient_scope",
                         f"These events need the scope {', '.join(missing)}.", field="events",
                         scope=" ".join(missing))
    client = api_clients.get_client(db.session, caller.client_id)
    subscription = webhooks.subscribe(
        db.session, _seller(caller), body.url, body.events,
        allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"],
        api_client_id=client.id, description=body.description,
    )
    answer = jsonify({**subscription_body(subscription), "secret": subscription.secret})
    answer.status_code = 201
    return answer


@bp.delete(f"/webhooks/subscriptions/<int(max={_MAX_ID}):subscription_id>")
@require_scope("sellers:write")
@operation(tag="webhooks", responses={200: SubscriptionOut})
def deactivate_subscription(subscription_id: int, caller: Caller):
    """Stop sending to a subscription (deliveries already waiting are still tried)."""
    subscription = webhooks.get_subscription(db.session, subscription_id, _seller(caller),
                                             operator=caller.is_operator)
    webhooks.deactivate(db.session, subscription)
    return jsonify(subscription_body(subscription))


@bp.get("/webhooks/deliveries")
@require_scope("sellers:read")
@operation(tag="webhooks", query=DeliveriesQuery, responses={200: DeliveryList})
def list_deliveries(caller: Caller, query: DeliveriesQuery):
    """The deliveries to the caller's subscriptions, newest first, with their attempts; filters
    ``status`` and ``subscription_id``."""
    found = webhooks.deliveries_of(
        db.session, _seller(caller), status=query.status, subscription_id=query.subscription_id,
        everyone=caller.is_operator, limit=query.limit,
    )
    return jsonify({"items": [delivery_body(d) for d in found]})


@bp.post(f"/webhooks/deliveries/<int(max={_MAX_ID}):delivery_id>/replay")
@require_scope("sellers:write")
@idempotent
@operation(tag="webhooks", responses={200: DeliveryOut})
def replay_delivery(delivery_id: int, caller: Caller):
    """Send a FAILED or DELIVERED delivery again, due now (409 while it waits to be sent)."""
    delivery = webhooks.replay(db.session, delivery_id, _seller(caller), operator=caller.is_operator)
    return jsonify(delivery_body(delivery))
