"""Shop-wide preferences set by the operator (read by the shop, the portal and the jobs)."""

from __future__ import annotations

from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import reference_cache
from .errors import InvalidValue
from .models import RelationsModel, StoreSetting
from .unit_of_work import atomic

# Every known preference with its default; an unknown key is a programming error, not data.
DEFAULTS: dict[str, object] = {
    "relations_model": RelationsModel.DIRECT.value,
    "show_sold_by": True,
    "show_shipped_by": True,
    "show_delivery_promise": True,
    "show_seller_rating": True,
    "acceptance_delay_hours": 48,
}


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
    _known(key)
    default = DEFAULTS[key]
    if key == "relations_model":
        try:
            value = RelationsModel(value).value
        except ValueError:
            raise InvalidValue(f"relations model is DIRECT or MEDIATED, not {value!r}") from None
    elif isinstance(default, bool) and not isinstance(value, bool):
        raise InvalidValue(f"{key} is on or off, not {value!r}")
    elif isinstance(default, int) and not isinstance(default, bool) and (
        isinstance(value, bool) or not isinstance(value, int) or value <= 0
    ):
        raise InvalidValue(f"{key} is a positive whole number, not {value!r}")
    row = session.get(StoreSetting, key)
    if row is None:
        session.add(StoreSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def _known(key: str) -> None:
    if key not in DEFAULTS:
        raise InvalidValue(f"unknown preference {key!r}")
