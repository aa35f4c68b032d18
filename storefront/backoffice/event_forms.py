"""Forms of the back office's event categories (backoffice/events.py).

The forms check the shape of what was typed; the rules (dates in order, a price range, at least
one criterion) are ``event_categories.problems``', which the view puts next to the fields.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from storefront.marketplace.models import Condition, PickKind
from storefront.web.forms import AmountField, text_field

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

CONDITION_LABELS = {
    Condition.NEW: _l("New"),
    Condition.LIKE_NEW: _l("Like new"),
    Condition.VERY_GOOD: _l("Very good condition"),
    Condition.GOOD: _l("Good condition"),
    Condition.REFURBISHED: _l("Refurbished"),
    Condition.USED: _l("Used"),
}


class MomentField(DateTimeLocalField):
    """A date and time as the browser's date picker sends it, in the shop's time zone."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=DATETIME_FORMAT, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([value.replace("\x00", "") for value in valuelist])
        except ValueError:
            raise ValueError(_l("Enter a date and time, like 2026-11-27 08:00.")) from None


class IdsField(SelectMultipleField):
    """Several ids among the choices; an id that is not a whole number is an error, not a 500."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=int, validate_choice=False, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = sorted({int(v) for v in valuelist if v.strip()})
        except ValueError:
            self.data = []
            raise ValueError(_l("Choose from the list.")) from None
        if any(not 0 < v <= 2**31 - 1 for v in self.data):
            self.data = []
            raise ValueError(_l("Choose from the list."))


class PercentField(IntegerField):
    """A whole number; the range (0 to 100) is the service's rule."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number from 0 to 100.")) from None


class ChecksField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(FlaskForm):
    name = text_field(_l("Name"), 120, required=_l("Give the event a name."))
    name_en = text_field(_l("Name in English"), 120)
    slug = text_field(
        _l("Address"), 140, spellcheck="false",
    )
    starts_at = MomentField(_l("Starts"), validators=[InputRequired(_l("Enter a date and time, like 2026-11-27 08:00."))])
    ends_at = MomentField(_l("Ends"), validators=[InputRequired(_l("Enter a date and time, like 2026-11-27 08:00."))])
    active = BooleanField(_l("Active"), default=True)
    categories = IdsField(_l("Categories (with their subcategories)"))
    brands = IdsField(_l("Brands"))
    sellers = IdsField(_l("Sold by"))
    conditions = ChecksField(
        _l("Condition"), choices=[SelectChoice(c.value, label) for c, label in CONDITION_LABELS.items()],
        validators=[Optional()],
    )
    min_discount = PercentField(
        _l("Minimum discount (%)"), validators=[Optional()],
        description=_l("Off the struck-through price, as the product page shows it."),
        render_kw={"inputmode": "numeric"},
    )
    price_min = AmountField(_l("Price from (€)"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    price_max = AmountField(_l("Price up to (€)"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    shipped_by_retailer = BooleanField(_l("Shipped by us only"))

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            getattr(self, name).choices = [SelectChoice(value, label) for value, label in options]
        self.slug.description = _l("Lower-case letters, digits and hyphens; made from the name when left empty.")
        self.conditions.description = _l("The condition of the offer shown on the product tile.")
        self.sellers.description = _l("The seller of the offer shown on the product tile.")


class PickForm(FlaskForm):
    reference = StringField(
        _l("GTIN or product id"), validators=[DataRequired(_l("Enter a GTIN or a product id."))],
        filters=[lambda v: (v or "").replace("\x00", "").strip()[:40]],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    kind = StringField(default=PickKind.PINNED.value)


def to_naive_local(moment: datetime | None, tz) -> datetime | None:
    """What the date picker shows for ``moment``."""
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)
