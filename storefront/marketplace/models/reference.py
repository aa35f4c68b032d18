"""Reference domain: category tree, attributes with requirement levels, value lists, brands."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class CategoryKind(enum.StrEnum):
    STANDARD = "STANDARD"
    EVENT = "EVENT"  # seasonal or promotional shelf shown on the home page (Black Friday, soldes)


class Category(Base):
    """A node of the category tree. ``path`` is the materialised chain of ids (``/1/4/17/``) so a
    whole subtree is one indexed prefix query."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    slug: Mapped[str] = mapped_column(String(140), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    level: Mapped[int] = mapped_column(default=1)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CategoryKind] = mapped_column(
        Enum(CategoryKind, native_enum=False, length=10), default=CategoryKind.STANDARD
    )

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )
    attribute_links: Mapped[list[CategoryAttribute]] = relationship(
        back_populates="category", order_by="CategoryAttribute.position"
    )

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


class AttributeType(enum.StrEnum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    BOOLEAN = "BOOLEAN"
    LIST = "LIST"  # one value from the attribute's value list


class RequirementLevel(enum.StrEnum):
    REQUIRED = "REQUIRED"
    RECOMMENDED = "RECOMMENDED"
    OPTIONAL = "OPTIONAL"


class ValueList(Base):
    __tablename__ = "value_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))

    items: Mapped[list[ValueListItem]] = relationship(
        back_populates="value_list", order_by="ValueListItem.position"
    )


class ValueListItem(Base):
    __tablename__ = "value_list_item"
    __table_args__ = (UniqueConstraint("value_list_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value_list_id: Mapped[int] = mapped_column(ForeignKey("value_list.id"))
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)

    value_list: Mapped[ValueList] = relationship(back_populates="items")

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class Attribute(Base):
    __tablename__ = "attribute"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    type: Mapped[AttributeType] = mapped_column(Enum(AttributeType, native_enum=False, length=10))
    unit: Mapped[str] = mapped_column(String(20), default="")
    value_list_id: Mapped[int | None] = mapped_column(ForeignKey("value_list.id"))
    variant_axis: Mapped[bool] = mapped_column(default=False)
    facetable: Mapped[bool] = mapped_column(default=True)

    value_list: Mapped[ValueList | None] = relationship()

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class CategoryAttribute(Base):
    """An attribute asked for products of a category (and inherited by its subcategories)."""

    __tablename__ = "category_attribute"
    __table_args__ = (UniqueConstraint("category_id", "attribute_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id"), index=True)
    requirement: Mapped[RequirementLevel] = mapped_column(
        Enum(RequirementLevel, native_enum=False, length=12), default=RequirementLevel.OPTIONAL
    )
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category] = relationship(back_populates="attribute_links")
    attribute: Mapped[Attribute] = relationship()


class Brand(Base):
    __tablename__ = "brand"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
