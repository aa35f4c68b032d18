"""The outbox port: a service records which email to send, in its own transaction.

A service that causes an email calls :func:`record_email` inside its ``@atomic``: the row says
*what* to send (the email's templates, the recipient, the language, and the values the email
shows, as plain data) and is saved with the change that caused it. If that transaction rolls
back, there is no message; if it commits, the message will be delivered, even if the process
dies the next instant. Nothing here renders a template or needs Flask: services run the same in
a view, a job, the API or a script. The worker renders the message (``notifications.render``)
and sends it (``notifications.delivery``).

Links in an email are recorded as :func:`link` references (``link("order", ...)``), never as
URLs: one link builder (``notifications.links``) turns them into absolute addresses when the
email is rendered, so no service needs to know the shop's routes or public address.

Delivery starts right after the commit: a session event hands the new ids to whatever
:func:`deliver_after_commit` registered (the Huey task in ``storefront/jobs/email.py``). That is
only for promptness: the worker's periodic sweep delivers every due message anyway, so a lost
hook (a crash between commit and enqueue, the queue unreachable) delays a message, never loses it.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from email.utils import make_msgid
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from storefront.observability.context import current_request_id
from storefront.settings import LOCALES

from .after_commit import AfterCommit
from .errors import InvalidValue
from .models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

# A placeholder until the worker renders the message and gives it the Message-ID of the sender's
# domain; unique all the same, as the column requires.
PENDING_MESSAGE_ID_DOMAIN = "outbox.pending"


class Link(dict):
    """A link in an email, by name and parameters (``order``, ``thread``, ``password_reset``);
    ``notifications.links`` knows the address each name stands for."""


def link(name: str, **params: Any) -> Link:
    return Link({"$link": name, **params})


def record_email(
    session: Session,
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    locale: str,
    kind: str = "",
    request_id: str | None = None,
) -> OutboxMessage:
    """Add the email to the outbox, in the caller's transaction (never commits).

    ``context`` holds plain values only (str, int, bool, None, dates, enums, lists and dicts of
    them, :func:`link`): the email shows the order as it was when it was written, whatever
    happens to the rows afterwards. ``kind`` labels the message for the operator (the template's
    name by default). Raises :class:`InvalidValue` for an unusable address or locale, so that the
    caller's transaction rolls back with the event that wanted to send it.
    ``request_id`` defaults to the current one (``observability.context``: the web request or
    the job that runs this), recorded so the email can be traced back to it.
    """
    address = _valid_address(to)
    if locale not in LOCALES:
        raise InvalidValue(f"no emails in {locale!r}; the shop speaks {', '.join(LOCALES)}")
    message = OutboxMessage(
        kind=(kind or template)[:40],
        template=template,
        context=encode_context(context),
        locale=locale,
        sender="",
        to_address=address,
        message_id=make_msgid(domain=PENDING_MESSAGE_ID_DOMAIN),
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
        request_id=(request_id or current_request_id() or "")[:64],
    )
    session.add(message)
    session.flush()  # the id, for the delivery task queued after commit
    _after_commit.add(session, message.id)
    return message


# --- The context as JSON -------------------------------------------------------------------------


def encode_context(context: Mapping[str, Any]) -> str:
    """JSON of ``context``; dates keep their type. Anything else (an ORM object, say) is refused:
    the worker must not need the database to render the email."""
    return json.dumps(_plain(dict(context)), ensure_ascii=False, sort_keys=True)


def decode_context(text: str, resolve_link: Callable[[Mapping[str, Any]], str]) -> dict[str, Any]:
    """The context :func:`encode_context` wrote, with each link turned into an address."""
    return json.loads(text or "{}", object_hook=lambda value: _revive(value, resolve_link))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"an email's context holds plain values, not {type(value).__name__}")


def _revive(value: dict, resolve_link: Callable[[Mapping[str, Any]], str]) -> Any:
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$link" in value:
        return resolve_link(value)
    return value


# --- Delivery after commit -----------------------------------------------------------------------

_after_commit = AfterCommit("storefront.outbox.new_ids", "outbox message")


def deliver_after_commit(trigger: Callable[[int], object]) -> Callable[[int], object]:
    """Call ``trigger(message_id)`` for each message of a transaction, once it has committed.

    Registered once by the job queue; usable as a decorator.
    """
    return _after_commit.register(trigger)


def _valid_address(to: str) -> str:
    try:
        return validate_email(to.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidValue(f"cannot send an email to {to!r}: {exc}") from None


def deliver_soon(session: Session, message_id: int) -> None:
    """Ask for ``message_id`` to be delivered right after the caller's transaction commits (a
    message put back in line by the operator, marketplace/outbox_admin.py)."""
    _after_commit.add(session, message_id)
