"""One page of a list the back office shows, counted and cut in SQL.

Every list of the back office and the seller portal pages the same way: filters and sort in the
URL, a page past the last shows the last, ``pages`` at least 1. The lists with a page class of
their own (orders, offers, applications…) subclass this one for its name in signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_SEARCH = 80  # characters of a list's search box; longer text is cut


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(-(-self.total // self.per_page), 1)


def page_of(session: Session, query: Select, *, page: int, per_page: int) -> tuple[list, int, int]:
    """The rows of ``query`` (already filtered and ordered) on ``page``, the total and the page
    actually shown (clamped to the last)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    per_page = max(per_page, 1)
    page = min(max(page, 1), max(-(-total // per_page), 1))
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total, page

