"""UK Parliament petitions in the JSON-lines format of shared/data/petitions-dev.jsonl.

Only ``action`` (the title), ``background`` and ``additional_details`` are ever given to a
model: ``rejection_details`` holds the moderators' links to the originals, so it is the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PUBLISHED_STATES = frozenset({"open", "closed"})
MODEL_FIELDS = ("action", "background", "additional_details")
OPEN_PARLIAMENT_LICENCE = ("Contains Parliamentary information licensed under the Open "
                           "Parliament Licence v3.0.")


def read_json_lines(lines: Iterable[str],
                    check: Callable[[Any], str | None]) -> list[dict[str, Any]]:
    """The JSON objects of the non-blank lines, in order; ValueError naming, by number, every
    line that is not JSON or that ``check`` (which says what is wrong, or None) refuses."""
    rows, errors = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(f"line {number}: not JSON ({error.msg})")
            continue
        problem = check(row)
        if problem:
            errors.append(f"line {number}: {problem}")
        else:
            rows.append(row)
    if errors:
        raise ValueError("\n".join(errors))
    return rows


def read_petitions(path: str | Path) -> list[dict[str, Any]]:
    """Every petition in a JSON-lines file, in file order; ValueError naming every line that
    is not a JSON object with an integer ``id``. Where ``duplicate_of_in_file`` is missing it
    is taken from ``duplicate_of``: the linked ids that are in the file."""
    with open(path, encoding="utf-8") as handle:
        petitions = read_json_lines(handle, lambda row: None if isinstance(row, dict) and
                                    _as_int(row.get("id")) is not None
                                    else 'needs an integer "id"')
    ids = {int(p["id"]) for p in petitions}
    for petition in petitions:
        if "duplicate_of_in_file" not in petition:
            petition["duplicate_of_in_file"] = [
                t for t in petition.get("duplicate_of") or [] if _as_int(t) in ids]
    return petitions


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def petition_title(petition: dict[str, Any]) -> str:
    return " ".join((petition.get("action") or "").split())


def petition_text(petition: dict[str, Any], details: bool = True) -> str:
    """Title on the first line, then background (and additional details): model input."""
    body = [petition.get("background") or ""]
    if details:
        body.append(petition.get("additional_details") or "")
    body_text = " ".join(" ".join(part.split()) for part in body if part and part.strip())
    return f"{petition_title(petition)}\n{body_text}".strip()


def is_published(petition: dict[str, Any]) -> bool:
    return petition.get("state") in PUBLISHED_STATES


def first_words(text: str, n: int) -> str:
    return " ".join((text or "").split()[:n])


def petition_day(petition: dict[str, Any], field: str) -> float | None:
    """A date field (ISO 8601, e.g. ``created_at``) in days since 1970, or None if absent
    or unreadable."""
    value = petition.get(field)
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # read as UTC, never as this machine's local time
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() / 86_400
