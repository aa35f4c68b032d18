"""Checkout: placing the order of a cart, in one transaction, and the orders a customer sees.

:func:`place_order` does everything or nothing. It re-checks the cart with ``cart.review`` (the
same read model the shopper's pages showed), writes the customer order (claiming its
idempotency key), one seller order per seller ("sold by"), one shipment per shipper ("shipped
by") with its mode, fee and promised dates, empties the cart, writes the confirmation email to
the outbox, and last takes the stock with conditional updates (``stock = stock - q WHERE stock
>= q``: of two buyers of the last unit exactly one gets it) and refreshes the category listings
of products that sold out. Any refusal rolls all of it back.

Payment happens around it (:func:`pay_and_place`, :func:`confirm_and_place`): the amount is
authorized first, the order placed, and the authorization voided if placing fails, so a refused
order is never charged. The views only map the :class:`Payment` these return to pages.
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, joinedload, selectinload

from . import (
    accounts,
    customer_admin,
    email_contexts,
    finance,
    listing,
    mappings,
    orders,
    outbox,
    payment_operations,
    payments,
    preferences,
    webhooks,
)
from . import cart as cart_service
from . import clock as shop_clock
from .cart import CartView
from .errors import Conflict, DomainError, InvalidValue, NotDeliverable, NotFound, OutOfStock
from .models import (
    ActorRole,
    Cart,
    Category,
    CustomerOrder,
    LineState,
    Offer,
    OfferState,
    OrderLine,
    Seller,
    SellerOrder,
    SellerOrderState,
    Shipment,
    ShipmentStatus,
    User,
    Zone,
)
from .payments import PaymentProvider, PaymentStatus
from .refusals import Refusal
from .unit_of_work import atomic

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
ORDER_NUMBER = re.compile(r"[A-Z0-9-]{1,20}")
ORDER_LINK_SALT = "storefront.order-link"
AUTO_ACCEPT_NOTE = "accepted automatically: the retailer's own order"


class CartChanged(Conflict):
    """The cart is not what the shopper last saw (a price, a stock, a total changed): it has been
    corrected, and must be shown again before an order can be placed."""


@dataclass(frozen=True)
class PaymentRecord:
    """How the order was paid, as recorded on it."""

    method: str  # the provider's method: "card"
    code: str  # the marketplace's payment code: "CB"
    reference: str  # the provider's reference of the payment


@dataclass(frozen=True)
class PlacedOrder:
    order: CustomerOrder
    created: bool  # False: the key had placed this order already (a replay or a double click)


def new_idempotency_key() -> str:
    """A key for one "Place order" form: every submission of that form is the same order."""
    return secrets.token_urlsafe(24)


def check_idempotency_key(key: str) -> str:
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidValue("this order form is not valid; reload the page", reason=Refusal.BAD_KEY)
    return key


def order_by_key(session: Session, key: str) -> CustomerOrder | None:
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        return None
    return session.scalar(select(CustomerOrder).where(CustomerOrder.idempotency_key == key))


def place_order(
    session: Session,
    cart: Cart,
    *,
    idempotency_key: str,
    payment: PaymentRecord,
    locale: str,
    now: datetime | None = None,
    expected_total: int | None = None,
) -> PlacedOrder:
    """Place the order of ``cart`` (see the module's doc); its own transaction, never nested.

    ``expected_total`` is the amount the payment was authorized for: a cart whose total is no
    longer that raises :class:`CartChanged`. The same ``idempotency_key`` twice gives the first
    order back (``created=False``), also when two requests race with it.
    Raises :class:`CartChanged`, :class:`OutOfStock`, :class:`NotDeliverable` or
    :class:`InvalidValue`, having changed nothing.
    """
    check_idempotency_key(idempotency_key)
    existing = order_by_key(session, idempotency_key)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    try:
        order = _place(
            session,
            cart,
            idempotency_key=idempotency_key,
            payment=payment,
            locale=locale,
            now=now or shop_clock.of(session).now(),
            expected_total=expected_total,
        )
    except IntegrityError:
        # Another request placed the order of this key between our check and our insert (its
        # transaction committed first); @atomic has rolled ours back.
        existing = order_by_key(session, idempotency_key)
        if existing is None:
            raise Conflict("the order could not be placed; please try again", reason=Refusal.BUSY) from None
        return PlacedOrder(existing, created=False)
    except OperationalError as error:
        # SQLite lets one writer at a time; a transaction that read before another wrote cannot
        # write after it ("database is locked"). Nothing was written: the shopper may try again.
        if "locked" not in str(error.orig):
            raise
        raise Conflict("the shop is busy; please place the order again", reason=Refusal.BUSY) from None
    return PlacedOrder(order, created=True)


@atomic
def _place(
    session: Session,
    cart: Cart,
    *,
    idempotency_key: str,
    payment: PaymentRecord,
    locale: str,
    now: datetime,
    expected_total: int | None,
) -> CustomerOrder:
    zone, view = _checked_review(session, cart, now, expected_total)
    order = _write_order(session, cart, view, zone, idempotency_key, payment, locale, now)
    seller_orders = _write_seller_orders(session, order, view, now)
    shipments = _write_shipments(session, order, view, now)
    _write_lines(session, view, seller_orders, shipments, shop_clock.of(session).local_date(now))
    _accept_retailer_order(session, seller_orders.values(), now)
    session.flush()  # claims the idempotency key (unique): a replay racing this one stops here
    for seller_order in seller_orders.values():
        # The retailer's own order is accepted already: captured now if the operator captures
        # at acceptance.
        payment_operations.follow(session, seller_order, now)

    cart_service.clear(session, cart)
    webhooks.record_events(
        session,
        [webhooks.seller_order_event("order.created", so) for so in seller_orders.values()],
        at=now,
    )
    outbox.record_email(
        session,
        to=order.email,
        template="order_confirmation",
        context=email_contexts.order_confirmation(order, list(shipments.values())),
        locale=locale,
        kind="order_confirmation",
    )
    # The stock last: its conditional updates lock the offers' rows until the commit, so the
    # shorter the rest of the transaction after them, the less concurrent buyers of the same
    # offers wait for each other.
    sold_out = _take_stock(session, view.items)
    if sold_out:
        listing.refresh(session, sold_out, now=now)
    session.flush()
    return order


def _checked_review(
    session: Session, cart: Cart, now: datetime, expected_total: int | None
) -> tuple[Zone, CartView]:
    """The cart as it is now, which must be exactly what the shopper last saw."""
    _check_customer(session, cart)
    zone = cart_service.zone_of(session, cart)
    if zone is None or not cart.email:
        raise InvalidValue("give a delivery address first", reason=Refusal.NO_ADDRESS)
    view = cart_service.review(session, cart, zone, now=now)
    if view.notices:
        raise CartChanged("your cart has changed; check it again", reason=Refusal.CART_CHANGED)
    if view.is_empty:
        raise InvalidValue("your cart is empty", reason=Refusal.EMPTY_CART)
    if not view.deliverable:
        names = ", ".join(s.shipper.name for s in view.undeliverable)
        raise NotDeliverable(
            f"{names} cannot deliver to {cart.ship_postal_code}", reason=Refusal.UNDELIVERABLE, shippers=names
        )
    if expected_total is not None and expected_total != view.total:
        raise CartChanged("the total has changed; check it again", reason=Refusal.TOTAL_CHANGED)
    return zone, view


def _check_customer(session: Session, cart: Cart) -> None:
    """A cart of an account orders only once the account's email address is confirmed (a guest's
    cart has no account and orders with the address it gives), and never while customer service
    has blocked the account (customer_admin.block ends its sessions, this closes the gap)."""
    if cart.user_id is not None:
        customer = session.get(User, cart.user_id)  # the signed-in user: already in the session
        if customer is not None:
            accounts.require_confirmed_email(customer)
            customer_admin.require_not_blocked(session, customer)


def _write_order(
    session: Session,
    cart: Cart,
    view: CartView,
    zone: Zone,
    idempotency_key: str,
    payment: PaymentRecord,
    locale: str,
    now: datetime,
) -> CustomerOrder:
    order = CustomerOrder(
        number=_unique_number(session, now),
        customer_id=cart.user_id,
        email=cart.email,
        locale=locale,
        currency=view.currency,
        subtotal=view.subtotal,
        shipping_total=view.shipping_total,
        total=view.total,
        idempotency_key=idempotency_key,
        payment_method=payment.method[:30],
        payment_code=payment.code[:30],
        payment_reference=payment.reference[:80],
        ship_name=cart.ship_name,
        ship_line1=cart.ship_line1,
        ship_line2=cart.ship_line2,
        ship_postal_code=cart.ship_postal_code,
        ship_city=cart.ship_city,
        ship_country=cart.ship_country,
        ship_phone=cart.ship_phone,
        zone_id=zone.id,
        created_at=now,
    )
    session.add(order)
    return order


def _write_seller_orders(
    session: Session, order: CustomerOrder, view: CartView, now: datetime
) -> dict[int, SellerOrder]:
    """One seller order per seller ("sold by"): the retailer's first, then by seller name."""
    by_seller: dict[int, Seller] = {}
    for item in view.items:
        by_seller.setdefault(item.seller.id, item.seller)
    delay = timedelta(hours=int(preferences.get(session, "acceptance_delay_hours")))
    seller_orders: dict[int, SellerOrder] = {}
    ordered_sellers = sorted(by_seller.values(), key=lambda s: (not s.is_operator, s.name, s.id))
    for index, seller in enumerate(ordered_sellers):
        seller_order = SellerOrder(
            number=f"{order.number}-{_suffix(index)}",
            customer_order=order,
            seller=seller,
            state=SellerOrderState.WAITING_ACCEPTANCE,
            acceptance_deadline=None if seller.is_operator else now + delay,
            updated_at=now,
            created_at=now,
        )
        session.add(seller_order)
        seller_orders[seller.id] = seller_order
    return seller_orders


