"""Idea windows, areas, and ideas from residents, councils and the mayor's office.

Each function that changes data commits its own transaction. Staff actions are written to
the audit log; an idea's status changes are written to its public timeline.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts import personal_data
from app.extensions import db
from app.intake import window_rules
from app.models import (
    Area,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Organisation,
    OrganisationKind,
    Role,
    Source,
    User,
    WindowStage,
    utcnow,
)
from app.pii import flag_personal_information
from app.voting.notifications import notify_followers
from app.voting.services import follow

log = logging.getLogger(__name__)


class IntakeError(Exception):
    """Something a person asked for that the rules do not allow, with a message for them."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---- Areas ---------------------------------------------------------------------------------

def list_areas() -> list[Area]:
    """Every area of the region, by name."""
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def add_area(actor: User, name: str) -> Area:
    """Add a borough or ward that windows can offer."""
    name = " ".join(name.split())
    if db.session.scalar(select(Area.id).where(func.lower(Area.name) == name.lower())):
        raise IntakeError("That area is already on the list", "name")
    area = Area(name=name)
    db.session.add(area)
    audit.record(actor, "area.create", area, f"Added area {name}", after={"name": name})
    db.session.commit()
    return area


def area_in_use(area: Area) -> bool:
    """True when an idea or a window uses the area."""
    from app.models import window_areas

    used_by_idea = db.session.scalar(select(exists().where(Idea.area_id == area.id)))
    used_by_window = db.session.scalar(
        select(exists().where(window_areas.c.area_id == area.id)))
    return bool(used_by_idea or used_by_window)


def remove_area(actor: User, area: Area) -> None:
    """Remove an area nobody uses."""
    if area_in_use(area):
        raise IntakeError(f"{area.name} is used by a window or an idea, so it cannot be removed")
    audit.record(actor, "area.delete", area, f"Removed area {area.name}",
                 before={"name": area.name})
    db.session.delete(area)
    db.session.commit()


# ---- Windows -------------------------------------------------------------------------------

@dataclass
class WindowDetails:
    """What staff enter for a window."""

    title: str
    theme: str
    description: str
    submissions_open_at: datetime
    submissions_close_at: datetime
    voting_open_at: datetime
    voting_close_at: datetime
    accepts_residents: bool
    accepts_councils: bool
    accepts_mayoral: bool
    area_ids: list[int]
    support_limit: int | None
    authors_may_support_own: bool
    premoderation: bool = False


def _window_state(window: IdeaWindow) -> dict[str, Any]:
    return {
        "title": window.title,
        "theme": window.theme,
        "description": window.description,
        "submissions_open_at": window.submissions_open_at.isoformat(),
        "submissions_close_at": window.submissions_close_at.isoformat(),
        "voting_open_at": window.voting_open_at.isoformat(),
        "voting_close_at": window.voting_close_at.isoformat(),
        "sources": [s.value for s in window.accepted_sources],
        "areas": sorted(a.name for a in window.areas),
        "support_limit": window.support_limit,
        "authors_may_support_own": window.authors_may_support_own,
        "premoderation": window.premoderation,
    }


# How the audit summary names each part of a window that changed.
WINDOW_FIELDS = {
    "title": "title", "theme": "theme", "description": "description",
    "submissions_open_at": "when ideas open", "submissions_close_at": "when ideas close",
    "voting_open_at": "when voting opens", "voting_close_at": "when voting closes",
    "sources": "who may submit", "areas": "areas", "support_limit": "supports each person may give",
    "authors_may_support_own": "authors supporting their own ideas",
    "premoderation": "pre-moderation",
}


