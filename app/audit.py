"""Writing to the append-only audit log, in the same transaction as the change it records."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import (
    FORMER_MEMBER_NAME,
    Area,
    AuditEvent,
    DecisionTemplate,
    DuplicateCluster,
    Idea,
    IdeaWindow,
    Membership,
    Organisation,
    TriageRun,
    TypeModel,
    User,
    utcnow,
)

log = logging.getLogger(__name__)

# What admins read for each action and record type in the audit log's filters; the codes stay
# in the log and its export. A test checks that every action the code records has a label.
ACTION_LABELS = {
    "account.delete": "Account deleted",
    "area.create": "Area added",
    "area.delete": "Area deleted",
    "audit.export": "Audit log exported",
    "cluster.confirm": "Duplicate group confirmed",
    "cluster.remove_idea": "Idea taken out of a duplicate group",
    "cluster.restore_idea": "Idea put back in a duplicate group",
    "cluster.unconfirm": "Duplicate group confirmation undone",
    "criteria.reword": "Feasibility criteria reworded",
    "idea.approve": "Idea approved (pre-moderation)",
    "idea.assess": "Idea scored for feasibility",
    "idea.assign": "Idea assigned to a reviewer",
    "idea.clear_flags": "Personal information flags cleared",
    "idea.decide": "Decision on an idea",
    "idea.hide": "Idea hidden",
    "idea.merge": "Idea merged into another",
    "idea.note": "Staff note added",
    "idea.restore": "Hidden idea restored",
    "idea.redact": "Personal information taken out of an idea",
    "idea.types": "Opportunity types confirmed",
    "idea.unmerge": "Merge undone",
    "membership.approve": "Request to join an organisation approved",
    "membership.lead": "Organisation lead changed",
    "membership.reject": "Request to join an organisation turned down",
    "membership.remove": "Member removed from an organisation",
    "organisation.create": "Organisation added",
    "organisation.update": "Organisation changed",
    "reports.dismiss": "Reports dismissed",
    "shortlist.override": "Shortlist override",
    "shortlist.publish": "Shortlist published",
    "shortlist.weights": "Shortlist formula changed",
    "template.delete": "Decision template deleted",
    "template.change": "Decision template changed",
    "template.save": "Decision template added",
    "triage.run": "Duplicate check run",
    "triage.train": "Type model trained",
    "user.create_admin": "Admin account created",
    "user.role": "Role changed",
    "window.close": "Window closed",
    "window.close_submissions": "Ideas closed early",
    "window.close_voting": "Voting closed early",
    "window.create": "Window created",
    "window.delete": "Window deleted",
    # Not written any more (the window's form switches it, as "window.update"); kept so
    # that an entry an earlier version wrote still reads well.
    "window.premoderation": "Pre-moderation switched on or off",
    "window.publish": "Window published",
    "window.reopen": "Window reopened",
    "window.update": "Window changed",
}
RECORD_NAMES = {"idea_windows": "Idea window", "ideas": "Idea", "users": "Account",
                "organisations": "Organisation", "memberships": "Membership",
                "areas": "Area", "reports": "Report", "criteria": "Criterion",
                "assessments": "Assessment", "staff_notes": "Staff note",
                "decision_templates": "Decision template",
                "shortlist_overrides": "Shortlist change", "shortlist_entries": "Shortlist entry",
                "triage_type_models": "Type model", "triage_runs": "Duplicate check",
                "triage_clusters": "Group of similar ideas", "audit_events": "Audit log"}


def action_label(action: str) -> str:
    """The action as admins read it, or its code when it has no label."""
    return ACTION_LABELS.get(action, action)


def record_label(target_type: str) -> str:
    """A record type (a table name) as admins read it: 'Idea window' for "idea_windows"."""
    return RECORD_NAMES.get(target_type, target_type.replace("_", " ").capitalize())


def _user_names(ids: list[int]) -> dict[int, str | None]:
    rows = db.session.execute(select(User.id, User.display_name, User.deleted_at)
                              .where(User.id.in_(ids)))
    # A deleted account keeps its row (and its page) but not its name.
    return {i: "a deleted account" if deleted else name for i, name, deleted in rows}


def _membership_names(ids: list[int]) -> dict[int, str | None]:
    rows = db.session.execute(
        select(Membership.id, User.display_name, User.deleted_at, Organisation.name)
        .join(User, User.id == Membership.user_id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.id.in_(ids)))
    return {i: f"{FORMER_MEMBER_NAME if deleted else person} in {organisation}"
            for i, person, deleted, organisation in rows}


def _run_names(ids: list[int]) -> dict[int, str | None]:
    rows = db.session.execute(select(TriageRun.id, IdeaWindow.title)
                              .outerjoin(IdeaWindow, IdeaWindow.id == TriageRun.window_id)
                              .where(TriageRun.id.in_(ids)))
    return {i: title or "every window" for i, title in rows}


def _cluster_names(ids: list[int]) -> dict[int, str | None]:
    rows = db.session.execute(select(DuplicateCluster.id, IdeaWindow.title)
                              .join(TriageRun, TriageRun.id == DuplicateCluster.run_id)
                              .outerjoin(IdeaWindow, IdeaWindow.id == TriageRun.window_id)
                              .where(DuplicateCluster.id.in_(ids)))
    return {i: title or "every window" for i, title in rows}


def _column_names(column):
    def names(ids: list[int]) -> dict[int, str | None]:
        table = column.class_
        return dict(db.session.execute(select(table.id, column).where(table.id.in_(ids))).all())
    return names


# How to read the natural name of each kind of record the log names, many ids at a time.
RECORD_NAME_LOOKUPS = {
    "ideas": _column_names(Idea.title),
    "idea_windows": _column_names(IdeaWindow.title),
    "users": _user_names,
    "organisations": _column_names(Organisation.name),
    "memberships": _membership_names,
    "areas": _column_names(Area.name),
    "decision_templates": _column_names(DecisionTemplate.name),
    "triage_type_models": _column_names(TypeModel.version),
    "triage_runs": _run_names,
    "triage_clusters": _cluster_names,
}


@dataclass
class RecordName:
    """How the audit log names an entry's record: "Idea 20: Light the towpath", or "Idea 20
    (deleted)" when it no longer exists (`exists` is False, and there is no page to link)."""

    text: str
    exists: bool


