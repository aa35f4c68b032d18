"""Shop-wide preferences set by the operator (read by the shop, the portal and the jobs).

Every process reads them through ``reference_cache``: the process that saves sees the change on
its next read, the others within ``REFERENCE_CHECK_SECONDS``. The back office saves them with
:func:`update`, which checks every value first and records one audit entry of what changed.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import company_ids, reference_cache
from .errors import InvalidValue
from .models import RelationsModel, StoreSetting, User
from .refusals import Refusal
from .unit_of_work import atomic

# Every known preference with its default; an unknown key is a programming error, not data.
DEFAULTS: dict[str, object] = {
    "relations_model": RelationsModel.DIRECT.value,
    "show_sold_by": True,
    "show_shipped_by": True,
    "show_delivery_promise": True,
    "show_seller_rating": True,
    # A seller's grade shows once it has this many visible ratings ("new seller" before:
    # sellers.public_rating is the one rule every page reads).
    "seller_rating_min_count": 3,
    "acceptance_delay_hours": 48,
    # The product page's list of the other sellers' offers.
    "show_other_sellers": True,
    # The postal code whose delivery dates a shopper sees before giving theirs; "" keeps the
    # shop's DEFAULT_POSTAL_CODE setting.
    "default_postal_code": "",
    # Imports and exports (read by the import and export jobs).
    "offer_import_min_minutes": 15,  # at least this long between two offer imports of a seller
    "imports_per_day": 24,  # at most this many imports a seller may send a day
    "order_export_minutes": 60,  # orders are pushed to sellers who asked every this many minutes
    # Payments (marketplace/payment_operations.py): when a seller order's share is captured,
    # "ship" (once all of it has shipped) or "accept" (once the seller has accepted it); and
    # whether the commission is also taken on the shipping fees.
    "capture_at": "ship",
    "commission_on_shipping": False,
    # Billing (marketplace/billing.py): the sellers' statements close "monthly" or
    # "twice_monthly" (the 1st to the 15th, the 16th to the end of the month); the commission
    # invoices are due this many days after they are issued; the retailer's street address and
    # postal code printed on them (its legal name, SIRET, VAT number and city are the operator
    # seller's).
    "billing_cycle": "twice_monthly",
    "invoice_payment_days": 30,
    "retailer_address": "",
    # Payouts (marketplace/payouts.py): a statement becomes payable this many days after its
    # period's last day (the holding period, for late refunds and disputes); the retailer's
    # account the payout transfers leave from (SEPA debtor: name, IBAN, BIC; an empty name is
    # the retailer's legal name).
    "payout_holding_days": 7,
    "payout_debtor_name": "",
    "payout_debtor_iban": "",
    "payout_debtor_bic": "",
}
CAPTURE_POINTS = ("ship", "accept")
BILLING_CYCLES = ("monthly", "twice_monthly")

# The whole numbers' allowed ranges, both ends included.
RANGES: dict[str, tuple[int, int]] = {
    "acceptance_delay_hours": (1, 240),
    "seller_rating_min_count": (1, 100),
    "offer_import_min_minutes": (1, 1440),
    "imports_per_day": (1, 288),
    "order_export_minutes": (5, 1440),
    "invoice_payment_days": (0, 60),  # Code de commerce L441-10: at most 60 days
    "payout_holding_days": (0, 90),
}
# ISO 9362: bank (4 letters), country (2 letters), location (2), branch (3, optional).
BIC_PATTERN = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
DISPLAY_TOGGLES = ("show_sold_by", "show_shipped_by", "show_delivery_promise", "show_seller_rating",
                   "show_other_sellers")


def get_all(session: Session) -> dict[str, object]:
    """Every preference, defaults filled in (read once, then from ``reference_cache``)."""
    stored = reference_cache.cached(session, "preferences", _load)
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def get(session: Session, key: str, *, fresh: bool = False) -> object:
    """One preference. ``fresh`` reads the database rather than this process's copy, for the
    operator's own page: another web process may have saved it a moment ago."""
    _known(key)
    stored = _load(session) if fresh else reference_cache.cached(session, "preferences", _load)
    value = stored.get(key)
    return DEFAULTS[key] if value is None else value


