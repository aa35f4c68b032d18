"""The operator's delivery set-up: zones and their postal-code rules, carriers and their tracking
links, the retailer's rates per mode and zone, modes and the retailer's cut-off, and a preview of
the promise a shopper would see.

Why a module of its own: every write here is an operator's, so each one checks everything first,
changes the rows, and records the change in the audit log (``operator_audit``) in the same
transaction; a refused write changes nothing and leaves no entry. The shop reads zones, modes and
rates through ``reference_cache``, which forgets them when such a transaction commits, and the
category listings are rebuilt here for the products whose price or dates a change moves.
Refusals carry a ``Refusal`` code and the form ``field`` they are about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import delivery, operator_audit
from . import sellers as sellers_service
from .errors import InvalidValue, NotFound
from .models import (
    Carrier,
    CustomerOrder,
    DeliveryMode,
    Offer,
    Product,
    ProductListing,
    Seller,
    ShippingRate,
    User,
    Zone,
    ZoneRule,
)
from .paging import MAX_SEARCH, Page, page_of
from .refusals import Refusal
from .unit_of_work import atomic

MAX_AMOUNT = 10_000_000  # cents: 100 000 €, far above any shipping fee, far below the column's limit
MAX_DAYS = 60  # transit days: beyond, a typo (and the calendar arithmetic would crawl)
MAX_RULES = 500  # rules in one zone, ranges expanded
PLACEHOLDER = "{tracking}"  # what tracking.tracking_url replaces with the tracking number
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
_CARRIER_CODE = re.compile(r"^[A-Z0-9_-]{1,30}$")
_RULE = re.compile(r"^([A-Za-z]{2})(?:\s+([0-9A-Za-z]+)(?:\s*-\s*([0-9A-Za-z]+))?)?$")
_CUTOFF = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


# --- Zones ---------------------------------------------------------------------------------------


def rule_text(country: str, prefix: str) -> str:
    """A rule as the forms show it: ``FR`` (the whole country) or ``FR 20``."""
    return f"{country} {prefix}" if prefix else country


def rules_text(zone: Zone) -> str:
    """A zone's rules, one a line, as its edit form shows them."""
    return "\n".join(rule_text(r.country, r.postal_prefix) for r in _sorted_rules(zone.rules))


def _sorted_rules(rules: Iterable[ZoneRule]) -> list[ZoneRule]:
    return sorted(rules, key=lambda r: (r.country, r.postal_prefix))


def parse_rules(text: str) -> list[tuple[str, str]]:
    """(country, postal prefix) pairs from what the operator typed: one rule a line (or separated
    by commas or semicolons), each a country code, optionally followed by the start of a postal
    code (``FR 20``) or a range of starts of the same length (``FR 971-976``, expanded to one
    rule each). Each prefix is checked against the country's postal-code format, as the zone
    model stores it; the first bad rule refuses all of them."""
    rules: list[tuple[str, str]] = []
    for raw in re.split(r"[\n,;]+", text or ""):
        entry = " ".join(raw.split())
        if not entry:
            continue
        match = _RULE.match(entry)
        if match is None:
            raise _bad_rule(entry)
        country, start, end = match.group(1).upper(), (match.group(2) or "").upper(), match.group(3)
        if end is None:
            prefixes = [start]
        else:
            end = end.upper()
            if not (start.isdigit() and end.isdigit() and len(start) == len(end) and start <= end):
                raise _bad_rule(entry)
            prefixes = [str(n).zfill(len(start)) for n in range(int(start), int(end) + 1)]
            if len(prefixes) > MAX_RULES:
                raise _bad_rule(entry)
        for prefix in prefixes:
            try:
                rule = (country, delivery._postal_prefix(country, prefix))
            except InvalidValue:
                raise _bad_rule(entry) from None
            if rule in rules:
                raise InvalidValue(
                    f"{rule_text(*rule)} is listed twice", reason=Refusal.ZONE_RULE_TWICE,
                    field="rules", rule=rule_text(*rule),
                )
            rules.append(rule)
        if len(rules) > MAX_RULES:
            raise _bad_rule(entry)
    if not rules:
        raise InvalidValue("a zone needs at least one rule", reason=Refusal.ZONE_EMPTY, field="rules")
    return rules


