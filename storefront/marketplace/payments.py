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

with any expiry date in the future and any 3-digit code. The outcome of an authorization travels
in the token and the reference; what was captured, refunded and voided of it is kept in the
sandbox's own tables (``sandbox_authorization``, ``sandbox_call``, in the shop's database, so
that the web processes and the worker see the same book), and the sandbox refuses to capture
more than was authorized or refund more than was captured, as a bank would.

After the order, the shop captures each seller order's share (``capture``), gives money back
(``refund``, partial) and releases what it will not capture (``void``), each with an idempotency
key: the same key again gets the same answer and moves nothing more. A provider that cannot be
reached raises :class:`ProviderUnavailable`: the shop keeps the operation and retries it later
(``payment_operations``). The sandbox plays that too: ``provider.outage(n)`` makes its next ``n``
captures, refunds or voids fail so (tests prove the retry with it).
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
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from .errors import InvalidValue
from .models.base import Base
from .money import require_amount
from .refusals import Refusal


class PaymentStatus(enum.StrEnum):
    AUTHORIZED = "AUTHORIZED"
    DECLINED = "DECLINED"
    REQUIRES_CONFIRMATION = "REQUIRES_CONFIRMATION"
    VOIDED = "VOIDED"
    CAPTURED = "CAPTURED"
    REFUNDED = "REFUNDED"