class WindowChangeRefused(IntakeError):
    """Details a window cannot take, with a message for each field that must change (keys
    as `window_rules.problems` names them)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = problems


def _moments(details: WindowDetails) -> dict[str, datetime | None]:
    return {name: getattr(details, f"{name}_at") for name in window_rules.MOMENTS}


def window_problems(window: IdeaWindow | None, details: WindowDetails,
                    now: datetime | None = None) -> dict[str, str]:
    """Why `details` cannot be saved for `window` (None: a new one), field by field; empty
    when they can. A moment that is None (the form could not read it) is left out, so that a
    form with errors can show these too. The rules are in `app.intake.window_rules`."""
    accepts = {Source.RESIDENT: details.accepts_residents,
               Source.COUNCIL: details.accepts_councils,
               Source.MAYORAL: details.accepts_mayoral}
    return window_rules.problems(window, _moments(details), accepts, details.area_ids,
                                 details.support_limit, details.authors_may_support_own, now,
                                 premoderation=details.premoderation)


def _apply(window: IdeaWindow, details: WindowDetails) -> None:
    # A moment the form sent back as it is stored (to the minute) keeps its seconds.
    same = (window_rules.unchanged_moments(window, _moments(details))
            if window.id is not None else set())
    for name in ("title", "theme", "description", "submissions_open_at", "submissions_close_at",
                 "voting_open_at", "voting_close_at", "accepts_residents", "accepts_councils",
                 "accepts_mayoral", "support_limit", "authors_may_support_own", "premoderation"):
        if name.removesuffix("_at") not in same:
            setattr(window, name, getattr(details, name))
    window.areas = list(db.session.scalars(select(Area).where(Area.id.in_(details.area_ids))))


def create_window(actor: User, details: WindowDetails) -> IdeaWindow:
    """Create a draft window; nobody outside staff sees it until it is published."""
    problems = window_problems(None, details)
    if problems:
        raise WindowChangeRefused(problems)
    window = IdeaWindow(created_by_id=actor.id)
    _apply(window, details)
    db.session.add(window)
    audit.record(actor, "window.create", window, f"Created window {window.title}",
                 after=_window_state(window))
    db.session.commit()
    return window


def update_window(actor: User, window: IdeaWindow, details: WindowDetails,
                  now: datetime | None = None) -> list[str]:
    """Change a window's details within what has already happened in it (refused with
    `WindowChangeRefused`); returns the names of the parts that changed, none when nothing
    did (and nothing is saved or audited)."""
    problems = window_problems(window, details, now)
    if problems:
        raise WindowChangeRefused(problems)
    before = _window_state(window)
    _apply(window, details)
    after = _window_state(window)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        db.session.rollback()
        return []
    # Only what changed, so the log says what happened rather than listing every field.
    audit.record(actor, "window.update", window,
                 f"Changed window {window.title}: "
                 f"{', '.join(WINDOW_FIELDS[key] for key in changed)}",
                 before={key: before[key] for key in changed},
                 after={key: after[key] for key in changed})
    db.session.commit()
    return [WINDOW_FIELDS[key] for key in changed]


def publish_window(actor: User, window: IdeaWindow, now: datetime | None = None) -> None:
    """Make a draft window public; its stage then follows its dates. Refused once ideas or
    voting would already be over (`window_rules.why_cannot_publish`)."""
    now = now or utcnow()
    if reason := window_rules.why_cannot_publish(window, now):
        raise IntakeError(reason)
    window.published_at = now
    audit.record(actor, "window.publish", window, f"Published window {window.title}")
    db.session.commit()


def close_window(actor: User, window: IdeaWindow) -> None:
    """Close a window for good: no more ideas or supports."""
    if window.closed_at is not None:
        raise IntakeError("This window is already closed")
    if window.published_at is None:
        raise IntakeError("A draft window is not open to anyone: delete it instead, or "
                          "publish it first")
    window.closed_at = utcnow()
    audit.record(actor, "window.close", window, f"Closed window {window.title}")
    db.session.commit()


def reopen_window(actor: User, window: IdeaWindow) -> None:
    """Undo a close: the stage follows the dates again."""
    if window.closed_at is None:
        raise IntakeError("This window is not closed")
    window.closed_at = None
    audit.record(actor, "window.reopen", window, f"Reopened window {window.title}")
    db.session.commit()


def close_voting(actor: User, window: IdeaWindow, now: datetime | None = None) -> None:
    """End voting now, before its date (and stop taking ideas, if they are still open, as
    voting cannot close before ideas do). Nobody is notified: no stage change tells anyone."""
    _close_early(actor, window, window_rules.VOTING, now)


def close_submissions(actor: User, window: IdeaWindow, now: datetime | None = None) -> None:
    """Stop taking ideas now, before their date. Voting keeps its dates, whether it is open
    already or opens later; drafts stay private and can no longer be posted. Nobody is
    notified: no stage change tells anyone."""
    _close_early(actor, window, window_rules.IDEAS, now)


# The four moments as columns, for the conditional UPDATE that ends a stage early.
_COLUMN = {name: getattr(IdeaWindow, f"{name}_at") for name in window_rules.MOMENTS}


def _close_early(actor: User, window: IdeaWindow, stage: window_rules.EarlyClose,
                 now: datetime | None) -> None:
    now = now or utcnow()
    reason = window_rules.why_cannot_close(stage, window, now)
    if reason:
        raise IntakeError(reason)
    before = window_rules.closing_now(stage, window, now)
    after = dict.fromkeys(before, now)
    # Conditional on what was read: the stage still open at `now` and every date as it was,
    # so that a second press, or a change to the dates made at the same moment, finds the
    # window changed instead of closing it twice or out of order.
    claimed = db.session.execute(
        update(IdeaWindow)
        .where(IdeaWindow.id == window.id, IdeaWindow.published_at.is_not(None),
               _COLUMN[stage.opens] < now, _COLUMN[stage.closes] > now,
               *(column == getattr(window, f"{name}_at") for name, column in _COLUMN.items()),
               IdeaWindow.shortlist_published_at.is_(None), IdeaWindow.closed_at.is_(None))
        .values({_COLUMN[name]: moment for name, moment in after.items()})
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise IntakeError(window_rules.why_cannot_close(stage, window) or
                          "The window changed while you were looking at it. Check its dates "
                          "and try again.")
    db.session.expire(window)
    voting = stage is window_rules.VOTING
    audit.record(actor, "window.close_voting" if voting else "window.close_submissions",
                 window, f"Closed {'voting' if voting else 'ideas'} in window {window.title} "
                 f"early",
                 before={f"{k}_at": v.isoformat() for k, v in before.items()},
                 after={f"{k}_at": v.isoformat() for k, v in after.items()})
    db.session.commit()


def why_window_action_refused(action: str, window: IdeaWindow) -> str | None:
    """Why "close", "close_voting", "close_submissions", "reopen" or "delete" cannot be done
    to the window now, or None: said on the page that asks first, before its button."""
    if action == "close_voting":
        return window_rules.why_cannot_close_voting(window)
    if action == "close_submissions":
        return window_rules.why_cannot_close_submissions(window)
    if action == "delete" and window_has_ideas(window):
        return "This window has ideas, so it cannot be deleted. You can close it instead."
    if action == "reopen" and window.closed_at is None:
        return "This window is not closed, so there is nothing to reopen."
    if action == "close" and window.published_at is None:
        return "This window is a draft, so it is not open to anyone. Delete it instead."
    if action == "close" and window.closed_at is not None:
        return "This window is already closed."
    return None


def what_reopening_does(window: IdeaWindow) -> str:
    """What reopening a closed window would do, in words for the staff who ask for it: its
    stage follows its dates again, which may not open it to anyone."""
    from app.filters import london_date

    stage = window.stage_by_dates()
    then = f"Its stage will follow its dates again: “{stage.label}”"
    if stage == WindowStage.OPEN_FOR_IDEAS:
        return (f"{then}. People can submit ideas until "
                f"{london_date(window.submissions_close_at)} and support them from "
                f"{london_date(window.voting_open_at)} to {london_date(window.voting_close_at)}.")
    if stage == WindowStage.VOTING_UPCOMING:
        return (f"{then}. People can support its ideas from "
                f"{london_date(window.voting_open_at)} to {london_date(window.voting_close_at)}.")
    if stage == WindowStage.OPEN_FOR_VOTING:
        return (f"{then}. People can support its ideas until "
                f"{london_date(window.voting_close_at)}.")
    if stage == WindowStage.UPCOMING:
        return (f"{then}. It opens for ideas on {london_date(window.submissions_open_at)}.")
    if stage == WindowStage.SHORTLIST_PUBLISHED:
        return (f"{then} instead of “Closed”. Its shortlist is published, so nobody can submit "
                f"or support ideas in it, whatever its dates.")
    return (f"{then} instead of “Closed”. Its dates for ideas and voting have passed, so "
            f"nobody can submit or support ideas in it. If people should be able to, change "
            f"its dates before you reopen it.")


def window_has_ideas(window: IdeaWindow) -> bool:
    """True when any idea, even a draft, belongs to the window."""
    return bool(db.session.scalar(select(exists().where(Idea.window_id == window.id))))


def delete_window(actor: User, window: IdeaWindow) -> None:
    """Delete a window that has no ideas; one with ideas can only be closed."""
    if window_has_ideas(window):
        raise IntakeError("This window has ideas, so it cannot be deleted. You can close it.")
    audit.record(actor, "window.delete", window, f"Deleted window {window.title}",
                 before=_window_state(window))
    db.session.delete(window)
    db.session.commit()


# Stages in which a window takes ideas or supports, or soon will: "Open now" on the home page.
OPEN_STAGES = frozenset({WindowStage.OPEN_FOR_IDEAS, WindowStage.VOTING_UPCOMING,
                         WindowStage.OPEN_FOR_VOTING})
STAGE_ORDER = {
    WindowStage.OPEN_FOR_IDEAS: 0, WindowStage.VOTING_UPCOMING: 0, WindowStage.OPEN_FOR_VOTING: 0,
    WindowStage.UNDER_REVIEW: 0,
    WindowStage.SHORTLIST_PUBLISHED: 0, WindowStage.UPCOMING: 1, WindowStage.CLOSED: 2,
}


def public_windows(now: datetime | None = None) -> dict[str, list[IdeaWindow]]:
    """Published windows grouped as current, upcoming and past, each in a sensible order."""
    now = now or utcnow()
    windows = db.session.scalars(select(IdeaWindow).where(IdeaWindow.published_at.is_not(None)))
    groups: dict[str, list[IdeaWindow]] = {"current": [], "upcoming": [], "past": []}
    for window in windows:
        rank = STAGE_ORDER[window.stage(now)]
        groups[("current", "upcoming", "past")[rank]].append(window)
    # Windows taking ideas or supports first; then those being decided.
    groups["current"].sort(key=lambda w: (w.stage(now) not in OPEN_STAGES,
                                          w.submissions_close_at))
    groups["upcoming"].sort(key=lambda w: w.submissions_open_at)
    groups["past"].sort(key=lambda w: w.submissions_open_at, reverse=True)
    return groups


def home_windows(now: datetime | None = None) -> tuple[list[IdeaWindow], list[IdeaWindow]]:
    """For the home page: the windows open now (for ideas or supports, or voting soon), and
    those whose voting has closed and that are being decided or have their shortlist out."""
    now = now or utcnow()
    current = public_windows(now)["current"]
    return ([w for w in current if w.stage(now) in OPEN_STAGES],
            [w for w in current if w.stage(now) not in OPEN_STAGES])


def staff_windows() -> list[IdeaWindow]:
    """Every window, drafts included, newest first."""
    return list(db.session.scalars(select(IdeaWindow).order_by(
        IdeaWindow.submissions_open_at.desc(), IdeaWindow.id.desc())))


# ---- Who may submit, and as whom -----------------------------------------------------------

@dataclass(frozen=True)
class SubmitAs:
    """One way a person may submit: as themselves, or on behalf of an organisation."""

    key: str
    source: Source
    organisation: Organisation | None
    label: str


def submission_options(user: User, window: IdeaWindow) -> list[SubmitAs]:
    """The ways `user` may submit to `window` (for officers, each organisation they act for)."""
    options = []
    for membership in user.approved_memberships():
        organisation = membership.organisation
        source = (Source.MAYORAL if organisation.kind == OrganisationKind.MAYORS_OFFICE
                  else Source.COUNCIL)
        if window.accepts(source):
            label = ("A manifesto pledge from " if source == Source.MAYORAL
                     else "On behalf of ") + organisation.name
            options.append(SubmitAs(f"organisation-{organisation.id}", source, organisation,
                                    label))
    if window.accepts(Source.RESIDENT):
        options.append(SubmitAs("myself", Source.RESIDENT, None, "Myself, as a resident"))
    return options


def find_option(user: User, window: IdeaWindow, key: str) -> SubmitAs | None:
    """The submission option with this key, if the person has it."""
    return next((o for o in submission_options(user, window) if o.key == key), None)


# Why an unverified person cannot submit: the window page links it to confirming their address.
UNCONFIRMED_EMAIL = "Confirm your email address before you submit an idea."


def why_cannot_submit(user: User | None, window: IdeaWindow, now: datetime | None = None
                      ) -> str | None:
    """The reason a person cannot submit to a window right now, or None if they can."""
    stage = window.stage(now)
    if stage == WindowStage.UPCOMING:
        return "This window is not open for ideas yet."
    if stage != WindowStage.OPEN_FOR_IDEAS:
        return "This window is closed to new ideas."
    if user is None or not user.is_authenticated:
        return None  # they will be asked to sign in
    if user.role in (Role.STAFF, Role.ADMIN):
        return "ODA staff review ideas and do not submit them."
    if not user.is_verified:
        return UNCONFIRMED_EMAIL
    if not submission_options(user, window):
        accepted = ", ".join(s.label.lower() for s in window.accepted_sources)
        return f"This window only takes ideas from: {accepted}."
    return None


# ---- Ideas ---------------------------------------------------------------------------------

@dataclass
class IdeaDetails:
    """What an author enters for an idea."""

    title: str
    problem: str
    action: str = ""
    data: str = ""
    area_id: int | None = None
    datasets: str = ""
    pledge_reference: str | None = None
    pledge_url: str | None = None


def _clean(text: str | None) -> str:
    return (text or "").strip().replace("\r\n", "\n")


# Ideas whose pledge reference is taken: as the unique index of migration 0013 has it.
PLEDGE_FREEING_STATUSES = (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN)
PLEDGE_INDEX = "uq_ideas_window_pledge_reference"


def pledge_holder(window: IdeaWindow, reference: str | None,
                  other_than: int | None = None) -> Idea | None:
    """The idea of this window that already carries this pledge reference, whatever its
    letter case (drafts and withdrawn ideas do not count), or None."""
    if not reference:
        return None
    statement = select(Idea).where(
        Idea.window_id == window.id, func.lower(Idea.pledge_reference) == reference.lower(),
        Idea.status.not_in(PLEDGE_FREEING_STATUSES))
    if other_than is not None:
        statement = statement.where(Idea.id != other_than)
    return db.session.scalar(statement.limit(1))


def _check_pledge_free(idea: Idea, window: IdeaWindow) -> None:
    holder = pledge_holder(window, idea.pledge_reference, other_than=idea.id)
    if holder is not None:
        raise IntakeError(f"This pledge is already in this window, as “{holder.title}”. Check "
                          "the pledge reference", "pledge_reference")


def _apply_idea(idea: Idea, details: IdeaDetails, window: IdeaWindow) -> None:
    if details.area_id and details.area_id not in {a.id for a in window.areas}:
        raise IntakeError("Select an area from the list", "area")
    idea.title = " ".join(details.title.split())
    idea.problem = _clean(details.problem)
    idea.action = _clean(details.action)
    idea.data = _clean(details.data)
    idea.area_id = details.area_id or None
    idea.datasets = _clean(details.datasets) if idea.source == Source.COUNCIL else ""
    if idea.source == Source.MAYORAL:
        idea.pledge_reference = _clean(details.pledge_reference) or None
        idea.pledge_url = _clean(details.pledge_url) or None
        with db.session.no_autoflush:  # the idea itself is not in the database yet, or changed
            _check_pledge_free(idea, window)
    flag_personal_information(idea)


def create_draft(author: User, window: IdeaWindow, option: SubmitAs,
                 details: IdeaDetails) -> Idea:
    """Save what the author typed as a private draft, for the check-your-answers page."""
    reason = why_cannot_submit(author, window)
    if reason:
        raise IntakeError(reason)
    idea = Idea(window=window, author=author, source=option.source,
                organisation=option.organisation, status=IdeaStatus.DRAFT)
    _apply_idea(idea, details, window)
    db.session.add(idea)
    db.session.commit()
    return idea


def can_edit(user: User, idea: Idea, now: datetime | None = None) -> bool:
    """Authors edit drafts, and published ideas until voting opens (if still submitted and
    nobody supports them): supporters backed the words as they were."""
    if not user.is_authenticated or idea.author_id != user.id:
        return False
    if idea.status == IdeaStatus.DRAFT:
        return True
    return (idea.status == IdeaStatus.SUBMITTED and idea.window.closed_at is None
            and idea.support_count == 0 and not window_rules.voting_reached(idea.window, now))


def why_cannot_edit(idea: Idea) -> str:
    """Why an author can no longer change their idea."""
    if idea.status == IdeaStatus.WITHDRAWN:
        return "You withdrew this idea, so it can no longer be changed."
    if idea.status != IdeaStatus.SUBMITTED:
        return f"This idea is {idea.status.label.lower()}, so it can no longer be changed."
    if idea.window.closed_at is not None:
        return "The window is closed, so this idea can no longer be changed."
    if idea.support_count:
        return ("People have supported this idea, so it can no longer be changed: they "
                "supported what it says now. You can withdraw it at any time.")
    return "You can no longer change this idea: voting has opened."


EDITABLE = ("title", "problem", "action", "data", "area_id", "datasets", "pledge_reference",
            "pledge_url")


def update_idea(author: User, idea: Idea, details: IdeaDetails) -> bool:
    """Change an idea the author may still edit; False when the answers are as they were."""
    if not can_edit(author, idea):
        raise IntakeError(why_cannot_edit(idea))
    before = [getattr(idea, name) for name in EDITABLE]
    _apply_idea(idea, details, idea.window)
    if [getattr(idea, name) for name in EDITABLE] == before:
        # Nothing to save, and no "changed" date to show; personal-information flags that
        # staff cleared stay cleared for the same words.
        db.session.rollback()
        return False
    if idea.status != IdeaStatus.DRAFT:
        idea.updated_at = utcnow()
    db.session.commit()
    return True


def status_message(idea: Idea, status: IdeaStatus, reason: str | None) -> str:
    """What followers are told when an idea moves to a status."""
    message = f"“{idea.title}” is now: {status.label}."
    return f"{message} Reason: {reason}" if reason else message


def record_status(idea: Idea, status: IdeaStatus, actor: User | None,
                  reason: str | None = None, at: datetime | None = None,
                  from_shortlist: bool = False, notify: bool = True) -> int:
    """Move an idea to a status, on its public timeline, and tell its followers unless the
    caller does (`notify=False`); the caller commits. Returns how many people were told."""
    idea.status = status
    # Added through the change's side of the relationship, which does not load the idea's
    # whole timeline first: a bulk decision moves thousands of ideas.
    db.session.add(IdeaStatusChange(idea=idea, status=status, reason=reason,
                                    changed_by_id=actor.id if actor else None,
                                    changed_at=at or utcnow(), from_shortlist=from_shortlist))
    if notify and status != IdeaStatus.SUBMITTED:
        return notify_followers(idea, status_message(idea, status, reason), actor)
    return 0


def ideas_published_since(author: User, since: datetime) -> int:
    """How many ideas a person has published since a moment."""
    return db.session.scalar(select(func.count(Idea.id)).where(
        Idea.author_id == author.id, Idea.published_at >= since))


def daily_limit_reached(author: User, limit: int, now: datetime | None = None) -> datetime | None:
    """When the author may publish again, if they have reached the daily limit."""
    now = now or utcnow()
    since = now - timedelta(days=1)
    if ideas_published_since(author, since) < limit:
        return None
    oldest = db.session.scalar(select(func.min(Idea.published_at)).where(
        Idea.author_id == author.id, Idea.published_at >= since))
    return oldest + timedelta(days=1)


def publish_idea(author: User, idea: Idea, daily_limit: int,
                 similar_shown: list[int] | None = None) -> None:
    """Publish a draft: the window must be open, accept its source, and the author be under
    their daily limit."""
    if idea.author_id != author.id or idea.status != IdeaStatus.DRAFT:
        raise IntakeError("This idea has already been published.")
    reason = why_cannot_submit(author, idea.window)
    if reason:
        raise IntakeError(reason)
    if not idea.window.accepts(idea.source):
        raise IntakeError("This window no longer takes ideas from this source.")
    if idea.area is not None and idea.area not in idea.window.areas:
        raise IntakeError(f"This window no longer offers {idea.area.name} as an area. Change "
                          f"your idea to choose another area. It is saved as a draft.")
    if idea.organisation is not None and idea.organisation_id not in {
            m.organisation_id for m in author.approved_memberships()}:
        raise IntakeError(f"You no longer act for {idea.organisation.name}, so this draft "
                          f"cannot be published on its behalf. It is saved as a draft.")
    if idea.source == Source.MAYORAL:
        holder = pledge_holder(idea.window, idea.pledge_reference, other_than=idea.id)
        if holder is not None:  # published since the draft was saved
            raise IntakeError(f"This pledge is already in this window, as “{holder.title}”. "
                              "Change the pledge reference. It is saved as a draft.")
    again_at = daily_limit_reached(author, daily_limit)
    if again_at is not None:
        from app.filters import london_datetime

        raise IntakeError(f"You can publish up to {daily_limit} ideas a day. You can publish "
                          f"this one after {london_datetime(again_at)}. It is saved as a draft.")
    now = utcnow()
    idea.published_at = now
    idea.similar_when_posted = similar_shown or None
    # In a pre-moderated window the idea waits for staff before anyone else sees it.
    idea.awaiting_moderation = idea.window.premoderation
    record_status(idea, IdeaStatus.SUBMITTED, author, at=now)
    follow(author, idea, commit=False)  # authors follow their own ideas
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if PLEDGE_INDEX not in str(error.orig):
            raise
        raise IntakeError("This pledge was published in this window a moment ago. Change the "
                          "pledge reference. It is saved as a draft.") from None
    log.info("idea %s published in window %s", idea.id, idea.window_id)
    suggest_types_quietly([idea])


def suggest_types_quietly(ideas: list[Idea]) -> None:
    """Suggest opportunity types for new ideas, if a type model has been trained; a failure
    here never undoes the publishing (staff pages suggest when they find no suggestion)."""
    from app.triage.services import suggest_types

    try:
        suggest_types(ideas, train_if_missing=False)
        db.session.commit()
    except Exception:  # noqa: BLE001 - logged; the idea is already published
        db.session.rollback()
        log.exception("type suggestion failed for ideas %s", [i.id for i in ideas])


def withdraw_idea(author: User, idea: Idea, reason: str | None) -> None:
    """Withdraw a published idea; it stays visible as withdrawn, its supports frozen."""
    if idea.author_id != author.id:
        raise IntakeError("Only the author can withdraw an idea.")
    if idea.status in (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN):
        raise IntakeError("This idea cannot be withdrawn.")
    record_status(idea, IdeaStatus.WITHDRAWN, author, reason=_clean(reason) or None)
    db.session.commit()


def discard_draft(author: User, idea: Idea) -> None:
    """Delete a draft its author no longer wants."""
    if idea.author_id != author.id or idea.status != IdeaStatus.DRAFT:
        raise IntakeError("Only drafts can be discarded.")
    db.session.delete(idea)
    db.session.commit()


def my_ideas(user: User) -> list[Idea]:
    """A person's ideas, drafts included, newest first."""
    return list(db.session.scalars(select(Idea).where(Idea.author_id == user.id)
                                   .order_by(Idea.created_at.desc(), Idea.id.desc())))


