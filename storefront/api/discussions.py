"""Discussions domain of the API: the caller's conversations with customers (and the shop's
customer service), over the same service as the seller portal (storefront/marketplace/
discussions.py). A client acts as its seller's first staff account (the operator's: the first
customer-service account; ``api_clients.acting_user``): its messages are the seller's, and
"read" is shared with that account in the portal.

Message bodies are plain text: stored as sent, returned as JSON strings, escaped wherever a page
shows them (HTML in a body is never rendered).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import jsonify
from pydantic import BeforeValidator, Field
from sqlalchemy import select

from storefront.extensions import db
from storefront.marketplace import api_clients, discussions
from storefront.marketplace.discussions import ThreadAction
from storefront.marketplace.errors import InvalidTransition
from storefront.marketplace.models import (
    ActorRole,
    RelationsModel,
    SellerOrder,
    Thread,
    ThreadKind,
    ThreadStatus,
    User,
)

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import rfc3339
from .schema import AnyCase, Body, Out, PageQuery, operation

# -- shapes ------------------------------------------------------------------------------------------


class DiscussionsQuery(PageQuery):
    status: Annotated[ThreadStatus, AnyCase] | None = Field(None, description="every status without it")


def _upper_text(value):
    return value.upper() if isinstance(value, str) else value


class NewMessage(Body):
    # The length is the service's rule (refused with its reason), only described here.
    body: str = Field(description=f"plain text, never rendered as HTML; at most "
                                  f"{discussions.MAX_MESSAGE_LENGTH:,} characters")
    to: Annotated[Literal["CUSTOMER", "SELLER"], BeforeValidator(_upper_text)] | None = Field(
        None, description="whom the operator writes to, in the mediated model")


class NoBody(Body):
    """Nothing to send (an empty object or no body at all)."""


class Author(Out):
    role: ActorRole
    name: str


class MessageOut(Out):
    id: int
    author: Author
    body: str
    created_at: str
    visible_to_customer: bool
    visible_to_seller: bool


class ThreadSummary(Out):
    id: int
    subject: str
    topic: str = Field(description="the topic's code (GET /discussion-topics)")
    message_type: str | None = Field(description="the marketplace message type of the topic when opened")
    kind: ThreadKind
    model: RelationsModel
    status: ThreadStatus
    order_id: str | None = Field(description="the seller order's number")
    offer_id: int | None
    last_message_at: str
    unread: int
    actions: list[ThreadAction] = Field(description="what the caller may do now")


class ThreadDetail(ThreadSummary):
    messages: list[MessageOut]


class ThreadPage(Out):
    items: list[ThreadSummary]
    next_cursor: str | None



# -- encoding ----------------------------------------------------------------------------------------


def order_numbers(threads: list[Thread]) -> dict[int, str]:
    """The seller order numbers a page of threads is about, in one query."""
    ids = {thread.seller_order_id for thread in threads if thread.seller_order_id}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(SellerOrder.id, SellerOrder.number).where(SellerOrder.id.in_(ids))
    ).all())


def thread_summary(thread: Thread, role: ActorRole, unread: int, numbers: dict[int, str]) -> dict:
    return {
        "id": thread.id,
        "subject": thread.subject,
        "topic": thread.topic.code,
        # The marketplace message type the topic was mapped to when the thread was opened.
        "message_type": thread.message_type or None,
        "kind": str(thread.kind),
        "model": str(thread.model),
        "status": str(thread.status),
        "order_id": numbers.get(thread.seller_order_id),
        "offer_id": thread.offer_id,
        "last_message_at": rfc3339(thread.last_message_at),
        "unread": unread,
        "actions": [str(action) for action in discussions.available_actions(thread, role)],
    }


def thread_detail(thread: Thread, user: User, role: ActorRole) -> dict:
    session = db.session
    unread = discussions.unread_counts(session, user, [thread.id]).get(thread.id, 0)
    body = thread_summary(thread, role, unread, order_numbers([thread]))
    body["messages"] = [
        {
            "id": message.id,
            "author": discussions.author_label(session, thread, message, role),
            "body": message.body,
            "created_at": rfc3339(message.created_at),
            "visible_to_customer": message.visible_to_customer,
            "visible_to_seller": message.visible_to_seller,
        }
        for message in discussions.visible_messages(session, thread, role)
    ]
    return body


# -- parameters --------------------------------------------------------------------------------------


def make_cursor(thread: Thread, unread: bool) -> str:
    return pages.make_cursor("discussions", [unread, rfc3339(thread.last_message_at), thread.id])


def _thread_position(value) -> tuple[bool, datetime, int]:
    unread, moment, thread_id = value
    return bool(unread), datetime.fromisoformat(moment.replace("Z", "+00:00")), int(thread_id)


def read_cursor() -> tuple[bool, datetime, int] | None:
    return pages.read_cursor("discussions", _thread_position)


def _acting(caller: Caller) -> User:
    return api_clients.acting_user(db.session, caller.seller_id)


def _thread(caller: Caller, thread_id: int) -> tuple[Thread, User, ActorRole]:
    """The thread if the caller takes part in it; another seller's is NotFound (404)."""
    user = _acting(caller)
    thread = discussions.get_thread(db.session, thread_id, user)
    return thread, user, discussions.role_in(thread, user)


