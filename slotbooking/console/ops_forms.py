"""The operations pages' forms (Flask-WTF, each with the session's CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import DataRequired, InputRequired, NumberRange
from wtforms.widgets import HiddenInput


class ConfirmForm(FlaskForm):
    """A button that changes something: cancel a booking, retry a delivery (CSRF only)."""


class MoveForm(FlaskForm):
    """The reschedule confirmation: the price the agent was shown, which the move must still have."""

    expected_price = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])


class RotateKeyForm(FlaskForm):
    seen_prefix = HiddenField()
    confirm = BooleanField(
        "I understand that the old key stops working and every system using it needs the new one",
        validators=[DataRequired(message="Tick this box to confirm the rotation.")],
    )
