"""Payments: the interface checkout talks to, and the built-in sandbox provider.

Checkout never sees a card number after the payment step: the provider turns the card into a
token (``tokenize_card``), checkout keeps the token, and at "Place order" asks the provider to
``authorize`` the amount it has just recomputed, with the order's idempotency key (a replayed
request gets the same answer, not a second charge). A payment may need the shopper to confirm it
with their bank first (3-D Secure): ``authorize`` then answers REQUIRES_CONFIRMATION and the
order is placed only after ``confirm``. When placing the order fails after an authorization (the
last unit sold meanwhile), checkout calls ``void``: no order, no charge.

The order records the provider's method (``card``) and the marketplace's payment code for it,
from a mapping the shop configures (``PAYMENT_CODES``, e.g. ``{"card": "CB"}``).

:class:`SandboxProvider` is for development, tests and demos. It accepts only its test cards:

    4242 4242 4242 4242   succeeds            5555 5555 5555 4444   succeeds (Mastercard)
    4000 0000 0000 0002   declined            4000 0000 0000 9995   declined, insufficient funds
    4000 0000 0000 3220   needs the shopper's confirmation (3-D Secure)

with any expiry date in the future and any 3-digit code. It is stateless (the outcome travels in
the token and the reference), so it works with several web processes.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from .errors import InvalidValue
from .money import require_amount
from .refusals import Refusal


class PaymentStatus(enum.StrEnum):
    AUTHORIZED = "AUTHORIZED"
    DECLINED = "DECLINED"
    REQUIRES_CONFIRMATION = "REQUIRES_CONFIRMATION"
    VOIDED = "VOIDED"


@dataclass(frozen=True)
class PaymentMethod:
    """A payment method as the provider tokenised it: safe to store."""

    method: str  # the provider's kind of method: "card"
    token: str
    label: str  # what the shopper recognises: "Visa •••• 4242"


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    reference: str  # the provider's id of this payment (at most 80 characters)
    method: str = "card"
    message: str = ""  # why it was declined, in words a shopper understands

    @property
    def authorized(self) -> bool:
        return self.status == PaymentStatus.AUTHORIZED


class PaymentProvider(Protocol):
    name: str

    def tokenize_card(
        self, *, number: str, expiry: str, cvc: str, holder: str, today: date
    ) -> PaymentMethod:
        """Check a card and return its token; :class:`InvalidValue` (with ``field``) if wrong."""
        ...

    def authorize(
        self, token: str, *, amount: int, currency: str, idempotency_key: str
    ) -> PaymentResult:
        """Ask for ``amount`` on the method of ``token``; the same key gives the same answer."""
        ...

    def confirm(self, reference: str) -> PaymentResult:
        """Complete a payment that required the shopper's confirmation."""
        ...

    def void(self, reference: str) -> PaymentResult:
        """Cancel an authorization (or a payment awaiting confirmation): nothing is charged."""
        ...


# --- Cards ---------------------------------------------------------------------------------------


def card_digits(number: str) -> str:
    """The digits of a typed card number (spaces and dashes allowed between them)."""
    text = (number or "").strip()
    if not re.fullmatch(r"[0-9][0-9 \-]*", text):
        raise InvalidValue("a card number is made of digits", field="number", reason=Refusal.CARD_NUMBER)
    digits = re.sub(r"[ \-]", "", text)
    if not 12 <= len(digits) <= 19 or not luhn_valid(digits):
        raise InvalidValue("this card number is not valid", field="number", reason=Refusal.CARD_NUMBER)
    return digits


def luhn_valid(digits: str) -> bool:
    """The Luhn check every card number passes (it catches a mistyped or swapped digit)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits.startswith("4"):
        return "Visa"
    if digits[:2] in {"34", "37"}:
        return "American Express"
    prefix = int(digits[:4]) if len(digits) >= 4 else 0
    if 51 <= int(digits[:2] or 0) <= 55 or 2221 <= prefix <= 2720:
        return "Mastercard"
    return "Card"


def parse_expiry(text: str, today: date) -> tuple[int, int]:
    """``MM/YY`` or ``MM/YYYY`` → (month, year); a card past its month is refused."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", text or "")
    if not match:
        raise InvalidValue("the expiry date is MM/YY", field="expiry", reason=Refusal.EXPIRY_FORMAT)
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise InvalidValue("the expiry month is 01 to 12", field="expiry", reason=Refusal.EXPIRY_FORMAT)
    if (year, month) < (today.year, today.month):
        raise InvalidValue("this card has expired", field="expiry", reason=Refusal.EXPIRED)
    if year > today.year + 20:
        raise InvalidValue("this expiry date is too far away", field="expiry", reason=Refusal.EXPIRY_FORMAT)
    return month, year


def check_cvc(cvc: str) -> str:
    cvc = (cvc or "").strip()
    if not re.fullmatch(r"\d{3,4}", cvc):
        raise InvalidValue("the security code is 3 or 4 digits", field="cvc", reason=Refusal.CVC)
    return cvc


def check_holder(holder: str) -> str:
    holder = " ".join((holder or "").split())
    if not holder or len(holder) > 80 or any(ord(ch) < 32 for ch in holder):
        raise InvalidValue("the name on the card is 1 to 80 characters", field="holder", reason=Refusal.HOLDER)
    return holder


