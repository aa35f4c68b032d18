"""Run something once the transaction that wrote some rows has committed.

Both outboxes (emails: ``outbox``; webhooks: ``webhooks``) hand the ids of the rows a transaction
wrote to whatever the job queue registered, once it has committed, so that delivery starts at
once. Only for promptness: the worker's sweeps deliver every due row anyway, so a lost hook (a
crash between commit and enqueue, the queue unreachable) delays a delivery, never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)


class AfterCommit:
    """Ids written by the open transaction (kept in ``Session.info`` under ``key``), handed to
    each registered trigger after the commit, forgotten on a rollback."""

    def __init__(self, key: str, what: str) -> None:
        self.key = key
        self.what = what  # for the log: "outbox message", "webhook delivery"
        self.triggers: list[Callable[[int], object]] = []
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_transaction_end", self._after_transaction_end)

    def add(self, session: Session, row_id: int) -> None:
        session.info.setdefault(self.key, []).append(row_id)

    def register(self, trigger: Callable[[int], object]) -> Callable[[int], object]:
        if trigger not in self.triggers:
            self.triggers.append(trigger)
        return trigger

    def _after_commit(self, session: Session) -> None:
        for row_id in session.info.pop(self.key, []):
            for trigger in self.triggers:
                try:
                    trigger(row_id)
                except Exception:
                    # The data is committed: failing here would tell the caller the opposite.
                    # The sweep will deliver it.
                    log.exception("could not queue delivery of %s %s", self.what, row_id)

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the outermost transaction ended without a commit
            session.info.pop(self.key, None)
