"""Webhooks: clients subscribe a URL to events; services record events where the change happens.

A service that changes something a client may want to hear about calls :func:`record_event`
inside its ``@atomic``: the event and one delivery per matching active subscription are written
in that transaction (an outbox). If it rolls back there is no event; once it commits, the worker
delivers it (``storefront/webhooks/delivery.py``: signed per Standard Webhooks, retried for a day,
then FAILED and replayable with :func:`replay`).

The cost when nobody listens: one indexed query (the active subscriptions of the seller and the
operator's), nothing written, and the payload is not even built (it is given as a function).
A per-process cache of "any subscription?" would save that query but could not see a
subscription made in another process (gunicorn workers, the API) without a shared signal; one
lookup on a tiny indexed table is cheaper than being wrong.

A subscription belongs to a seller (it receives that seller's events) or, with no seller, to the
operator (it receives every seller's). Receiving URLs must be https and resolve only to public
addresses, unless private addresses are allowed (``WEBHOOKS_ALLOW_PRIVATE_URLS``: development and
tests); the delivery checks the addresses again just before connecting, against DNS rebinding.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from . import clock as shop_clock
from .after_commit import AfterCommit
from .errors import Conflict, InvalidValue, NotFound
from .models import (
    DeliveryStatus,
    Seller,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from .refusals import Refusal
from .unit_of_work import atomic

EVENT_TYPES = (
    "order.created",  # a seller order was placed (one per seller of a customer order)
    "order.accepted",  # the seller accepted (some of) its lines
    "order.refused",  # the seller refused every line
    "order.canceled",  # lines were canceled (by the customer, the seller, the operator, a deadline)
    "shipment.shipped",  # a parcel left, with its carrier and tracking number
    "message.created",  # a message in a discussion the seller takes part in
    "refund.created",  # a refund on a seller order
    "offer.updated",  # an offer was created or changed (price, stock, state)
    "rate.updated",  # a shipping rate was created or changed (fees, free threshold, transit days)
    "rating.created",  # a customer rated a delivered seller order (grade, comment)
    "rating.answered",  # the seller answered a rating (portal or API)
)
SECRET_PREFIX = "whsec_"
MAX_URL_LENGTH = 2000

_after_commit = AfterCommit("storefront.webhooks.new_delivery_ids", "webhook delivery")


def deliver_after_commit(trigger: Callable[[int], object]) -> Callable[[int], object]:
    """Call ``trigger(delivery_id)`` for each delivery a transaction wrote, once it committed
    (registered by the job queue: storefront/jobs/webhooks.py)."""
    return _after_commit.register(trigger)


# --- Subscriptions -------------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


@atomic
def subscribe(
    session: Session,
    seller: Seller | None,
    url: str,
    events: Iterable[str],
    *,
    allow_private: bool = False,
    api_client_id: int | None = None,
    description: str = "",
) -> WebhookSubscription:
    """Subscribe ``url`` to ``events`` for ``seller`` (None: the operator, every seller's events).

    The returned subscription's ``secret`` is shown to the client once (the portal and the API
    show it at creation only). Raises :class:`InvalidValue` for a URL that is not https (unless
    ``allow_private``), that resolves to a private, loopback, link-local, reserved or multicast
    address (unless ``allow_private``) or not at all, and for an unknown event type.
    """
    url = check_url(url, allow_private=allow_private)
    wanted = sorted(set(events))
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown or not wanted:
        raise InvalidValue(
            f"unknown event types {unknown}; choose among {', '.join(EVENT_TYPES)}"
            if unknown
            else "subscribe to at least one event type",
            reason=Refusal.EVENT_TYPE,
            field="events",
        )
    subscription = WebhookSubscription(
        seller_id=seller.id if seller is not None else None,
        api_client_id=api_client_id,
        url=url,
        secret=new_secret(),
        event_types=wanted,
        active=True,
        description=description[:200],
        created_at=shop_clock.of(session).now(),
    )
    session.add(subscription)
    session.flush()
    return subscription


@atomic
def deactivate(session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop sending to a subscription (its pending deliveries are still tried)."""
    subscription.active = False
    return subscription


