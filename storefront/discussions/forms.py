"""Forms of conversations: a message, a new thread, the email preference.

They check what the page can say next to the field (something written, not too long); the
service checks again and owns the rules (a closed thread, a topic that fits).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from storefront.marketplace.discussions import MAX_MESSAGE_LENGTH


def _one_newline(value: str | None) -> str | None:
    # Browsers send line breaks as CRLF but count them as one character in maxlength.
    return None if value is None else value.replace("\r\n", "\n").replace("\r", "\n")


def _body_field(label) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_one_newline],
        validators=[
            DataRequired(_l("Write a message before sending it.")),
            Length(
                max=MAX_MESSAGE_LENGTH,
                message=_l("A message has at most %(max)d characters."),
            ),
        ],
        render_kw={"maxlength": MAX_MESSAGE_LENGTH, "rows": 4},
    )


class MessageForm(FlaskForm):
    body = _body_field(_l("Your message"))
    # Only customer service of a mediated thread chooses; everyone else writes to the thread.
    to = RadioField(
        _l("Send to"),
        choices=[SelectChoice("CUSTOMER", _l("the customer")), SelectChoice("SELLER", _l("the seller"))],
        validators=[Optional()],
    )


class NewThreadForm(FlaskForm):
    topic = SelectField(_l("Subject"), validators=[DataRequired(_l("Choose a subject."))])
    body = _body_field(_l("Your message"))


class MessageEmailsForm(FlaskForm):
    message_emails = BooleanField(_l("Email me when I receive a message"))