def _bad_rule(entry: str) -> InvalidValue:
    return InvalidValue(f"{entry[:40]!r} is not a zone rule", reason=Refusal.ZONE_RULE, field="rules",
                        rule=entry[:40])


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """A zone as the back office lists it: its rules and what points to it."""

    zone: Zone
    rules: list[str]
    rates: int
    orders: int

    @property
    def deletable(self) -> bool:
        return not self.rates and not self.orders


ZONE_SORTS = ("code", "label", "rates", "orders")
CARRIER_SORTS = ("code", "name")


def zone_page(
    session: Session, *, q: str = "", sort: str = "code", descending: bool = False, page: int = 1,
    per_page: int = 50,
) -> Page[ZoneRow]:
    """Zones whose code or name holds ``q``, with their rules and how many rates and orders use
    them, sorted by one of :data:`ZONE_SORTS`: three queries whatever the page's length."""
    rates = (select(ShippingRate.zone_id, func.count().label("n")).group_by(ShippingRate.zone_id)
             .subquery("zone_rates"))
    orders = (select(CustomerOrder.zone_id, func.count().label("n")).where(CustomerOrder.zone_id.is_not(None))
              .group_by(CustomerOrder.zone_id).subquery("zone_orders"))
    rate_count, order_count = func.coalesce(rates.c.n, 0), func.coalesce(orders.c.n, 0)
    query = (
        select(Zone, rate_count, order_count)
        .outerjoin(rates, rates.c.zone_id == Zone.id).outerjoin(orders, orders.c.zone_id == Zone.id)
        .options(selectinload(Zone.rules))
    )
    text = " ".join(q.split()).lower()[:MAX_SEARCH]
    if text:
        query = query.where(func.lower(Zone.code).contains(text, autoescape=True)
                            | func.lower(Zone.label).contains(text, autoescape=True)
                            | func.lower(func.coalesce(Zone.label_en, "")).contains(text, autoescape=True))
    key = {"code": Zone.code, "label": Zone.label, "rates": rate_count, "orders": order_count}[
        sort if sort in ZONE_SORTS else "code"]
    query = query.order_by(key.desc() if descending else key.asc(), Zone.code.asc())
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([
        ZoneRow(zone, [rule_text(r.country, r.postal_prefix) for r in _sorted_rules(zone.rules)], n_rates, n_orders)
        for zone, n_rates, n_orders in rows
    ], total, page, per_page)


def get_zone(session: Session, zone_id: int) -> Zone:
    zone = session.scalar(select(Zone).where(Zone.id == zone_id).options(selectinload(Zone.rules)))
    if zone is None:
        raise NotFound(f"unknown zone {zone_id}")
    return zone


def _zone_state(zone: Zone) -> dict:
    return {
        "code": zone.code, "label": zone.label, "label_en": zone.label_en or "",
        "rules": [rule_text(r.country, r.postal_prefix) for r in _sorted_rules(zone.rules)],
    }


