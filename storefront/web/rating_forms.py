"""Forms of seller ratings: the customer's rating, the seller's answer, the operator's hiding.
Shape only (CSRF, kept input); the rules and their refusals are ``marketplace/seller_ratings.py``'s."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from storefront.marketplace.seller_ratings import MAX_ANSWER, MAX_COMMENT, MAX_HIDE_REASON

TOO_LONG = _l("At most %(max)d characters.")


class RatingForm(FlaskForm):
    grade = RadioField(
        _l("Your grade"),
        choices=[SelectChoice(str(n), str(n)) for n in (5, 4, 3, 2, 1)],
        validators=[InputRequired(_l("Choose a grade from 1 to 5 stars."))],
    )
    comment = TextAreaField(
        _l("Your comment"),
        description=_l("What went well or not: delivery, packaging, answers. Other customers read it."),
        validators=[Optional(), Length(max=MAX_COMMENT, message=TOO_LONG)],
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Your public answer"),
        description=_l("Shown under the rating on your shop's page. You can answer once."),
        validators=[InputRequired(_l("Write your answer before sending it.")),
                    Length(max=MAX_ANSWER, message=TOO_LONG)],
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Kept in the audit log and shown to the seller."),
        validators=[InputRequired(_l("Say why the rating is hidden (at most 300 characters).")),
                    Length(max=MAX_HIDE_REASON, message=TOO_LONG)],
    )


class UnhideForm(FlaskForm):
    """Nothing but the CSRF token."""
