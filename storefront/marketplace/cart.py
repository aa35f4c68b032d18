"""Carts: lines, their check against the offers, the split into shipments, delivery choices and
totals.

:func:`review` is the one read model of a cart. The cart page, every checkout step and
``checkout.place_order`` all call it, so the shopper pays what the page showed, computed by one
rule:

- every line is checked against its offer: an inactive offer (or a closed shop) and an offer out
  of stock are removed, a quantity above what can be bought is reduced, a new price replaces the
  one last seen; each correction is applied at once and reported once as a :class:`Notice`;
- lines are grouped into shipments by who ships them (``buybox.shipper_of``: the retailer for
  its own offers and the operator-fulfilled ones, the seller otherwise);
- each shipment gets its shipper's delivery options to the zone from ``delivery`` (fee by the
  design's rule, promise by ``delivery.promise``, the same dates as the product page), and the
  option the shopper chose, else the cheapest.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from . import clock as shop_clock
from . import delivery, sellers
from .buybox import shipper_of
from .delivery import DeliveryOption
from .errors import InvalidValue, NotDeliverable, NotFound, OutOfStock
from .models import (
    Cart,
    CartDelivery,
    CartLine,
    Offer,
    OfferState,
    Product,
    Seller,
    User,
    Zone,
)
from .refusals import Refusal
from .unit_of_work import atomic

# Far above any real basket, low enough that a typed "99999999999" never reaches the database.
MAX_QUANTITY = 999
GUEST_TOKEN_BYTES = 32
SHIPPING_COUNTRIES = ("FR", "BE")


# --- Quantities ----------------------------------------------------------------------------------


def parse_quantity(raw: object) -> int:
    """A quantity typed in a form: a whole number from 1 to :data:`MAX_QUANTITY`.

    ``"0"``, ``"-1"``, ``"1.5"``, ``"abc"`` and ``""`` are refused with a message to show.
    """
    if isinstance(raw, bool):
        raise InvalidValue("a quantity is a whole number", reason=Refusal.NOT_A_NUMBER, field="quantity")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text.lstrip("-").isdigit() or not text.isascii() or len(text) > 6:
            raise InvalidValue(
                f"a quantity is a whole number, not {text!r}", reason=Refusal.NOT_A_NUMBER, field="quantity"
            )
        value = int(text)
    if value < 1:
        raise InvalidValue(f"a quantity is at least 1, not {value}", reason=Refusal.TOO_SMALL, field="quantity")
    if value > MAX_QUANTITY:
        raise InvalidValue(
            f"a quantity is at most {MAX_QUANTITY}", reason=Refusal.TOO_LARGE, field="quantity", limit=MAX_QUANTITY
        )
    return value


def parse_id(raw: object, what: str) -> int:
    """An id from a form (an offer, a seller): digits only, else :class:`NotFound`."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > 9:
        raise NotFound(f"unknown {what} {text!r}", reason=Refusal("unknown_" + what.replace(" ", "_")))
    return int(text)


# --- Finding and opening carts -------------------------------------------------------------------


def new_guest_token() -> str:
    return secrets.token_urlsafe(GUEST_TOKEN_BYTES)


def find_cart(session: Session, *, user_id: int | None = None, token: str | None = None) -> Cart | None:
    """The cart of a user, or else of a guest token; None when there is none."""
    if user_id is not None:
        return session.scalar(select(Cart).where(Cart.user_id == user_id))
    if token:
        return session.scalar(select(Cart).where(Cart.token == token))
    return None


@atomic
def open_cart(
    session: Session, *, user_id: int | None = None, token: str | None = None, fresh: bool = False
) -> Cart:
    """The cart of a user (or guest token), created empty when there is none yet.

    ``fresh``: the guest token has just been made (:func:`new_guest_token`), so there is no cart
    to look for."""
    if user_id is None and not token:
        raise InvalidValue("a cart belongs to a user or to a guest token")
    cart = None if fresh and user_id is None else find_cart(session, user_id=user_id, token=token)
    if cart is None:
        # Empty collections and payment fields given, so that nothing is read back or written
        # again when the first line is added right after.
        cart = Cart(
            user_id=user_id, token=None if user_id is not None else token, lines=[], deliveries=[],
            payment_reference="", payment_key="", payment_amount=None,
        )
        session.add(cart)
        session.flush()
    return cart


