"""Delivery domain: modes, zones, shipping rates, shipping fees and the delivery promise.

The same functions compute what the product page, the cart, the order and the API show, so that
the fee and the dates a shopper sees never disagree from one page to the next. Promises are
computed in the shop's time zone, which callers take from the shop's clock (``clock``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from . import clock as shop_clock
from . import reference_cache, webhooks
from .business_calendar import FRENCH_CALENDAR, BusinessCalendar
from .errors import DomainError, InvalidValue, NotDeliverable, NotFound
from .models import DeliveryMode, Fulfillment, Offer, Seller, ShippingRate, Zone, ZoneRule
from .money import require_amount
from .unit_of_work import atomic

DEFAULT_CUTOFF = time(14, 0)


@dataclass(frozen=True, slots=True)
class _PostalFormat:
    min_length: int
    max_length: int
    digits_only: bool
    description: str

    def allows(self, chars: str) -> bool:
        return chars.isascii() and (chars.isdigit() if self.digits_only else chars.isalnum())


# Postal-code formats of the countries the shop knows well; any other country gets a loose check.
POSTAL_CODE_FORMATS = {
    "FR": _PostalFormat(5, 5, True, "5 digits"),
    "BE": _PostalFormat(4, 4, True, "4 digits"),
}
OTHER_POSTAL_CODE = _PostalFormat(2, 10, False, "2 to 10 letters or digits")


# --- Modes and zones -----------------------------------------------------------------------------


@atomic
def create_mode(
    session: Session,
    code: str,
    label: str,
    *,
    label_en: str = "",
    saturday_delivery: bool = False,
    min_weight_grams: int = 0,
    position: int = 0,
) -> DeliveryMode:
    code = _code(code, "delivery mode code")
    label = _label(label, "a delivery mode")
    min_weight_grams = _whole(min_weight_grams, "the minimum weight")
    if isinstance(position, bool) or not isinstance(position, int):
        raise InvalidValue(f"a position must be a whole number, not {position!r}")
    if session.scalar(select(DeliveryMode.id).where(DeliveryMode.code == code)) is not None:
        raise InvalidValue(f"delivery mode {code} already exists")
    mode = DeliveryMode(
        code=code,
        label=label,
        label_en=label_en.strip(),
        saturday_delivery=bool(saturday_delivery),
        min_weight_grams=min_weight_grams,
        position=position,
    )
    session.add(mode)
    session.flush()
    return mode


def get_mode(session: Session, code: str) -> DeliveryMode:
    mode = session.scalar(select(DeliveryMode).where(DeliveryMode.code == (code or "").strip()))
    if mode is None:
        raise NotFound(f"unknown delivery mode {code!r}")
    return mode


@atomic
def create_zone(
    session: Session,
    code: str,
    label: str,
    *,
    label_en: str = "",
    rules: list[tuple[str, str]],
) -> Zone:
    """``rules`` are (country ISO-2, postal-code prefix); an empty prefix covers the whole country.

    A (country, prefix) belongs to one zone only, otherwise an address would have two fees.
    """
    code = _code(code, "zone code")
    label = _label(label, "a zone")
    if not rules:
        raise InvalidValue(f"zone {code} needs at least one country or postal-code prefix")
    wanted: list[tuple[str, str]] = []
    for country, prefix in rules:
        country = _country(country)
        rule = (country, _postal_prefix(country, prefix))
        if rule in wanted:
            raise InvalidValue(f"{_rule_name(rule)} is listed twice in zone {code}")
        wanted.append(rule)
    if session.scalar(select(Zone.id).where(Zone.code == code)) is not None:
        raise InvalidValue(f"zone {code} already exists")
    taken = session.execute(
        select(ZoneRule.country, ZoneRule.postal_prefix, Zone.code)
        .join(ZoneRule.zone)
        .where(ZoneRule.country.in_({country for country, _ in wanted}))
    ).all()
    owners = {(country, prefix): owner for country, prefix, owner in taken}
    for rule in wanted:
        if rule in owners:
            raise InvalidValue(f"{_rule_name(rule)} already belongs to zone {owners[rule]}")
    zone = Zone(
        code=code,
        label=label,
        label_en=label_en.strip(),
        rules=[ZoneRule(country=country, postal_prefix=prefix) for country, prefix in wanted],
    )
    session.add(zone)
    session.flush()
    return zone


def get_zone(session: Session, code: str) -> Zone:
    zone = session.scalar(select(Zone).where(Zone.code == (code or "").strip()))
    if zone is None:
        raise NotFound(f"unknown zone {code!r}")
    return zone


def modes(session: Session) -> list[DeliveryMode]:
    """Every delivery mode, in the order the shop shows them."""
    return list(session.scalars(select(DeliveryMode).order_by(DeliveryMode.position, DeliveryMode.id)))


def zones(session: Session) -> list[Zone]:
    """Every zone with its rules (countries and postal-code prefixes), by code."""
    return list(session.scalars(select(Zone).options(selectinload(Zone.rules)).order_by(Zone.code)))


@dataclass(frozen=True, slots=True)
class ZoneRef:
    """A zone as the shop reads it on every page (a snapshot: see ``reference_cache``)."""

    id: int
    code: str
    label: str
    label_en: str = ""

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


@dataclass(frozen=True, slots=True)
class ModeRef:
    """A delivery mode as options and rates carry it (a snapshot)."""

    id: int
    code: str
    label: str
    label_en: str
    saturday_delivery: bool
    min_weight_grams: int
    position: int

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


@dataclass(frozen=True, slots=True)
class RateRef:
    """A shipping rate with its mode (a snapshot of :class:`ShippingRate`)."""

    id: int
    shipper_id: int
    zone_id: int
    mode: ModeRef
    fee: int
    extra_item_fee: int
    free_threshold: int | None
    transit_min: int
    transit_max: int
    currency: str

    @property
    def mode_id(self) -> int:
        return self.mode.id


def zone_for(session: Session, country: str, postal_code: str) -> ZoneRef:
    """The zone of an address: the rule with the longest postal prefix matching it wins, so that
    Corsica (FR 20…) beats mainland France (FR, any code)."""
    country = _country(country)
    postal_code = clean_postal_code(country, postal_code)
    rules = reference_cache.cached(session, "zone_rules", _load_zone_rules)
    for length in range(len(postal_code), -1, -1):
        zone = rules.get((country, postal_code[:length]))
        if zone is not None:
            return zone
    raise NotDeliverable(f"we do not deliver to {country} {postal_code}")


def _load_zone_rules(session: Session) -> dict[tuple[str, str], ZoneRef]:
    rows = session.execute(
        select(ZoneRule.country, ZoneRule.postal_prefix, Zone.id, Zone.code, Zone.label, Zone.label_en)
        .join(ZoneRule.zone)
    )
    return {
        (country, prefix): ZoneRef(zone_id, code, label, label_en or "")
        for country, prefix, zone_id, code, label, label_en in rows
    }


# --- Rates ---------------------------------------------------------------------------------------


@atomic
def set_rate(
    session: Session,
    shipper: Seller | int,
    mode_code: str,
    zone_code: str,
    *,
    fee: int,
    extra_item_fee: int = 0,
    free_threshold: int | None = None,
    transit_min: int,
    transit_max: int,
    currency: str = "EUR",
) -> ShippingRate:
    """Create or update what ``shipper`` (a seller or its id) charges for a mode in a zone.

    Amounts are cents. Everything is checked before the rate is touched, so a refusal leaves the
    previous rate as it was.
    """
    with _naming("fee"):
        fee = require_amount(fee, "the shipping fee")
    with _naming("extra_item_fee"):
        extra_item_fee = require_amount(extra_item_fee, "the extra-item fee")
    if free_threshold is not None:
        with _naming("free_threshold"):
            free_threshold = require_amount(free_threshold, "the free-shipping threshold")
    with _naming("transit_min"):
        transit_min = _whole(transit_min, "the minimum transit time")
    with _naming("transit_max"):
        transit_max = _whole(transit_max, "the maximum transit time")
    if transit_max < transit_min:
        raise InvalidValue(
            f"the maximum transit time ({transit_max} days) is shorter than the minimum "
            f"({transit_min} days)",
            field="transit_max",
        )
    currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidValue(f"a currency is a 3-letter ISO code, not {currency!r}", field="currency")
    shipper_id = _shipper_id(session, shipper)
    mode = get_mode(session, mode_code)
    zone = get_zone(session, zone_code)

    rate = session.scalar(
        select(ShippingRate).where(
            ShippingRate.shipper_id == shipper_id,
            ShippingRate.mode_id == mode.id,
            ShippingRate.zone_id == zone.id,
        )
    )
    if rate is None:
        rate = ShippingRate(shipper_id=shipper_id, mode=mode, zone=zone)
        session.add(rate)
    rate.fee = fee
    rate.extra_item_fee = extra_item_fee
    rate.free_threshold = free_threshold
    rate.transit_min = transit_min
    rate.transit_max = transit_max
    rate.currency = currency
    session.flush()
    webhooks.record_event(session, "rate.updated", shipper_id, lambda: _rate_data(rate, mode, zone))
    return rate


def _rate_data(rate: ShippingRate, mode: DeliveryMode, zone: Zone) -> dict[str, Any]:
    """A ``rate.updated`` event's payload."""
    return {
        "rate_id": rate.id, "seller_id": rate.shipper_id, "mode": mode.code, "zone": zone.code,
        "fee": rate.fee, "extra_item_fee": rate.extra_item_fee, "free_threshold": rate.free_threshold,
        "transit_min": rate.transit_min, "transit_max": rate.transit_max, "currency": rate.currency,
    }


