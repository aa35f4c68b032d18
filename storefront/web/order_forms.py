"""Forms of the actions on a seller order, shared by the seller portal and the back office.

Amounts are typed in euros the French way or the English way (``12,50``, ``12.50``, ``1 299``)
and become cents (``AmountField``); the services get whole numbers of cents and check the rules
themselves. Every form carries the version of the order the page showed: a form from a tab that
is out of date is refused by the service instead of acting on an order that has changed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from storefront.web.forms import AmountField, one_line


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