def count_units(session: Session, *, user_id: int | None = None, token: str | None = None) -> int:
    """How many units the cart holds (the header's count), in one query."""
    if user_id is not None:
        owner = Cart.user_id == user_id
    elif token:
        owner = Cart.token == token
    else:
        return 0
    total = session.scalar(
        select(func.coalesce(func.sum(CartLine.quantity), 0)).join(CartLine.cart).where(owner)
    )
    return int(total or 0)


# --- Changing lines ------------------------------------------------------------------------------


@atomic
def add_item(
    session: Session, cart: Cart, offer_id: int, quantity: int, *, product_id: int | None = None
) -> CartLine:
    """Add ``quantity`` units of an offer (to the line of that offer if there is one).

    Refused, and nothing changed: an unknown or inactive offer, one of another product than
    ``product_id`` (when given), or a total quantity above the stock or the offer's maximum per
    order.
    """
    quantity = parse_quantity(quantity)
    offer = _buyable_offer(session, offer_id)
    if product_id is not None and offer.product_id != product_id:
        raise InvalidValue(
            f"offer {offer_id} is not an offer of product {product_id}", reason=Refusal.WRONG_PRODUCT
        )
    line = _line_of(cart, offer.id)
    wanted = quantity + (line.quantity if line else 0)
    _check_limits(offer, wanted, already=line.quantity if line else 0)
    if line is None:
        line = CartLine(offer=offer, quantity=wanted, price_seen=offer.price)
        cart.lines.append(line)
    else:
        line.quantity = wanted
        line.price_seen = offer.price
    _clear_pending_payment(cart)
    session.flush()
    return line


@atomic
def set_quantity(session: Session, cart: Cart, offer_id: int, quantity: int) -> CartLine:
    """Change the quantity of the line of an offer (removing is :func:`remove_item`)."""
    quantity = parse_quantity(quantity)
    line = _line_of(cart, offer_id)
    if line is None:
        raise NotFound(f"offer {offer_id} is not in the cart", reason=Refusal.NOT_IN_CART)
    offer = _buyable_offer(session, offer_id)
    _check_limits(offer, quantity, already=0)
    line.quantity = quantity
    line.price_seen = offer.price
    _clear_pending_payment(cart)
    session.flush()
    return line


@atomic
def remove_item(session: Session, cart: Cart, offer_id: int) -> None:
    line = _line_of(cart, offer_id)
    if line is None:
        raise NotFound(f"offer {offer_id} is not in the cart", reason=Refusal.NOT_IN_CART)
    cart.lines.remove(line)
    _clear_pending_payment(cart)
    session.flush()


def _buyable_offer(session: Session, offer_id: int) -> Offer:
    if isinstance(offer_id, bool) or not isinstance(offer_id, int):
        raise NotFound(f"unknown offer {offer_id!r}", reason=Refusal.UNKNOWN_OFFER)
    offer = session.scalar(
        select(Offer).where(Offer.id == offer_id).options(joinedload(Offer.seller), joinedload(Offer.product))
    )
    if offer is None:
        raise NotFound(f"unknown offer {offer_id}", reason=Refusal.UNKNOWN_OFFER)
    if offer.state != OfferState.ACTIVE or not offer.seller.is_open or not offer.product.active:
        raise InvalidValue(
            f"the offer of {offer.seller.name} for {offer.product.title} is no longer available",
            reason=Refusal.INACTIVE,
            title=offer.product.title,
        )
    return offer


def _check_limits(offer: Offer, wanted: int, *, already: int) -> None:
    title = offer.product.title
    if offer.stock <= 0:
        raise OutOfStock(f"{title} is out of stock", reason=Refusal.OUT_OF_STOCK, title=title, available=0)
    if wanted > offer.stock:
        raise OutOfStock(
            f"only {offer.stock} of {title} left (you would have {wanted})",
            reason=Refusal.STOCK,
            title=title,
            available=offer.stock,
            already=already,
        )
    if wanted > offer.max_per_order:
        raise InvalidValue(
            f"at most {offer.max_per_order} of {title} per order (you would have {wanted})",
            reason=Refusal.MAX_PER_ORDER,
            title=title,
            limit=offer.max_per_order,
            already=already,
        )


