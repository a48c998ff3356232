"""People with accounts, their roles, and one-time password reset tokens."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

FORMER_MEMBER_NAME = "a former member"


class Role(enum.StrEnum):
    """What a person may do. Officers and the mayor's office come from organisation membership."""

    RESIDENT = "resident"
    OFFICER = "officer"
    MAYORS_OFFICE = "mayors_office"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "resident": "Resident",
            "officer": "Council or public body officer",
            "mayors_office": "Mayor’s office",
            "staff": "ODA staff",
            "admin": "Administrator",
        }[self.value]


STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN})


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the enum's values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class User(UserMixin, db.Model):
    """An account. Deleting it removes the personal data but keeps the row for attribution."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "deleted_at IS NOT NULL OR (email IS NOT NULL AND password_hash IS NOT NULL)",
            name="active_has_credentials",
        ),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.RESIDENT)
    # Bumped whenever every existing session must end (password change, reset, deletion).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True,
                                                      server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="user",
        foreign_keys="Membership.user_id",
        cascade="all, delete-orphan",
    )

    def get_id(self) -> str:
        """Flask-Login's session identifier; it changes when the session version does."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def public_name(self) -> str:
        """The name shown beside public content; deleted accounts become "a former member"."""
        return FORMER_MEMBER_NAME if self.deleted_at else self.display_name

    def approved_memberships(self) -> list["Membership"]:  # noqa: F821
        """Memberships an admin or organisation lead has approved."""
        return [m for m in self.memberships if m.is_approved]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class PasswordResetToken(db.Model):
    """A one-time, expiring password reset. Only a hash of the emailed token is stored."""

    __tablename__ = "password_reset_tokens"
    __table_args__ = (Index("ix_password_reset_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
