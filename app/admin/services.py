"""Administration: finding people, changing staff roles, reading the audit log."""

from sqlalchemy import Select, or_, select

from app import audit
from app.accounts.services import count_active_admins
from app.extensions import db
from app.models import AuditEvent, Role, User
from app.organisations.services import sync_role

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


def set_role(actor: User, user: User, role: Role) -> None:
    """Give someone a staff role, or take it away (then their organisations decide their role)."""
    if role not in ASSIGNABLE_ROLES:
        raise RoleChangeError("Choose resident, ODA staff or administrator")
    if user.role == Role.ADMIN and role != Role.ADMIN and count_active_admins() <= 1:
        raise RoleChangeError("This is the only administrator. Make someone else an "
                              "administrator first.")
    before = user.role
    user.role = role
    sync_role(user)
    if user.role == before:
        return
    audit.record(actor, "user.role", user,
                 f"Changed user {user.id}'s role from {before.label} to {user.role.label}",
                 before={"role": before.value}, after={"role": user.role.value})
    db.session.commit()


def audit_query(action: str = "", target_type: str = "", actor_id: int | None = None) -> Select:
    """Audit events, newest first, optionally filtered."""
    statement = select(AuditEvent)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if target_type:
        statement = statement.where(AuditEvent.target_type == target_type)
    if actor_id:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    return statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def audit_actions() -> list[str]:
    """Every action name that appears in the log, for the filter."""
    statement = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(statement))
