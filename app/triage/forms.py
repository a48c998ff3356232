"""Staff forms for triage."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField, ValidationError
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
    clear = SubmitField("Remove the confirmed types", widget=GovSubmitInput())

    def validate_types(self, field) -> None:
        """At least one choice, and "Not a data project" on its own (removing is separate)."""
        if self.clear.data:
            return
        if not field.data:
            raise ValidationError("Select at least one opportunity type, or "
                                  "‘Not a data project’")
        if NOT_A_DATA_PROJECT in field.data and len(field.data) > 1:
            raise ValidationError("Select either ‘Not a data project’ or opportunity types, "
                                  "not both")
