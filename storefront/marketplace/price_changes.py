"""Prices a seller must confirm before they apply: a price of 0, or a drop of more than half.

Both are usually a slip (a missing digit, a comma in the wrong place) and cost real money once
shoppers buy at that price, so the offer is not changed until the seller confirms that exact
price. The rule is here, once, for every way an offer's price changes (the portal's form, an
import row, the API): :func:`price_warning` says what is wrong with a change (a bulk report
marks its line with it), :func:`check_price` refuses it unless the caller passes
``confirmed=True``.

"More than 50 %" is meant strictly: 100,00 € → 50,00 € goes through, 100,00 € → 49,99 € asks.
A price that does not change never asks (re-saving a free offer's stock is not a new decision).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from .errors import NeedsConfirmation
from .refusals import Refusal

BIG_DROP_PERCENT = 50  # a drop of strictly more than this asks for a confirmation


class PriceWarningKind(enum.StrEnum):
    ZERO_PRICE = "ZERO_PRICE"  # the offer would be free
    BIG_DROP = "BIG_DROP"  # the price falls by more than BIG_DROP_PERCENT at once


@dataclass(frozen=True)
class PriceWarning:
    kind: PriceWarningKind
    old_price: int | None  # cents; None when the offer is being created
    new_price: int  # cents
    currency: str = "EUR"

    @property
    def drop_percent(self) -> Decimal | None:
        """How much the price falls, in percent, rounded up to the hundredth (so that a drop
        just above the threshold never reads as "50 %"); None without an old price."""
        if not self.old_price:
            return None
        drop = Decimal(self.old_price - self.new_price) * 100 / Decimal(self.old_price)
        return drop.quantize(Decimal("0.01"), rounding=ROUND_UP)

    def as_details(self) -> dict[str, object]:
        """Plain values for an error's details or a JSON report line."""
        percent = self.drop_percent
        return {
            "kind": self.kind.value,
            "old_price": self.old_price,
            "new_price": self.new_price,
            "currency": self.currency,
            "drop_percent": None if percent is None else str(percent),
        }


class PriceNeedsConfirmation(NeedsConfirmation):
    """A price change that needs confirming; ``warning`` says why, ``details`` say it in plain
    values (kind, old_price, new_price, currency, drop_percent) for the API and the logs."""

    def __init__(self, warning: PriceWarning):
        super().__init__(
            f"the price {warning.new_price} needs confirming ({warning.kind.value})",
            reason=Refusal.PRICE_NEEDS_CONFIRMATION,
            **warning.as_details(),
        )
        self.warning = warning


def price_warning(old_price: int | None, new_price: int, currency: str = "EUR") -> PriceWarning | None:
    """What a change from ``old_price`` (None: a new offer) to ``new_price`` needs confirming
    for, or None when it can simply be saved."""
    if old_price is not None and new_price == old_price:
        return None
    if new_price == 0:
        return PriceWarning(PriceWarningKind.ZERO_PRICE, old_price, new_price, currency)
    # Integers only: "more than 50 %" must not depend on a float's rounding.
    if old_price and (old_price - new_price) * 100 > BIG_DROP_PERCENT * old_price:
        return PriceWarning(PriceWarningKind.BIG_DROP, old_price, new_price, currency)
    return None


def check_price(
    old_price: int | None, new_price: int, *, confirmed: bool = False, currency: str = "EUR"
) -> PriceWarning | None:
    """Raise :class:`PriceNeedsConfirmation` (a ``NeedsConfirmation``, reason
    ``PRICE_NEEDS_CONFIRMATION``) for a change that needs confirming, unless ``confirmed``;
    return the warning that was confirmed, or None."""
    warning = price_warning(old_price, new_price, currency)
    if warning is not None and not confirmed:
        raise PriceNeedsConfirmation(warning)
    return warning