RATE_FIELDS = ("fee", "extra_item_fee", "free_threshold", "transit_min", "transit_max")


@atomic
def update_rate(session: Session, rate: ShippingRate, changes: Mapping[str, Any]) -> ShippingRate:
    """Change some of a rate's ``RATE_FIELDS`` (``free_threshold`` None: no free shipping), with
    :func:`set_rate`'s rules, then refresh the listing of the products it ships: their delivered
    price and dates in category pages depend on it."""
    unknown = sorted(set(changes) - set(RATE_FIELDS))
    if unknown:
        raise InvalidValue(f"{unknown[0]} is not a field of a rate one may change", field=unknown[0])
    values = {name: changes.get(name, getattr(rate, name)) for name in RATE_FIELDS}
    rate = set_rate(session, rate.shipper_id, rate.mode.code, rate.zone.code, **values,
                    currency=rate.currency)
    from . import listing  # here: listing ranks offers with buybox, which imports this module

    listing.refresh(session, products_shipped_by(session, rate.shipper_id))
    return rate


def products_shipped_by(session: Session, shipper_id: int) -> list[int]:
    """The products with an offer that ``shipper_id`` ships (``buybox.shipper_of`` read the other
    way): a seller's own SELLER-fulfilled offers; for the retailer, every OPERATOR-fulfilled one."""
    shipper = session.get(Seller, shipper_id)
    if shipper is not None and shipper.is_operator:
        shipped = Offer.fulfillment == Fulfillment.OPERATOR
    else:
        shipped = (Offer.seller_id == shipper_id) & (Offer.fulfillment == Fulfillment.SELLER)
    return list(session.scalars(select(Offer.product_id).where(shipped).distinct()))