@atomic
def save_zone(
    session: Session, actor: User, *, zone: Zone | None = None, code: str = "", label: str,
    label_en: str = "", rules: str,
) -> Zone:
    """Create a zone (``zone`` None) or change one's labels and rules (its code stays: the API
    and imports name zones by code). A (country, prefix) belongs to one zone only, so a rule that
    another zone holds is refused, naming that zone; a longer prefix inside another zone's shorter
    one is allowed on purpose (Corsica, FR 20, inside all of France): the longest match wins."""
    if zone is None:
        code = _check_code(code)
        if session.scalar(select(Zone.id).where(Zone.code == code)) is not None:
            raise _taken(code)
    label, label_en = _check_label(label), _check_label(label_en, required=False, field="label_en")
    wanted = parse_rules(rules)
    taken = session.execute(
        select(ZoneRule.country, ZoneRule.postal_prefix, Zone.id, Zone.code, Zone.label)
        .join(ZoneRule.zone)
        .where(ZoneRule.country.in_({country for country, _ in wanted}))
    ).all()
    owners = {(country, prefix): (zone_id, f"{label} ({code})") for country, prefix, zone_id, code, label in taken}
    for rule in wanted:
        owner = owners.get(rule)
        if owner is not None and (zone is None or owner[0] != zone.id):
            raise InvalidValue(
                f"{rule_text(*rule)} already belongs to zone {owner[1]}", reason=Refusal.ZONE_OVERLAP,
                field="rules", rule=rule_text(*rule), zone=owner[1],
            )
    if zone is None:
        zone = Zone(code=code, label=label, label_en=label_en,
                    rules=[ZoneRule(country=c, postal_prefix=p) for c, p in wanted])
        session.add(zone)
        session.flush()
        operator_audit.record(session, actor, "delivery.zone.create", zone, after=_zone_state(zone))
        return zone
    before = _zone_state(zone)
    zone.label, zone.label_en = label, label_en
    keep = set(wanted)
    for rule in list(zone.rules):
        if (rule.country, rule.postal_prefix) not in keep:
            zone.rules.remove(rule)
            session.delete(rule)
    session.flush()  # removed rules go before new ones: a rule may move between lines, not zones
    have = {(r.country, r.postal_prefix) for r in zone.rules}
    for country, prefix in wanted:
        if (country, prefix) not in have:
            zone.rules.append(ZoneRule(country=country, postal_prefix=prefix))
    session.flush()
    old, new = operator_audit.changes(before, _zone_state(zone))
    if new:
        operator_audit.record(session, actor, "delivery.zone.update", zone, before=old, after=new)
    return zone


@atomic
def delete_zone(session: Session, actor: User, zone: Zone) -> None:
    """Delete a zone nothing uses: no rate (a shipper's price there) and no order (whose history
    names it). Its derived listing rows go with it."""
    uses = session.scalar(select(func.count()).select_from(ShippingRate).where(ShippingRate.zone_id == zone.id))
    uses += session.scalar(select(func.count()).select_from(CustomerOrder).where(CustomerOrder.zone_id == zone.id))
    if uses:
        raise InvalidValue(f"zone {zone.code} is in use", reason=Refusal.ZONE_IN_USE)
    before = _zone_state(zone)
    zone_id = zone.id
    session.execute(delete(ProductListing).where(ProductListing.zone_id == zone_id))
    for rule in list(zone.rules):
        session.delete(rule)
    session.delete(zone)
    session.flush()
    operator_audit.record(session, actor, "delivery.zone.delete", target_kind="zone", target_id=zone_id,
                          before=before)


# --- Carriers ------------------------------------------------------------------------------------


def check_template(template: str) -> str:
    """A tracking-link template: an http(s) URL with a host, containing ``{tracking}`` (which
    ``tracking.tracking_url`` replaces with the number) and no other placeholder."""
    template = (template or "").strip()
    bad = InvalidValue("a tracking URL template is an http(s) URL containing {tracking}",
                       reason=Refusal.TRACKING_TEMPLATE, field="tracking_url_template")
    if len(template) > 300 or PLACEHOLDER not in template:
        raise bad
    sample = template.replace(PLACEHOLDER, "AB123")
    if any(not ch.isprintable() or ch.isspace() or ch in "{}<>\"'\\" for ch in sample):
        raise bad
    try:
        parts = urlsplit(sample)
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad
    return template


def get_carrier(session: Session, carrier_id: int) -> Carrier:
    carrier = session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(f"unknown carrier {carrier_id}")
    return carrier


def carrier_page(
    session: Session, *, q: str = "", sort: str = "name", descending: bool = False, page: int = 1,
    per_page: int = 50,
) -> Page[Carrier]:
    """Carriers whose code or name holds ``q``, sorted by one of :data:`CARRIER_SORTS`."""
    query = select(Carrier)
    text = " ".join(q.split()).lower()[:MAX_SEARCH]
    if text:
        query = query.where(func.lower(Carrier.code).contains(text, autoescape=True)
                            | func.lower(Carrier.name).contains(text, autoescape=True))
    key = {"code": Carrier.code, "name": Carrier.name}[sort if sort in CARRIER_SORTS else "name"]
    query = query.order_by(key.desc() if descending else key.asc(), Carrier.code.asc())
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([carrier for (carrier,) in rows], total, page, per_page)


CARRIER_FIELDS = ("code", "name", "tracking_url_template")