def visible_to(idea: Idea | None, user: User) -> bool:
    """Public ideas are for everyone (hidden ones show only why); drafts and ideas waiting
    for pre-moderation only for their author and staff."""
    if idea is None:
        return False
    if user.is_authenticated and (idea.author_id == user.id or user.is_staff):
        return True
    return idea.is_public and not idea.awaiting_moderation


def public_author(idea: Idea) -> str:
    """Who the idea is shown as coming from."""
    if idea.source == Source.MAYORAL and idea.organisation:
        return idea.organisation.name
    if idea.source == Source.COUNCIL and idea.organisation:
        return f"{idea.author.public_name}, {idea.organisation.name}"
    return idea.author.public_name


@personal_data.section("ideas")
def _idea_data(user: User) -> list[dict[str, Any]]:
    return [
        {
            "window": idea.window.title,
            "title": idea.title,
            "problem": idea.problem,
            "action": idea.action,
            "data": idea.data,
            "datasets": idea.dataset_list,
            "area": idea.area.name if idea.area else None,
            "source": idea.source.value,
            "organisation": idea.organisation.name if idea.organisation else None,
            "pledge_reference": idea.pledge_reference,
            "status": idea.status.value,
            "published_at": idea.published_at.isoformat() if idea.published_at else None,
        }
        for idea in my_ideas(user)
    ]