def list_rates(
    session: Session, *, shipper_id: int | None = None, shipper_code: str | None = None,
    after_id: int | None = None, limit: int = 50,
) -> list[ShippingRate]:
    """Rates by id with their mode, zone and shipper (keyset pages for the API): one shipper's,
    by id or code, or every shipper's."""
    query = (
        select(ShippingRate)
        .join(ShippingRate.shipper)
        .options(joinedload(ShippingRate.mode), joinedload(ShippingRate.zone),
                 contains_eager(ShippingRate.shipper))
        .order_by(ShippingRate.id)
        .limit(limit)
    )
    if shipper_id is not None:
        query = query.where(ShippingRate.shipper_id == shipper_id)
    if shipper_code is not None:
        query = query.where(Seller.code == shipper_code)
    if after_id is not None:
        query = query.where(ShippingRate.id > after_id)
    return list(session.scalars(query))


def get_rate(session: Session, rate_id: int, *, shipper_id: int | None = None) -> ShippingRate:
    """One rate; with ``shipper_id``, only that shipper's (another's is as unknown as none)."""
    rate = session.scalar(
        select(ShippingRate)
        .where(ShippingRate.id == rate_id)
        .options(joinedload(ShippingRate.mode), joinedload(ShippingRate.zone),
                 joinedload(ShippingRate.shipper))
    )
    if rate is None or (shipper_id is not None and rate.shipper_id != shipper_id):
        raise NotFound(f"unknown rate {rate_id}")
    return rate


