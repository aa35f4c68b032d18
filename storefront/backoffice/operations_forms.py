"""Forms of the back office's commissions, operations and staff pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from storefront.marketplace import commission_rates
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OperatorRole
from storefront.web.refusals import explain

ROLE_LABELS = {
    OperatorRole.ADMIN: _l("Administrator (everything)"),
    OperatorRole.CATALOG: _l("Catalogue"),
    OperatorRole.SUPPORT: _l("Customer service"),
    OperatorRole.FINANCE: _l("Finance"),
}


def _no_control_characters(form, field):
    if field.data and any(not ch.isprintable() for ch in field.data):
        raise ValidationError(_l("Remove the invisible characters."))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (retry, cancel, deactivate…)."""


class CommissionRateForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[], validate_choice=False,
                           description=_l("All categories: the default rate, or all the seller's sales."))
    percent = StringField(
        _l("Rate (%)"), description=_l("For example 12,5 for 12.5 %."),
        validators=[InputRequired(_l("Enter a rate.")), Length(max=12), _no_control_characters],
    )
    valid_from = DateField(_l("From"), validators=[InputRequired(_l("Enter the first day."))])
    last_day = DateField(_l("Last day"), validators=[Optional()])  # empty: until replaced

    def validate_category(self, field):
        # Missing means all categories; anything else must be one of the list.
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a category of the list."))

    def validate_percent(self, field):
        try:
            self.rate_bp = commission_rates.parse_percent(field.data or "")
        except InvalidValue as error:
            raise ValidationError(explain(error)) from None


class EndRateForm(FlaskForm):
    on = DateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))])


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter an email address.")), Length(max=254),
                                                Email(_l("Enter a valid email address, like name@example.com."))])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120), _no_control_characters])
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
                       default=OperatorRole.SUPPORT.value, validators=[InputRequired(_l("Choose a role."))])
    locale = SelectField(_l("Language of the email"), choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")], default="fr",
                         validators=[InputRequired(_l("Choose a language."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
                       validators=[InputRequired(_l("Choose a role."))])