@atomic
def save_carrier(
    session: Session, actor: User, *, carrier: Carrier | None = None, code: str = "", name: str,
    tracking_url_template: str,
) -> Carrier:
    """Create a carrier or change one's name and tracking link (its code stays: sellers and the
    API ship with it). Links already sent in emails are not rewritten; pages build them anew."""
    if carrier is None:
        code = (code or "").strip().upper()
        if not _CARRIER_CODE.match(code):
            raise InvalidValue(f"carrier code {code!r}", reason=Refusal.DELIVERY_CODE, field="code")
        if session.scalar(select(Carrier.id).where(Carrier.code == code)) is not None:
            raise _taken(code)
    name = _check_label(name, field="name")
    template = check_template(tracking_url_template)
    if carrier is None:
        carrier = Carrier(code=code, name=name, tracking_url_template=template)
        session.add(carrier)
        session.flush()
        operator_audit.record(session, actor, "delivery.carrier.create", carrier,
                              after=operator_audit.snapshot(carrier, CARRIER_FIELDS))
        return carrier
    before = operator_audit.snapshot(carrier, CARRIER_FIELDS)
    carrier.name, carrier.tracking_url_template = name, template
    session.flush()
    old, new = operator_audit.changes(before, operator_audit.snapshot(carrier, CARRIER_FIELDS))
    if new:
        operator_audit.record(session, actor, "delivery.carrier.update", carrier, before=old, after=new)
    return carrier


# --- The retailer's rates ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateCell:
    """One row of the rates grid: a mode in a zone, and the retailer's rate there (None: the
    retailer does not deliver by that mode there)."""

    mode: DeliveryMode
    zone: Zone
    rate: ShippingRate | None


def rate_grid(session: Session, zone_id: int | None = None) -> list[RateCell]:
    """Every (zone, mode) pair with the retailer's rate, zones by code, modes by position;
    ``zone_id`` keeps one zone."""
    retailer = sellers_service.operator_seller(session)
    rates = {
        (rate.zone_id, rate.mode_id): rate
        for rate in session.scalars(select(ShippingRate).where(ShippingRate.shipper_id == retailer.id))
    }
    zones = [zone for zone in delivery.zones(session) if zone_id is None or zone.id == zone_id]
    return [
        RateCell(mode, zone, rates.get((zone.id, mode.id)))
        for zone in zones
        for mode in delivery.modes(session)
    ]


def rate_cell(session: Session, mode_id: int, zone_id: int) -> RateCell:
    mode, zone = session.get(DeliveryMode, mode_id), session.get(Zone, zone_id)
    if mode is None or zone is None:
        raise NotFound("unknown mode or zone")
    retailer = sellers_service.operator_seller(session)
    rate = session.scalar(select(ShippingRate).where(
        ShippingRate.shipper_id == retailer.id, ShippingRate.mode_id == mode.id, ShippingRate.zone_id == zone.id))
    return RateCell(mode, zone, rate)


RATE_FIELDS = ("fee", "extra_item_fee", "free_threshold", "transit_min", "transit_max")


def _rate_state(rate: ShippingRate | None) -> dict | None:
    return None if rate is None else operator_audit.snapshot(rate, RATE_FIELDS)