# -- views -------------------------------------------------------------------------------------------


@bp.get("/discussions")
@require_scope("discussions:read")
@operation(tag="discussions", query=DiscussionsQuery, responses={200: ThreadPage})
def list_discussions(caller: Caller, query: DiscussionsQuery):
    """The caller's conversations, those with unread messages first, then by latest message.

    ``status`` (OPEN, CLOSED) filters; the next page is in ``Link`` (and ``next_cursor``)."""
    limit = query.limit
    after = read_cursor()
    user = _acting(caller)
    found = discussions.thread_page(db.session, user, status=query.status, after=after, limit=limit + 1)
    page, more = found[:limit], len(found) > limit
    role = caller.role
    counts = discussions.unread_counts(db.session, user, [thread.id for thread, _ in page])
    numbers = order_numbers([thread for thread, _ in page])
    next_cursor = make_cursor(*page[-1]) if more else None
    items = [thread_summary(thread, role, counts.get(thread.id, 0), numbers) for thread, _ in page]
    return pages.page_answer(items, next_cursor, "api.list_discussions")


@bp.get("/discussions/<int:thread_id>")
@require_scope("discussions:read")
@operation(tag="discussions", responses={200: ThreadDetail})
def get_discussion(thread_id: int, caller: Caller):
    """One conversation with the messages the caller may see."""
    thread, user, role = _thread(caller, thread_id)
    return jsonify(thread_detail(thread, user, role))


@bp.post("/discussions/<int:thread_id>/messages")
@require_scope("discussions:write")
@idempotent
@operation(tag="discussions", body=NewMessage, responses={201: ThreadDetail})
def post_discussion_message(thread_id: int, caller: Caller, body: NewMessage):
    """Answer in the conversation: ``body`` (plain text); the operator says ``to`` (CUSTOMER or
    SELLER) in the mediated model. 201 with the conversation."""
    thread, user, role = _thread(caller, thread_id)
    to = ActorRole(body.to) if body.to else None
    discussions.post_message(db.session, thread, user, body.body, to=to)
    db.session.refresh(thread)
    return jsonify(thread_detail(thread, user, role)), 201


@bp.post("/discussions/<int:thread_id>/read")
@require_scope("discussions:write")
@idempotent
@operation(tag="discussions", body=NoBody, responses={200: ThreadDetail})
def mark_discussion_read(thread_id: int, caller: Caller, body: NoBody):
    """Mark the conversation read (for the seller's staff in the portal too)."""
    thread, user, role = _thread(caller, thread_id)
    discussions.mark_read(db.session, thread, user)
    return jsonify(thread_detail(thread, user, role))


@bp.post("/discussions/<int:thread_id>/close")
@require_scope("discussions:write")
@idempotent
@operation(tag="discussions", body=NoBody, responses={200: ThreadDetail})
def close_discussion(thread_id: int, caller: Caller, body: NoBody):
    """Close the conversation, when the caller may (``close`` in its ``actions``)."""
    thread, user, role = _thread(caller, thread_id)
    _require(thread, role, ThreadAction.CLOSE)
    discussions.close_thread(db.session, thread, user)
    return jsonify(thread_detail(thread, user, role))


@bp.post("/discussions/<int:thread_id>/escalate")
@require_scope("discussions:write")
@idempotent
@operation(tag="discussions", body=NoBody, responses={200: ThreadDetail})
def escalate_discussion(thread_id: int, caller: Caller, body: NoBody):
    """The operator takes the conversation over as a claim."""
    thread, user, role = _thread(caller, thread_id)
    _require(thread, role, ThreadAction.ESCALATE)
    discussions.escalate(db.session, thread, user)
    return jsonify(thread_detail(thread, user, role))


def _require(thread: Thread, role: ActorRole, action: ThreadAction) -> None:
    if action not in discussions.available_actions(thread, role):
        raise InvalidTransition(f"you cannot {action} this conversation now")
