"""Template filters and globals: times in Europe/London, plural words, feasibility, asset
URLs."""

import os
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app, url_for

from app.text import excerpt, render_markdown

LONDON = ZoneInfo("Europe/London")


def london_datetime(value: datetime | None) -> str:
    """Format a UTC time as UK readers expect, in Europe/London: 22 November 2026 at 1:05pm."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local.strftime('%B %Y')} at {london_time(local)}"


def london_time(local: datetime) -> str:
    """A time in the GOV.UK style: 9am, 9:30am, midday, midnight."""
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.strftime("%I").lstrip("0") or "12"
    minutes = "" if local.minute == 0 else local.strftime(":%M")
    return f"{hour}{minutes}{local.strftime('%p').lower()}"


def london_date(value: datetime | None) -> str:
    """Format a UTC time as a date in Europe/London: 22 November 2026."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local.strftime('%B %Y')}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 idea', '2 ideas'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def confidence(value: float) -> str:
    """A model's probability as staff read it: "over 99%" and "under 1%" at the ends, since
    a guess is never certain and a rounded 100% or 0% would say it was."""
    if value >= 0.995:
        return "over 99%"
    if value <= 0.005:
        return "under 1%"
    return f"{round(value * 100)}%"


def score_number(value: float) -> str:
    """A feasibility total or mean as staff read it: at most one decimal place, halves
    rounded up, no trailing ".0" (9, 9.5, 12.3)."""
    # Rounded to 6 places first, so that float noise (9.249999999999998 for 9.25, or
    # Decimal(0.15) being 0.1499...) cannot turn a half down.
    rounded = Decimal(repr(round(float(value), 6))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")


def feasibility(share: float | None, max_total: int) -> str:
    """An idea's feasibility, worded the same on every page: the mean of the reviewers'
    totals out of the most a total can be, then that share as a whole percentage, as in
    "9.5 out of 18 (53%)"; "Not scored yet" when nobody has scored it."""
    if share is None:
        return "Not scored yet"
    # Shares are stored to 6 decimal places: round float noise away before rounding halves up.
    percent = Decimal(repr(round(share * 100, 6))).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{score_number(share * max_total)} out of {max_total} ({percent}%)"


def asset_url(filename: str) -> str:
    """A URL for a built asset, with its modification time so browsers fetch new builds."""
    path = os.path.join(current_app.static_folder, "dist", filename)
    try:
        version = int(os.path.getmtime(path))
    except OSError:
        version = 0
    return url_for("static", filename=f"dist/{filename}", v=version)


# Audit records name their table; people read a thing.
def audit_record(target_type: str, target_id: str) -> str:
    """'Idea window 4' for ("idea_windows", "4")."""
    from app.audit import record_label  # noqa: PLC0415 - app.audit imports the models

    return f"{record_label(target_type)} {target_id}"


# Where admins can look at a record the audit log names (others have no page of their own).
AUDIT_RECORD_PAGES = {"ideas": ("review.assess", "idea_id"),
                      "idea_windows": ("intake.edit_window", "window_id"),
                      "users": ("admin.user", "user_id"),
                      "organisations": ("admin.organisation", "organisation_id")}


def audit_record_url(target_type: str, target_id: str | None) -> str | None:
    """The page of a record the audit log names, if it has one."""
    page = AUDIT_RECORD_PAGES.get(target_type)
    if page is None or not (target_id or "").isdigit():
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: int(target_id)})


def audit_key(key: str) -> str:
    """'Submissions open at' for "submissions_open_at"."""
    return key.replace("_", " ").capitalize()


def audit_value(value) -> str:
    """A before or after value as words: yes/no, lists joined, times in UK time, '–' for none."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(audit_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{audit_key(k)}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return london_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return str(value)


def duration(length: timedelta) -> str:
    """A link's lifetime in words: '1 hour', '90 minutes', '7 days'."""
    minutes = int(length.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0:
        return plural(minutes // (24 * 60), "day")
    if minutes and minutes % 60 == 0:
        return plural(minutes // 60, "hour")
    return plural(minutes, "minute")


def source_url(path: str) -> str | None:
    """The web address of a file in the source code, or None without SOURCE_CODE_URL."""
    base = current_app.config.get("SOURCE_CODE_URL")
    return f"{base.rstrip('/')}/{path}" if base else None


def register(app: Flask) -> None:
    """Make the filters and globals available in every template."""
    app.add_template_filter(london_datetime)
    app.add_template_filter(london_date)
    app.add_template_global(plural)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(excerpt)
    app.add_template_filter(duration)
    app.add_template_filter(feasibility)
    app.add_template_filter(score_number)
    app.add_template_filter(confidence)
    app.add_template_global(audit_record)
    app.add_template_global(audit_record_url)
    app.add_template_filter(audit_key)
    app.add_template_filter(audit_value)
    app.add_template_global(asset_url)
    app.add_template_global(source_url)