# --- Marketplace payment codes -------------------------------------------------------------------


def payment_code(method: str, mapping: Mapping[str, str]) -> str:
    """The marketplace's payment code for a provider method (``card`` → ``CB``)."""
    code = mapping.get(method)
    if not code:
        raise InvalidValue(
            f"no marketplace payment code for the method {method!r}; add it to PAYMENT_CODES",
            reason=Refusal.NO_PAYMENT_CODE,
        )
    return code


# --- Sandbox -------------------------------------------------------------------------------------


class SandboxProvider:
    """A provider that charges nobody: test cards decide the outcome (see the module's doc)."""

    name = "sandbox"
    TEST_CARDS: dict[str, str] = {
        "4242424242424242": "ok",
        "5555555555554444": "ok",
        "4000000000000002": "declined",
        "4000000000009995": "funds",
        "4000000000003220": "confirm",
    }
    DECLINE_MESSAGES = {
        "declined": "your card was declined",
        "funds": "your card was declined: insufficient funds",
    }
    _TOKEN = re.compile(r"tok_sbx_(ok|declined|funds|confirm)_[0-9a-f]{16}")
    _REFERENCE = re.compile(r"pay_sbx_(ok|declined|funds|confirm)_[0-9a-f]{24}")

    def __init__(self) -> None:
        # What the sandbox did, newest last: the developer's view of a provider's dashboard.
        self.events: deque[tuple[str, str, int | None, PaymentStatus]] = deque(maxlen=10_000)
        self._lock = threading.Lock()

    def tokenize_card(
        self, *, number: str, expiry: str, cvc: str, holder: str, today: date
    ) -> PaymentMethod:
        check_holder(holder)
        digits = card_digits(number)
        parse_expiry(expiry, today)
        check_cvc(cvc)
        outcome = self.TEST_CARDS.get(digits)
        if outcome is None:
            raise InvalidValue(
                "the sandbox accepts only its test cards, such as 4242 4242 4242 4242",
                field="number",
                reason=Refusal.NOT_A_TEST_CARD,
            )
        token = f"tok_sbx_{outcome}_{secrets.token_hex(8)}"
        return PaymentMethod("card", token, f"{card_brand(digits)} •••• {digits[-4:]}")

    def authorize(
        self, token: str, *, amount: int, currency: str, idempotency_key: str
    ) -> PaymentResult:
        match = self._TOKEN.fullmatch(token or "")
        if match is None:
            raise InvalidValue("unknown payment method; enter the card again", reason=Refusal.BAD_TOKEN)
        require_amount(amount, "the amount to pay")
        if not re.fullmatch(r"[A-Z]{3}", currency or ""):
            raise InvalidValue(f"unknown currency {currency!r}")
        if not idempotency_key:
            raise InvalidValue("a payment needs an idempotency key")
        outcome = match.group(1)
        # The same order (key), amount and card always give the same reference: a replayed
        # request finds the payment it already made.
        digest = hashlib.sha256(f"{idempotency_key}|{amount}|{currency}|{token}".encode()).hexdigest()
        reference = f"pay_sbx_{outcome}_{digest[:24]}"
        if outcome == "ok":
            result = PaymentResult(PaymentStatus.AUTHORIZED, reference)
        elif outcome == "confirm":
            result = PaymentResult(PaymentStatus.REQUIRES_CONFIRMATION, reference)
        else:
            result = PaymentResult(PaymentStatus.DECLINED, reference, message=self.DECLINE_MESSAGES[outcome])
        self._record("authorize", reference, amount, result.status)
        return result

    def confirm(self, reference: str) -> PaymentResult:
        match = self._REFERENCE.fullmatch(reference or "")
        if match is None or match.group(1) != "confirm":
            raise InvalidValue("there is no payment waiting for confirmation", reason=Refusal.NOTHING_TO_CONFIRM)
        self._record("confirm", reference, None, PaymentStatus.AUTHORIZED)
        return PaymentResult(PaymentStatus.AUTHORIZED, reference)

    def void(self, reference: str) -> PaymentResult:
        if self._REFERENCE.fullmatch(reference or "") is None:
            raise InvalidValue("unknown payment reference")
        self._record("void", reference, None, PaymentStatus.VOIDED)
        return PaymentResult(PaymentStatus.VOIDED, reference)

    def charged(self) -> set[str]:
        """References authorized (directly or after confirmation) and not voided since."""
        state: dict[str, PaymentStatus] = {}
        with self._lock:
            events = list(self.events)
        for action, reference, _amount, status in events:
            if action == "void":
                state[reference] = PaymentStatus.VOIDED
            elif status == PaymentStatus.AUTHORIZED:
                state[reference] = status
        return {ref for ref, status in state.items() if status == PaymentStatus.AUTHORIZED}

    def _record(self, action: str, reference: str, amount: int | None, status: PaymentStatus) -> None:
        with self._lock:
            self.events.append((action, reference, amount, status))


PROVIDERS: dict[str, type] = {"sandbox": SandboxProvider}


def provider_named(name: str) -> PaymentProvider:
    """A new provider of the kind ``PAYMENT_PROVIDER`` names."""
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise InvalidValue(
            f"unknown payment provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        ) from None
