"""Writing to the append-only audit log, in the same transaction as the change it records."""

import logging
from typing import Any

from app.extensions import db
from app.models import AuditEvent, User

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
    "window.close_voting": "Voting closed early",
    "window.create": "Window created",
    "window.delete": "Window deleted",
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


def record(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for `target` (a model instance); the caller commits."""
    if target.id is None:
        db.session.flush()  # so that a new target has its id
    event = AuditEvent(
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
