"""Triage: stored type models, type suggestions and confirmations, duplicate clusters and
the themes each clustering run found."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User, enum_column
from app.models.audit import JSONType
from app.models.intake import Idea, IdeaWindow
from app.models.types import UTCDateTime, utcnow

OPPORTUNITY_TYPES = {
    "needle": "Finding the needle in a haystack",
    "prioritise": "Prioritising work for impact",
    "early_warning": "Creating early warning tools",
    "decisions": "Making better, quicker decisions",
    "allocation": "Optimising resource allocation",
    "experiment": "Experimenting for what works",
}
NOT_A_DATA_PROJECT = "none"


class TypeModel(db.Model):
    """A trained opportunity-type classifier, stored so every worker and host uses the same."""

    __tablename__ = "triage_type_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    examples: Mapped[int] = mapped_column(Integer)
    confirmed_examples: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType)


class TypeSuggestion(db.Model):
    """The latest suggestion for an idea: every type ranked, with the words that drove it."""

    __tablename__ = "triage_type_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         unique=True)
    model_version: Mapped[str] = mapped_column(String(64))
    ranked: Mapped[list[list[Any]]] = mapped_column(JSONType)
    suggested: Mapped[list[str]] = mapped_column(JSONType)
    evidence: Mapped[dict[str, list[str]]] = mapped_column(JSONType)
    not_a_data_project: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship()


class ConfirmedType(db.Model):
    """A type staff have confirmed for an idea ("none": not a data project). These are public
    and they train the next model."""

    __tablename__ = "triage_confirmed_types"
    __table_args__ = (
        UniqueConstraint("idea_id", "type_key", name="uq_triage_confirmed_types_idea_type"),
        Index("ix_triage_confirmed_types_idea_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    type_key: Mapped[str] = mapped_column(String(32))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class TriageRun(db.Model):
    """One run of duplicate clustering, with its settings, for one window or all of them."""

    __tablename__ = "triage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea_windows.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "status"),
                                              default=RunStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType)
    model_version: Mapped[str] = mapped_column(String(64))
    idea_count: Mapped[int] = mapped_column(Integer, default=0)
    cluster_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(1000))

    window: Mapped[IdeaWindow | None] = relationship()


class TriageTheme(db.Model):
    """A theme a clustering run found in one window: its top words, how many ideas it held
    and those most about it (the themes page shows these instead of finding themes again)."""

    __tablename__ = "triage_themes"
    __table_args__ = (
        UniqueConstraint("run_id", "window_id", "position",
                         name="uq_triage_themes_run_window_position"),
        CheckConstraint("idea_count >= 1", name="idea_count_positive"),
        Index("ix_triage_themes_window_id", "window_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("triage_runs.id", ondelete="CASCADE"))
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 0 = the largest theme
    words: Mapped[list[str]] = mapped_column(JSONType)
    idea_count: Mapped[int] = mapped_column(Integer)
    example_ids: Mapped[list[int]] = mapped_column(JSONType)  # most about it first, 20 at most


class ClusterStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"


class DuplicateCluster(db.Model):
    """A group of ideas a run found asking for the same thing."""

    __tablename__ = "triage_clusters"
    __table_args__ = (Index("ix_triage_clusters_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("triage_runs.id", ondelete="CASCADE"))
    status: Mapped[ClusterStatus] = mapped_column(enum_column(ClusterStatus, "status"),
                                                  default=ClusterStatus.SUGGESTED)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[TriageRun] = relationship()
    members: Mapped[list["ClusterMember"]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan", order_by="ClusterMember.idea_id")


class ClusterMember(db.Model):
    """An idea in a cluster; staff can take it out (and put it back)."""

    __tablename__ = "triage_cluster_members"
    __table_args__ = (
        UniqueConstraint("cluster_id", "idea_id", name="uq_triage_cluster_members_cluster_idea"),
        Index("ix_triage_cluster_members_idea_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("triage_clusters.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cluster: Mapped[DuplicateCluster] = relationship(back_populates="members")
    idea: Mapped[Idea] = relationship()
    removed_by: Mapped[User | None] = relationship()


class SupportMove(db.Model):
    """A person moving their support from a merged idea to the one it went into. Undoing the
    merge reads these to tell each person plainly where their support is: it stays where they
    moved it, since only they may move it back."""

    __tablename__ = "triage_support_moves"
    __table_args__ = (
        CheckConstraint("from_idea_id <> to_idea_id", name="different_ideas"),
        Index("ix_triage_support_moves_from_idea_id", "from_idea_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    to_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
