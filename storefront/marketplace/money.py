"""Money in integer minor units (cents). Floats never hold an amount anywhere in the shop."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidValue


@dataclass(frozen=True, slots=True, order=True)
class Money:
    amount: int  # minor units: 129900 is 1 299,00 €
    currency: str = "EUR"

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise InvalidValue(f"an amount must be a whole number of cents, not {self.amount!r}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(self.amount * factor, self.currency)

    @property
    def decimal(self):
        from decimal import Decimal

        return Decimal(self.amount).scaleb(-2)

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InvalidValue(f"cannot mix {self.currency} and {other.currency}")


def require_amount(value: int, what: str) -> int:
    """Check an amount of minor units given to a service: a whole, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{what} must be a whole number of cents, not {value!r}")
    if value < 0:
        raise InvalidValue(f"{what} cannot be negative ({value})")
    return value
