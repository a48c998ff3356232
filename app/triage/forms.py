"""Staff forms for triage."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice

from app.models import NOT_A_DATA_PROJECT, OPPORTUNITY_TYPES


class TypesForm(FlaskForm):
    types = SelectMultipleField(
        "Opportunity types",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(key, label) for key, label in OPPORTUNITY_TYPES.items()]
        + [SelectChoice(NOT_A_DATA_PROJECT, "Not a data project")],
        invalid_choice_message="Select types from the list",
    )
    submit = SubmitField("Save types", widget=GovSubmitInput())