def _write_shipments(
    session: Session, order: CustomerOrder, view: CartView, now: datetime
) -> dict[int, Shipment]:
    """One shipment per shipper ("shipped by"), with what the shopper chose and was promised."""
    shipments: dict[int, Shipment] = {}
    for shipment_view in view.shipments:
        chosen = shipment_view.chosen
        codes = mappings.delivery_codes(session, chosen.mode.code)  # the operator's mapping
        shipment = Shipment(
            customer_order=order,
            shipper=shipment_view.shipper,
            mode_id=chosen.mode.id,
            marketplace_mode=codes.mode,
            marketplace_carrier=codes.carrier,
            fee=chosen.fee,
            currency=view.currency,
            ship_by=chosen.promise.ship_by,
            promised_min=chosen.promise.earliest,
            promised_max=chosen.promise.latest,
            status=ShipmentStatus.PENDING,
            created_at=now,
        )
        session.add(shipment)
        shipments[shipment_view.shipper.id] = shipment
    return shipments


def _write_lines(
    session: Session,
    view: CartView,
    seller_orders: dict[int, SellerOrder],
    shipments: dict[int, Shipment],
    day: date,
) -> None:
    """Each line in its seller order and its shipment, with the commission rate of the order's
    day (copied: a later change of rates never rewrites it)."""
    commissions: dict[tuple[int, int], int] = {}
    for item in view.items:
        seller_orders[item.seller.id].lines.append(
            OrderLine(
                shipment=shipments[item.shipper.id],
                offer_id=item.offer.id,
                product_id=item.product.id,
                title=item.product.title[:250],
                sku=item.offer.sku,
                unit_price=item.unit_price,
                quantity=item.quantity,
                # The retailer's own lines need no acceptance (its order moves on below).
                state=LineState.ACCEPTED if item.seller.is_operator else LineState.WAITING_ACCEPTANCE,
                commission_bp=_commission(session, item.seller, item.product.category_id, commissions, day),
            )
        )


