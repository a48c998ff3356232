"""Writing to the append-only audit log, in the same transaction as the change it records."""

import logging
from typing import Any

from app.extensions import db
from app.models import AuditEvent, User

log = logging.getLogger(__name__)


def record(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for `target` (a model instance); the caller commits."""
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
