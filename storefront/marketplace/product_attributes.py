"""The one rule for a product's attribute values, whoever writes them (``catalog.create_product``
for imports, the demo and tests; ``product_editing`` for the back office).

A category asks for attributes (its own and its ancestors', ``reference.attributes_for``), each
REQUIRED, RECOMMENDED or OPTIONAL. A value must fit its attribute's type: an item code of its
value list, a whole number, a number, yes/no, or a short text. Values typed in a form arrive as
text ("9", "8,5", "true"), values from code as Python numbers and booleans: both are accepted
here, so no caller converts on its own. Every problem is reported at once, by attribute code
(:class:`AttributeErrors`), so a form can show each one beside its field; a missing RECOMMENDED
value is not an error, only listed in :attr:`CheckedValues.missing_recommended`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from . import reference
from .errors import InvalidValue
from .models import (
    Attribute,
    AttributeType,
    Category,
    CategoryAttribute,
    ProductAttributeValue,
    RequirementLevel,
)
from .refusals import Refusal

MAX_TEXT = 250
_INTEGER = re.compile(r"-?\d{1,15}")
_DECIMAL = re.compile(r"-?\d{1,15}(?:[.,]\d{1,6})?")
_YES = frozenset({"true", "1", "yes", "oui", "on"})
_NO = frozenset({"false", "0", "no", "non", "off"})


@dataclass(frozen=True)
class AttributeProblem:
    code: str  # the attribute's code ("" when the problem is about several)
    reason: Refusal
    message: str  # English, for logs and the API


class AttributeErrors(InvalidValue):
    """One or more attribute values are refused; ``problems`` says which and why."""

    def __init__(self, problems: list[AttributeProblem]):
        super().__init__("; ".join(p.message for p in problems), reason=problems[0].reason,
                         field="attributes", problems=problems)
        self.problems = problems

    def by_code(self) -> dict[str, AttributeProblem]:
        return {p.code: p for p in self.problems}


@dataclass
class Value:
    """A checked value, ready to store: exactly one of ``item``, ``number``, ``text`` is set."""

    attribute: Attribute
    item: object = None
    number: float | None = None
    text: str | None = None


@dataclass
class CheckedValues:
    values: list[Value] = field(default_factory=list)
    missing_recommended: list[str] = field(default_factory=list)


def links_for(session: Session, category: Category) -> list[CategoryAttribute]:
    """The category's attributes with their requirement level (inherited ones included)."""
    return reference.attributes_for(session, category)


def check(session: Session, category: Category, given: Mapping[str, object]) -> CheckedValues:
    """Check ``given`` ({attribute code: value}; None or "" means no value) against what
    ``category`` asks. Raises :class:`AttributeErrors` listing every problem."""
    links = {link.attribute.code: link for link in links_for(session, category)}
    problems: list[AttributeProblem] = []
    unknown = sorted(code for code in given if code not in links and not _empty(given[code]))
    if unknown:
        problems.append(AttributeProblem(
            unknown[0], Refusal.ATTRIBUTE_UNKNOWN,
            f"attribute(s) {', '.join(unknown)} do not apply to category {category.code}",
        ))
    missing = sorted(code for code, link in links.items()
                     if link.requirement == RequirementLevel.REQUIRED and _empty(given.get(code)))
    problems += [AttributeProblem(code, Refusal.ATTRIBUTE_REQUIRED, f"required attribute(s) missing: {code}")
                 for code in missing]
    checked = CheckedValues(missing_recommended=sorted(
        code for code, link in links.items()
        if link.requirement == RequirementLevel.RECOMMENDED and _empty(given.get(code))
    ))
    for code, raw in given.items():
        if code not in links or _empty(raw):
            continue
        try:
            checked.values.append(_value(links[code].attribute, raw))
        except _Bad as bad:
            problems.append(AttributeProblem(code, bad.reason, bad.message))
    if problems:
        raise AttributeErrors(problems)
    return checked


def rows(checked: CheckedValues) -> list[ProductAttributeValue]:
    """New rows for a new product."""
    return [apply(ProductAttributeValue(attribute=value.attribute), value) for value in checked.values]


def apply(row: ProductAttributeValue, value: Value) -> ProductAttributeValue:
    row.item, row.number_value, row.text_value = value.item, value.number, value.text
    return row


def as_text(row: ProductAttributeValue) -> str:
    """A stored value as a form shows it (the inverse of what :func:`check` accepts)."""
    kind = row.attribute.type
    if kind == AttributeType.LIST:
        return row.item.code if row.item is not None else ""
    if kind == AttributeType.BOOLEAN:
        return "" if row.number_value is None else ("true" if row.number_value else "false")
    if kind == AttributeType.INTEGER:
        return "" if row.number_value is None else str(int(row.number_value))
    if kind == AttributeType.DECIMAL:
        return "" if row.number_value is None else f"{row.number_value:g}".replace(".", ",")
    return row.text_value or ""


class _Bad(Exception):
    def __init__(self, reason: Refusal, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


def _empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _value(attribute: Attribute, raw: object) -> Value:
    code = attribute.code
    kind = attribute.type
    text = raw.strip() if isinstance(raw, str) else None
    if kind == AttributeType.LIST:
        item = next((i for i in attribute.value_list.items if i.code == raw or i.code == text), None)
        if item is None:
            raise _Bad(Refusal.ATTRIBUTE_NOT_IN_LIST, f"{raw!r} is not a value of {code}")
        return Value(attribute, item=item)
    if kind == AttributeType.INTEGER:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return Value(attribute, number=float(raw))
        if text is not None and _INTEGER.fullmatch(text):
            return Value(attribute, number=float(int(text)))
        raise _Bad(Refusal.ATTRIBUTE_INTEGER, f"{code} takes a whole number, not {raw!r}")
    if kind == AttributeType.DECIMAL:
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            return Value(attribute, number=float(raw))
        if text is not None and _DECIMAL.fullmatch(text):
            return Value(attribute, number=float(text.replace(",", ".")))
        raise _Bad(Refusal.ATTRIBUTE_NUMBER, f"{code} takes a number, not {raw!r}")
    if kind == AttributeType.BOOLEAN:
        if isinstance(raw, bool):
            return Value(attribute, number=1.0 if raw else 0.0)
        # Text only from a form's yes/no choice ("true"/"false"); anything else is a typo.
        if text in ("true", "false"):
            return Value(attribute, number=1.0 if text == "true" else 0.0)
        raise _Bad(Refusal.ATTRIBUTE_BOOLEAN, f"{code} takes yes or no, not {raw!r}")
    value = " ".join(str(raw).split())
    if len(value) > MAX_TEXT:
        raise _Bad(Refusal.ATTRIBUTE_TOO_LONG, f"{code} has at most {MAX_TEXT} characters")
    if "\x00" in value:
        raise _Bad(Refusal.ATTRIBUTE_TOO_LONG, f"{code} holds a NUL character")
    return Value(attribute, text=value)
