"""Administration: finding people, changing staff roles, reading the audit log."""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select

from app import audit
from app.accounts.services import count_active_admins
from app.email import EmailNotSent, external_url, send_email
from app.extensions import db
from app.filters import LONDON
from app.models import STAFF_ROLES, AuditEvent, Role, User
from app.organisations.services import sync_role

log = logging.getLogger(__name__)

ASSIGNABLE_ROLES = (Role.RESIDENT, Role.STAFF, Role.ADMIN)


class RoleChangeError(Exception):
    """A role change that would leave the service without an administrator."""


def users_query(search: str = "", role: str = "") -> Select:
    """Active accounts, newest first, optionally filtered by text and role."""
    statement = select(User).where(User.deleted_at.is_(None))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            or_(User.email.like(pattern), User.display_name.ilike(pattern))
        )
    if role in {r.value for r in Role}:
        statement = statement.where(User.role == Role(role))
    return statement.order_by(User.created_at.desc(), User.id.desc())


def set_role(actor: User, user: User, role: Role) -> bool | None:
    """Give someone a staff role, or take it away (then their organisations decide their role),
    and email them what changed. None if nothing changed; else whether the email went."""
    if role not in ASSIGNABLE_ROLES:
        raise RoleChangeError("Choose resident, ODA staff or administrator")
    if user.role == Role.ADMIN and role != Role.ADMIN and count_active_admins() <= 1:
        raise RoleChangeError("This is the only administrator. Make someone else an "
                              "administrator first.")
    if role in STAFF_ROLES and user.role not in STAFF_ROLES and not user.is_verified:
        # Anyone can register with any address: the person must show the address is theirs
        # before it can open staff pages.
        raise RoleChangeError(f"{user.display_name} has not confirmed their email address yet, "
                              "so cannot be given a staff role. Ask them to confirm it first "
                              "(they can ask for a new link when they sign in).")
    before = user.role
    user.role = role
    sync_role(user)
    if user.role == before:
        return None
    audit.record(actor, "user.role", user,
                 f"Changed user {user.id}'s role from {before.label} to {user.role.label}",
                 before={"role": before.value}, after={"role": user.role.value})
    db.session.commit()
    try:
        send_email(user.email, f"Your role is now: {user.role.label}", "role_changed",
                   person=user, before=before, staff=user.role in STAFF_ROLES,
                   account_url=external_url("accounts.account"))
    except EmailNotSent:
        log.warning("user %s not told of their role change", user.id)
        return False
    return True


@dataclass
class AuditFilters:
    """What an admin filters the audit log by; dates are London calendar days."""

    action: str = ""
    target_type: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def london_midnight(day: date) -> datetime:
    """The start of a London calendar day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def audit_query(filters: AuditFilters | None = None) -> Select:
    """Audit events, newest first, optionally filtered."""
    filters = filters or AuditFilters()
    statement = select(AuditEvent)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.target_type:
        statement = statement.where(AuditEvent.target_type == filters.target_type)
    if filters.actor_id:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from:
        statement = statement.where(AuditEvent.occurred_at >= london_midnight(filters.date_from))
    if filters.date_to:
        statement = statement.where(
            AuditEvent.occurred_at < london_midnight(filters.date_to + timedelta(days=1)))
    return statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def audit_actors() -> list[User]:
    """Everyone who appears in the log as having done something, for the filter."""
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids))
                                   .order_by(User.display_name, User.id)))


AUDIT_CSV_HEADER = ["id", "occurred_at_utc", "actor_id", "actor", "action", "record_type",
                    "record_id", "summary", "before", "after"]


def audit_rows(filters: AuditFilters):
    """The filtered log as CSV rows, read in batches so a long log never sits in memory."""
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    for event in db.session.scalars(audit_query(filters).execution_options(yield_per=1000)):
        yield [event.id, event.occurred_at.astimezone(UTC).isoformat(), event.actor_id,
               names.get(event.actor_id, "Command line" if event.actor_id is None else ""),
               event.action, event.target_type, event.target_id, event.summary,
               json.dumps(event.before, sort_keys=True) if event.before is not None else "",
               json.dumps(event.after, sort_keys=True) if event.after is not None else ""]


def audit_actions() -> list[str]:
    """Every action name that appears in the log, for the filter."""
    statement = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(statement))
