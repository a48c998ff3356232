"""Account forms, with GOV.UK widgets and error messages."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.accounts.passwords import password_problem


def strip_whitespace(value: str | None) -> str | None:
    """People paste addresses with spaces around them; forgive that."""
    return value.strip() if isinstance(value, str) else value


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def email_field(label: str = "Email address", hint: str | None = None) -> StringField:
    """An email field with the GOV.UK error messages."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=hint,
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(message=EMAIL_FORMAT, check_deliverability=False),
        ],
    )


class NewPasswordMixin:
    """Checks `password` against the length rule, common passwords and guessability, and
    against the person's own email address and name: typed into the form (registering), or
    of `person`, the account whose password changes (set by the view)."""

    person = None

    def validate_password(self, field) -> None:
        email = getattr(self, "email", None)
        name = getattr(self, "display_name", None)
        problem = password_problem(
            field.data or "",
            email=(email.data or "") if email else getattr(self.person, "email", "") or "",
            display_name=((name.data or "") if name
                          else getattr(self.person, "display_name", "") or ""),
        )
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "Create a password") -> PasswordField:
    """A password field with show/hide, for choosing a new password."""
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description="Use 12 characters or more. Three random words work well.",
        # "Enter a new password" where a password already exists: the form also asks for it.
        validators=[InputRequired(message="Enter a new password" if label == "New password"
                                  else "Enter a password")],
    )


def display_name_field() -> StringField:
    """The name shown beside a person's public ideas."""
    return StringField(
        "Display name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        description="Shown beside the ideas you publish. You can use your first name.",
        validators=[
            DataRequired(message="Enter a display name"),
            Length(min=2, message="Display name must be 2 characters or more"),
            Length(max=80, message="Display name must be 80 characters or fewer"),
        ],
    )


class RegisterForm(NewPasswordMixin, FlaskForm):
    email = email_field(hint="We’ll send you a link to confirm it")
    display_name = display_name_field()
    password = new_password_field()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ChangeNameForm(FlaskForm):
    display_name = display_name_field()
    submit = SubmitField("Save name", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = email_field(hint="Use the email address you created your account with")
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password = new_password_field("New password")
    submit = SubmitField("Set new password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password")],
    )
    password = new_password_field("New password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangeEmailForm(FlaskForm):
    email = email_field("New email address", hint="We’ll send a link to this address to confirm it")
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Send confirmation link", widget=GovSubmitInput())


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        "I understand that I cannot undo this",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Confirm that you understand you cannot undo this")],
    )
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Delete my account", widget=GovSubmitInput())


class ResendVerificationForm(FlaskForm):
    submit = SubmitField("Send a new link", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out")


class JoinOrganisationForm(FlaskForm):
    organisation = SelectField(
        "Organisation",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired(message="Select the organisation you work for")],
        invalid_choice_message="Select the organisation you work for",
    )
    job_title = StringField(
        "Your job title",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter your job title"),
            Length(max=120, message="Job title must be 120 characters or fewer"),
        ],
    )
    reason = TextAreaField(
        "Anything the approver should know (optional)",
        widget=GovTextArea(),
        description="For example, your team or who can vouch for you",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=1000, message="What the approver should know must "
                                                         "be 1,000 characters or fewer")],
    )
    submit = SubmitField("Ask to join", widget=GovSubmitInput())

    def validate_organisation(self, field) -> None:
        if not field.data:
            raise ValidationError("Select the organisation you work for")
