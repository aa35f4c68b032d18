"""Which offer wins the buy box, and what every offer costs delivered to the shopper.

Ranking (documented for sellers, as marketplaces do):

1. offers that can be bought here come first: in stock, and shipped to the shopper's zone;
2. then new offers before used and refurbished ones: a shopper asking for a product expects it
   new, so a cheaper used offer never takes the buy box from a buyable new one (it is shown
   next to it as "used from …", see :func:`alternatives`);
3. then the lowest total price delivered: the item price plus the cheapest delivery mode's fee;
4. then the better seller rating (no rating counts as the lowest);
5. then the earlier delivery date of that cheapest mode;
6. the retailer wins an exact tie; last, the older offer.

"Shipped by" is the seller for SELLER fulfillment, the retailer for OPERATOR fulfillment, so the
delivery options of an operator-fulfilled offer are the retailer's.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import delivery
from .delivery import DeliveryOption
from .models import Condition, Fulfillment, Offer, Seller, Zone


@dataclass(slots=True)
class RankedOffer:
    """An offer ranked in one zone. Built once per offer and zone (a listing refresh makes
    millions): what ranking reads is computed in ``__init__``'s caller, :meth:`Ranker.rank`."""

    offer: Offer
    shipper: Seller
    options: tuple[DeliveryOption, ...]  # empty: the shipper does not deliver to the zone
    cheapest: DeliveryOption | None  # the cheapest of ``options`` (then the earliest), once
    available: bool = False  # in stock and delivered to the zone: it can be bought here
    key: tuple = ()  # its place in the ranking (see the module's docstring)

    @property
    def seller(self) -> Seller:
        return self.offer.seller

    @property
    def condition_group(self) -> ConditionGroup:
        return condition_group(self.offer.condition)

    @property
    def ships_to_zone(self) -> bool:
        return bool(self.options)

    @property
    def total(self) -> int | None:
        """Price delivered by the cheapest mode, or None when it cannot be delivered here."""
        cheapest = self.cheapest
        return None if cheapest is None else self.offer.price + cheapest.fee


def _ranked(offer, shipper, options, cheapest) -> RankedOffer:
    """The ranking of the module's docstring, as a sort key: buyable first, then new, then the
    lowest total delivered, the better rating, the earlier delivery, the retailer, the older offer."""
    seller = offer.seller
    available = cheapest is not None and offer.stock > 0
    key = (
        0 if available else 1,
        0 if offer.condition == Condition.NEW else 1,
        offer.price + cheapest.fee if cheapest is not None else offer.price,
        -(seller.rating or 0.0),
        cheapest.promise.latest if cheapest is not None else _NEVER,
        0 if seller.is_operator else 1,
        offer.id,
    )
    return RankedOffer(offer, shipper, options, cheapest, available, key)


_NEVER = datetime.max.date()
_KEY = attrgetter("key")


class ConditionGroup(enum.StrEnum):
    """How a shopper sorts conditions: new, used (like new, very good, good, used) or refurbished."""

    NEW = "NEW"
    USED = "USED"
    REFURBISHED = "REFURBISHED"


def condition_group(condition: Condition) -> ConditionGroup:
    if condition == Condition.NEW:
        return ConditionGroup.NEW
    if condition == Condition.REFURBISHED:
        return ConditionGroup.REFURBISHED
    return ConditionGroup.USED


def alternatives(ranked: Sequence[RankedOffer], chosen: RankedOffer | None) -> list[RankedOffer]:
    """Beside the buy box, the cheapest buyable offer of each other condition group (used,
    refurbished; new when the chosen offer is not), in that order: "Used from …"."""
    taken = condition_group(chosen.offer.condition) if chosen is not None else None
    best: dict[ConditionGroup, RankedOffer] = {}
    for offer in ranked:
        group = condition_group(offer.offer.condition)
        if offer.available and group != taken and offer is not chosen:
            current = best.get(group)
            if current is None or offer.total < current.total:
                best[group] = offer
    order = list(ConditionGroup)
    return sorted(best.values(), key=lambda r: order.index(condition_group(r.offer.condition)))


def shipper_of(offer: Offer, retailer: Seller) -> Seller:
    return retailer if offer.fulfillment == Fulfillment.OPERATOR else offer.seller


class Ranker:
    """Ranks offers for one zone at one moment (``now``, in the shop's time zone ``tz``), with the
    shippers' rates loaded once."""

    def __init__(self, rates: dict[int, list], *, retailer: Seller, now: datetime, tz: ZoneInfo):
        self.rates = rates
        self.retailer = retailer
        self.now = now
        self.tz = tz
        self._options: dict[tuple, tuple[tuple[DeliveryOption, ...], DeliveryOption | None]] = {}
        self._limits: dict[int, tuple] = {}

    @classmethod
    def for_offers(cls, session: Session, offers: Sequence[Offer], zone: Zone, *, retailer, now):
        """A ranker in the time zone of the shop's clock."""
        shipper_ids = {shipper_of(offer, retailer).id for offer in offers}
        return cls(
            delivery.rates_for(session, shipper_ids, zone),
            retailer=retailer,
            now=now,
            tz=shop_clock.of(session).tz,
        )

    def rank(self, offers: Sequence[Offer], *, weight_grams: int = 0) -> list[RankedOffer]:
        ranked = []
        for offer in offers:
            shipper = shipper_of(offer, self.retailer)
            rates = self.rates.get(shipper.id, ())
            limits = self._limits.get(shipper.id)
            if limits is None:
                limits = self._limits[shipper.id] = delivery.unit_limits(rates)
            # Offers that differ only in what cannot change their options share them: a listing
            # refresh ranks hundreds of thousands of offers against a few rates and lead times.
            key = (shipper.id, offer.lead_time_days, delivery.unit_options_key(limits, offer.price, weight_grams))
            found = self._options.get(key)
            if found is None:
                options = tuple(delivery.delivery_options_from_rates(
                    rates,
                    shipper,
                    tz=self.tz,
                    ordered_at=self.now,
                    lead_time_days=offer.lead_time_days,
                    quantities_or_lines=[1],
                    goods_total=offer.price,
                    weight_grams=weight_grams,
                ))
                cheapest = min(options, key=lambda o: (o.fee, o.promise.latest, o.mode.position)) if options else None
                found = self._options[key] = (options, cheapest)
            ranked.append(_ranked(offer, shipper, *found))
        ranked.sort(key=_KEY)
        return ranked


def rank_offers(
    session: Session,
    offers: Sequence[Offer],
    zone: Zone,
    *,
    retailer: Seller,
    now: datetime,
    weight_grams: int = 0,
) -> list[RankedOffer]:
    """Every offer with its delivery options to ``zone``, best first (one query for all rates)."""
    ranker = Ranker.for_offers(session, offers, zone, retailer=retailer, now=now)
    return ranker.rank(offers, weight_grams=weight_grams)
