"""Importing manifesto pledges from a CSV file: every row is checked first, then all rows are
imported in one transaction, or none are.

Columns (the first row names them, in any order):
    title             required, 10 to 120 characters
    problem           required: the problem the pledge addresses
    action            optional: what would change
    data              optional: data that might help
    area              optional: one of the window's areas, by name
    pledge_reference  required, unique within the window, e.g. "Manifesto 2024, p.12, pledge 3"
    pledge_url        optional: a link to the pledge, starting http:// or https://
"""

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.intake.services import (
    PLEDGE_FREEING_STATUSES,
    PLEDGE_INDEX,
    IntakeError,
    suggest_types_quietly,
    why_cannot_submit,
)
from app.models import Idea, IdeaStatus, IdeaStatusChange, IdeaWindow, Organisation, Source, User
from app.models import utcnow as now_utc
from app.pii import flag_personal_information
from app.voting.services import follow

COLUMNS = ("title", "problem", "action", "data", "area", "pledge_reference", "pledge_url")
REQUIRED = ("title", "problem", "pledge_reference")
MAX_ROWS = 1000
MAX_TEXT = 5000  # the same limit as the form
MAX_BYTES = 1024 * 1024


@dataclass
class PledgeRow:
    """One pledge read from the file, with the line it started on."""

    line: int
    title: str
    problem: str
    action: str
    data: str
    area_id: int | None
    area_name: str
    pledge_reference: str
    pledge_url: str | None


@dataclass
class PledgeFile:
    """What a file holds: rows ready to import, or the problems, each with its line number."""

    rows: list[PledgeRow] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode(raw: bytes) -> str:
    """The file's text; Excel's "CSV UTF-8" adds a byte-order mark, which is fine."""
    if len(raw) > MAX_BYTES:
        raise IntakeError("The file must be smaller than 1 MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IntakeError("The file must be saved as UTF-8. In Excel, choose "
                          "'CSV UTF-8 (Comma delimited)'.") from None


def _row_problems(values: dict[str, str]) -> list[str]:
    problems = []
    title = " ".join(values["title"].split())
    if not title:
        problems.append("title is empty")
    elif not 10 <= len(title) <= 120:
        problems.append(f"title must be 10 to 120 characters (it has {len(title)})")
    if not values["problem"].strip():
        problems.append("problem is empty")
    for column in ("problem", "action", "data"):
        if len(values[column].strip()) > MAX_TEXT:
            problems.append(f"{column} must be {MAX_TEXT:,} characters or fewer "
                            f"(it has {len(values[column].strip()):,})")
    reference = values["pledge_reference"].strip()
    if not reference:
        problems.append("pledge_reference is empty")
    elif len(reference) > 200:
        problems.append("pledge_reference must be 200 characters or fewer")
    url = values["pledge_url"].strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            problems.append("pledge_url must be a web address starting https:// or http://")
    return problems


def read_pledges(text: str, window: IdeaWindow) -> PledgeFile:
    """Check every row of a pledge file against the rules and the window."""
    result = PledgeFile()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        result.errors.append((None, "The file is empty"))
        return result
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    if missing:
        result.errors.append((1, f"The first row must name the columns; missing: "
                                 f"{', '.join(missing)}"))
    if unknown:
        result.errors.append((1, f"Unknown column: {', '.join(unknown)}. The columns are: "
                                 f"{', '.join(COLUMNS)}"))
    if result.errors:
        return result

    areas = {a.name.lower(): a for a in window.areas}
    taken = {reference.lower() for reference in db.session.scalars(
        select(Idea.pledge_reference).where(
            Idea.window_id == window.id, Idea.pledge_reference.is_not(None),
            Idea.status.not_in(PLEDGE_FREEING_STATUSES)))}
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between pledges are harmless
        if len(cells) > len(names):
            result.errors.append((start, f"has {len(cells)} cells but the first row names "
                                         f"{len(names)} columns"))
            continue
        values = {column: "" for column in COLUMNS}
        values.update({name: cell for name, cell in zip(names, cells, strict=False) if name})
        problems = _row_problems(values)
        reference = values["pledge_reference"].strip()
        if reference and reference.lower() in seen:
            problems.append(f"pledge_reference repeats line {seen[reference.lower()]}")
        elif reference.lower() in taken:
            problems.append("a pledge with this pledge_reference is already in this window")
        seen.setdefault(reference.lower(), start)
        area_name = values["area"].strip()
        area = areas.get(area_name.lower()) if area_name else None
        if area_name and area is None:
            problems.append(f"area '{area_name}' is not one of this window's areas")
        if problems:
            result.errors.append((start, "; ".join(problems)))
            continue
        result.rows.append(PledgeRow(
            line=start, title=" ".join(values["title"].split()),
            problem=values["problem"].strip(), action=values["action"].strip(),
            data=values["data"].strip(), area_id=area.id if area else None,
            area_name=area.name if area else "", pledge_reference=reference,
            pledge_url=values["pledge_url"].strip() or None))
    if not result.rows and not result.errors:
        result.errors.append((None, "The file has no pledges in it"))
    if len(result.rows) > MAX_ROWS:
        result.errors.append((None, f"The file has {len(result.rows)} pledges; import at most "
                                    f"{MAX_ROWS} at a time"))
    return result


def import_pledges(author: User, organisation: Organisation, window: IdeaWindow,
                   text: str) -> list[Idea]:
    """Publish every pledge in the file, or none if any row has a problem."""
    if organisation.kind.value != "mayors_office":
        raise IntakeError("Only the mayor's office imports pledges")
    reason = why_cannot_submit(author, window)
    if reason:
        raise IntakeError(reason)
    pledges = read_pledges(text, window)
    if not pledges.ok:
        raise IntakeError("The file has problems; nothing was imported")
    now = now_utc()
    ideas = []
    for row in pledges.rows:
        idea = Idea(window=window, author=author, source=Source.MAYORAL,
                    organisation=organisation, title=row.title, problem=row.problem,
                    action=row.action, data=row.data, area_id=row.area_id,
                    pledge_reference=row.pledge_reference, pledge_url=row.pledge_url,
                    status=IdeaStatus.SUBMITTED, published_at=now,
                    awaiting_moderation=window.premoderation)
        flag_personal_information(idea)
        idea.status_changes.append(IdeaStatusChange(status=IdeaStatus.SUBMITTED,
                                                    changed_by_id=author.id, changed_at=now))
        db.session.add(idea)
        ideas.append(idea)
    try:
        db.session.flush()
        for idea in ideas:
            follow(author, idea, commit=False)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if PLEDGE_INDEX not in str(error.orig):
            raise
        # The unique pledge index: one was added since the file was read.
        raise IntakeError("Someone added one of these pledges to the window while the file was "
                          "being checked, so nothing was imported. Upload the file again to "
                          "see which.") from None
    suggest_types_quietly(ideas)
    return ideas


def imported_between(window: IdeaWindow, organisation: Organisation, first: int,
                     last: int) -> list[Idea]:
    """This office's pledges in a window with ids from `first` to `last`: what one import
    published (its ideas are numbered together)."""
    return list(db.session.scalars(
        select(Idea).where(Idea.window_id == window.id, Idea.organisation_id == organisation.id,
                           Idea.source == Source.MAYORAL, Idea.id.between(first, last))
        .order_by(Idea.id)))
