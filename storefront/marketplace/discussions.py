"""Discussions domain: threads between a customer, a seller and the operator.

Two customer-relations models (a shop preference, fixed on each thread when it opens):

- DIRECT: customer and seller write to each other; the operator reads all and may step in.
- MEDIATED: the customer writes to the shop's customer service; the operator answers, or
  forwards to the seller; the seller answers the operator. Each message is therefore visible to
  the customer side, the seller side, or both, and the customer never sees the seller's words
  (nor the seller the customer's) unless the operator relays them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import preferences
from .errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from .models import (
    ActorRole,
    DiscussionTopic,
    Message,
    Offer,
    RelationsModel,
    Role,
    Seller,
    SellerOrder,
    Thread,
    ThreadKind,
    ThreadRead,
    ThreadStatus,
    User,
    utcnow,
)
from .unit_of_work import atomic

MAX_MESSAGE_LENGTH = 5_000


@atomic
def create_topic(
    session: Session,
    code: str,
    label: str,
    *,
    label_en: str = "",
    message_type: str = "",
    about_order: bool = True,
    about_offer: bool = False,
    position: int = 0,
) -> DiscussionTopic:
    code = (code or "").strip().upper()
    if not code or not all(ch.isalnum() or ch == "_" for ch in code):
        raise InvalidValue(f"topic code {code!r} must be letters, digits or '_'")
    if not (about_order or about_offer):
        raise InvalidValue("a topic is about an order, an offer, or both")
    if session.scalar(select(DiscussionTopic.id).where(DiscussionTopic.code == code)):
        raise InvalidValue(f"topic {code} already exists")
    topic = DiscussionTopic(
        code=code,
        label=label.strip(),
        label_en=label_en.strip(),
        message_type=message_type,
        about_order=about_order,
        about_offer=about_offer,
        position=position,
    )
    session.add(topic)
    session.flush()
    return topic


def clean_body(body: str) -> str:
    """Messages are plain text: kept as typed (templates escape them), bounded in length."""
    body = (body or "").strip()
    if not body:
        raise InvalidValue("a message cannot be empty")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise InvalidValue(
            f"a message is at most {MAX_MESSAGE_LENGTH:,} characters ({len(body):,} given)"
        )
    return body


@atomic
def open_thread(
    session: Session,
    customer: User,
    seller: Seller,
    topic_code: str,
    body: str,
    *,
    subject: str = "",
    seller_order: SellerOrder | None = None,
    offer: Offer | None = None,
    at: datetime | None = None,
) -> Thread:
    """A customer starts a thread about one of their orders or about an offer."""
    if customer.role != Role.CUSTOMER:
        raise NotAllowed("only a customer opens a thread with a seller")
    topic = session.scalar(select(DiscussionTopic).where(DiscussionTopic.code == topic_code))
    if topic is None:
        raise NotFound(f"unknown topic {topic_code!r}")
    body = clean_body(body)
    if seller_order is not None:
        if not topic.about_order:
            raise InvalidValue(f"topic {topic.code} is not about an order")
        if seller_order.customer_order.customer_id != customer.id:
            raise NotAllowed("this order is not yours")
        if seller_order.seller_id != seller.id:
            raise InvalidValue("this order was not sold by this seller")
    elif offer is not None:
        if not topic.about_offer:
            raise InvalidValue(f"topic {topic.code} is not about a product")
        if offer.seller_id != seller.id:
            raise InvalidValue("this offer is not sold by this seller")
    else:
        raise InvalidValue("a thread is about an order or an offer")
    at = at or utcnow()
    thread = Thread(
        topic=topic,
        subject=(subject.strip() or topic.label)[:200],
        model=RelationsModel(preferences.get(session, "relations_model")),
        customer_id=customer.id,
        seller_id=seller.id,
        seller_order_id=seller_order.id if seller_order else None,
        offer_id=offer.id if offer else None,
        last_message_at=at,
    )
    session.add(thread)
    session.flush()
    _add_message(session, thread, customer, ActorRole.CUSTOMER, body, None, at)
    return thread


def role_in(thread: Thread, user: User) -> ActorRole:
    """The part ``user`` plays in ``thread``; NotAllowed if they have none (never leak it)."""
    if user.role == Role.OPERATOR:
        return ActorRole.OPERATOR
    if user.role == Role.CUSTOMER and thread.customer_id == user.id:
        return ActorRole.CUSTOMER
    if user.role == Role.SELLER and thread.seller_id == user.seller_id:
        return ActorRole.SELLER
    raise NotAllowed("this conversation is not yours")


@atomic
def post_message(
    session: Session,
    thread: Thread,
    author: User,
    body: str,
    *,
    to: ActorRole | None = None,
    at: datetime | None = None,
) -> Message:
    """Add a message. In the mediated model the operator says whom it writes to (``to``)."""
    role = role_in(thread, author)
    body = clean_body(body)
    if thread.status == ThreadStatus.CLOSED:
        raise InvalidTransition("this conversation is closed")
    return _add_message(session, thread, author, role, body, to, at or utcnow())


def _add_message(session, thread, author, role, body, to, at) -> Message:
    to_customer, to_seller = _visibility(thread, role, to)
    message = Message(
        thread=thread,
        author_id=author.id,
        author_role=role,
        body=body,
        visible_to_customer=to_customer,
        visible_to_seller=to_seller,
        created_at=at,
    )
    thread.last_message_at = at
    session.add(message)
    session.flush()
    _read_up_to(session, thread, author, message.id)
    return message


def _visibility(thread: Thread, role: ActorRole, to: ActorRole | None) -> tuple[bool, bool]:
    if thread.model == RelationsModel.DIRECT:
        return True, True
    if role == ActorRole.CUSTOMER:
        return True, False
    if role == ActorRole.SELLER:
        return False, True
    if to not in (ActorRole.CUSTOMER, ActorRole.SELLER):
        raise InvalidValue("say whom the message is for: the customer or the seller")
    return to == ActorRole.CUSTOMER, to == ActorRole.SELLER


def visible_messages(session: Session, thread: Thread, role: ActorRole) -> list[Message]:
    query = select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
    if role == ActorRole.CUSTOMER:
        query = query.where(Message.visible_to_customer.is_(True))
    elif role == ActorRole.SELLER:
        query = query.where(Message.visible_to_seller.is_(True))
    return list(session.scalars(query))


@atomic
def escalate(session: Session, thread: Thread, operator: User) -> Thread:
    """The operator takes a discussion over as a claim (Octopia's Discussion → Claim)."""
    if operator.role != Role.OPERATOR:
        raise NotAllowed("only the shop's customer service escalates a conversation")
    if thread.kind == ThreadKind.CLAIM:
        raise InvalidTransition("this conversation is already a claim")
    thread.kind = ThreadKind.CLAIM
    session.flush()
    return thread


@atomic
def close_thread(session: Session, thread: Thread, user: User) -> Thread:
    role_in(thread, user)
    if thread.status == ThreadStatus.CLOSED:
        raise InvalidTransition("this conversation is already closed")
    thread.status = ThreadStatus.CLOSED
    session.flush()
    return thread


@atomic
def mark_read(session: Session, thread: Thread, user: User) -> None:
    role = role_in(thread, user)
    last = visible_messages(session, thread, role)
    if last:
        _read_up_to(session, thread, user, last[-1].id)


def _read_up_to(session: Session, thread: Thread, user: User, message_id: int) -> None:
    read = session.scalar(
        select(ThreadRead).where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
    )
    if read is None:
        session.add(ThreadRead(thread_id=thread.id, user_id=user.id, last_read_message_id=message_id))
    elif message_id > read.last_read_message_id:
        read.last_read_message_id = message_id
    session.flush()


def unread_count(session: Session, thread: Thread, user: User) -> int:
    role = role_in(thread, user)
    last_read = session.scalar(
        select(ThreadRead.last_read_message_id).where(
            ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id
        )
    ) or 0
    query = select(func.count(Message.id)).where(
        Message.thread_id == thread.id, Message.id > last_read
    )
    if role == ActorRole.CUSTOMER:
        query = query.where(Message.visible_to_customer.is_(True))
    elif role == ActorRole.SELLER:
        query = query.where(Message.visible_to_seller.is_(True))
    return session.scalar(query) or 0
