"""Discussions domain: threads between a customer, a seller and the operator.

Two customer-relations models (a shop preference, fixed on each thread when it opens):

- DIRECT: customer and seller write to each other; the operator reads all and may step in.
- MEDIATED: the customer writes to the shop's customer service; the operator answers, or
  forwards to the seller; the seller answers the operator. Each message is therefore visible to
  the customer side, the seller side, or both, and the customer never sees the seller's words
  (nor the seller the customer's) unless the operator relays them (:func:`forward_message`).

Every new message is emailed (outbox, same transaction) to the people it is for: the customer,
the seller's staff, or the shop's customer service (in the mediated model, on claims, and for
the retailer's own orders), except to its author and to whoever turned message emails off
(``User.message_emails``). The email carries the message and a link to the thread, never anyone's
email address. Unread counts never include a participant's own side's messages.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from storefront.settings import LOCALES

from . import accounts, outbox, preferences, webhooks
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
from .refusals import Refusal
from .unit_of_work import atomic

MAX_MESSAGE_LENGTH = 5_000
MESSAGE_EMAIL = "new_message"


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
    # Control characters other than line breaks and tabs have no place in a message (and a NUL
    # byte is refused by PostgreSQL): dropped, like a mail client would.
    body = "".join(ch for ch in body if ch in "\n\t" or not _is_control(ch)).strip()
    if not body:
        raise InvalidValue("a message cannot be empty", reason=Refusal.EMPTY)
    if len(body) > MAX_MESSAGE_LENGTH:
        raise InvalidValue(
            f"a message is at most {MAX_MESSAGE_LENGTH:,} characters ({len(body):,} given)",
            reason=Refusal.TOO_LONG,
            length=len(body),
        )
    return body


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")


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
    accounts.require_confirmed_email(customer)
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
        message_type=topic.message_type,  # the topic's marketplace type, as mapped today
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
    if role == ActorRole.CUSTOMER:
        accounts.require_confirmed_email(author)
    if role == ActorRole.SELLER and not _seller_can_see(session, thread):
        # Mediated, and customer service has not brought the seller in yet.
        raise NotAllowed("this conversation is not yours")
    body = clean_body(body)
    if thread.status == ThreadStatus.CLOSED:
        raise InvalidTransition("this conversation is closed", reason=Refusal.CLOSED)
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
    _notify(session, thread, message)
    if to_seller:  # a note between the customer and the operator is none of the seller's business
        webhooks.record_event(
            session, "message.created", thread.seller_id, lambda: webhooks.message_data(thread, message), at=at
        )
    return message


def _visibility(thread: Thread, role: ActorRole, to: ActorRole | None) -> tuple[bool, bool]:
    if thread.model == RelationsModel.DIRECT:
        return True, True
    if role == ActorRole.CUSTOMER:
        return True, False
    if role == ActorRole.SELLER:
        return False, True
    if to not in (ActorRole.CUSTOMER, ActorRole.SELLER):
        raise InvalidValue(
            "say whom the message is for: the customer or the seller", reason=Refusal.RECIPIENT
        )
    return to == ActorRole.CUSTOMER, to == ActorRole.SELLER


def visible_messages(session: Session, thread: Thread, role: ActorRole) -> list[Message]:
    query = select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
    if role == ActorRole.CUSTOMER:
        query = query.where(Message.visible_to_customer.is_(True))
    elif role == ActorRole.SELLER:
        query = query.where(Message.visible_to_seller.is_(True))
    return list(session.scalars(query))


class ThreadAction(enum.StrEnum):
    """What can be done in a conversation."""

    REPLY = "reply"
    FORWARD = "forward"  # mediated: customer service passes a customer's message to the seller
    ESCALATE = "escalate"  # customer service takes the discussion over as a claim
    CLOSE = "close"


def available_actions(thread: Thread, role: ActorRole) -> tuple[ThreadAction, ...]:
    """What ``role`` (CUSTOMER, SELLER or OPERATOR, a participant) may do in ``thread`` now: a
    closed conversation is only read; customer service forwards in the mediated model and
    escalates a discussion that is not a claim yet."""
    role = ActorRole(role)
    if thread.status != ThreadStatus.OPEN:
        return ()
    operator = role == ActorRole.OPERATOR
    allowed = {
        ThreadAction.REPLY: True,
        ThreadAction.FORWARD: operator and thread.model == RelationsModel.MEDIATED,
        ThreadAction.ESCALATE: operator and thread.kind != ThreadKind.CLAIM,
        ThreadAction.CLOSE: True,
    }
    return tuple(action for action in ThreadAction if allowed[action])


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


def last_read(session: Session, thread: Thread, user: User) -> int:
    """The id of the last message ``user`` has read in ``thread`` (0 when none)."""
    return session.scalar(
        select(ThreadRead.last_read_message_id).where(
            ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id
        )
    ) or 0


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
    """Messages of the other sides that ``user`` can see and has not read yet."""
    role_in(thread, user)
    return unread_counts(session, user, [thread.id]).get(thread.id, 0)


def unread_counts(session: Session, user: User, thread_ids: list[int]) -> dict[int, int]:
    """Unread messages per thread, for a page of threads, in one query."""
    if not thread_ids:
        return {}
    role = _side(user)
    query = (
        _unread_messages(user, role)
        .with_only_columns(Message.thread_id, func.count(Message.id))
        .where(Message.thread_id.in_(thread_ids))
        .group_by(Message.thread_id)
    )
    return dict(session.execute(query).all())


def unread_total(session: Session, user: User) -> int:
    """Unread messages across every thread of ``user`` (the header's and the portal's badge).

    An operator counts the threads that wait for customer service: mediated ones, claims, and
    those about the retailer's own orders; direct threads are theirs to read, not to answer.
    """
    role = _side(user)
    if role is None:
        return 0
    query = _unread_messages(user, role).with_only_columns(func.count(Message.id))
    return session.scalar(query) or 0


def _side(user: User) -> ActorRole | None:
    if user.role == Role.CUSTOMER:
        return ActorRole.CUSTOMER
    if user.role == Role.SELLER and user.seller_id is not None:
        return ActorRole.SELLER
    if user.role == Role.OPERATOR:
        return ActorRole.OPERATOR
    return None


def _unread_messages(user: User, role: ActorRole):
    """SELECT … FROM message of ``user``'s threads, after what they read, not of their side."""
    return (
        select(Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(_threads_of(user, role), *_unread_where(user, role))
    )


def _unread_where(user: User, role: ActorRole) -> tuple:
    """A message is unread by ``user``: visible to their side, of another side, after what they
    read."""
    read = (
        select(ThreadRead.last_read_message_id)
        .where(ThreadRead.thread_id == Message.thread_id, ThreadRead.user_id == user.id)
        .scalar_subquery()
    )
    return (_visible_to(role), Message.author_role != role, Message.id > func.coalesce(read, 0))


def _threads_of(user: User, role: ActorRole):
    if role == ActorRole.CUSTOMER:
        return Thread.customer_id == user.id
    if role == ActorRole.SELLER:
        return Thread.seller_id == user.seller_id
    return or_(
        Thread.model == RelationsModel.MEDIATED,
        Thread.kind == ThreadKind.CLAIM,
        Thread.seller_id.in_(select(Seller.id).where(Seller.is_operator.is_(True))),
    )


def _visible_to(role: ActorRole):
    if role == ActorRole.CUSTOMER:
        return Message.visible_to_customer.is_(True)
    if role == ActorRole.SELLER:
        return Message.visible_to_seller.is_(True)
    return true()


# -- finding threads ----------------------------------------------------------------------------


def get_thread(session: Session, thread_id: int, user: User) -> Thread:
    """A thread ``user`` takes part in. Someone else's thread, or one a seller cannot see yet
    (mediated, nothing forwarded), is NotFound: its existence is not given away."""
    thread = session.get(Thread, thread_id) if 0 < thread_id < 2**31 else None
    if thread is None:
        raise NotFound(f"no conversation {thread_id}")
    try:
        role = role_in(thread, user)
    except NotAllowed:
        raise NotFound(f"no conversation {thread_id}") from None
    if role == ActorRole.SELLER and not _seller_can_see(session, thread):
        raise NotFound(f"no conversation {thread_id}")
    return thread


def _seller_can_see(session: Session, thread: Thread) -> bool:
    return session.scalar(
        select(Message.id)
        .where(Message.thread_id == thread.id, Message.visible_to_seller.is_(True))
        .limit(1)
    ) is not None


def threads_for(
    session: Session,
    user: User,
    *,
    status: ThreadStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Thread]:
    """The threads ``user`` takes part in, latest activity first (all of them for an operator)."""
    role = _side(user)
    if role is None:
        return []
    query = select(Thread).options(joinedload(Thread.topic))
    query = _scoped(query, user, role, status)
    query = query.order_by(Thread.last_message_at.desc(), Thread.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def _scoped(query, user: User, role: ActorRole, status: ThreadStatus | None):
    """``query`` narrowed to the threads ``user`` may list: a customer's own, a seller's with a
    message it may see, every thread for the operator; and to ``status`` if given."""
    if role == ActorRole.CUSTOMER:
        query = query.where(Thread.customer_id == user.id)
    elif role == ActorRole.SELLER:
        query = query.where(
            Thread.seller_id == user.seller_id,
            Thread.id.in_(select(Message.thread_id).where(Message.visible_to_seller.is_(True))),
        )
    if status is not None:
        query = query.where(Thread.status == ThreadStatus(status))
    return query


def thread_page(
    session: Session,
    user: User,
    *,
    status: ThreadStatus | None = None,
    after: tuple[bool, datetime, int] | None = None,
    limit: int = 50,
) -> list[tuple[Thread, bool]]:
    """The threads of :func:`threads_for` with unread ones first, then latest activity first,
    each with whether it has unread messages; ``after`` is the (unread, last_message_at, id) of
    the last thread of the previous page (keyset pagination)."""
    role = _side(user)
    if role is None:
        return []
    has_unread = select(Message.id).where(Message.thread_id == Thread.id, *_unread_where(user, role))
    unread = case((and_(_threads_of(user, role), has_unread.exists()), 1), else_=0)
    query = select(Thread, unread).options(joinedload(Thread.topic))
    query = _scoped(query, user, role, status)
    if after is not None:
        was_unread, moment, thread_id = after
        flag = 1 if was_unread else 0
        query = query.where(
            or_(
                unread < flag,
                and_(
                    unread == flag,
                    or_(
                        Thread.last_message_at < moment,
                        and_(Thread.last_message_at == moment, Thread.id < thread_id),
                    ),
                ),
            )
        )
    query = query.order_by(unread.desc(), Thread.last_message_at.desc(), Thread.id.desc())
    return [(thread, bool(flag)) for thread, flag in session.execute(query.limit(limit))]


def all_threads(
    session: Session,
    *,
    model: RelationsModel | None = None,
    kind: ThreadKind | None = None,
    status: ThreadStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Thread]:
    """Every thread, for the operator, latest activity first."""
    query = select(Thread).options(joinedload(Thread.topic))
    if model is not None:
        query = query.where(Thread.model == RelationsModel(model))
    if kind is not None:
        query = query.where(Thread.kind == ThreadKind(kind))
    if status is not None:
        query = query.where(Thread.status == ThreadStatus(status))
    query = query.order_by(Thread.last_message_at.desc(), Thread.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def threads_about(session: Session, seller_order: SellerOrder, user: User) -> list[Thread]:
    """The threads about one seller order that ``user`` can open."""
    threads = session.scalars(
        select(Thread)
        .where(Thread.seller_order_id == seller_order.id)
        .options(joinedload(Thread.topic))
        .order_by(Thread.id)
    )
    visible = []
    for thread in threads:
        try:
            visible.append(get_thread(session, thread.id, user))
        except NotFound:
            continue
    return visible


def awaiting_reply(session: Session, user: User, *, limit: int = 20) -> list[Thread]:
    """Open threads whose latest message ``user``'s side can see comes from another side: the
    ones waiting for an answer (the seller dashboard's "unanswered messages")."""
    role = _side(user)
    if role is None:
        return []
    latest = (
        select(Message.thread_id, func.max(Message.id).label("last_id"))
        .where(_visible_to(role))
        .group_by(Message.thread_id)
        .subquery()
    )
    query = (
        select(Thread)
        .join(latest, latest.c.thread_id == Thread.id)
        .join(Message, Message.id == latest.c.last_id)
        .where(
            _threads_of(user, role),
            Thread.status == ThreadStatus.OPEN,
            Message.author_role != role,
        )
        .options(joinedload(Thread.topic))
        .order_by(Thread.last_message_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def topics(session: Session, *, about_order: bool = False, about_offer: bool = False) -> list[DiscussionTopic]:
    """The store's typology, in its order: topics about an order, or about a product."""
    query = select(DiscussionTopic).order_by(DiscussionTopic.position, DiscussionTopic.id)
    if about_order:
        query = query.where(DiscussionTopic.about_order.is_(True))
    if about_offer:
        query = query.where(DiscussionTopic.about_offer.is_(True))
    return list(session.scalars(query))


# -- the operator between the parties -----------------------------------------------------------


@atomic
def forward_message(
    session: Session,
    thread: Thread,
    message: Message,
    operator: User,
    *,
    note: str = "",
    at: datetime | None = None,
) -> Message:
    """Mediated model: customer service passes a customer's message on to the seller, quoted,
    after its own note if any. The seller sees it as coming from customer service."""
    if operator.role != Role.OPERATOR:
        raise NotAllowed("only the shop's customer service forwards a message")
    if message.thread_id != thread.id or message.author_role != ActorRole.CUSTOMER:
        raise InvalidValue("only a message of the customer in this conversation is forwarded")
    quoted = "\n".join(f"> {line}" if line else ">" for line in message.body.splitlines())
    body = f"{note.strip()}\n\n{quoted}" if note and note.strip() else quoted
    return post_message(session, thread, operator, body[:MAX_MESSAGE_LENGTH], to=ActorRole.SELLER, at=at)


@atomic
def set_message_emails(session: Session, user: User, enabled: bool) -> User:
    """Turn the emails about new messages on or off for ``user``."""
    if not isinstance(enabled, bool):
        raise InvalidValue(f"message emails are on or off, not {enabled!r}")
    user.message_emails = enabled
    session.flush()
    return user


# -- notifications ------------------------------------------------------------------------------


def recipients(session: Session, thread: Thread, message: Message) -> list[tuple[User, ActorRole]]:
    """Who is emailed about ``message``, and as which side (the link depends on it)."""
    found: list[tuple[User, ActorRole]] = []
    if message.visible_to_customer and message.author_role != ActorRole.CUSTOMER:
        customer = session.get(User, thread.customer_id)
        if customer is not None:
            found.append((customer, ActorRole.CUSTOMER))
    seller = session.get(Seller, thread.seller_id)
    if message.visible_to_seller and message.author_role != ActorRole.SELLER:
        staff = session.scalars(
            select(User)
            .where(User.role == Role.SELLER, User.seller_id == thread.seller_id)
            .order_by(User.id)
        )
        found.extend((user, ActorRole.SELLER) for user in staff)
    for_operator = (
        thread.model == RelationsModel.MEDIATED
        or thread.kind == ThreadKind.CLAIM
        or (seller is not None and seller.is_operator)
    )
    if for_operator and message.author_role != ActorRole.OPERATOR:
        operators = session.scalars(
            select(User).where(User.role == Role.OPERATOR).order_by(User.id)
        )
        found.extend((user, ActorRole.OPERATOR) for user in operators)
    return [
        (user, role)
        for user, role in found
        if user.active and user.message_emails and user.id != message.author_id
    ]


def author_label(session: Session, thread: Thread, message: Message, reader: ActorRole) -> dict:
    """How a message's author is named to ``reader``: a role and a name, never an address."""
    if message.author_role == ActorRole.OPERATOR:
        return {"role": ActorRole.OPERATOR.value, "name": ""}
    if message.author_role == ActorRole.SELLER:
        seller = session.get(Seller, thread.seller_id)
        return {"role": ActorRole.SELLER.value, "name": seller.name if seller else ""}
    customer = session.get(User, thread.customer_id)
    return {"role": ActorRole.CUSTOMER.value, "name": customer_name(customer)}


def customer_name(customer: User | None) -> str:
    """``Camille M.``: enough for a seller to answer politely; never the email address, which is
    what an account without a name would otherwise show."""
    if customer is None or not customer.name.strip():
        return ""
    first, *rest = customer.name.split()
    return f"{first} {rest[-1][0]}." if rest else first


def _notify(session: Session, thread: Thread, message: Message) -> None:
    people = recipients(session, thread, message)
    if not people:
        return
    seller = session.get(Seller, thread.seller_id)
    seller_order = session.get(SellerOrder, thread.seller_order_id) if thread.seller_order_id else None
    offer = session.get(Offer, thread.offer_id) if thread.offer_id else None
    for user, role in people:
        locale = user.locale if user.locale in LOCALES else LOCALES[0]
        outbox.record_email(
            session,
            to=user.email,
            template=MESSAGE_EMAIL,
            context={
                "thread": {"id": thread.id, "subject": thread.subject},
                "message": {"body": message.body},
                "thread_url": outbox.link("thread", id=thread.id, role=role.value),
                "recipient_role": role.value,
                "recipient_name": user.name,
                "author": author_label(session, thread, message, role),
                "seller_name": seller.name if seller else "",
                # The customer of a mediated thread deals with the shop, not with a seller.
                "show_seller": not (role == ActorRole.CUSTOMER and thread.model == RelationsModel.MEDIATED),
                "order_number": (
                    ""
                    if seller_order is None
                    else seller_order.customer_order.number
                    if role == ActorRole.CUSTOMER
                    else seller_order.number
                ),
                "product_title": offer.product.title if offer else "",
                "topic": thread.topic.label_for(locale),
            },
            locale=locale,
            kind=MESSAGE_EMAIL,
        )