@atomic
def save_retailer_rate(
    session: Session, actor: User, mode: DeliveryMode, zone: Zone, *, offered: bool,
    fee: int | None = 0, extra_item_fee: int | None = 0, free_threshold: int | None = None,
    transit_min: int | None = 0, transit_max: int | None = 0,
) -> ShippingRate | None:
    """Set what the retailer charges for ``mode`` in ``zone`` (cents, transit in delivery days),
    or stop offering it there (``offered`` False: the rate is deleted; orders keep their fee and
    dates). The category listings of the products the retailer ships are rebuilt: their
    delivered price and dates depend on it."""
    retailer = sellers_service.operator_seller(session)
    current = session.scalar(select(ShippingRate).where(
        ShippingRate.shipper_id == retailer.id, ShippingRate.mode_id == mode.id, ShippingRate.zone_id == zone.id))
    before = _rate_state(current)
    if not offered:
        if current is None:
            return None
        session.delete(current)
        session.flush()
        operator_audit.record(session, actor, "delivery.rate.delete", current, before=before,
                              summary=f"{mode.code} {zone.code}")
        _refresh_listing(session, [retailer.id])
        return None
    fee = _amount(fee, "fee")
    extra_item_fee = _amount(extra_item_fee, "extra_item_fee")
    free_threshold = None if free_threshold is None else _amount(free_threshold, "free_threshold")
    transit_min, transit_max = _days(transit_min, "transit_min"), _days(transit_max, "transit_max")
    if transit_max < transit_min:
        raise InvalidValue("the longest transit is shorter than the shortest",
                           reason=Refusal.TRANSIT_RANGE, field="transit_max")
    rate = delivery.set_rate(
        session, retailer, mode.code, zone.code, fee=fee, extra_item_fee=extra_item_fee,
        free_threshold=free_threshold, transit_min=transit_min, transit_max=transit_max,
        currency=current.currency if current is not None else "EUR",
    )
    after = _rate_state(rate)
    if before is None:
        operator_audit.record(session, actor, "delivery.rate.create", rate, after=after,
                              summary=f"{mode.code} {zone.code}")
    else:
        old, new = operator_audit.changes(before, after)
        if not new:
            return rate
        operator_audit.record(session, actor, "delivery.rate.update", rate, before=old, after=new,
                              summary=f"{mode.code} {zone.code}")
    _refresh_listing(session, [retailer.id])
    return rate


def _amount(value: int | None, field: str) -> int:
    if value is None:
        value = 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise InvalidValue(f"{field}: {value!r} is not an amount", reason=Refusal.AMOUNT, field=field)
    return value


