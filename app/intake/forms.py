"""Forms for idea windows, areas, ideas and pledge imports."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.forms_common import (
    GovDateField,
    LimitedCharacterCount,
    WholeNumberField,
    check_time,
    london_to_utc,
    one_newline,
    parse_time,
    strip_whitespace,
)
from app.intake import window_rules
from app.models import Source


def text_area(label: str, hint: str, required: str | None = None, max_length: int = 5000,
              name: str | None = None):
    """A GOV.UK textarea with a character count for people's text, with Markdown allowed."""
    validators = [DataRequired(message=required)] if required else [Optional()]
    name = name or label.split(" (")[0]
    validators.append(Length(max=max_length,
                             message=f"{name} must be {max_length:,} characters or fewer"))
    return TextAreaField(label, widget=LimitedCharacterCount(), description=hint,
                         validators=validators, filters=[strip_whitespace, one_newline])


class IdeaForm(FlaskForm):
    """An idea under Nesta's three headings. Pledge and dataset fields show by source."""

    title = StringField(
        "Title",
        widget=LimitedCharacterCount(),
        description="A short summary, like a headline. Between 10 and 120 characters.",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter a title for your idea"),
            Length(min=10, message="Title must be 10 characters or more"),
            Length(max=120, message="Title must be 120 characters or fewer"),
        ],
    )
    problem = text_area(
        "The problem",
        "What goes wrong, for whom, where, and how often.",
        required="Describe the problem",
    )
    action = text_area(
        "What could change (optional)",
        "What could people or services do differently if the right data were used?",
    )
    data = text_area(
        "Data that might help (optional)",
        "What is recorded now, and by whom? It is fine not to know.",
    )
    area = SelectField("Area (optional)", widget=GovSelect(), coerce=int,
                       validators=[Optional()],
                       invalid_choice_message="Select an area from the list")
    datasets = text_area(
        "Datasets your organisation holds (optional)",
        "One dataset a line, for example “Housing repairs requests, 2019 to now”.",
        max_length=3000,
    )
    pledge_reference = StringField(
        "Pledge reference",
        widget=GovTextInput(),
        description="For example, Manifesto 2024, p.12, pledge 3",
        filters=[strip_whitespace],
        # No Optional() here: it would stop the check below that pledges have a reference.
        validators=[Length(max=200, message="Pledge reference must be 200 characters or fewer")],
    )
    pledge_url = StringField(
        "Link to the pledge (optional)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500, message="Link must be 500 characters or fewer"),
                    URL(message="Enter a link in the correct format, like "
                                "https://example.org/manifesto")],
    )
    consent = BooleanField(
        "I agree that this idea will be published with my display name",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Agree to publish your idea to continue")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def __init__(self, *args, source: Source = Source.RESIDENT, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.area.choices = [SelectChoice(0, "No particular area")] + [
            SelectChoice(area.id, area.name) for area in areas]

    def validate_pledge_reference(self, field) -> None:
        if self.source == Source.MAYORAL and not field.data:
            raise ValidationError("Enter the pledge reference")


class ChooseSourceForm(FlaskForm):
    submit_as = RadioField("Who are you submitting this idea for?", widget=GovRadioInput(),
                           validators=[InputRequired(message="Select who the idea is for")],
                           invalid_choice_message="Select who the idea is for")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = text_area("Why are you withdrawing it? (optional)",
                       "This is shown on the idea’s public timeline.", max_length=1000,
                       name="Your reason")
    submit = SubmitField("Withdraw idea", widget=GovSubmitInput())


class PledgeImportForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select a CSV file"),
                    FileAllowed(["csv"], message="The selected file must be a CSV")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class PledgeConfirmForm(FlaskForm):
    """Carries the checked file back, so nothing is stored between checking and importing."""

    content = TextAreaField(validators=[InputRequired()])
    submit = SubmitField("Import pledges", widget=GovSubmitInput())


class AreaForm(FlaskForm):
    name = StringField("Area name", widget=GovTextInput(), filters=[strip_whitespace],
                       description="A borough, district or ward, for example Riverside",
                       validators=[DataRequired(message="Enter the area’s name"),
                                   Length(max=120, message="Area name must be 120 characters "
                                                           "or fewer")])
    submit = SubmitField("Add area", widget=GovSubmitInput())


