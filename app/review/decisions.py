"""Decisions on ideas, with public reasons, one at a time or in bulk, and their templates."""

import json

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.email import external_url
from app.extensions import db
from app.intake.services import record_status, status_message
from app.models import DecisionTemplate, Idea, IdeaStatus, User
from app.voting.notifications import followers_by_idea, tell

# The statuses staff decide directly. Merging happens through the duplicate groups, and
# "shortlisted" only by publishing the shortlist, so that the list and the statuses agree.
DECISIONS = (IdeaStatus.UNDER_REVIEW, IdeaStatus.NOT_TAKEN_FORWARD,
             IdeaStatus.NOT_A_DATA_PROJECT)
NEEDS_REASON = (IdeaStatus.NOT_TAKEN_FORWARD, IdeaStatus.NOT_A_DATA_PROJECT)

DEFAULT_TEMPLATES = [
    ("Data not available", IdeaStatus.NOT_TAKEN_FORWARD,
     "The data this idea needs is not held by the councils or public bodies we work with, and "
     "we could not find a way to collect it for this round."),
    ("Already being done", IdeaStatus.NOT_TAKEN_FORWARD,
     "A council or partner is already working on this. We have passed the idea to them so "
     "that it can inform their work."),
    ("Low feasibility", IdeaStatus.NOT_TAKEN_FORWARD,
     "Our assessment found that the action the data would enable is not clear enough yet to "
     "run as a data project. We welcome it again with more detail."),
    ("Service request", IdeaStatus.NOT_A_DATA_PROJECT,
     "This is a request for a service, not a data project. We have sent it to the council "
     "team that runs the service."),
    ("Under review", IdeaStatus.UNDER_REVIEW,
     "Staff are checking the data this idea needs and who could act on it."),
]