def _line_of(cart: Cart, offer_id: int) -> CartLine | None:
    return next((line for line in cart.lines if line.offer_id == offer_id), None)


# --- Merging a guest's cart at login -------------------------------------------------------------


@atomic
def merge_into_user(session: Session, guest_token: str | None, user: User) -> Cart | None:
    """Move a guest's cart into the user's: the same offer's quantities add, capped by what can
    be bought (stock and maximum per order); the guest's cart is then deleted.

    The guest's checkout address and delivery choices are kept where the user's cart has none.
    Returns the user's cart (None when neither has one).
    """
    guest = find_cart(session, token=guest_token) if guest_token else None
    if guest is None or guest.user_id is not None:
        return find_cart(session, user_id=user.id)
    mine = open_cart(session, user_id=user.id)
    for guest_line in list(guest.lines):
        offer = guest_line.offer
        limit = min(offer.stock, offer.max_per_order)
        line = _line_of(mine, offer.id)
        total = guest_line.quantity + (line.quantity if line else 0)
        # An offer that cannot be bought any more keeps its quantity: the next review removes it
        # and says so, rather than the line silently vanishing here.
        quantity = min(total, limit) if limit > 0 else total
        if line is None:
            mine.lines.append(
                CartLine(offer_id=offer.id, quantity=quantity, price_seen=guest_line.price_seen)
            )
        else:
            line.quantity = quantity
    if not mine.has_address and guest.has_address:
        for name in _ADDRESS_FIELDS + ("email",):
            setattr(mine, name, getattr(guest, name))
    chosen = {choice.shipper_id for choice in mine.deliveries}
    for choice in guest.deliveries:
        if choice.shipper_id not in chosen:
            mine.deliveries.append(CartDelivery(shipper_id=choice.shipper_id, mode_id=choice.mode_id))
    _clear_pending_payment(mine)
    session.delete(guest)
    session.flush()
    return mine


# --- Checkout address and delivery choices -------------------------------------------------------

_ADDRESS_FIELDS = (
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_postal_code",
    "ship_city",
    "ship_country",
    "ship_phone",
)


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str = "FR"
    line2: str = ""
    phone: str = ""


@atomic
def set_address(session: Session, cart: Cart, address: ShippingAddress, *, email: str) -> Zone:
    """Record where the order goes and who to write to; returns the address's delivery zone.

    An address no zone holds is refused (:class:`NotDeliverable`), as is a malformed one.
    Errors name the field in ``details["field"]``.
    """
    from .accounts import normalize_email

    try:
        email = normalize_email(email or "")
    except InvalidValue as error:
        raise InvalidValue(error.message, field="email") from None
    country = _text(address.country, "country", 2).upper()
    if country not in SHIPPING_COUNTRIES:
        raise NotDeliverable(f"we do not deliver to {country!r}", field="country")
    try:
        postal_code = delivery.clean_postal_code(country, _text(address.postal_code, "postal_code", 20))
    except InvalidValue as error:
        raise InvalidValue(error.message, field="postal_code") from None
    try:
        zone = delivery.zone_for(session, country, postal_code)
    except NotDeliverable as error:
        raise NotDeliverable(error.message, field="postal_code") from None
    cart.email = email
    cart.ship_name = _text(address.name, "name", 120)
    cart.ship_line1 = _text(address.line1, "line1", 200)
    cart.ship_line2 = _text(address.line2, "line2", 200, required=False)
    cart.ship_city = _text(address.city, "city", 80)
    cart.ship_phone = _text(address.phone, "phone", 30, required=False)
    cart.ship_postal_code = postal_code
    cart.ship_country = country
    _clear_pending_payment(cart)
    session.flush()
    return zone


def address_of(cart: Cart) -> ShippingAddress | None:
    if not cart.has_address:
        return None
    return ShippingAddress(
        name=cart.ship_name,
        line1=cart.ship_line1,
        line2=cart.ship_line2,
        postal_code=cart.ship_postal_code,
        city=cart.ship_city,
        country=cart.ship_country,
        phone=cart.ship_phone,
    )


def zone_of(session: Session, cart: Cart) -> Zone | None:
    """The zone of the cart's delivery address, or None before the address step."""
    if not cart.has_address:
        return None
    return delivery.zone_for(session, cart.ship_country, cart.ship_postal_code)


@atomic
def choose_deliveries(
    session: Session, cart: Cart, choices: Mapping[int, str], zone: Zone, *, now: datetime
) -> CartView:
    """Choose the modes of several shipments at once, ``{shipper id: mode code}`` (the delivery
    step's form), and return the cart's view with them.

    One review of the cart serves every choice, and every choice is checked before any is kept:
    a shipper not in the cart is :class:`NotFound`, a mode the shipper does not offer for that
    shipment to ``zone`` is :class:`NotDeliverable`, and then nothing is changed.
    """
    view = review(session, cart, zone, now=now)
    picked: list[tuple[ShipmentView, DeliveryOption]] = []
    for shipper_id, mode_code in choices.items():
        shipment = next((s for s in view.shipments if s.shipper.id == shipper_id), None)
        if shipment is None:
            raise NotFound(f"no shipment from seller {shipper_id} in the cart", reason=Refusal.NO_SHIPMENT)
        option = next((o for o in shipment.options if o.mode.code == mode_code), None)
        if option is None:
            raise NotDeliverable(
                f"{shipment.shipper.name} does not deliver by {mode_code!r} to {zone.label}",
                reason=Refusal.MODE_NOT_OFFERED,
                shipper=shipment.shipper.name,
            )
        picked.append((shipment, option))
    recorded = {c.shipper_id: c for c in cart.deliveries}
    for shipment, option in picked:
        choice = recorded.get(shipment.shipper.id)
        if choice is None:
            cart.deliveries.append(CartDelivery(shipper_id=shipment.shipper.id, mode_id=option.mode.id))
        elif choice.mode_id != option.mode.id:
            choice.mode_id = option.mode.id
        shipment.chosen = option
    if picked:
        _clear_pending_payment(cart)
    session.flush()
    return view


def choose_delivery(
    session: Session, cart: Cart, shipper_id: int, mode_code: str, zone: Zone, *, now: datetime
) -> DeliveryOption:
    """Choose the mode of the shipment of ``shipper_id`` (see :func:`choose_deliveries`);
    returns the chosen option."""
    view = choose_deliveries(session, cart, {shipper_id: mode_code}, zone, now=now)
    return next(s.chosen for s in view.shipments if s.shipper.id == shipper_id)


# --- Payment method and pending payment ----------------------------------------------------------


@atomic
def set_payment_method(session: Session, cart: Cart, *, method: str, token: str, label: str) -> None:
    """Keep the provider's token of the shopper's payment method (never card details)."""
    if not method or not token:
        raise InvalidValue("a payment method needs its provider token")
    cart.payment_method = method[:30]
    cart.payment_token = token[:200]
    cart.payment_label = label[:80]
    _clear_pending_payment(cart)
    session.flush()


@atomic
def hold_pending_payment(
    session: Session, cart: Cart, *, reference: str, idempotency_key: str, amount: int
) -> None:
    """Remember a payment that waits for the shopper's confirmation (3-D Secure)."""
    cart.payment_reference = reference[:80]
    cart.payment_key = idempotency_key[:64]
    cart.payment_amount = amount
    session.flush()


@atomic
def forget_pending_payment(session: Session, cart: Cart) -> None:
    _clear_pending_payment(cart)
    session.flush()


def _clear_pending_payment(cart: Cart) -> None:
    # Any change to what is bought or where it goes makes a payment asked for before stale.
    if cart.payment_reference or cart.payment_key or cart.payment_amount is not None:
        cart.payment_reference = ""
        cart.payment_key = ""
        cart.payment_amount = None


# --- The read model ------------------------------------------------------------------------------


class NoticeKind(enum.StrEnum):
    PRICE_CHANGED = "PRICE_CHANGED"
    QUANTITY_REDUCED = "QUANTITY_REDUCED"
    REMOVED_INACTIVE = "REMOVED_INACTIVE"
    REMOVED_OUT_OF_STOCK = "REMOVED_OUT_OF_STOCK"
    MODE_UNAVAILABLE = "MODE_UNAVAILABLE"


@dataclass(frozen=True)
class Notice:
    """A correction :func:`review` applied, to tell the shopper about (once)."""

    kind: NoticeKind
    title: str  # the product's title, or the shipper's name for MODE_UNAVAILABLE
    old: int | None = None  # price (cents) or quantity before
    new: int | None = None  # and after
    currency: str = "EUR"


@dataclass
class CartItem:
    line: CartLine
    offer: Offer
    shipper: Seller

    @property
    def seller(self) -> Seller:
        return self.offer.seller

    @property
    def product(self) -> Product:
        return self.offer.product

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def unit_price(self) -> int:
        return self.offer.price

    @property
    def total(self) -> int:
        return self.offer.price * self.line.quantity

    @property
    def max_quantity(self) -> int:
        return max(0, min(self.offer.stock, self.offer.max_per_order))

    @property
    def weight_grams(self) -> int:
        return self.offer.product.weight_grams * self.line.quantity


@dataclass
class ShipmentView:
    shipper: Seller
    items: list[CartItem]
    options: list[DeliveryOption]
    chosen: DeliveryOption | None

    @property
    def goods_total(self) -> int:
        return sum(item.total for item in self.items)

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def lead_time_days(self) -> int:
        return max(item.offer.lead_time_days for item in self.items)

    @property
    def weight_grams(self) -> int:
        return sum(item.weight_grams for item in self.items)

    @property
    def fee(self) -> int:
        return self.chosen.fee if self.chosen else 0

    @property
    def deliverable(self) -> bool:
        return self.chosen is not None


@dataclass
class CartView:
    cart: Cart | None
    zone: Zone
    shipments: list[ShipmentView] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    currency: str = "EUR"

    @property
    def items(self) -> list[CartItem]:
        return sorted((i for s in self.shipments for i in s.items), key=lambda i: i.line.id)

    @property
    def is_empty(self) -> bool:
        return not self.shipments

    @property
    def count(self) -> int:
        return sum(s.units for s in self.shipments)

    @property
    def subtotal(self) -> int:
        return sum(s.goods_total for s in self.shipments)

    @property
    def shipping_total(self) -> int:
        return sum(s.fee for s in self.shipments)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_total

    @property
    def deliverable(self) -> bool:
        """Every shipment has a mode to the zone (checkout can go on)."""
        return bool(self.shipments) and all(s.deliverable for s in self.shipments)

    @property
    def undeliverable(self) -> list[ShipmentView]:
        return [s for s in self.shipments if not s.deliverable]


@atomic
def review(session: Session, cart: Cart | None, zone: Zone, *, now: datetime) -> CartView:
    """Check the cart against the offers (applying and reporting corrections) and compute its
    shipments, delivery options, chosen modes and totals for ``zone`` at ``now`` (promised dates
    in the time zone of the shop's clock).

    Runs a fixed number of queries whatever the number of lines: the lines with their offers,
    products and sellers; the retailer; the shippers' rates in the zone.
    """
    if cart is None:
        return CartView(cart=None, zone=zone)
    lines = list(
        session.scalars(
            select(CartLine)
            .where(CartLine.cart_id == cart.id)
            .options(
                joinedload(CartLine.offer).options(joinedload(Offer.seller), joinedload(Offer.product))
            )
            .order_by(CartLine.id)
            .execution_options(populate_existing=True)
        )
    )
    notices: list[Notice] = []
    kept: list[CartLine] = []
    for line in lines:
        offer = line.offer
        title = offer.product.title
        if offer.state != OfferState.ACTIVE or not offer.seller.is_open or not offer.product.active:
            notices.append(Notice(NoticeKind.REMOVED_INACTIVE, title))
            _drop(cart, line)
            continue
        limit = min(offer.stock, offer.max_per_order)
        if limit <= 0:
            notices.append(Notice(NoticeKind.REMOVED_OUT_OF_STOCK, title))
            _drop(cart, line)
            continue
        if line.quantity > limit:
            notices.append(Notice(NoticeKind.QUANTITY_REDUCED, title, line.quantity, limit))
            line.quantity = limit
        if line.price_seen != offer.price:
            notices.append(
                Notice(NoticeKind.PRICE_CHANGED, title, line.price_seen, offer.price, offer.currency)
            )
            line.price_seen = offer.price
        kept.append(line)

    view = CartView(cart=cart, zone=zone, notices=notices)
    if not kept:
        _drop_deliveries(cart, keep=set())
        if notices:
            _clear_pending_payment(cart)
        session.flush()
        return view

    retailer = sellers.operator_seller(session)
    groups: dict[int, list[CartItem]] = {}
    shippers: dict[int, Seller] = {}
    for line in kept:
        shipper = shipper_of(line.offer, retailer)
        shippers[shipper.id] = shipper
        groups.setdefault(shipper.id, []).append(CartItem(line, line.offer, shipper))
    rates = delivery.rates_for(session, groups, zone)
    tz = shop_clock.of(session).tz
    choices = {c.shipper_id: c for c in cart.deliveries}

    for shipper_id, items in groups.items():
        shipper = shippers[shipper_id]
        shipment = ShipmentView(shipper=shipper, items=items, options=[], chosen=None)
        shipment.options = delivery.delivery_options_from_rates(
            rates[shipper_id],
            shipper,
            tz=tz,
            ordered_at=now,
            lead_time_days=shipment.lead_time_days,
            quantities_or_lines=[item.quantity for item in items],
            goods_total=shipment.goods_total,
            weight_grams=shipment.weight_grams,
        )
        choice = choices.get(shipper_id)
        if choice is not None:
            shipment.chosen = next(
                (o for o in shipment.options if o.mode.id == choice.mode_id), None
            )
            if shipment.chosen is None:
                # The address (zone) or the weight changed since: the choice no longer applies.
                notices.append(Notice(NoticeKind.MODE_UNAVAILABLE, shipper.name))
                cart.deliveries.remove(choice)
        if shipment.chosen is None:
            shipment.chosen = cheapest(shipment.options)
        view.shipments.append(shipment)

    view.shipments.sort(key=lambda s: (not s.shipper.is_operator, s.shipper.name, s.shipper.id))
    view.currency = kept[0].offer.currency
    _drop_deliveries(cart, keep=set(groups))
    if notices:
        _clear_pending_payment(cart)
    session.flush()
    return view


def cheapest(options: Sequence[DeliveryOption]) -> DeliveryOption | None:
    """The option picked when the shopper has not chosen: the lowest fee, then the earliest
    latest date (the same order as the buy box's)."""
    if not options:
        return None
    return min(options, key=lambda o: (o.fee, o.promise.latest, o.mode.position, o.mode.id))


def _drop(cart: Cart, line: CartLine) -> None:
    cart.lines.remove(line)


def _drop_deliveries(cart: Cart, *, keep: set[int]) -> None:
    for choice in list(cart.deliveries):
        if choice.shipper_id not in keep:
            cart.deliveries.remove(choice)


def _text(value: str | None, field_name: str, max_length: int, *, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidValue(f"{field_name} must be text", field=field_name)
    text = " ".join((value or "").split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidValue(f"{field_name} contains control characters", field=field_name)
    if required and not text:
        raise InvalidValue(f"{field_name} is required", field=field_name)
    if len(text) > max_length:
        raise InvalidValue(f"{field_name} is at most {max_length} characters", field=field_name)
    return text


def clear(session: Session, cart: Cart) -> None:
    """Empty the cart after its order was placed (inside the caller's transaction)."""
    session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
    session.execute(delete(CartDelivery).where(CartDelivery.cart_id == cart.id))
    cart.payment_method = cart.payment_token = cart.payment_label = ""
    _clear_pending_payment(cart)
    session.expire(cart, ["lines", "deliveries"])


__all__ = [
    "CartItem",
    "CartView",
    "Notice",
    "NoticeKind",
    "ShipmentView",
    "ShippingAddress",
    "add_item",
    "address_of",
    "cheapest",
    "choose_deliveries",
    "choose_delivery",
    "count_units",
    "find_cart",
    "merge_into_user",
    "open_cart",
    "parse_id",
    "parse_quantity",
    "remove_item",
    "review",
    "set_address",
    "set_quantity",
    "zone_of",
]