def rates_for(
    session: Session, shipper_ids: Iterable[int], zone: Zone | ZoneRef | None
) -> dict[int, list[RateRef]]:
    """The rates of many shippers in a zone (a product page shows many offers), with their
    modes, sorted by mode position. Every shipper asked for has a key; an empty list means it
    does not deliver to the zone. All of a zone's rates come from one query, then from memory
    (``reference_cache``)."""
    ids = list(dict.fromkeys(shipper_ids))
    if not ids or zone is None:  # no zone: nothing can be delivered
        return {shipper_id: [] for shipper_id in ids}
    zone_rates = reference_cache.cached(session, ("zone_rates", zone.id), _zone_rates_loader(zone.id))
    return {shipper_id: list(zone_rates.get(shipper_id, ())) for shipper_id in ids}


def _zone_rates_loader(zone_id: int):
    def load(session: Session) -> dict[int, tuple[RateRef, ...]]:
        rows = session.execute(
            select(ShippingRate, DeliveryMode)
            .join(ShippingRate.mode)
            .where(ShippingRate.zone_id == zone_id, DeliveryMode.active)  # a switched-off mode: nowhere
            .order_by(DeliveryMode.position, DeliveryMode.id)
        )
        modes: dict[int, ModeRef] = {}
        result: dict[int, list[RateRef]] = {}
        for rate, mode in rows:
            ref = modes.get(mode.id)
            if ref is None:
                ref = modes[mode.id] = ModeRef(
                    mode.id, mode.code, mode.label, mode.label_en or "", bool(mode.saturday_delivery),
                    mode.min_weight_grams, mode.position,
                )
            result.setdefault(rate.shipper_id, []).append(
                RateRef(
                    id=rate.id, shipper_id=rate.shipper_id, zone_id=rate.zone_id, mode=ref,
                    fee=rate.fee, extra_item_fee=rate.extra_item_fee,
                    free_threshold=rate.free_threshold, transit_min=rate.transit_min,
                    transit_max=rate.transit_max, currency=rate.currency,
                )
            )
        return {shipper_id: tuple(rates) for shipper_id, rates in result.items()}

    return load


def rates_of(session: Session, shipper: Seller) -> list[ShippingRate]:
    """All of a shipper's rates, by zone then mode (a seller's page lists them)."""
    return list(
        session.scalars(
            select(ShippingRate)
            .join(ShippingRate.mode)
            .join(ShippingRate.zone)
            .options(contains_eager(ShippingRate.mode), contains_eager(ShippingRate.zone))
            .where(ShippingRate.shipper_id == shipper.id)
            .order_by(Zone.id, DeliveryMode.position)
        )
    )


# --- Fees ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A shipment line with its own fees (cents), for when lines of one shipment differ."""

    quantity: int
    unit_fee: int
    extra_item_fee: int = 0


def shipment_fee(
    lines: Sequence[int | FeeLine | object], rate: ShippingRate, goods_total: int
) -> int:
    """The shipping fee of one shipment, in cents.

    ``lines`` holds quantities (ints), :class:`FeeLine` objects, or any object with a
    ``quantity`` (a cart line); ints and plain objects are charged the ``rate``'s fees.

    Design rule: the line with the highest unit fee pays it once, every other unit pays its
    line's extra-item fee; nothing when ``goods_total`` reaches the rate's free threshold. On a
    tie of unit fees, the line whose extra-item fee is highest pays the full fee, which is the
    cheapest outcome for the shopper.
    """
    goods_total = require_amount(goods_total, "the goods total")
    fee_lines = [_fee_line(line, rate) for line in lines]
    if not fee_lines:
        raise InvalidValue("a shipment needs at least one line")
    if rate.free_threshold is not None and goods_total >= rate.free_threshold:
        return 0
    payer = max(fee_lines, key=lambda line: (line.unit_fee, line.extra_item_fee))
    total = payer.unit_fee + (payer.quantity - 1) * payer.extra_item_fee
    for line in fee_lines:
        if line is not payer:
            total += line.quantity * line.extra_item_fee
    return total


