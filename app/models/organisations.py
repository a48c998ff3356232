"""Organisations (councils, public bodies, the mayor's office, partners) and who belongs."""

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User, enum_column
from app.models.types import UTCDateTime, utcnow


class OrganisationKind(enum.StrEnum):
    """The kinds of organisation an ODA works with."""

    COUNCIL = "council"
    PUBLIC_BODY = "public_body"
    MAYORS_OFFICE = "mayors_office"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return {
            "council": "Council",
            "public_body": "Public body",
            "mayors_office": "Mayor’s office",
            "partner": "Partner",
        }[self.value]


class MembershipStatus(enum.StrEnum):
    """Where a request to join an organisation stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "Waiting for approval", "approved": "Approved",
                "rejected": "Not approved"}[self.value]


class Organisation(db.Model):
    """A council, public body, mayor's office or partner whose officers use the service."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "kind"))
    website: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Membership(db.Model):
    """A person's request to act for an organisation, and its outcome."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_organisation"),
        CheckConstraint("NOT is_lead OR status = 'approved'", name="lead_is_approved"),
        CheckConstraint("status = 'rejected' OR decline_reason IS NULL",
                        name="decline_reason_only_when_rejected"),
        Index("ix_memberships_organisation_status", "organisation_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "status"), default=MembershipStatus.PENDING
    )
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    job_title: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)  # the person's note with their request
    decline_reason: Mapped[str | None] = mapped_column(Text)  # why it was turned down
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED
