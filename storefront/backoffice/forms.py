"""Forms of the back office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from storefront.marketplace.models import RelationsModel

# The two customer-relations models as the operator chooses them (here and on the preferences page).
RELATIONS_CHOICES = [
    SelectChoice(RelationsModel.DIRECT.value, _l("Direct: customers and sellers write to each other; "
                                                "customer service reads every conversation and may step in.")),
    SelectChoice(RelationsModel.MEDIATED.value, _l("Mediated: customers write to customer service, which "
                                                  "answers or brings the seller in; customers never deal "
                                                  "with sellers directly.")),
]


class RelationsModelForm(FlaskForm):
    model = RadioField(
        _l("Customer relations"), choices=RELATIONS_CHOICES, validators=[DataRequired(_l("Choose a model."))],
    )


class ForwardForm(FlaskForm):
    note = TextAreaField(_l("Note for the seller (optional)"), validators=[Optional(), Length(max=1000)])