def _fee_line(line, rate: ShippingRate) -> FeeLine:
    if isinstance(line, FeeLine):
        quantity = line.quantity
        unit_fee = require_amount(line.unit_fee, "a unit shipping fee")
        extra_item_fee = require_amount(line.extra_item_fee, "an extra-item fee")
    else:
        quantity = line if isinstance(line, int) else getattr(line, "quantity", None)
        unit_fee, extra_item_fee = rate.fee, rate.extra_item_fee
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidValue(f"a shipment line needs a quantity of 1 or more, not {quantity!r}")
    return FeeLine(quantity, unit_fee, extra_item_fee)


# --- Promise -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Promise:
    """When the parcel leaves the shipper, and the window in which it reaches the shopper."""

    ship_by: date
    earliest: date
    latest: date


def promise(
    ordered_at: datetime,
    *,
    lead_time_days: int,
    transit_min: int,
    transit_max: int,
    cutoff: time = DEFAULT_CUTOFF,
    saturday_delivery: bool = False,
    tz: ZoneInfo | str,
    calendar: BusinessCalendar = FRENCH_CALENDAR,
) -> Promise:
    """The delivery promise of the design, in the shop's time zone ``tz`` (its clock's).

    The order counts from its own day when that is a business day and the shop's local time is
    before ``cutoff`` (exactly at the cut-off is too late), otherwise from the next business day.
    ``ship_by`` adds the lead time in business days; the window adds the transit times in delivery
    days (no Sundays or holidays, and no Saturdays unless the mode delivers on Saturdays).
    """
    shop_clock.check_moment(ordered_at, "the order time")
    if not isinstance(cutoff, time) or cutoff.tzinfo is not None:
        raise InvalidValue(f"the cut-off must be a local time without timezone, not {cutoff!r}")
    lead_time_days = _whole(lead_time_days, "the lead time")
    transit_min = _whole(transit_min, "the minimum transit time")
    transit_max = _whole(transit_max, "the maximum transit time")
    if transit_max < transit_min:
        raise InvalidValue(
            f"the maximum transit time ({transit_max} days) is shorter than the minimum "
            f"({transit_min} days)"
        )
    local = ordered_at.astimezone(shop_clock.zone(tz))
    return _promise_dates(
        calendar,
        local.date(),
        local.time() < cutoff,
        lead_time_days,
        transit_min,
        transit_max,
        bool(saturday_delivery),
    )


@lru_cache(maxsize=8192)
def _promise_dates(
    calendar: BusinessCalendar,
    day: date,
    before_cutoff: bool,
    lead_time_days: int,
    transit_min: int,
    transit_max: int,
    saturday_delivery: bool,
) -> Promise:
    """The calendar arithmetic of :func:`promise`, memoised: a page or a listing refresh asks for
    the same few combinations over and over within a day."""
    if calendar.is_business_day(day) and before_cutoff:
        start = day
    else:
        start = calendar.add_business_days(day, 1)
    ship_by = calendar.add_business_days(start, lead_time_days)
    return Promise(
        ship_by=ship_by,
        earliest=calendar.add_delivery_days(ship_by, transit_min, saturday_delivery),
        latest=calendar.add_delivery_days(ship_by, transit_max, saturday_delivery),
    )


# --- Options offered to the shopper --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """One mode a shipment can travel by, with what it costs and when it arrives."""

    mode: ModeRef
    rate: RateRef
    fee: int
    promise: Promise


def delivery_options(
    session: Session,
    shipper: Seller,
    zone: Zone,
    *,
    ordered_at: datetime,
    lead_time_days: int,
    quantities_or_lines: Sequence[int | FeeLine | object],
    goods_total: int,
    weight_grams: int = 0,
) -> list[DeliveryOption]:
    """The modes ``shipper`` offers for a shipment to ``zone``, sorted by mode position.

    An empty list means the shipper does not deliver there. ``lead_time_days`` is the shipment's
    (the largest of its lines'); ``quantities_or_lines`` is as for :func:`shipment_fee`. Dates are
    in the time zone of the shop's clock.
    """
    rates = rates_for(session, [shipper.id], zone)[shipper.id]
    return delivery_options_from_rates(
        rates,
        shipper,
        tz=shop_clock.of(session).tz,
        ordered_at=ordered_at,
        lead_time_days=lead_time_days,
        quantities_or_lines=quantities_or_lines,
        goods_total=goods_total,
        weight_grams=weight_grams,
    )


