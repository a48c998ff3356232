"""Voting forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


class EmailPreferenceForm(FlaskForm):
    emails = RadioField(
        "Email me when an idea I follow changes status",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, only show them here")],
        validators=[InputRequired(message="Select whether you want emails")],
        invalid_choice_message="Select whether you want emails",
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())
