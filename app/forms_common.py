"""Form pieces shared by several features: GOV.UK dates, times in Europe/London, numbers,
stripping, the one-button form (`ButtonForm`) behind every one-click action, and a message
with such a button (`flash_with_button`)."""

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from flask import flash
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput, GovSubmitInput
from wtforms import DecimalField, Field, IntegerField, SubmitField
from wtforms.validators import Length, StopValidation, ValidationError

from app.filters import LONDON

TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def strip_whitespace(value):
    """People paste text with spaces around it; forgive that."""
    return value.strip() if isinstance(value, str) else value


def one_newline(value):
    """Browsers send each new line in a textarea as two characters (CR LF) but count it as
    one; store and count one, so the server's limit is the one the character count shows."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def max_length(field) -> int | None:
    """The most characters a field's Length validators allow, or None."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


class LimitedCharacterCount(GovCharacterCount):
    """The GOV.UK character count, its limit taken from the field's Length validator so the
    page and the server never disagree. Without JavaScript it says the limit as a hint."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        limit = params.setdefault("maxlength", max_length(field))
        # The component's own text would say "5000": write the number as GOV.UK does.
        params.setdefault("textareaDescriptionText", f"You can enter up to {limit:,} characters")
        return params


def _field_name(field) -> str:
    return field.label.text.split(" (")[0]


class WholeNumberField(IntegerField):
    """An IntegerField with a GOV.UK message, naming the field, for text that is not a whole
    number."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                raise ValueError(f"{_field_name(self)} must be a whole number, like 10") from None


class NumberField(DecimalField):
    """A DecimalField with a GOV.UK message, naming the field, for text that is not a number
    (and no "NaN" or "Infinity")."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                value = Decimal(valuelist[0].strip())
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                raise ValueError(f"{_field_name(self)} must be a number, like 0.5 or 50")
            self.data = value


DATE_PARTS = ("day", "month", "year")


class GovDatePartsInput(GovDateInput):
    """A GOV.UK date input that outlines only the parts of the date that are wrong."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, part in zip(params["items"], DATE_PARTS, strict=False):
            classes = item["classes"].replace("govuk-input--error", "").split()
            if field.errors and part in field.error_parts:
                classes.append("govuk-input--error")
            item["classes"] = " ".join(classes)
        return params


def _could_be(part: str, value: str) -> bool:
    if not (value.isascii() and value.isdigit()):
        return False
    if part == "year":
        return len(value) == 4 and int(value) >= 1
    return 1 <= int(value) <= (31 if part == "day" else 12)


def _wrong_parts(parts: dict[str, str]) -> tuple[str, ...]:
    """The part of a date that cannot be right (a month of 13), or all three when more than
    one is, as the GOV.UK Design System asks. Empty when each part could be right."""
    wrong = tuple(part for part, value in parts.items() if not _could_be(part, value))
    return DATE_PARTS if len(wrong) > 1 else wrong


class GovDateField(Field):
    """A GOV.UK date input (day, month, year) with GOV.UK error messages, naming and
    outlining only the parts that are missing or wrong."""

    widget = GovDatePartsInput()

    def __init__(self, label=None, validators=None, *, what: str = "the date", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.error_parts = DATE_PARTS

    @property
    def error_target(self) -> str:
        """The id of the first input to fix, for the error summary's link."""
        return f"{self.name}-{self.error_parts[0]}"

    def _value(self):
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        self.data = None
        self.error_parts = DATE_PARTS
        if not valuelist:
            return
        day, month, year = (list(valuelist) + ["", "", ""])[:3]
        parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
        missing = tuple(name for name, value in parts.items() if not value)
        if len(missing) == 3:
            return  # empty: a required validator says so
        if missing:
            self.error_parts = missing
            raise ValueError(f"{self.what.capitalize()} must include a "
                             f"{' and '.join(missing)}")
        wrong = _wrong_parts(parts)
        if not wrong:
            try:
                self.data = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
            except ValueError:
                wrong = DATE_PARTS  # each part could be right, but not together: 31 2 2027
        if wrong:
            self.error_parts = wrong
            raise ValueError(f"{self.what.capitalize()} must be a real date")

    def pre_validate(self, form):
        # A date with a part missing is not empty: keep its own message. InputRequired looks
        # only at the first input, so it would say "Enter ..." when the day is missing.
        if self.process_errors:
            raise StopValidation()


def form_error_summary(form) -> dict:
    """The GOV.UK error summary for a form, each link going to the first input to fix."""
    params = wtforms_errors(form)
    targets = {f"#{field.id}": f"#{field.error_target}" for field in form
               if field.errors and hasattr(field, "error_target")}
    for item in params["errorList"]:
        item["href"] = targets.get(item["href"], item["href"])
        if item["href"] in ("#", "#None"):  # about the whole form: nothing to link to
            del item["href"]
    return params


def parse_time(text: str) -> time:
    """Read a time people write: 9am, 9:30am, 17:00, 12pm, midday, midnight."""
    value = text.strip().lower().replace(" ", "")
    if value in ("midday", "noon"):
        return time(12, 0)
    if value == "midnight":
        return time(0, 0)
    match = TIME_PATTERN.match(value)
    if not match:
        raise ValueError("Enter a time like 9am, 9:30am or 17:00")
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError("Enter a time like 9am, 9:30am or 17:00")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError("Enter a real time, like 9am or 17:00")
    return time(hour, minute)


def london_to_utc(day: date, at: time) -> datetime:
    """A date and time as people in the UK mean them, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=LONDON)


def format_time(value: datetime) -> str:
    """A time for a form field, in Europe/London: 9:30am, 5pm."""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0") or "12"
    minutes = "" if local.minute == 0 else local.strftime(":%M")
    return f"{hour}{minutes}{local.strftime('%p').lower()}"


def check_time(field) -> None:
    """Validator: the field holds a readable time."""
    try:
        parse_time(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None


class ButtonForm(FlaskForm):
    """A CSRF-protected form with a single button, for one-click actions.

    A page may hold dozens (a button for each idea or member), so its hidden token is written
    without an id: the same id on every one of them would repeat on the page."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if hasattr(self, "csrf_token"):  # absent where CSRF is switched off
            self.csrf_token.render_kw = {"id": False}


def flash_with_button(text: str, action: str, button: str,
                      fields: dict[str, str | int] | None = None, button_hidden: str = "",
                      category: str = "success", method: str = "post") -> None:
    """Flash a message whose banner holds a one-button form posting `fields` (and the CSRF
    token) to `action`, such as an Undo; base.html renders it. With method="get" the button
    opens `action` with `fields` instead, such as a page that asks first. `button_hidden` is
    read only by screen readers, after the button's words."""
    flash({"text": text, "action": action, "button": button, "button_hidden": button_hidden,
           "fields": fields or {}, "method": method}, category)
