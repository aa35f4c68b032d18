"""The claims a worker process holds, so that it can give them back when it stops.

Both outboxes (emails: ``notifications.delivery``; webhooks: ``webhooks.delivery``) claim a row
with a lease before working on it. A worker asked to stop while it still holds claims releases
them (``release_held``), so the next worker takes the rows at once instead of after the lease.
Each outbox keeps one :class:`HeldClaims`: token → row id, from just before the claim is
committed until its outcome is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class HeldClaims:
    def __init__(self) -> None:
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, row_id: int, token: str) -> Iterator[None]:
        """Registered before the claim is committed: a worker stopping in between still finds
        it (releasing a claim that was never taken changes nothing)."""
        with self._lock:
            self._held[token] = row_id
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(token, None)

    def snapshot(self) -> dict[str, int]:
        """token → row id, for every claim held right now."""
        with self._lock:
            return dict(self._held)
