"""All models, importable from one place (Alembic reads the metadata from here)."""

from app.models.accounts import FORMER_MEMBER_NAME, STAFF_ROLES, PasswordResetToken, Role, User
from app.models.audit import AuditEvent
from app.models.intake import (
    PUBLIC_STATUSES,
    Area,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Source,
    WindowStage,
    window_areas,
)
from app.models.organisations import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
)
from app.models.triage import (
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    ClusterMember,
    ClusterStatus,
    ConfirmedType,
    DuplicateCluster,
    RunStatus,
    TriageRun,
    TypeModel,
    TypeSuggestion,
)
from app.models.types import UTCDateTime, utcnow
from app.models.voting import (
    Follow,
    Notification,
    OutboxEmail,
    OutboxStatus,
    Support,
    SupportLedger,
)

__all__ = [
    "FORMER_MEMBER_NAME",
    "NOT_A_DATA_PROJECT",
    "OPPORTUNITY_TYPES",
    "ClusterMember",
    "ClusterStatus",
    "ConfirmedType",
    "DuplicateCluster",
    "RunStatus",
    "TriageRun",
    "TypeModel",
    "TypeSuggestion",
    "Follow",
    "Notification",
    "OutboxEmail",
    "OutboxStatus",
    "Support",
    "SupportLedger",
    "PUBLIC_STATUSES",
    "Area",
    "Idea",
    "IdeaStatus",
    "IdeaStatusChange",
    "IdeaWindow",
    "Source",
    "WindowStage",
    "window_areas",
    "STAFF_ROLES",
    "AuditEvent",
    "Membership",
    "MembershipStatus",
    "Organisation",
    "OrganisationKind",
    "PasswordResetToken",
    "Role",
    "UTCDateTime",
    "User",
    "utcnow",
]