MOMENTS = (
    ("submissions_open", "Ideas open", "the date ideas open"),
    ("submissions_close", "Ideas close", "the date ideas close"),
    ("voting_open", "Voting opens", "the date voting opens"),
    ("voting_close", "Voting closes", "the date voting closes"),
)


def _date_field(label: str, what: str) -> GovDateField:
    return GovDateField(label, what=what, description="For example, 27 3 2027",
                        validators=[InputRequired(message=f"Enter {what}")])


def _time_field(label: str, default: str) -> StringField:
    what_time = label.lower()
    return StringField(f"{label}: time", widget=GovTextInput(), default=default,
                       description="UK time, for example 9am or 17:30",
                       filters=[strip_whitespace],
                       validators=[DataRequired(message=f"Enter the time {what_time}"),
                                   lambda form, field: check_time(field)])


class WindowForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), filters=[strip_whitespace],
                        description="For example, Spring 2027 ideas",
                        validators=[DataRequired(message="Enter a title"),
                                    Length(max=120, message="Title must be 120 characters "
                                                            "or fewer")])
    theme = StringField("Theme", widget=GovTextInput(), filters=[strip_whitespace],
                        description="The kind of problems you want ideas about this season",
                        validators=[DataRequired(message="Enter a theme"),
                                    Length(max=200, message="Theme must be 200 characters "
                                                            "or fewer")])
    description = text_area("Description", "What you are looking for, shown on the window’s "
                            "page. You can use simple Markdown: paragraphs, lists and links.",
                            required="Enter a description", max_length=10000)
    submissions_open_date = _date_field("Ideas open", "the date ideas open")
    submissions_open_time = _time_field("Ideas open", "9am")
    submissions_close_date = _date_field("Ideas close", "the date ideas close")
    submissions_close_time = _time_field("Ideas close", "11:59pm")
    voting_open_date = _date_field("Voting opens", "the date voting opens")
    voting_open_time = _time_field("Voting opens", "9am")
    voting_close_date = _date_field("Voting closes", "the date voting closes")
    voting_close_time = _time_field("Voting closes", "11:59pm")
    sources = SelectMultipleField(
        "Who may submit ideas", widget=GovCheckboxesInput(),
        choices=[SelectChoice(s.value, s.label) for s in Source],
        validators=[InputRequired(message="Select who may submit ideas")],
        invalid_choice_message="Select who may submit ideas",
    )
    areas = SelectMultipleField("Areas ideas can be tagged with", widget=GovCheckboxesInput(),
                                coerce=int, validators=[Optional()],
                                invalid_choice_message="Select areas from the list")
    support_limit = WholeNumberField(
        "Supports each person may give (optional)", widget=GovTextInput(),
        description="Leave blank for no limit",
        validators=[Optional(), NumberRange(min=1, max=1000, message="Supports each person may "
                                            "give must be between 1 and 1,000")])
    authors_may_support_own = BooleanField("Authors may support their own ideas",
                                           widget=GovCheckboxInput())
    premoderation = BooleanField("Check each idea before it appears (pre-moderation)",
                                 widget=GovCheckboxInput(),
                                 description="Ideas stay hidden from everyone but their author "
                                             "until staff approve them on the moderation page. "
                                             "Switching it on holds back only ideas posted from "
                                             "then on: ideas already public stay public. It "
                                             "cannot be switched off while ideas are waiting "
                                             "to be checked.")
    submit = SubmitField("Save window", widget=GovSubmitInput())

    def moment(self, name: str):
        """The date and time entered for one of the four moments, as an aware datetime."""
        day = getattr(self, f"{name}_date").data
        at = getattr(self, f"{name}_time").data
        if day is None or not at:
            return None
        try:
            return london_to_utc(day, parse_time(at))
        except ValueError:
            return None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        moments = {name: self.moment(name) for name, _label, _what in MOMENTS}
        # The same order rules as the service (which refuses what the form lets through).
        for name, message in window_rules.order_problems(moments).items():
            errors = getattr(self, f"{name}_date").errors
            if not errors:  # one message a field: the first problem
                errors.append(message)
                valid = False
        return valid
