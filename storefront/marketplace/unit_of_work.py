"""Transaction boundaries owned by the services.

A service that changes data is decorated with :func:`atomic`: called from a view, a command or a
job, it commits on success and rolls back everything on any error, so a refused request leaves
nothing half-written. Called from inside another service (or inside ``with transaction(s)``), it
joins the outer transaction, which commits once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .refusals import Refusal

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "storefront.transaction_depth"


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        try:
            yield session
            if depth == 0:
                session.commit()
        except StaleDataError:
            # A versioned row (a seller order) was changed by someone else since it was read.
            raise Conflict(
                "someone else changed this at the same time; reload the page and try again",
                reason=Refusal.STALE,
            ) from None
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def atomic(service: Callable[P, R]) -> Callable[P, R]:
    """Run ``service(session, ...)`` in :func:`transaction`."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        with transaction(session):  # type: ignore[arg-type]
            return service(*args, **kwargs)

    return run
