"""Shared form pieces: GOV.UK dates name and outline only the parts that are wrong."""

import re

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired

from app.forms_common import GovDateField, form_error_summary


class DateForm(Form):
    opens = GovDateField("Ideas open", what="the date ideas open",
                         validators=[InputRequired(message="Enter the date ideas open")])


def filled_in(day: str, month: str, year: str) -> DateForm:
    form = DateForm(MultiDict([("opens", day), ("opens", month), ("opens", year)]))
    form.validate()
    return form


@pytest.mark.parametrize(("day", "month", "year", "message", "outlined"), [
    ("", "", "", "Enter the date ideas open", ("day", "month", "year")),
    ("", "6", "2027", "The date ideas open must include a day", ("day",)),
    ("1", "", "2027", "The date ideas open must include a month", ("month",)),
    ("", "", "2027", "The date ideas open must include a day and month", ("day", "month")),
    ("1", "13", "2027", "The date ideas open must be a real date", ("month",)),
    ("32", "6", "2027", "The date ideas open must be a real date", ("day",)),
    ("1", "6", "27", "The date ideas open must be a real date", ("year",)),
    ("1", "June", "2027", "The date ideas open must be a real date", ("month",)),
    ("31", "2", "2027", "The date ideas open must be a real date", ("day", "month", "year")),
    ("0", "13", "2027", "The date ideas open must be a real date", ("day", "month", "year")),
])
def test_a_wrong_date_names_and_outlines_only_the_wrong_parts(day, month, year, message,
                                                               outlined):
    field = filled_in(day, month, year).opens
    assert field.errors == [message]
    assert field.error_parts == outlined
    assert field.error_target == f"opens-{outlined[0]}"


def test_a_real_date_has_no_errors():
    form = filled_in(" 27 ", "03", "2027")
    assert form.opens.errors == [] and form.opens.data.isoformat() == "2027-03-27"


def test_the_error_summary_links_to_the_first_wrong_part(app):
    with app.test_request_context():
        summary = form_error_summary(filled_in("", "13", ""))
    assert summary["errorList"] == [{"text": "The date ideas open must include a day and year",
                                     "href": "#opens-day"}]
    with app.test_request_context():
        summary = form_error_summary(filled_in("1", "13", "2027"))
    assert summary["errorList"][0]["href"] == "#opens-month"


def outlined_inputs(html: str) -> list[str]:
    return [match.group(1) for match in re.finditer(
        r'<input class="[^"]*govuk-input--error[^"]*" id="([^"]+)"', html)]


def test_only_the_wrong_parts_are_outlined(app):
    with app.test_request_context():
        assert outlined_inputs(filled_in("1", "13", "2027").opens()) == ["opens-month"]
        assert outlined_inputs(filled_in("31", "2", "2027").opens()) == [
            "opens-day", "opens-month", "opens-year"]
        assert outlined_inputs(filled_in("1", "6", "2027").opens()) == []