def _accept_retailer_order(session: Session, seller_orders, now: datetime) -> None:
    """The retailer's own order is accepted at once, before anything is written: it is inserted
    in SHIPPING with its transition, in the same flush as the rest."""
    for seller_order in seller_orders:
        if seller_order.seller.is_operator:
            orders.transition(
                session,
                seller_order,
                SellerOrderState.SHIPPING,
                actor_role=ActorRole.SYSTEM,
                note=AUTO_ACCEPT_NOTE,
                at=now,
            )


def _take_stock(session: Session, items) -> set[int]:
    """Decrement each offer's stock if it still has enough, at the price the shopper saw;
    returns the products whose offer sold out. Offers are updated in id order, so that two
    orders sharing offers lock them in the same order (no deadlock)."""
    for item in sorted(items, key=lambda i: i.offer.id):
        result = session.execute(
            update(Offer)
            .where(
                Offer.id == item.offer.id,
                Offer.stock >= item.quantity,
                Offer.price == item.unit_price,
                Offer.state == OfferState.ACTIVE,
            )
            .values(stock=Offer.stock - item.quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            title = item.product.title
            current = session.execute(
                select(Offer.stock, Offer.price, Offer.state).where(Offer.id == item.offer.id)
            ).one()
            if current.state == OfferState.ACTIVE and current.price != item.unit_price:
                raise CartChanged(f"the price of {title} has just changed", reason=Refusal.CART_CHANGED)
            raise OutOfStock(
                f"{title} has just sold out (only {max(current.stock, 0)} left)",
                reason=Refusal.SOLD_OUT,
                title=title,
                available=max(current.stock, 0),
            )
    offers = {item.offer.id: item.offer for item in items}
    for offer in offers.values():
        session.expire(offer, ["stock", "updated_at"])
    left = session.execute(
        select(Offer.id, Offer.product_id, Offer.stock).where(Offer.id.in_(offers))
    ).all()
    return {row.product_id for row in left if row.stock == 0}


def _commission(session: Session, seller: Seller, category_id: int, cache: dict, day: date) -> int:
    if seller.is_operator:
        return 0  # the retailer pays itself no commission (finance.commission_rate_for)
    key = (seller.id, category_id)
    if key not in cache:
        category = session.get(Category, category_id)
        try:
            cache[key] = finance.commission_rate_for(session, seller, category, on=day)
        except NotFound:
            cache[key] = 0  # no rate set up yet: the operator settles it from the back office
    return cache[key]


def _unique_number(session: Session, now: datetime) -> str:
    for _attempt in range(10):
        number = orders.new_order_number(now)
        if session.scalar(select(CustomerOrder.id).where(CustomerOrder.number == number)) is None:
            return number
    raise Conflict("could not number the order; please try again", reason=Refusal.BUSY)


def _suffix(index: int) -> str:
    """Seller orders of SF-261127-7K3QX are SF-261127-7K3QX-A, -B…"""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


# --- Paying, then placing ------------------------------------------------------------------------


class PaymentOutcome(enum.StrEnum):
    PLACED = "PLACED"  # paid and placed (or placed already by the same form: a double click)
    DECLINED = "DECLINED"  # the provider declined the card: nothing charged, cart unchanged
    NEEDS_CONFIRMATION = "NEEDS_CONFIRMATION"  # the shopper confirms with their bank first
    NOT_CONFIRMED = "NOT_CONFIRMED"  # the shopper cancelled the bank's confirmation: voided
    NOT_AUTHORIZED = "NOT_AUTHORIZED"  # refused before any authorization (``error`` says why)
    REFUSED = "REFUSED"  # the order could not be placed (``error``): the payment was voided


@dataclass(frozen=True)
class Payment:
    """What became of "Place order": the view maps each outcome to a page."""

    outcome: PaymentOutcome
    order: CustomerOrder | None = None
    error: DomainError | None = None
    message: str = ""  # the provider's words when it declined


def pay_and_place(
    session: Session,
    cart: Cart,
    view: CartView,
    *,
    provider: PaymentProvider,
    payment_codes: Mapping[str, str],
    idempotency_key: str,
    shown_total: int | None,
    locale: str,
    now: datetime | None = None,
) -> Payment:
    """Authorize the cart's total with ``provider``, then place the order; never charge for an
    order that was not placed.

    ``view`` is the review the shopper is looking at; ``shown_total`` the total their form
    carried: another total than the server's is refused rather than charging either. A payment
    the bank wants confirmed is held on the cart (:func:`confirm_and_place` finishes it). The
    same ``idempotency_key`` again (a double click, a replayed request) gives the order it
    placed, charging nothing more.
    """
    existing = order_by_key(session, idempotency_key)
    if existing is not None:
        return Payment(PaymentOutcome.PLACED, order=existing)
    try:
        check_idempotency_key(idempotency_key)
        _check_customer(session, cart)  # before the bank is asked anything
    except DomainError as error:
        return Payment(PaymentOutcome.NOT_AUTHORIZED, error=error)
    if shown_total != view.total:
        error = CartChanged("the total has changed; check it again", reason=Refusal.TOTAL_CHANGED)
        return Payment(PaymentOutcome.NOT_AUTHORIZED, error=error)
    try:
        code = payments.payment_code(cart.payment_method, payment_codes)
        result = provider.authorize(
            cart.payment_token, amount=view.total, currency=view.currency,
            idempotency_key=idempotency_key,
        )
    except DomainError as error:
        return Payment(PaymentOutcome.NOT_AUTHORIZED, error=error)
    if result.status == PaymentStatus.DECLINED:
        return Payment(PaymentOutcome.DECLINED, message=result.message)
    if result.status == PaymentStatus.REQUIRES_CONFIRMATION:
        cart_service.hold_pending_payment(
            session, cart, reference=result.reference, idempotency_key=idempotency_key,
            amount=view.total,
        )
        return Payment(PaymentOutcome.NEEDS_CONFIRMATION)
    return _place_paid(
        session, cart, provider, idempotency_key, result.reference, view.total, code, locale, now
    )


def confirm_and_place(
    session: Session,
    cart: Cart,
    *,
    confirmed: bool,
    provider: PaymentProvider,
    payment_codes: Mapping[str, str],
    locale: str,
    now: datetime | None = None,
) -> Payment:
    """The bank's confirmation step of the payment held on ``cart``: place the order if the
    shopper confirmed and the bank authorized, void the payment otherwise."""
    reference = cart.payment_reference
    if not confirmed:
        provider.void(reference)
        cart_service.forget_pending_payment(session, cart)
        return Payment(PaymentOutcome.NOT_CONFIRMED)
    try:
        code = payments.payment_code(cart.payment_method, payment_codes)
        result = provider.confirm(reference)
    except DomainError as error:
        cart_service.forget_pending_payment(session, cart)
        return Payment(PaymentOutcome.NOT_AUTHORIZED, error=error)
    if not result.authorized:
        provider.void(reference)
        cart_service.forget_pending_payment(session, cart)
        return Payment(PaymentOutcome.DECLINED, message=result.message)
    return _place_paid(
        session, cart, provider, cart.payment_key, reference, cart.payment_amount, code, locale, now
    )


def _place_paid(
    session: Session,
    cart: Cart,
    provider: PaymentProvider,
    key: str,
    reference: str,
    amount: int | None,
    code: str,
    locale: str,
    now: datetime | None,
) -> Payment:
    """Place the order paid by ``reference``; on refusal, void the payment."""
    try:
        placed = place_order(
            session, cart, idempotency_key=key,
            payment=PaymentRecord(cart.payment_method, code, reference),
            locale=locale, now=now, expected_total=amount,
        )
    except DomainError as error:
        provider.void(reference)
        cart_service.forget_pending_payment(session, cart)
        return Payment(PaymentOutcome.REFUSED, error=error)
    if not placed.created and placed.order.payment_reference != reference:
        provider.void(reference)  # the other request's payment paid for the order
    return Payment(PaymentOutcome.PLACED, order=placed.order)


# --- The orders a customer sees ------------------------------------------------------------------


def _with_details(statement):
    return statement.options(
        selectinload(CustomerOrder.seller_orders).options(
            joinedload(SellerOrder.seller), selectinload(SellerOrder.lines)
        ),
        selectinload(CustomerOrder.shipments).options(
            joinedload(Shipment.shipper),
            joinedload(Shipment.mode),
            joinedload(Shipment.carrier),
            selectinload(Shipment.lines).joinedload(OrderLine.seller_order).joinedload(SellerOrder.seller),
        ),
    )


def orders_of(session: Session, customer_id: int) -> list[CustomerOrder]:
    """The customer's orders, newest first, with their seller orders and shipments."""
    return list(
        session.scalars(
            _with_details(select(CustomerOrder))
            .where(CustomerOrder.customer_id == customer_id)
            .order_by(CustomerOrder.created_at.desc(), CustomerOrder.id.desc())
        )
    )


def order_of(session: Session, number: str, *, customer_id: int) -> CustomerOrder:
    """One of the customer's orders by number; another customer's looks like no order at all."""
    # Checked before the query: a typed URL may hold anything (PostgreSQL refuses NUL bytes).
    if not isinstance(number, str) or not ORDER_NUMBER.fullmatch(number):
        raise NotFound(f"no order {number!r}")
    order = session.scalar(
        _with_details(select(CustomerOrder)).where(
            CustomerOrder.number == number, CustomerOrder.customer_id == customer_id
        )
    )
    if order is None:
        raise NotFound(f"no order {number!r}")
    return order


def order_status(order: CustomerOrder) -> str:
    return orders.customer_status(seller_order.state for seller_order in order.seller_orders)


# --- The link a guest follows to their order -----------------------------------------------------


def order_link_token(order: CustomerOrder, secret_key: str | bytes) -> str:
    """A signed token naming the order, for the guest's confirmation page and email: whoever
    has it may see the order, nobody can make one for another order."""
    return link_token(order.id, order.number, secret_key)


def link_token(order_id: int, number: str, secret_key: str | bytes) -> str:
    return URLSafeSerializer(secret_key, salt=ORDER_LINK_SALT).dumps(
        {"order": order_id, "number": number}
    )


def order_for_link(session: Session, token: str, secret_key: str | bytes) -> CustomerOrder:
    try:
        data = URLSafeSerializer(secret_key, salt=ORDER_LINK_SALT).loads(token or "")
    except BadSignature:
        raise NotFound("this order link is not valid") from None
    order_id = data.get("order") if isinstance(data, dict) else None
    number = data.get("number") if isinstance(data, dict) else None
    if not isinstance(order_id, int) or not isinstance(number, str):
        raise NotFound("this order link is not valid")
    order = session.scalar(
        _with_details(select(CustomerOrder)).where(
            CustomerOrder.id == order_id, CustomerOrder.number == number
        )
    )
    if order is None:
        raise NotFound("this order link is not valid")
    return order