def _days(value: int | None, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise InvalidValue(f"{field}: {value!r} is not a number of days", reason=Refusal.TRANSIT_DAYS,
                           field=field)
    return value


def _refresh_listing(session: Session, shipper_ids: Iterable[int]) -> None:
    from . import listing  # here: listing imports buybox, which imports delivery

    products: set[int] = set()
    for shipper_id in set(shipper_ids):
        products.update(delivery.products_shipped_by(session, shipper_id))
    if products:
        listing.refresh(session, products)


# --- Modes and the cut-off -----------------------------------------------------------------------

MODE_FIELDS = ("code", "label", "label_en", "saturday_delivery", "position", "active")


def get_mode(session: Session, mode_id: int) -> DeliveryMode:
    mode = session.get(DeliveryMode, mode_id)
    if mode is None:
        raise NotFound(f"unknown delivery mode {mode_id}")
    return mode


@atomic
def save_mode(
    session: Session, actor: User, *, mode: DeliveryMode | None = None, code: str = "", label: str,
    label_en: str = "", saturday_delivery: bool = False, position: int = 0,
) -> DeliveryMode:
    """Create a mode or change one's labels (French, English), Saturday delivery and place in
    lists. Its code stays: rates, imports and the API name modes by code."""
    if mode is None:
        code = _check_code(code).upper()
        if session.scalar(select(DeliveryMode.id).where(DeliveryMode.code == code)) is not None:
            raise _taken(code)
    label, label_en = _check_label(label), _check_label(label_en, required=False, field="label_en")
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 999:
        raise InvalidValue(f"position {position!r}", reason=Refusal.TRANSIT_DAYS, field="position")
    if mode is None:
        mode = DeliveryMode(code=code, label=label, label_en=label_en, saturday_delivery=bool(saturday_delivery),
                            position=position, active=True)
        session.add(mode)
        session.flush()
        operator_audit.record(session, actor, "delivery.mode.create", mode,
                              after=operator_audit.snapshot(mode, MODE_FIELDS))
        return mode
    before = operator_audit.snapshot(mode, MODE_FIELDS)
    mode.label, mode.label_en = label, label_en
    mode.saturday_delivery, mode.position = bool(saturday_delivery), position
    session.flush()
    old, new = operator_audit.changes(before, operator_audit.snapshot(mode, MODE_FIELDS))
    if new:
        operator_audit.record(session, actor, "delivery.mode.update", mode, before=old, after=new)
        _refresh_listing(session, _shippers_of(session, mode))
    return mode


@atomic
def set_mode_active(session: Session, actor: User, mode: DeliveryMode, active: bool) -> DeliveryMode:
    """Offer a mode again, or stop offering it everywhere (product pages, cart, checkout). Orders
    that chose it keep it; rates stay, ready for when it comes back."""
    active = bool(active)
    if mode.active == active:
        return mode
    mode.active = active
    session.flush()
    operator_audit.record(session, actor, "delivery.mode.activate" if active else "delivery.mode.deactivate",
                          mode, before={"active": not active}, after={"active": active})
    _refresh_listing(session, _shippers_of(session, mode))
    return mode


def _shippers_of(session: Session, mode: DeliveryMode) -> list[int]:
    return list(session.scalars(select(ShippingRate.shipper_id).where(ShippingRate.mode_id == mode.id).distinct()))


def parse_cutoff(text: str) -> time:
    """A time of day typed as ``HH:MM`` (or ``9:30``, ``14h00``)."""
    match = _CUTOFF.match((text or "").strip())
    if match is None:
        raise InvalidValue(f"{(text or '')[:20]!r} is not a time of day", reason=Refusal.CUTOFF,
                           field="cutoff")
    return time(int(match.group(1)), int(match.group(2)))


@atomic
def set_retailer_cutoff(session: Session, actor: User, text: str) -> Seller:
    """The time of day (shop's time zone) after which the retailer's orders count from the next
    business day, for every mode it ships by; the dates of its products follow."""
    cutoff = parse_cutoff(text)
    retailer = sellers_service.operator_seller(session)
    before = retailer.cutoff_time
    if before == cutoff:
        return retailer
    retailer.cutoff_time = cutoff
    session.flush()
    operator_audit.record(session, actor, "delivery.cutoff", retailer,
                          before={"cutoff_time": before}, after={"cutoff_time": cutoff})
    _refresh_listing(session, [retailer.id])
    return retailer


# --- Promise preview -----------------------------------------------------------------------------


def find_offers(session: Session, query: str, *, limit: int = 20) -> list[Offer]:
    """Offers matching an offer id, a product's GTIN, or words of its title (or the seller's
    SKU), best match first."""
    text = "".join(ch for ch in (query or "") if ch.isprintable()).strip()[:100]
    if not text:
        return []
    options = (joinedload(Offer.product), joinedload(Offer.seller))
    if text.isdigit() and len(text) <= 14:
        exact = []
        if int(text) < 2**31:
            offer = session.scalar(select(Offer).where(Offer.id == int(text)).options(*options))
            exact += [offer] if offer is not None else []
        exact += session.scalars(
            select(Offer).join(Offer.product).where(Product.gtin == text).options(*options).order_by(Offer.id)
        ).all()
        if exact:
            return list(dict.fromkeys(exact))[:limit]
    words = [w for w in text.split() if w][:6]
    condition = [or_(Product.title.icontains(w, autoescape=True), Offer.sku.icontains(w, autoescape=True))
                 for w in words]
    return list(session.scalars(
        select(Offer).join(Offer.product).where(*condition).options(*options)
        .order_by(Product.title, Offer.price).limit(limit)
    ))


def preview(
    session: Session, offer: Offer, country: str, postal_code: str, *, quantity: int = 1,
    now: datetime | None = None,
) -> delivery.OfferPromise:
    """The dates and fee per mode for ``quantity`` units of ``offer`` to a postal code: exactly
    what the product page and the cart promise, since it is their function
    (``delivery.offer_promise``), not a copy."""
    return delivery.offer_promise(session, offer, country, postal_code, quantity=quantity, now=now)


# --- Shared checks -------------------------------------------------------------------------------


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise InvalidValue(f"code {code[:30]!r}", reason=Refusal.DELIVERY_CODE, field="code")
    return code


def _check_label(value: str, *, required: bool = True, field: str = "label") -> str:
    value = " ".join((value or "").split())
    if (required and not value) or len(value) > 80:
        raise InvalidValue(f"{field}: a label of 1 to 80 characters", reason=Refusal.LABEL_NEEDED, field=field)
    return value


def _taken(code: str) -> InvalidValue:
    return InvalidValue(f"{code} already exists", reason=Refusal.CODE_TAKEN, field="code", code=code)
