"""Forms of the back office's delivery set-up (storefront/backoffice/delivery_setup.py).

They check the shape of what was typed (present, short enough, a number); the rules (a rule
another zone holds, a tracking link without its placeholder, a negative fee) are the service's,
``marketplace.delivery_admin``, whose refusals the views put next to the field they name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from storefront.marketplace.delivery_admin import MAX_DAYS
from storefront.web.forms import COUNTRY_NAMES, AmountField, one_line, text_field


def _no_controls(value: str | None) -> str | None:
    """Keep line breaks (one rule a line), drop every other control character (NUL bytes…)."""
    if value is None:
        return None
    return "".join(ch for ch in value if ch in "\n" or ch.isprintable()).strip()


def _days(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[InputRequired(_l("Enter a number of days.")),
                    NumberRange(0, MAX_DAYS, _l("A number of days is a whole number from 0 to 60."))],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_DAYS},
    )


class ZoneForm(FlaskForm):
    code = text_field(_l("Code"), 20, required=_l("Enter a code."), spellcheck="false", autocomplete="off")
    label = text_field(_l("Name (French)"), 80, required=_l("Enter a name."))
    label_en = text_field(_l("Name (English)"), 80)
    rules = TextAreaField(
        _l("Countries and postal codes"),
        description=_l("One rule a line: a country code alone for the whole country (FR, BE), followed "
                       "by the start of a postal code (FR 20) or a range (FR 971-976). The longest "
                       "matching start wins: FR 20 in one zone beats FR in another."),
        filters=[_no_controls],
        validators=[DataRequired(_l("Enter at least one rule.")), Length(max=5000)],
        render_kw={"rows": 6, "spellcheck": "false"},
    )


class CarrierForm(FlaskForm):
    code = text_field(_l("Code"), 30, required=_l("Enter a code."), spellcheck="false", autocomplete="off")
    name = text_field(_l("Name"), 80, required=_l("Enter a name."))
    tracking_url_template = StringField(
        _l("Tracking link"),
        description=_l("The carrier's tracking page, with {tracking} where the tracking number goes."),
        filters=[one_line],
        validators=[DataRequired(_l("Enter the tracking link.")), Length(max=300)],
        render_kw={"spellcheck": "false", "inputmode": "url", "placeholder": "https://…{tracking}"},
    )


class RateForm(FlaskForm):
    """One row of the rates grid (each row's fields carry a prefix of its mode and zone)."""

    offered = BooleanField(_l("Offered"))
    fee = AmountField(_l("Fee"), validators=[DataRequired(_l("Enter the fee (0 for free)."))],
                      render_kw={"inputmode": "decimal"})
    extra_item_fee = AmountField(_l("Each extra item"), render_kw={"inputmode": "decimal"})
    free_threshold = AmountField(_l("Free from"), render_kw={"inputmode": "decimal"})
    transit_min = _days(_l("Transit from (days)"))
    transit_max = _days(_l("to (days)"))


class ModeForm(FlaskForm):
    code = text_field(_l("Code"), 20, required=_l("Enter a code."), spellcheck="false", autocomplete="off")
    label = text_field(_l("Name (French)"), 80, required=_l("Enter a name."))
    label_en = text_field(_l("Name (English)"), 80)
    saturday_delivery = BooleanField(_l("Delivers on Saturdays"))
    position = IntegerField(
        _l("Position in lists"), default=0,
        validators=[Optional(), NumberRange(0, 999, _l("A position is a whole number from 0 to 999."))],
        render_kw={"inputmode": "numeric", "min": 0, "max": 999},
    )


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class CutoffForm(FlaskForm):
    cutoff = text_field(
        _l("Order cut-off time"), 5, required=_l("Enter a time as HH:MM."), inputmode="numeric",
        placeholder="14:00", autocomplete="off",
    )


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (deleting a zone)."""


class PreviewForm(FlaskForm):
    """What the promise preview asks (a GET form: the URL can be shared, nothing is written)."""

    class Meta:
        csrf = False

    q = text_field(_l("Offer"), 100, required=_l("Enter an offer id, a GTIN or words of the title."),
                   description=_l("An offer id, a GTIN, or words of the product title."), autocomplete="off")
    country = SelectField(_l("Country"), default="FR", validators=[DataRequired(_l("Choose a country."))],
                          choices=[SelectChoice(code, name) for code, name in COUNTRY_NAMES.items()])
    postal_code = text_field(_l("Postal code"), 20, required=_l("Enter the postal code."),
                             inputmode="numeric", autocomplete="off")
    quantity = IntegerField(
        _l("Quantity"), default=1,
        validators=[Optional(), NumberRange(1, 999, _l("A quantity is a whole number from 1 to 999."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": 999},
    )