class DecisionError(Exception):
    """A decision that cannot be made as asked, and the form field it is about."""

    def __init__(self, message: str, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


def templates() -> list[DecisionTemplate]:
    """The reusable reasons; the defaults are made the first time they are needed."""
    rows = list(db.session.scalars(select(DecisionTemplate).order_by(DecisionTemplate.name)))
    if rows:
        return rows
    for name, status, reason in DEFAULT_TEMPLATES:
        db.session.add(DecisionTemplate(name=name, status=status, reason=reason))
    try:
        db.session.commit()
    except IntegrityError:  # another request made them first
        db.session.rollback()
    return list(db.session.scalars(select(DecisionTemplate).order_by(DecisionTemplate.name)))


def reasons_json(rows: list[DecisionTemplate]) -> str:
    """Each template's words by its id, as JSON for the script that puts them in the reason
    box (a plain string, so that the template escapes it into the attribute)."""
    return json.dumps({str(row.id): row.reason for row in rows}, ensure_ascii=False)


def template_name(name: str) -> str:
    """A template name as stored: spaces trimmed and runs of spaces made one."""
    return " ".join(name.split())


def _name_taken(name: str, other_than: int | None = None) -> bool:
    """Whether another template has this name, ignoring case ("low feasibility" is taken
    when "Low feasibility" exists: staff could not tell them apart in the list)."""
    statement = select(DecisionTemplate.id).where(
        func.lower(DecisionTemplate.name) == name.lower())
    if other_than is not None:
        statement = statement.where(DecisionTemplate.id != other_than)
    return db.session.scalar(statement.limit(1)) is not None


def save_template(actor: User, name: str, status: IdeaStatus, reason: str) -> DecisionTemplate:
    """Add a reusable reason. A name already in use is refused: changing a template is done
    from its own page, so that nobody overwrites one by choosing the same name."""
    if status not in DECISIONS:
        raise DecisionError("Choose a decision from the list")
    name = template_name(name)
    taken = f"There is already a template called “{name}”. Choose another name, or change " \
            f"that template from the list"
    if _name_taken(name):
        raise DecisionError(taken, "name")
    row = DecisionTemplate(name=name, status=status, reason=reason.strip())
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the same name added in another tab a moment ago
        db.session.rollback()
        raise DecisionError(taken, "name") from None
    audit.record(actor, "template.save", row, f"Added decision template {row.name}",
                 after={"status": status.value, "reason": row.reason})
    db.session.commit()
    return row


def change_template(actor: User, row: DecisionTemplate, name: str, status: IdeaStatus,
                    reason: str) -> DecisionTemplate:
    """Rename a template or change its decision or words (decisions made keep their reasons).
    Saving it unchanged records nothing."""
    if status not in DECISIONS:
        raise DecisionError("Choose a decision from the list")
    name = template_name(name)
    taken = f"There is already a template called “{name}”. Choose another name"
    if _name_taken(name, other_than=row.id):
        raise DecisionError(taken, "name")
    before = {"name": row.name, "status": row.status.value, "reason": row.reason}
    after = {"name": name, "status": status.value, "reason": reason.strip()}
    if after == before:
        return row
    row.name, row.status, row.reason = name, status, reason.strip()
    audit.record(actor, "template.change", row, f"Changed decision template {row.name}",
                 before=before, after=after)
    try:
        db.session.commit()
    except IntegrityError:  # the same name saved in another tab a moment ago
        db.session.rollback()
        raise DecisionError(taken, "name") from None
    return row


LAST_TEMPLATE = "You cannot delete the last template. Add another one first, or change this one"


def delete_template(actor: User, row: DecisionTemplate) -> None:
    """Delete a template; decisions made with it keep their reasons. The last one stays, since
    an empty list would bring the defaults back."""
    # Lock every template row (a handful) so that two people deleting the last two at once
    # take turns: the second then sees only its own row left and is refused. (SQLite has no
    # row locks, but lets only one of two such writers commit.)
    ids = db.session.scalars(select(DecisionTemplate.id).with_for_update()).all()
    if ids == [row.id] or not ids:
        raise DecisionError(LAST_TEMPLATE)
    audit.record(actor, "template.delete", row, f"Deleted decision template {row.name}",
                 before={"name": row.name, "status": row.status.value, "reason": row.reason})
    db.session.delete(row)
    db.session.commit()


def is_last_template(row: DecisionTemplate) -> bool:
    """Whether this is the only template left."""
    return db.session.scalar(select(DecisionTemplate.id).where(
        DecisionTemplate.id != row.id).limit(1)) is None


def resolve(status_value: str, template: DecisionTemplate | None,
            reason: str) -> tuple[IdeaStatus, str]:
    """The status and public reason a decision form asks for: the decision chosen, or else the
    template's; the words typed, or else the template's. A template made for another decision
    is refused, so that nobody reads one decision's reason under another decision."""
    if not status_value and template is None:
        raise DecisionError("Choose a decision or a template")
    try:
        status = IdeaStatus(status_value) if status_value else template.status
    except ValueError:
        raise DecisionError("Choose a decision from the list") from None
    if template is not None and template.status != status:
        raise DecisionError(f"The template “{template.name}” is for “{template.status.label}”. "
                            f"Choose that decision, or another template", "template")
    return status, reason.strip() or (template.reason if template else "")


def check_decision(status: IdeaStatus, reason: str, signposted_to: str = "",
                   allowed=DECISIONS) -> None:
    """Raise DecisionError (naming the field) unless this decision can be made as asked."""
    if status not in allowed:
        raise DecisionError("Choose a decision from the list")
    reason = reason.strip()
    if status in NEEDS_REASON and not reason:
        raise DecisionError("Give a reason everyone can read", "reason")
    # The same limits as the single decision form, for the bulk form too.
    if len(reason) > 2000:
        raise DecisionError("The reason must be 2,000 characters or fewer", "reason")
    if len(signposted_to.strip()) > 200:
        raise DecisionError("Where it was sent must be 200 characters or fewer", "signposted_to")
    if status == IdeaStatus.NOT_A_DATA_PROJECT and not signposted_to.strip():
        raise DecisionError("Say where the idea was sent instead", "signposted_to")


def would_change(ideas: list[Idea], status: IdeaStatus) -> list[Idea]:
    """The ideas a decision would move: not drafts, withdrawn or merged ideas (nothing to
    decide), nor those that already have this status."""
    return [idea for idea in ideas
            if idea.status not in (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN, IdeaStatus.MERGED)
            and idea.status != status]


def shortlist_message(idea: Idea, status: IdeaStatus, reason: str) -> str:
    """What followers are told when publishing the shortlist decides an idea: whether it is
    on the list, and why (the first sentence is the email's subject)."""
    verdict = "is on it" if status == IdeaStatus.SHORTLISTED else "is not on it"
    message = (f"{status.label}: “{idea.title}”. The shortlist for “{idea.window.title}” is "
               f"published and this idea {verdict}.")
    return f"{message} Reason: {reason}" if reason else message


def decide(actor: User, ideas: list[Idea], status: IdeaStatus, reason: str,
           signposted_to: str = "", commit: bool = True, allowed=DECISIONS,
           from_shortlist: bool = False) -> int:
    """Give ideas a status with a public reason: on their timelines, to their followers, in
    the audit log. Returns how many changed. `from_shortlist` says publishing the shortlist
    made the decision, which the timeline and what followers are told then name."""
    check_decision(status, reason, signposted_to, allowed)
    reason = reason.strip()
    moving = would_change(ideas, status)
    followers = followers_by_idea([idea.id for idea in moving])  # not one query per idea
    changed = 0
    # Nothing read in the loop is written by it, so flushing before every read (thousands of
    # times when publishing a large window's shortlist) would only slow it down.
    with db.session.no_autoflush:
        for idea in moving:
            before = idea.status
            text = reason
            if status == IdeaStatus.NOT_A_DATA_PROJECT:
                idea.signposted_to = signposted_to.strip()
                text = f"{reason} Sent to: {idea.signposted_to}."
            record_status(idea, status, actor, reason=text or None,
                          from_shortlist=from_shortlist, notify=False)
            summary, message, links = (f"Moved idea {idea.id} to {status.label}",
                                       status_message(idea, status, text or None), ())
            if from_shortlist:
                summary += " by publishing the shortlist"
                message = shortlist_message(idea, status, text)
                links = [("See the shortlist", external_url("review.public_shortlist",
                                                            window_id=idea.window_id))]
            tell(idea, message, followers.get(idea.id, []), actor, links)
            audit.record(actor, "idea.decide", idea, summary,
                         before={"status": before.value}, after={"status": status.value,
                                                                 "reason": text})
            changed += 1
    if commit:
        db.session.commit()
    return changed