def subscriptions_of(
    session: Session, seller: Seller | None, *, everyone: bool = False
) -> list[WebhookSubscription]:
    """A seller's subscriptions, or the operator's (``seller`` None); every seller's and the
    operator's with ``everyone`` (the back office)."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if not everyone:
        query = query.where(_owned_by(WebhookSubscription.seller_id, seller))
    return list(session.scalars(query))


def get_subscription(
    session: Session, subscription_id: int, seller: Seller | None, *, operator: bool = False
) -> WebhookSubscription:
    """One subscription of ``seller`` (None: the operator's own); any with ``operator=True``.
    Another seller's is as unknown as a missing one (:class:`NotFound`)."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or not (
        operator or subscription.seller_id == (seller.id if seller is not None else None)
    ):
        raise NotFound(f"no webhook subscription {subscription_id}")
    return subscription


# The scope an API client needs to hear an event: the events carry data of these domains, so a
# client that may not read a domain may not subscribe to its events either.
EVENT_SCOPES = {
    "order.created": "orders:read",
    "order.accepted": "orders:read",
    "order.refused": "orders:read",
    "order.canceled": "orders:read",
    "shipment.shipped": "tracking:read",
    "message.created": "discussions:read",
    "refund.created": "orders:read",
    "offer.updated": "catalog:read",
    "rate.updated": "delivery:read",
    "rating.created": "orders:read",
    "rating.answered": "orders:read",
}


def scopes_to_hear(events: Iterable[str]) -> set[str]:
    """The read scopes an API client needs to subscribe to ``events`` (unknown events: none
    here; :func:`subscribe` refuses them)."""
    return {EVENT_SCOPES[name] for name in events if name in EVENT_SCOPES}


# --- Receiving URLs ------------------------------------------------------------------------------