class ProviderUnavailable(Exception):
    """The provider could not be reached or did not answer: nothing is known to have happened;
    try again later with the same idempotency key."""


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

    def void(self, reference: str, idempotency_key: str | None = None) -> PaymentResult:
        """Cancel an authorization (or a payment awaiting confirmation), or what is left of it
        once some was captured: nothing more will be charged."""
        ...

    def capture(self, reference: str, amount: int, idempotency_key: str) -> PaymentResult:
        """Charge ``amount`` of the authorization (several partial captures may follow each
        other up to the amount authorized). DECLINED (with ``message``) when it cannot be;
        :class:`ProviderUnavailable` when the provider could not be asked."""
        ...

    def refund(self, reference: str, amount: int, idempotency_key: str) -> PaymentResult:
        """Give ``amount`` of what was captured back to the customer (partial refunds add up to
        at most what was captured)."""
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
    """A provider that charges nobody: test cards decide the outcome (see the module's doc).

    ``bind``: the engine of the database that keeps the sandbox's book (the shop's, so that
    every process sees it); without one, a private in-memory database (one process: tests of
    checkout alone)."""

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

    def __init__(self, bind: Engine | None = None) -> None:
        # What the sandbox did, newest last: the developer's view of a provider's dashboard.
        self.events: deque[tuple[str, str, int | None, PaymentStatus]] = deque(maxlen=10_000)
        self._lock = threading.Lock()
        self._failures = 0
        if bind is None:
            bind = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            from .models import SandboxAuthorization, SandboxCall

            Base.metadata.create_all(
                bind, tables=[SandboxAuthorization.__table__, SandboxCall.__table__]
            )
        self.bind = bind

    # -- the switch tests use to play an outage --------------------------------------------------

    def outage(self, calls: int = 1) -> None:
        """Make the next ``calls`` captures, refunds or voids raise :class:`ProviderUnavailable`
        (in this process), as a provider that cannot be reached would."""
        with self._lock:
            self._failures = calls

    def _maybe_unavailable(self, action: str, reference: str) -> None:
        with self._lock:
            if self._failures <= 0:
                return
            self._failures -= 1
        self._record(f"{action}-unavailable", reference, None, PaymentStatus.DECLINED)
        raise ProviderUnavailable(f"the sandbox plays an outage ({action} of {reference})")

    # -- cards and authorizations ----------------------------------------------------------------

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
        if outcome in ("ok", "confirm"):
            self._open(reference, amount, currency, confirmed=outcome == "ok")
        self._record("authorize", reference, amount, result.status)
        return result

    def confirm(self, reference: str) -> PaymentResult:
        match = self._REFERENCE.fullmatch(reference or "")
        if match is None or match.group(1) != "confirm":
            raise InvalidValue("there is no payment waiting for confirmation", reason=Refusal.NOTHING_TO_CONFIRM)
        with Session(self.bind) as session, session.begin():
            row = session.get(self._book(), reference)
            if row is not None:
                row.confirmed = True
        self._record("confirm", reference, None, PaymentStatus.AUTHORIZED)
        return PaymentResult(PaymentStatus.AUTHORIZED, reference)

    # -- after the order: capture, refund, void --------------------------------------------------

    def void(self, reference: str, idempotency_key: str | None = None) -> PaymentResult:
        if self._REFERENCE.fullmatch(reference or "") is None:
            raise InvalidValue("unknown payment reference")
        self._maybe_unavailable("void", reference)
        key = idempotency_key or f"void:{reference}"

        def act(row):
            if row is not None:
                row.voided = True
            return PaymentStatus.VOIDED, ""

        result = self._once(key, "void", reference, 0, act)
        self._record("void", reference, None, result.status)
        return result

    def capture(self, reference: str, amount: int, idempotency_key: str) -> PaymentResult:
        require_amount(amount, "the amount to capture")
        self._maybe_unavailable("capture", reference)

        def act(row):
            if row is None or not row.confirmed:
                return PaymentStatus.DECLINED, "no such authorization"
            if row.voided:
                return PaymentStatus.DECLINED, "the authorization was voided"
            if amount > row.amount - row.captured:
                return PaymentStatus.DECLINED, (
                    f"only {row.amount - row.captured} of {row.amount} is left to capture"
                )
            row.captured += amount
            return PaymentStatus.CAPTURED, ""

        result = self._once(idempotency_key, "capture", reference, amount, act)
        self._record("capture", reference, amount, result.status)
        return result

    def refund(self, reference: str, amount: int, idempotency_key: str) -> PaymentResult:
        require_amount(amount, "the amount to refund")
        self._maybe_unavailable("refund", reference)

        def act(row):
            if row is None:
                return PaymentStatus.DECLINED, "no such authorization"
            if amount > row.captured - row.refunded:
                return PaymentStatus.DECLINED, (
                    f"only {row.captured - row.refunded} of {row.captured} captured is left to refund"
                )
            row.refunded += amount
            return PaymentStatus.REFUNDED, ""

        result = self._once(idempotency_key, "refund", reference, amount, act)
        self._record("refund", reference, amount, result.status)
        return result

    def book(self, reference: str) -> dict[str, int] | None:
        """What the sandbox holds of an authorization: authorized, captured, refunded (cents)."""
        with Session(self.bind) as session:
            row = session.get(self._book(), reference)
            if row is None:
                return None
            return {"authorized": row.amount, "captured": row.captured, "refunded": row.refunded,
                    "voided": int(row.voided)}

    def _open(self, reference: str, amount: int, currency: str, *, confirmed: bool) -> None:
        Book = self._book()
        with Session(self.bind) as session:
            if session.get(Book, reference) is not None:
                return
            session.add(Book(reference=reference, amount=amount, currency=currency,
                             confirmed=confirmed, created_at=_now()))
            try:
                session.commit()
            except IntegrityError:  # the same authorization, recorded by a replayed request
                session.rollback()

    def _once(self, key: str, action: str, reference: str, amount: int, act) -> PaymentResult:
        """Answer ``key`` once: a key seen before gets its first answer (and a key reused for
        another operation is refused); otherwise ``act(book row)`` decides, in one transaction
        with the record of the answer."""
        if not key:
            raise InvalidValue("a payment operation needs an idempotency key")
        from .models import SandboxCall

        for _attempt in range(2):
            with Session(self.bind) as session:
                seen = session.get(SandboxCall, key)
                if seen is not None:
                    if (seen.action, seen.reference, seen.amount) != (action, reference, amount):
                        raise InvalidValue(f"the idempotency key {key!r} was used for another operation")
                    return PaymentResult(PaymentStatus(seen.status), reference, message=seen.message)
                row = session.scalars(
                    select(self._book()).where(self._book().reference == reference).with_for_update()
                ).first()
                status, message = act(row)
                session.add(SandboxCall(idempotency_key=key, action=action, reference=reference,
                                        amount=amount, status=status.value, message=message,
                                        created_at=_now()))
                try:
                    session.commit()
                except IntegrityError:  # another process answered the same key meanwhile
                    session.rollback()
                    continue
                return PaymentResult(status, reference, message=message)
        raise ProviderUnavailable(f"the sandbox could not record {action} {key!r}")

    @staticmethod
    def _book():
        from .models import SandboxAuthorization

        return SandboxAuthorization

    def charged(self) -> set[str]:
        """References authorized (directly or after confirmation) and not voided since."""
        state: dict[str, PaymentStatus] = {}
        with self._lock:
            events = list(self.events)
        for action, reference, _amount, status in events:
            if action == "void":
                state[reference] = PaymentStatus.VOIDED
            elif action in ("authorize", "confirm") and status == PaymentStatus.AUTHORIZED:
                state[reference] = status
        return {ref for ref, status in state.items() if status == PaymentStatus.AUTHORIZED}

    def _record(self, action: str, reference: str, amount: int | None, status: PaymentStatus) -> None:
        with self._lock:
            self.events.append((action, reference, amount, status))


def _now() -> datetime:
    return datetime.now(UTC)


PROVIDERS: dict[str, type] = {"sandbox": SandboxProvider}


def provider_named(name: str, bind: Engine | None = None) -> PaymentProvider:
    """A new provider of the kind ``PAYMENT_PROVIDER`` names (the sandbox keeps its book in the
    database of ``bind``)."""
    try:
        return PROVIDERS[name](bind)
    except KeyError:
        raise InvalidValue(
            f"unknown payment provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        ) from None
