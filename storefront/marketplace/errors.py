"""Domain errors. The web and API layers map them to a message and a status at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule said no. ``message`` is safe to show to the person who asked."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidValue(DomainError):
    """A value is out of range or malformed (a negative price, an unknown condition…)."""

    status = 422


class NotFound(DomainError):
    """A code or id that does not exist (an unknown category, zone, seller…)."""

    status = 404


class NotAllowed(DomainError):
    """The actor may not do this (another seller's order, a reason reserved to the operator…)."""

    status = 403


class InvalidTransition(DomainError):
    """The order (or thread) is not in a state where this step is possible."""

    status = 409


class OutOfStock(DomainError):
    status = 409


class NotDeliverable(DomainError):
    """No shipping mode of this shipper reaches the zone (or no zone holds the address)."""

    status = 422


class Conflict(DomainError):
    """Someone else changed the same thing at the same time; reload and try again."""

    status = 409


class NeedsConfirmation(DomainError):
    """Allowed, but only once the person confirms (a price of 0, a big price drop): show the
    warning, keep what they typed, and call again with ``confirmed=True``. Nothing was changed."""

    status = 422
