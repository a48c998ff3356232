"""Admin forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.admin.services import ASSIGNABLE_ROLES
from app.models import Role


class RoleForm(FlaskForm):
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(role.value, "Resident (or officer, from their organisations)"
                         if role == Role.RESIDENT else role.label)
            for role in ASSIGNABLE_ROLES
        ],
        validators=[InputRequired(message="Select a role")],
        invalid_choice_message="Select a role",
    )
    submit = SubmitField("Save role", widget=GovSubmitInput())
