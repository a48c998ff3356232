"""Staff review: reports and moderation, feasibility criteria and assessments, private notes,
decision templates, and the shortlist."""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
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
from app.models.intake import Idea, IdeaStatus, IdeaWindow
from app.models.types import UTCDateTime, utcnow

HEADINGS = {"problem": "The problem", "action": "The action", "data": "The data"}

# The default rubric (DESIGN.md); each window gets its own editable copy.
DEFAULT_CRITERIA = [
    ("problem", "Specific", "The problem is specific: what goes wrong, for whom, where and "
                            "how often."),
    ("problem", "Matters", "The problem matters to residents, partners and leaders."),
    ("problem", "Insight", "The insight needed to act is clear."),
    ("action", "Defined", "The action that would change is defined."),
    ("action", "Someone will act", "Someone will act on it: frontline staff are on board."),
    ("action", "Can be evaluated", "Its impact can be evaluated."),
    ("data", "Data exists", "The data exists and we know where it is."),
    ("data", "Can be used legally", "It can be used legally: sharing agreements, data "
                                    "protection."),
    ("data", "Ethical and technical", "It can be used ethically and technically: quality, "
                                      "bias, public trust."),
]


class ReportReason(enum.StrEnum):
    """Why someone reported an idea."""

    PERSONAL_INFORMATION = "personal_information"
    OFFENSIVE = "offensive"
    SPAM = "spam"
    NOT_AN_IDEA = "not_an_idea"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"personal_information": "It contains personal information",
                "offensive": "It is offensive or abusive",
                "spam": "It is spam or advertising",
                "not_an_idea": "It is not an idea for this service",
                "other": "Something else"}[self.value]

    @property
    def public_label(self) -> str:
        """What a hidden idea shows instead of its text."""
        return {"personal_information": "personal information",
                "offensive": "offensive content", "spam": "spam",
                "not_an_idea": "not an idea for this service",
                "other": "breaks the house rules"}[self.value]


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class Report(db.Model):
    """Someone telling staff an idea should not be public."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("idea_id", "reporter_id", name="uq_reports_idea_reporter"),
        Index("ix_reports_status", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason, "reason"))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, "status"),
                                                 default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    idea: Mapped[Idea] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class Criterion(db.Model):
    """One of a window's feasibility criteria, worded as the ODA words it."""

    __tablename__ = "criteria"
    __table_args__ = (
        CheckConstraint("heading IN ('problem', 'action', 'data')", name="heading"),
        UniqueConstraint("window_id", "position", name="uq_criteria_window_position"),
        Index("ix_criteria_window_id", "window_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="CASCADE"))
    heading: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    wording: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    window: Mapped[IdeaWindow] = relationship()


class Assessment(db.Model):
    """One reviewer's feasibility scores for one idea (one per reviewer per idea)."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("idea_id", "reviewer_id", name="uq_assessments_idea_reviewer"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User] = relationship()
    scores: Mapped[list["AssessmentScore"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan")

    @property
    def total(self) -> int:
        return sum(s.score for s in self.scores)

    def score_for(self, criterion_id: int) -> "AssessmentScore | None":
        """This reviewer's score on one criterion."""
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)


class AssessmentScore(db.Model):
    """A score of 0, 1 or 2 on one criterion, with a short note."""

    __tablename__ = "assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "criterion_id",
                         name="uq_assessment_scores_assessment_criterion"),
        CheckConstraint("score IN (0, 1, 2)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class StaffNote(db.Model):
    """A private note on an idea, for staff only, or a reply to one."""

    __tablename__ = "staff_notes"
    __table_args__ = (Index("ix_staff_notes_idea_id", "idea_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_notes.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()
    replies: Mapped[list["StaffNote"]] = relationship(order_by="StaffNote.id")


class DecisionTemplate(db.Model):
    """A reusable public reason for a decision, which staff edit before they use it."""

    __tablename__ = "decision_templates"
    # Ids are never reused (SQLite's AUTOINCREMENT): the audit log names templates by id.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus, "status"))
    reason: Mapped[str] = mapped_column(Text)


class ShortlistOverride(db.Model):
    """Staff putting an idea on the shortlist, or keeping it off, against the formula, with a
    public reason."""

    __tablename__ = "shortlist_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    include: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship()


class ShortlistEntry(db.Model):
    """The published shortlist: each idea's place, score and why it is there, frozen when the
    shortlist is published."""

    __tablename__ = "shortlist_entries"
    __table_args__ = (
        UniqueConstraint("window_id", "idea_id", name="uq_shortlist_entries_window_idea"),
        UniqueConstraint("window_id", "rank", name="uq_shortlist_entries_window_rank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    support_share: Mapped[float] = mapped_column(Float)
    feasibility_share: Mapped[float] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)

    idea: Mapped[Idea] = relationship()
