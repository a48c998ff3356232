"""Supports, the per-window support ledger, follows, notifications and the email outbox."""

import enum
from datetime import datetime

from sqlalchemy import (
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
from app.models.intake import Idea
from app.models.types import UTCDateTime, utcnow


class Support(db.Model):
    """One person's support for one idea. The database allows only one per person per idea."""

    __tablename__ = "supports"
    __table_args__ = (
        UniqueConstraint("idea_id", "user_id", name="uq_supports_idea_user"),
        Index("ix_supports_window_created", "window_id", "created_at"),
        Index("ix_supports_user_window", "user_id", "window_id"),
        Index("ix_supports_network", "window_id", "network", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A keyed hash of the network the support came from, for abuse signals; never the address.
    network: Mapped[str | None] = mapped_column(String(16))

    idea: Mapped[Idea] = relationship()
    user: Mapped[User] = relationship()


class SupportLedger(db.Model):
    """How many supports a person has given in a window. The database's triggers keep it
    (migration 0007): the lock on this row queues two simultaneous supports by one person, and
    an insert that takes it past the window's limit fails."""

    __tablename__ = "support_ledgers"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="CASCADE"),
                                           primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class Follow(db.Model):
    """A person following an idea, to hear when its status changes."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("idea_id", "user_id", name="uq_follows_idea_user"),
        Index("ix_follows_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship()
    user: Mapped[User] = relationship()


class Notification(db.Model):
    """Something that happened to an idea a person follows, for their notifications page."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    idea: Mapped[Idea | None] = relationship()


class OutboxStatus(enum.StrEnum):
    """Where a queued email stands. SENDING rows whose sender died are left alone: resending
    them could send the same email twice."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


class OutboxEmail(db.Model):
    """An email waiting to be sent by `flask notifications send`, never by a web request."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        Index("ix_outbox_emails_due", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "status"),
                                                 default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    notification: Mapped[Notification | None] = relationship()