def unit_limits(rates: Sequence[ShippingRate]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The rates' free-shipping thresholds and their modes' minimum weights, sorted: all that
    :func:`delivery_options_from_rates` reads of one unit's price and weight (see
    :func:`unit_options_key`)."""
    return (tuple(sorted(r.free_threshold for r in rates if r.free_threshold is not None)),
            tuple(sorted(r.mode.min_weight_grams for r in rates)))


def unit_options_key(limits: tuple[tuple[int, ...], tuple[int, ...]], goods_total: int,
                     weight_grams: int) -> tuple[int, int]:
    """How many of the rates' ``limits`` (:func:`unit_limits`) one unit's price and weight reach
    (the limits are sorted, so the counts say which): two units with the same key get the same
    options from :func:`delivery_options_from_rates`, whose fee and filter rules read nothing
    else of them (a fee is free from its threshold on; a mode is offered from its minimum
    weight on)."""
    thresholds, min_weights = limits
    return bisect_right(thresholds, goods_total), bisect_right(min_weights, weight_grams)


def delivery_options_from_rates(
    rates: Iterable[ShippingRate],
    shipper: Seller,
    *,
    tz: ZoneInfo,
    ordered_at: datetime,
    lead_time_days: int,
    quantities_or_lines: Sequence[int | FeeLine | object],
    goods_total: int,
    weight_grams: int = 0,
) -> list[DeliveryOption]:
    """:func:`delivery_options` for rates already loaded with :func:`rates_for`, so that a page
    listing many offers runs no query per offer. ``rates`` are the shipper's rates in one zone;
    ``tz`` is the shop's time zone.

    Modes with a minimum weight above the shipment's (scheduled delivery of heavy goods) are
    left out; no other mode is filtered on weight.
    """
    # Checked here too, so that bad input fails the same way whether the shipper has rates or not.
    weight_grams = _whole(weight_grams, "the shipment weight")
    _whole(lead_time_days, "the lead time")
    require_amount(goods_total, "the goods total")
    cutoff = shipper.cutoff_time or DEFAULT_CUTOFF
    options = []
    for rate in rates:
        if rate.shipper_id != shipper.id:
            raise InvalidValue(f"a rate of another shipper was given for {shipper.code}")
        mode = rate.mode
        if mode.min_weight_grams > weight_grams:
            continue
        options.append(
            DeliveryOption(
                mode=mode,
                rate=rate,
                fee=shipment_fee(quantities_or_lines, rate, goods_total),
                promise=promise(
                    ordered_at,
                    lead_time_days=lead_time_days,
                    transit_min=rate.transit_min,
                    transit_max=rate.transit_max,
                    cutoff=cutoff,
                    saturday_delivery=mode.saturday_delivery,
                    tz=tz,
                ),
            )
        )
    options.sort(key=lambda option: (option.mode.position, option.mode.id))
    return options


@dataclass(frozen=True, slots=True)
class OfferPromise:
    """What the product page (quantity 1) and the cart promise for an offer at an address."""

    offer: Offer
    zone: ZoneRef
    shipper: Seller
    quantity: int
    options: list[DeliveryOption]


def offer_promise(
    session: Session, offer: Offer, country: str, postal_code: str, *, quantity: int = 1,
    mode_code: str | None = None, now: datetime | None = None,
) -> OfferPromise:
    """The delivery options of ``quantity`` units of ``offer`` to a postal code, computed as the
    product page and the cart do (:func:`delivery_options`, the offer's shipper, its lead time,
    the units' price and weight), from ``now`` (the shop's clock when None); ``mode_code`` keeps
    that mode only.

    Raises ``InvalidValue`` for a malformed postal code, an unknown mode or a bad quantity, and
    ``NotDeliverable`` when no zone holds the address or the shipper has no mode (or not that
    one) there; ``field`` says which input.
    """
    from .buybox import shipper_of  # here: buybox imports this module
    from .sellers import operator_seller

    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidValue(f"a quantity is a whole number from 1, not {quantity!r}", field="quantity")
    with _naming("country"):
        country = _country(country)
    if mode_code is not None:
        try:
            mode = get_mode(session, mode_code)
        except NotFound as error:  # a value of the request, not a resource asked for
            raise InvalidValue(error.message, field="mode") from None
    with _naming("postal_code"):
        zone = zone_for(session, country, postal_code)
    shipper = shipper_of(offer, operator_seller(session))
    options = delivery_options(
        session, shipper, zone,
        ordered_at=now or shop_clock.of(session).now(),
        lead_time_days=offer.lead_time_days,
        quantities_or_lines=[quantity],
        goods_total=offer.price * quantity,
        weight_grams=offer.product.weight_grams * quantity,
    )
    place = f"{country} {clean_postal_code(country, postal_code)}"
    if not options:
        raise NotDeliverable(f"{shipper.name} does not deliver this offer to {place}", field="postal_code")
    if mode_code is not None:
        options = [option for option in options if option.mode.code == mode.code]
        if not options:
            raise NotDeliverable(f"{shipper.name} does not deliver this offer to {place} by {mode.code}",
                                 field="mode")
    return OfferPromise(offer, zone, shipper, quantity, options)


# --- Validation ----------------------------------------------------------------------------------


@contextmanager
def _naming(field: str) -> Iterator[None]:
    """Name ``field`` in a refusal raised inside, for callers that map refusals to inputs."""
    try:
        yield
    except DomainError as error:
        error.details.setdefault("field", field)
        raise


def _code(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 20 or not all(ch.isalnum() or ch in "-_." for ch in value):
        raise InvalidValue(f"{what} {value!r} must be 1-20 letters, digits, '-', '_' or '.'")
    return value


def _label(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidValue(f"{what} needs a label")
    if len(value) > 80:
        raise InvalidValue(f"a label is at most 80 characters ({value[:20]}…)")
    return value


def _whole(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{what} must be a whole number, not {value!r}")
    if value < 0:
        raise InvalidValue(f"{what} cannot be negative ({value})")
    return value


def _country(value: str) -> str:
    country = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidValue(f"a country is a 2-letter ISO code, not {value!r}")
    return country


def clean_postal_code(country: str, value: str) -> str:
    """The postal code without spaces (and, outside France and Belgium, without hyphens)."""
    compact = "".join((value or "").split()).upper()
    if country not in POSTAL_CODE_FORMATS:
        compact = compact.replace("-", "")
    spec = POSTAL_CODE_FORMATS.get(country, OTHER_POSTAL_CODE)
    if not (spec.min_length <= len(compact) <= spec.max_length and spec.allows(compact)):
        raise InvalidValue(f"a postal code in {country} is {spec.description}, not {value!r}")
    return compact


def _postal_prefix(country: str, value: str) -> str:
    """A zone prefix is the start of a valid postal code (empty: the whole country)."""
    prefix = "".join((value or "").split()).upper()
    spec = POSTAL_CODE_FORMATS.get(country, OTHER_POSTAL_CODE)
    if prefix and not (len(prefix) <= spec.max_length and spec.allows(prefix)):
        raise InvalidValue(
            f"{value!r} is not the start of a postal code in {country} ({spec.description})"
        )
    return prefix


def _rule_name(rule: tuple[str, str]) -> str:
    country, prefix = rule
    return f"{country} {prefix}…" if prefix else f"all of {country}"


def _shipper_id(session: Session, shipper: Seller | int) -> int:
    if isinstance(shipper, Seller):
        if shipper.id is None:
            raise InvalidValue(f"seller {shipper.code} is not saved yet")
        return shipper.id
    if isinstance(shipper, bool) or not isinstance(shipper, int):
        raise InvalidValue(f"a shipper is a seller or a seller id, not {shipper!r}")
    if session.get(Seller, shipper) is None:
        raise NotFound(f"unknown seller {shipper}")
    return shipper
