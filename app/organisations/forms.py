"""Forms for organisations and membership decisions."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional

from app.forms_common import strip_whitespace
from app.models import OrganisationKind


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter the organisation’s name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Kind of organisation",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        validators=[InputRequired(message="Select the kind of organisation")],
        invalid_choice_message="Select the kind of organisation",
    )
    website = StringField(
        "Website (optional)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=500, message="Website must be 500 characters or fewer"),
            URL(message="Enter a website address in the correct format, like https://example.org"),
        ],
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    """The Approve button beside a request. Turning down is a page of its own (TurnDownForm)."""

    approve = SubmitField("Approve", widget=GovSubmitInput())


class TurnDownForm(FlaskForm):
    """Turning down a request: the reason is required, because the person is emailed it."""

    reason = TextAreaField(
        "Why are you turning down this request?",
        widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter a reason for turning down the request"),
            Length(max=1000, message="The reason must be 1,000 characters or fewer"),
        ],
    )
