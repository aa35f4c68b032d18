"""Failed log-ins counted per account as well as per address, without locking the owner out.

Three counters, all in the rate limits' shared store (storefront/rate_limit_storage.py), so that
every web process and every machine sees the same counts:

- per address, every log-in POST: ``FORM_POSTS_LIMIT`` (storefront/account/views.py, the
  view's Flask-Limiter decorator);
- per (account, address), failures: ``FAILURES_PER_ADDRESS``. Past it, that address may not try
  that account any more until the window ends;
- per account, failures from every address: ``FAILURES_PER_ACCOUNT``. Past it, the account is
  under attack: an address that has already failed on it is refused, and an address that has
  not still gets its try.

The trade-off. A guesser spread over many addresses (a botnet) is slowed to one guess per
address and per ``FAILURES_PER_ADDRESS`` window once the account-wide limit trips, instead of
``FAILURES_PER_ADDRESS.amount`` guesses each. The owner is not locked out: from their usual
address (which has no recent failures) the right password still gets in. The owner who mistyped
from the same address during an attack is refused until the window ends; the refusal tells them
to wait or to choose a new password by email, which no throttle here blocks. A lock-out of the
account itself (refusing the right password from everywhere) would hand any stranger a way to
keep the owner out, so there is none.

What it does not reveal. The refusal is decided before the password is checked and counts the
address string typed (trimmed, lower-case), whether or not an account has it: an unknown email
and a real one are refused alike, and a refused try never says whether the password was right.
The 429 page has no Retry-After header; its sentence says how long to wait in general terms.
Counters are keyed by a digest of the email, so the counters table holds no email addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_limiter.util import get_remote_address
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from storefront.extensions import limiter
from storefront.marketplace.errors import DomainError
from storefront.marketplace.refusals import Refusal
from storefront.web.refusals import explain

FAILURES_PER_ADDRESS = parse("5 per 15 minutes")
FAILURES_PER_ACCOUNT = parse("20 per hour")


@dataclass(frozen=True)
class LoginAttempt:
    """One log-in POST: whether it may go on to check the password, and what to count after."""

    account: str  # digest of the email typed
    address: str  # the client's address (behind TRUSTED_PROXIES, the forwarded one)
    refused: bool

    @property
    def message(self) -> str:
        return explain(DomainError("too many failed log-ins", reason=Refusal.LOGIN_THROTTLED))

    def failed(self) -> None:
        """Count a wrong password (or unknown email) for this address and for the account."""
        strategy = _strategy()
        if strategy is not None:
            strategy.hit(FAILURES_PER_ADDRESS, "login-failures", self.account, self.address)
            strategy.hit(FAILURES_PER_ACCOUNT, "login-failures", self.account)

    def succeeded(self) -> None:
        """The owner got in from here: this address's own typos are forgotten. The account's
        count stays: an attack on it goes on whether or not the owner logs in."""
        strategy = _strategy()
        if strategy is not None:
            strategy.clear(FAILURES_PER_ADDRESS, "login-failures", self.account, self.address)


def attempt(email: str) -> LoginAttempt:
    """The log-in attempt of the current request for ``email`` (as typed), refused or not."""
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    address = get_remote_address() or "unknown"
    strategy = _strategy()
    if strategy is None:
        return LoginAttempt(account, address, refused=False)
    failures_here = strategy.storage.get(
        FAILURES_PER_ADDRESS.key_for("login-failures", account, address)
    )
    refused = failures_here >= FAILURES_PER_ADDRESS.amount or (
        failures_here > 0
        and not strategy.test(FAILURES_PER_ACCOUNT, "login-failures", account)
    )
    return LoginAttempt(account, address, refused=refused)


def _strategy() -> FixedWindowRateLimiter | None:
    """The fixed window over the limiter's store; None when rate limits are off
    (RATELIMIT_ENABLED=False)."""
    if not limiter.enabled:
        return None
    return FixedWindowRateLimiter(limiter.storage)