def record_names(events: list[AuditEvent]) -> dict[int, RecordName]:
    """The record each event names, by event id, with its name as it is now: one query per
    kind of record on the page, however many entries. A record deleted since is named as the
    event left it (a deleted window's title, from its "before"), and marked deleted."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type in RECORD_NAME_LOOKUPS and (event.target_id or "").isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    found = {kind: RECORD_NAME_LOOKUPS[kind](sorted(ids)) for kind, ids in wanted.items()}
    names = {}
    for event in events:
        plain = f"{record_label(event.target_type)} {event.target_id or ''}".strip()
        if event.target_type not in found or not (event.target_id or "").isdigit():
            names[event.id] = RecordName(plain, True)  # a kind whose names are not looked up
            continue
        rows = found[event.target_type]
        key = int(event.target_id)
        if key in rows and rows[key] is not None:
            names[event.id] = RecordName(f"{plain}: {rows[key]}", True)
        else:
            said = _name_in(event.before) or _name_in(event.after)
            names[event.id] = RecordName(f"{plain}: {said} (deleted)" if said
                                         else f"{plain} (deleted)", False)
    return names


def _name_in(values: dict[str, Any] | None) -> str | None:
    """A record's name or title as an event's before or after values hold it, if they do."""
    for key in ("title", "name"):
        if isinstance(values, dict) and isinstance(values.get(key), str) and values[key]:
            return values[key]
    return None


def record(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event for `target` (a model instance); the caller commits. `occurred_at`
    is for the demo seed, which records its past decisions when they were made; the app
    always records now."""
    if target.id is None:
        db.session.flush()  # so that a new target has its id
    event = AuditEvent(
        occurred_at=occurred_at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__,
        target_id=str(target.id),
        summary=summary,
        before=before,
        after=after,
    )
    db.session.add(event)
    log.info("audit %s %s:%s by %s", action, event.target_type, event.target_id,
             actor.id if actor else "command line")
    return event
