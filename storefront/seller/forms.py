"""Forms of the seller portal (the back office reuses the order ones).

Amounts are typed in euros the French way or the English way (``12,50``, ``12.50``, ``1 299``)
and become cents here; the services get whole numbers of cents and check the rules themselves.
Every form carries the version of the order the page showed: a form from a tab that is out of
date is refused by the service instead of acting on an order that has changed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from storefront.web.forms import one_line

_AMOUNT = re.compile(r"^\d{1,9}([.,]\d{1,2})?$")


class AmountField(StringField):
    """An amount in the currency's units, given to the code in cents (``data``: int or None)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        text = re.sub(r"[\s\u00a0\u202f€]", "", self.raw or "")
        if not text:
            self.data = None
            return
        if not _AMOUNT.match(text):
            self.data = None
            raise ValueError(_l("Enter an amount like 12,50."))
        try:
            self.data = int((Decimal(text.replace(",", ".")) * 100).to_integral_value())
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter an amount like 12,50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data // 100},{self.data % 100:02d}"


def _version() -> HiddenField:
    return HiddenField(validators=[DataRequired()])


class VersionForm(FlaskForm):
    """Accept the whole order (and the CSRF token and version every action carries)."""

    version = _version()

    def expected_version(self) -> int | None:
        text = (self.version.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else -1


class RefuseForm(VersionForm):
    reason = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    note = TextAreaField(_l("Note"), filters=[one_line], validators=[Optional(), Length(max=1000)])


class ShipForm(VersionForm):
    carrier = SelectField(_l("Carrier"), validators=[DataRequired(_l("Choose a carrier."))])
    tracking_number = StringField(
        _l("Tracking number"),
        validators=[DataRequired(_l("Enter the tracking number.")), Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "data-testid": "tracking-number"},
    )
    shipped_on = DateField(
        _l("Shipped on"), validators=[InputRequired(_l("Enter the shipping date."))]
    )


class CancelForm(VersionForm):
    reason = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    note = TextAreaField(_l("Note"), filters=[one_line], validators=[Optional(), Length(max=1000)])


class RefundForm(VersionForm):
    amount = AmountField(_l("Amount for the items"), render_kw={"inputmode": "decimal"})
    shipping_amount = AmountField(_l("Amount for shipping"), render_kw={"inputmode": "decimal"})
    line = SelectField(_l("Item"), validators=[Optional()])
    reason = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class OfferForm(FlaskForm):
    price = AmountField(_l("Price"), validators=[InputRequired(_l("Enter a price."))],
                        render_kw={"inputmode": "decimal"})
    origin_price = AmountField(_l("Was (struck through)"), render_kw={"inputmode": "decimal"})
    stock = IntegerField(
        _l("Stock"),
        validators=[InputRequired(_l("Enter the stock.")), NumberRange(min=0, max=1_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    lead_time_days = IntegerField(
        _l("Lead time (days)"),
        validators=[InputRequired(_l("Enter the lead time.")), NumberRange(min=0, max=60)],
        render_kw={"inputmode": "numeric"},
    )
