"""Forms for moderation, feasibility, decisions and the shortlist."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms_common import NumberField, WholeNumberField, strip_whitespace
from app.models import ReportReason
from app.review import shortlist
from app.review.decisions import DECISIONS


class ReportForm(FlaskForm):
    reason = RadioField(
        "Why should staff look at this idea?", widget=GovRadioInput(),
        choices=[SelectChoice(r.value, r.label) for r in ReportReason],
        validators=[InputRequired(message="Select why staff should look at this idea")],
        invalid_choice_message="Select why staff should look at this idea")
    details = TextAreaField(
        "Tell us more (optional)", widget=GovTextArea(), filters=[strip_whitespace],
        description="Do not include anyone’s personal details.",
        validators=[Optional(), Length(max=1000, message="What you tell us must be 1,000 "
                                                         "characters or fewer")])
    submit = SubmitField("Send report", widget=GovSubmitInput())


class HideForm(FlaskForm):
    reason = SelectField("Reason shown to the public", widget=GovSelect(),
                         choices=[SelectChoice(r.value, r.public_label.capitalize())
                                  for r in ReportReason],
                         validators=[InputRequired(message="Select a reason")],
                         invalid_choice_message="Select a reason")
    submit = SubmitField("Hide idea", widget=GovSubmitInput())


class PersonalInformationForm(FlaskForm):
    """An idea's words, for moderators to take personal information out of."""

    title = StringField("Title", widget=GovTextInput(), filters=[strip_whitespace], validators=[
        DataRequired(message="Enter a title"),
        Length(min=10, max=120, message="Title must be between 10 and 120 characters")])
    problem = TextAreaField("The problem", widget=GovTextArea(), filters=[strip_whitespace],
                            validators=[DataRequired(message="Enter the problem"),
                                        Length(max=5000, message="The problem must be 5,000 "
                                                                 "characters or fewer")])
    action = TextAreaField("What could change", widget=GovTextArea(),
                           filters=[strip_whitespace],
                           validators=[Optional(), Length(max=5000, message="What could change "
                                                          "must be 5,000 characters or fewer")])
    data = TextAreaField("Data that might help", widget=GovTextArea(),
                         filters=[strip_whitespace],
                         validators=[Optional(), Length(max=5000, message="Data that might help "
                                                        "must be 5,000 characters or fewer")])
    submit = SubmitField("Save the edited idea", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    status = SelectField("Decision", widget=GovSelect(),
                         description="Or leave this and choose a template: its decision is used.",
                         choices=[SelectChoice("", "Choose a decision")]
                         + [SelectChoice(s.value, s.label) for s in DECISIONS],
                         validators=[Optional()],
                         invalid_choice_message="Choose a decision from the list")
    template = SelectField("Start from a template (optional)", widget=GovSelect(), coerce=int,
                           validators=[Optional()],
                           invalid_choice_message="Choose a template from the list")
    reason = TextAreaField("Public reason", widget=GovTextArea(), filters=[strip_whitespace],
                           description="Shown on the idea’s timeline and sent to its followers. "
                                       "Needed for “not taken forward” and “not a data "
                                       "project”. If you chose a template and leave this "
                                       "empty, the template’s text is used.",
                           validators=[Optional(), Length(max=2000, message="The reason must be "
                                                                            "2,000 characters "
                                                                            "or fewer")])
    signposted_to = StringField("Where it was sent instead", widget=GovTextInput(),
                                filters=[strip_whitespace],
                                description="For “not a data project”, for example "
                                            "“Northgate Highways team”",
                                validators=[Optional(), Length(max=200, message="Where it was "
                                                               "sent must be 200 characters "
                                                               "or fewer")])
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class TemplateForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), filters=[strip_whitespace],
                       description="Staff see this when they choose a template.",
                       validators=[DataRequired(message="Enter a name for the template"),
                                   Length(max=120, message="The name must be 120 characters "
                                                           "or fewer")])
    status = SelectField("Decision", widget=GovSelect(),
                         choices=[SelectChoice("", "Choose a decision")]
                         + [SelectChoice(s.value, s.label) for s in DECISIONS],
                         validators=[DataRequired(message="Choose a decision")],
                         invalid_choice_message="Choose a decision from the list")
    reason = TextAreaField("Public reason", widget=GovTextArea(), filters=[strip_whitespace],
                           description="Everyone can read this on the idea’s page.",
                           validators=[DataRequired(message="Enter the reason"),
                                       Length(max=2000, message="The reason must be 2,000 "
                                                                "characters or fewer")])
    submit = SubmitField("Save template", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    body = TextAreaField("Add a private note", widget=GovTextArea(), filters=[strip_whitespace],
                         description="Only ODA staff see notes.",
                         validators=[DataRequired(message="Enter a note"),
                                     Length(max=5000, message="A note must be 5,000 characters "
                                                              "or fewer")])
    submit = SubmitField("Add note", widget=GovSubmitInput())


def weight_field(label: str, what: str) -> NumberField:
    """A formula weight from 0 to 100 with at most two decimal places (the form shows two, so
    a finer one would show as another number), its errors naming `what` it weighs."""
    def two_places(_form, field) -> None:
        if field.data is not None and field.data != round(field.data, 2):
            raise ValidationError(f"The weight of {what} can have at most 2 decimal places, "
                                  "like 0.25")
    return NumberField(label, widget=GovTextInput(), places=2, validators=[
        InputRequired(message=f"Enter the weight of {what}"),
        NumberRange(min=0, max=100, message=f"The weight of {what} must be between 0 and 100"),
        two_places])


class WeightsForm(FlaskForm):
    support_weight = weight_field("Weight of public support", "public support")
    feasibility_weight = weight_field("Weight of feasibility", "feasibility")
    size = WholeNumberField("Ideas on the shortlist", widget=GovTextInput(),
                            validators=[InputRequired(message="Enter how many ideas"),
                                        NumberRange(min=1, max=200, message="The shortlist must "
                                                    "have between 1 and 200 ideas")])
    submit = SubmitField("Save formula", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Weights that each read well can still make no formula together: said now, with
        # any other error, rather than only once those are put right.
        support, feasibility = self.support_weight, self.feasibility_weight
        if not support.errors and not feasibility.errors:
            problem = shortlist.weights_problem(float(support.data), float(feasibility.data))
            if problem:
                support.errors.append(problem)
                valid = False
        return valid


class OverrideForm(FlaskForm):
    choice = RadioField("Against the formula", widget=GovRadioInput(),
                        choices=[SelectChoice("include", "Put it on the shortlist"),
                                 SelectChoice("exclude", "Keep it off the shortlist"),
                                 SelectChoice("formula", "Follow the formula")],
                        validators=[InputRequired(message="Select what to do")],
                        invalid_choice_message="Select what to do")
    reason = TextAreaField("Public reason", widget=GovTextArea(), filters=[strip_whitespace],
                           validators=[Optional(), Length(max=1000, message="The reason must be "
                                                                            "1,000 characters "
                                                                            "or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    reason = TextAreaField("Public reason for shortlisted ideas", widget=GovTextArea(),
                           filters=[strip_whitespace],
                           default="Shortlisted: strong public support and a clear route to "
                                   "the data and to action.",
                           validators=[DataRequired(message="Enter the reason shortlisted ideas "
                                                            "will show"),
                                       Length(max=2000, message="The reason must be 2,000 "
                                                                "characters or fewer")])
    # Needed only when publishing leaves ideas off the list; the service says so (it knows
    # how many there are at the moment of publishing, not when the page was loaded).
    not_taken_forward_reason = TextAreaField(
        "Public reason for the ideas not on the shortlist", widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=2000, message="The reason must be 2,000 characters "
                                                         "or fewer")])
    submit = SubmitField("Publish the shortlist", widget=GovSubmitInput())
