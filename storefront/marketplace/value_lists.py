"""Value lists (the choices of LIST attributes) as the operator edits them: create a list, add,
rename or remove its values. Every write is audited.

A value that products use cannot be removed: their attribute would silently lose its value (a
REQUIRED one would leave them invalid). The operator changes those products first.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from . import operator_audit, reference
from .errors import DomainError, InvalidValue, NotFound
from .models import Attribute, ProductAttributeValue, User, ValueList, ValueListItem
from .refusals import Refusal
from .unit_of_work import atomic

MAX_ID = 2**31 - 1


def all_lists(session: Session) -> list[ValueList]:
    return list(session.scalars(select(ValueList).order_by(ValueList.label).options(selectinload(ValueList.items))))


def get(session: Session, list_id: int) -> ValueList:
    found = session.get(ValueList, list_id) if 0 < list_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"no value list {list_id}")
    return found


def usage(session: Session, value_list: ValueList) -> dict[int, int]:
    """{item id: number of products using it}, one query."""
    return dict(session.execute(
        select(ProductAttributeValue.item_id, func.count())
        .join(ValueListItem, ValueListItem.id == ProductAttributeValue.item_id)
        .where(ValueListItem.value_list_id == value_list.id)
        .group_by(ProductAttributeValue.item_id)
    ).all())


def attributes_using(session: Session, value_list: ValueList) -> list[Attribute]:
    return list(session.scalars(select(Attribute).where(Attribute.value_list_id == value_list.id)))


@atomic
def create(session: Session, actor: User, *, code: str, label: str) -> ValueList:
    label = _label(label)
    code = _code(code)
    if session.scalar(select(ValueList.id).where(ValueList.code == code)) is not None:
        raise InvalidValue(f"value list {code} already exists", reason=Refusal.VALUE_TAKEN, field="code")
    value_list = ValueList(code=code, label=label)
    session.add(value_list)
    session.flush()
    operator_audit.record(session, actor, "value_list.created", value_list, after={"code": code, "label": label},
                          summary=label)
    return value_list


@atomic
def add_value(session: Session, actor: User, value_list: ValueList, *, code: str, label: str,
              label_en: str = "") -> ValueListItem:
    code, label, label_en = _code(code), _label(label), _label(label_en, required=False)
    if any(item.code == code for item in value_list.items):
        raise InvalidValue(f"{code} is already in {value_list.code}", reason=Refusal.VALUE_TAKEN, field="code")
    item = ValueListItem(code=code, label=label, label_en=label_en,
                         position=max((i.position for i in value_list.items), default=-1) + 1)
    value_list.items.append(item)
    session.flush()
    operator_audit.record(session, actor, "value_list.value_added", value_list,
                          after={"code": code, "label": label, "label_en": label_en}, summary=value_list.label)
    return item


@atomic
def rename_value(session: Session, actor: User, value_list: ValueList, item_id: int, *, label: str,
                 label_en: str = "") -> ValueListItem:
    item = _item(value_list, item_id)
    before = operator_audit.snapshot(item, ["label", "label_en"])
    item.label, item.label_en = _label(label), _label(label_en, required=False)
    session.flush()
    old, new = operator_audit.changes(before, {"label": item.label, "label_en": item.label_en})
    if new:
        operator_audit.record(session, actor, "value_list.value_renamed", value_list, before={"code": item.code, **old},
                              after={"code": item.code, **new}, summary=value_list.label)
    return item


@atomic
def remove_value(session: Session, actor: User, value_list: ValueList, item_id: int) -> None:
    item = _item(value_list, item_id)
    used = session.scalar(select(func.count()).where(ProductAttributeValue.item_id == item.id)) or 0
    if used:
        raise InvalidValue(f"{item.code} is used by {used} products", reason=Refusal.VALUE_IN_USE, count=used)
    operator_audit.record(session, actor, "value_list.value_removed", value_list,
                          before={"code": item.code, "label": item.label}, summary=value_list.label)
    value_list.items.remove(item)
    session.delete(item)
    session.flush()


def _item(value_list: ValueList, item_id: int) -> ValueListItem:
    item = next((i for i in value_list.items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"no value {item_id} in {value_list.code}")
    return item


def _code(code: str) -> str:
    try:
        return reference._code(code, "code")
    except DomainError as error:
        raise InvalidValue(error.message, reason=Refusal.VALUE_CODE, field="code") from None


def _label(value: str, *, required: bool = True) -> str:
    value = " ".join((value or "").replace("\x00", "").split())
    if (required and not value) or len(value) > 120:
        raise InvalidValue("a label is 1 to 120 characters", reason=Refusal.VALUE_LABEL, field="label")
    return value
