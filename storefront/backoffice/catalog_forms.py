"""Forms of the back office's catalog pages (products, categories, value lists, brands).

They only shape what was typed; the rules (GTIN, attributes per category, cycles, values in
use…) are the services' (storefront/marketplace/product_editing.py and its neighbours). The
attribute inputs of a product are not WTForms fields: which ones exist depends on the category
chosen, so the view reads them as ``attr-<code>`` and the service checks them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from storefront.marketplace.models import RequirementLevel
from storefront.web.forms import one_line


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def _id_or_none(value):
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 11 else None


class ProductForm(FlaskForm):
    gtin = StringField(_l("GTIN (EAN)"), filters=[one_line],
                       validators=[InputRequired(_l("Enter the GTIN.")), Length(max=14)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
    title = StringField(_l("Title"), filters=[one_line],
                        validators=[InputRequired(_l("Give the product a title.")), Length(max=250)])
    brand = StringField(_l("Brand"), filters=[one_line], validators=[Optional(), Length(max=120)],
                        description=_l("A new name creates the brand."), render_kw={"list": "brands"})
    category = SelectField(_l("Category"), coerce=_id_or_none, validate_choice=False,
                           validators=[InputRequired(_l("Choose a category."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)],
                                render_kw={"rows": 6})


class ImageForm(FlaskForm):
    image = FileField(_l("Image (JPEG, PNG or WebP, at most 8 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    alt = StringField(_l("Alternative text"), filters=[one_line], validators=[Optional(), Length(max=250)],
                      description=_l("What the image shows, for people who cannot see it."))


class ActiveForm(FlaskForm):
    active = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that posts (delete, remove): the CSRF token and nothing else."""


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), filters=[one_line], validators=[InputRequired(_l("Enter a code.")), Length(max=60)])
    label = StringField(_l("Label (French)"), filters=[one_line],
                        validators=[InputRequired(_l("Enter a label.")), Length(max=120)])
    label_en = StringField(_l("Label (English)"), filters=[one_line], validators=[Optional(), Length(max=120)])
    parent = SelectField(_l("Parent"), coerce=_id_or_none, validate_choice=False)


class RenameCategoryForm(FlaskForm):
    label = StringField(_l("Label (French)"), filters=[one_line],
                        validators=[InputRequired(_l("Enter a label.")), Length(max=120)])
    label_en = StringField(_l("Label (English)"), filters=[one_line], validators=[Optional(), Length(max=120)])


class MoveCategoryForm(FlaskForm):
    parent = SelectField(_l("Move under"), coerce=_id_or_none, validate_choice=False)


REQUIREMENT_CHOICES = [
    (RequirementLevel.REQUIRED.value, _l("Required")),
    (RequirementLevel.RECOMMENDED.value, _l("Recommended")),
    (RequirementLevel.OPTIONAL.value, _l("Optional")),
]


class AttachAttributeForm(FlaskForm):
    attribute = SelectField(_l("Attribute"), coerce=_id_or_none, validate_choice=False,
                            validators=[InputRequired(_l("Choose an attribute."))])
    requirement = SelectField(_l("Requirement"), choices=choices(REQUIREMENT_CHOICES),
                              default=RequirementLevel.OPTIONAL.value)


class ValueListForm(FlaskForm):
    code = StringField(_l("Code"), filters=[one_line], validators=[InputRequired(_l("Enter a code.")), Length(max=60)])
    label = StringField(_l("Name"), filters=[one_line], validators=[InputRequired(_l("Enter a name.")), Length(max=120)])


class ValueForm(FlaskForm):
    code = StringField(_l("Code"), filters=[one_line], validators=[InputRequired(_l("Enter a code.")), Length(max=60)])
    label = StringField(_l("Label (French)"), filters=[one_line],
                        validators=[InputRequired(_l("Enter a label.")), Length(max=120)])
    label_en = StringField(_l("Label (English)"), filters=[one_line], validators=[Optional(), Length(max=120)])


class RenameValueForm(FlaskForm):
    label = StringField(_l("Label (French)"), filters=[one_line],
                        validators=[InputRequired(_l("Enter a label.")), Length(max=120)])
    label_en = StringField(_l("Label (English)"), filters=[one_line], validators=[Optional(), Length(max=120)])


class BrandForm(FlaskForm):
    name = StringField(_l("Name"), filters=[one_line], validators=[InputRequired(_l("Enter a name.")), Length(max=120)])


class MergeBrandForm(FlaskForm):
    into = SelectField(_l("Merge into"), coerce=_id_or_none, validate_choice=False,
                       validators=[InputRequired(_l("Choose a brand."))])


class CatalogImportForm(FlaskForm):
    """A product or category file for the operator's import (CSV, XLSX or JSON lines)."""

    kind = SelectField(_l("What the file holds"), choices=[
        SelectChoice("PRODUCTS", _l("Products (by GTIN)")),
        SelectChoice("CATEGORIES", _l("Categories, attributes and value lists")),
    ], default="PRODUCTS")
    file = FileField(_l("File (CSV, XLSX or JSON lines)"), validators=[FileRequired(_l("Choose a file."))])


class SourceCategoryForm(FlaskForm):
    """A source category to map before any file names it (the mapping table's other rows are
    read as ``category-<id>`` and ``include-<id>``: their number depends on the files)."""

    source = StringField(_l("Category in the file"), filters=[one_line], validators=[Optional(), Length(max=200)])
