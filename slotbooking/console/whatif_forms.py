"""The what-if form on the draft page (Flask-WTF, with the session's CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

PERIODS = [
    SelectChoice(value, label)
    for value, label in (
        ("7", "Last 7 days"),
        ("14", "Last 14 days"),
        ("28", "Last 28 days"),
        ("dates", "Between dates"),
    )
]


class WhatIfForm(FlaskForm):
    period = SelectField("Offers shown", choices=PERIODS, default="7")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To (inclusive)", validators=[Optional()])
    draws = IntegerField("Draws of shoppers", default=20, validators=[InputRequired(), NumberRange(1, 50)])
    seed = IntegerField("Seed", default=1, validators=[InputRequired(), NumberRange(0, 2**31 - 1)])

    def validate_period(self, field):
        # Checked on the period (always sent), not on the dates: Optional() stops an empty date's checks.
        if field.data != "dates":
            return
        if self.date_from.data is None or self.date_to.data is None:
            raise ValidationError("Give both dates, or choose one of the last days.")
        if self.date_to.data < self.date_from.data:
            raise ValidationError("The last day must not be before the first.")