def _load(session: Session) -> MappingProxyType:
    return MappingProxyType(dict(session.execute(select(StoreSetting.key, StoreSetting.value)).all()))


@atomic
def set(session: Session, key: str, value: object) -> None:  # noqa: A001 (reads as preferences.set)
    value = check(key, value)
    _store(session, key, value)


@atomic
def update(session: Session, actor: User | None, values: dict[str, object]) -> dict[str, object]:
    """Save several preferences at once, after checking all of them (one refused value saves
    none), with one audit entry of the values that changed. Returns what changed."""
    from . import operator_audit

    checked = {key: check(key, value) for key, value in values.items()}
    current = {key: get(session, key, fresh=True) for key in checked}
    before, after = operator_audit.changes(current, checked)
    if not after:
        return {}
    for key, value in after.items():
        _store(session, key, value)
    operator_audit.record(session, actor, "preferences.update", target_kind="preferences",
                          target_id="shop", before=before, after=after)
    return after


def check(key: str, value: object) -> object:
    """``value`` as stored for ``key``; :class:`InvalidValue` (with ``field``) when it is not one."""
    _known(key)
    default = DEFAULTS[key]
    if key == "relations_model":
        try:
            return RelationsModel(value).value
        except ValueError:
            raise InvalidValue(f"relations model is DIRECT or MEDIATED, not {value!r}",
                               field=key, reason=Refusal.SETTING_CHOICE) from None
    if key == "capture_at":
        if value not in CAPTURE_POINTS:
            raise InvalidValue(f"payments are captured at ship or accept, not {value!r}",
                               field=key, reason=Refusal.SETTING_CHOICE)
        return value
    if key == "billing_cycle":
        if value not in BILLING_CYCLES:
            raise InvalidValue(f"the billing cycle is monthly or twice_monthly, not {value!r}",
                               field=key, reason=Refusal.SETTING_CHOICE)
        return value
    if key == "retailer_address":
        if not isinstance(value, str) or len(value.strip()) > 200:
            raise InvalidValue("the retailer's address is at most 200 characters", field=key,
                               reason=Refusal.SETTING_CHOICE)
        return " ".join(value.split())
    if key == "payout_debtor_name":
        # The SEPA file carries at most 70 characters of a name.
        if not isinstance(value, str) or len(value.strip()) > 70:
            raise InvalidValue("the payer's name is at most 70 characters", field=key,
                               reason=Refusal.SETTING_CHOICE)
        return " ".join(value.split())
    if key == "payout_debtor_iban":
        iban = company_ids.normalize_iban(value) if isinstance(value, str) else value
        if not isinstance(iban, str) or (iban and not company_ids.valid_iban(iban)):
            raise InvalidValue(f"not a valid IBAN: {value!r}", field=key, reason=Refusal.SETTING_IBAN)
        return iban
    if key == "payout_debtor_bic":
        bic = company_ids.normalize_iban(value) if isinstance(value, str) else value
        if not isinstance(bic, str) or (bic and not BIC_PATTERN.match(bic)):
            raise InvalidValue(f"not a BIC: {value!r}", field=key, reason=Refusal.SETTING_BIC)
        return bic
    if key == "default_postal_code":
        value = value.strip() if isinstance(value, str) else value
        if not isinstance(value, str) or not (value == "" or (len(value) == 5 and value.isascii() and value.isdigit())):
            raise InvalidValue(f"a French postal code is 5 digits, not {value!r}", field=key,
                               reason=Refusal.POSTAL_CODE)
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidValue(f"{key} is on or off, not {value!r}", field=key, reason=Refusal.SETTING_CHOICE)
        return value
    low, high = RANGES.get(key, (1, 2**31 - 1))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(f"{key} is a whole number from {low} to {high}, not {value!r}",
                           field=key, reason=Refusal.SETTING_RANGE, low=low, high=high)
    return value


def _store(session: Session, key: str, value: object) -> None:
    row = session.get(StoreSetting, key)
    if row is None:
        session.add(StoreSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def _known(key: str) -> None:
    if key not in DEFAULTS:
        raise InvalidValue(f"unknown preference {key!r}")