def check_url(url: str, *, allow_private: bool = False) -> str:
    """``url`` if webhooks may be sent there, else :class:`InvalidValue`.

    An https URL with a host (http too when ``allow_private``), no user or password in it, whose
    host resolves only to public addresses (any address when ``allow_private``).
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        len(url) > MAX_URL_LENGTH
        or parts.scheme not in schemes
        or not parts.hostname
        or parts.username is not None
        or port == -1
        or any(ch.isspace() for ch in url)
    ):
        raise InvalidValue(
            f"a webhook URL is an https:// URL with a host, not {url[:100]!r}",
            reason=Refusal.WEBHOOK_URL,
            field="url",
        )
    resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80), allow_private=allow_private)
    return url


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """The addresses ``host`` resolves to, each checked (see :func:`check_url`). Used when
    subscribing and again just before each delivery connects (DNS may have changed since)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise InvalidValue(
            f"the host {host!r} cannot be resolved: {error}", reason=Refusal.WEBHOOK_URL, field="url"
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise InvalidValue(
                    f"{host} resolves to {address}, which is not a public address",
                    reason=Refusal.PRIVATE_ADDRESS,
                    field="url",
                )
    if not addresses:
        raise InvalidValue(f"the host {host!r} has no address", reason=Refusal.WEBHOOK_URL, field="url")
    return addresses


def is_public(address: str) -> bool:
    """False for private, loopback, link-local, reserved, multicast and unspecified addresses
    (an IPv4 address mapped in IPv6 is judged as the IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


# --- Events --------------------------------------------------------------------------------------

Payload = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class NewEvent:
    type: str
    seller_id: int | None
    payload: Payload  # built only when someone listens


def record_event(
    session: Session, type: str, seller_id: int | None, payload: Payload, *, at: datetime | None = None
) -> list[WebhookEvent]:
    """Record one event in the caller's transaction (never commits); see :func:`record_events`."""
    return record_events(session, [NewEvent(type, seller_id, payload)], at=at)


def record_events(session: Session, events: list[NewEvent], *, at: datetime | None = None) -> list[WebhookEvent]:
    """Record events and their deliveries in the caller's transaction (never commits).

    One query finds the active subscriptions of the events' sellers and the operator's; an event
    nobody subscribed to is not written, and its payload (a mapping, or a function giving one,
    called only then) is not built. Returns the events written.
    """
    for new in events:
        if new.type not in EVENT_TYPES:
            raise ValueError(f"unknown webhook event type {new.type!r}")
    seller_ids = {new.seller_id for new in events if new.seller_id is not None}
    query = select(WebhookSubscription).where(
        WebhookSubscription.active.is_(True),
        or_(WebhookSubscription.seller_id.is_(None), WebhookSubscription.seller_id.in_(seller_ids))
        if seller_ids
        else WebhookSubscription.seller_id.is_(None),
    )
    subscriptions = list(session.scalars(query))
    if not subscriptions:
        return []
    now = at or shop_clock.of(session).now()
    written = []
    for new in events:
        listeners = [
            s
            for s in subscriptions
            if s.wants(new.type) and (s.seller_id is None or s.seller_id == new.seller_id)
        ]
        if not listeners:
            continue
        payload = new.payload() if callable(new.payload) else new.payload
        event = WebhookEvent(
            message_id="msg_" + secrets.token_urlsafe(18),
            type=new.type,
            occurred_at=now,
            seller_id=new.seller_id,
            payload=dict(payload),
        )
        session.add(event)
        deliveries = [
            WebhookDelivery(
                event=event,
                subscription=subscription,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
            for subscription in listeners
        ]
        session.add_all(deliveries)
        written.append((event, deliveries))
    session.flush()  # the ids, for the delivery tasks queued after commit
    for _event, deliveries in written:
        for delivery in deliveries:
            _after_commit.add(session, delivery.id)
    return [event for event, _deliveries in written]


def body_of(event: WebhookEvent) -> dict[str, Any]:
    """What a receiver gets, as JSON (the Standard Webhooks shape: type, timestamp, data)."""
    return {"type": event.type, "timestamp": rfc3339(event.occurred_at), "data": event.payload}


def rfc3339(moment: datetime | None) -> str | None:
    """``2026-12-02T14:30:00Z``: UTC, to the second."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- Deliveries: listing and replay --------------------------------------------------------------


def deliveries_of(
    session: Session,
    seller: Seller | None,
    *,
    status: DeliveryStatus | None = None,
    subscription_id: int | None = None,
    everyone: bool = False,
    limit: int = 50,
) -> list[WebhookDelivery]:
    """The deliveries to a seller's subscriptions (``seller`` None: the operator's own
    subscriptions; ``everyone``: every subscription's, for the back office), newest first, with
    their event, subscription, attempts, last status code and error (loaded in the same query)."""
    query = (
        select(WebhookDelivery)
        .join(WebhookDelivery.subscription)
        .options(contains_eager(WebhookDelivery.subscription))
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if not everyone:
        query = query.where(_owned_by(WebhookSubscription.seller_id, seller))
    if status is not None:
        query = query.where(WebhookDelivery.status == DeliveryStatus(status))
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    return list(session.scalars(query))


# A delivery that is done (either way) may be sent again; one waiting or being sent may not.
REPLAYABLE = frozenset({DeliveryStatus.FAILED, DeliveryStatus.DELIVERED})


def can_replay(delivery: WebhookDelivery) -> bool:
    return delivery.status in REPLAYABLE


@atomic
def replay(session: Session, delivery_id: int, seller: Seller | None, *, operator: bool = False) -> WebhookDelivery:
    """Send a delivery again (FAILED, or DELIVERED for a receiver that lost it): PENDING, due now,
    with a fresh retry schedule. The event keeps its ``webhook-id``, so a receiver can tell a
    replay from a new event. ``seller`` may replay only its own deliveries; ``operator=True``
    any. Raises :class:`NotFound` for another seller's delivery, :class:`Conflict` while a
    worker is sending it."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or not (
        operator or delivery.subscription.seller_id == (seller.id if seller is not None else None)
    ):
        raise NotFound(f"no webhook delivery {delivery_id}")
    if not can_replay(delivery):
        raise Conflict("this delivery is already waiting to be sent", reason=Refusal.BUSY)
    now = shop_clock.of(session).now()
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.leased_until = None
    delivery.claim_token = None
    delivery.delivered_at = None
    session.flush()
    _after_commit.add(session, delivery.id)
    return delivery


def _owned_by(column, seller: Seller | None):
    return column.is_(None) if seller is None else column == seller.id


# --- Payloads: what each event says (ids, states, amounts in minor units, RFC 3339 UTC) -----------
# Built only when someone listens (``record_event`` calls them). No personal data beyond what the
# seller already sees: no customer name, address or email; a message's text is fetched through
# the API, not pushed.


def seller_order_data(seller_order) -> dict[str, Any]:
    order = seller_order.customer_order
    return {
        "seller_order_id": seller_order.id,
        "order_number": seller_order.number,
        "customer_order_number": order.number,
        "seller_id": seller_order.seller_id,
        "state": str(seller_order.state),
        "currency": order.currency,
        "lines": [
            {
                "line_id": line.id,
                "offer_id": line.offer_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "quantity_canceled": line.quantity_canceled,
                "unit_price": line.unit_price,
                "state": str(line.state),
            }
            for line in seller_order.lines
        ],
        "acceptance_deadline": rfc3339(seller_order.acceptance_deadline),
        "created_at": rfc3339(seller_order.created_at),
    }


def seller_order_event(type: str, seller_order, **extra: Any) -> NewEvent:
    return NewEvent(type, seller_order.seller_id, lambda: {**seller_order_data(seller_order), **extra})


def cancellation_data(cancellations, reason_code: str | None) -> dict[str, Any]:
    return {
        "reason_code": reason_code,
        "canceled": [
            {"line_id": c.order_line_id, "quantity": c.quantity, "amount": c.amount} for c in cancellations
        ],
    }


def parcel_data(parcel, carrier, url: str | None) -> dict[str, Any]:
    return {
        "parcel_id": parcel.id,
        "seller_order_id": parcel.seller_order_id,
        "order_number": parcel.seller_order.number,
        "state": str(parcel.seller_order.state),
        "carrier": carrier.code,
        "tracking_number": parcel.tracking_number,
        "tracking_url": url,
        "shipped_on": parcel.shipped_on.isoformat(),
        "items": [{"line_id": item.order_line_id, "quantity": item.quantity} for item in parcel.items],
    }


def refund_data(refund, currency: str, reason_code: str) -> dict[str, Any]:
    return {
        "refund_id": refund.id,
        "seller_order_id": refund.seller_order_id,
        "order_number": refund.seller_order.number,
        "line_id": refund.order_line_id,
        "amount": refund.amount,
        "shipping_amount": refund.shipping_amount,
        "currency": currency,
        "reason_code": reason_code,
        "created_at": rfc3339(refund.created_at),
    }


def message_data(thread, message) -> dict[str, Any]:
    return {
        "thread_id": thread.id,
        "message_id": message.id,
        "seller_order_id": thread.seller_order_id,
        "offer_id": thread.offer_id,
        "author_role": str(message.author_role),
        "thread_status": str(thread.status),
        "created_at": rfc3339(message.created_at),
    }


def offer_data(offer) -> dict[str, Any]:
    return {
        "offer_id": offer.id,
        "seller_id": offer.seller_id,
        "product_id": offer.product_id,
        "sku": offer.sku,
        "price": offer.price,
        "origin_price": offer.origin_price,
        "currency": offer.currency,
        "stock": offer.stock,
        "state": str(offer.state),
        "condition": str(offer.condition),
        "lead_time_days": offer.lead_time_days,
    }
