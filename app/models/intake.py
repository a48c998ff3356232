"""Idea windows, areas, ideas and each idea's public status timeline."""

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User, enum_column
from app.models.audit import JSONType
from app.models.organisations import Organisation
from app.models.types import UTCDateTime, utcnow


class Source(enum.StrEnum):
    """Where an idea came from."""

    RESIDENT = "resident"
    COUNCIL = "council"
    MAYORAL = "mayoral"

    @property
    def label(self) -> str:
        return {"resident": "Resident", "council": "Council or public body",
                "mayoral": "Mayoral pledge"}[self.value]


class IdeaStatus(enum.StrEnum):
    """Where an idea stands. Drafts are private; the rest are public."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    SHORTLISTED = "shortlisted"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    NOT_A_DATA_PROJECT = "not_a_data_project"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "under_review": "Under review",
            "shortlisted": "Shortlisted",
            "not_taken_forward": "Not taken forward",
            "not_a_data_project": "Not a data project",
            "merged": "Merged",
            "withdrawn": "Withdrawn",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "draft": "grey",
            "submitted": "blue",
            "under_review": "yellow",
            "shortlisted": "green",
            "not_taken_forward": "red",
            "not_a_data_project": "orange",
            "merged": "purple",
            "withdrawn": "grey",
        }[self.value]


PUBLIC_STATUSES = tuple(s for s in IdeaStatus if s != IdeaStatus.DRAFT)


def listed():
    """SQL condition: ideas shown in public lists, search and similar ideas (published, not
    hidden by moderators, not waiting for pre-moderation)."""
    return and_(Idea.status.in_(PUBLIC_STATUSES), Idea.hidden_at.is_(None),
                Idea.awaiting_moderation.is_(False))


class WindowStage(enum.StrEnum):
    """A window's stage, worked out from its dates and the clock (never stored)."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN_FOR_IDEAS = "open_for_ideas"
    VOTING_UPCOMING = "voting_upcoming"  # ideas have closed and voting opens later
    OPEN_FOR_VOTING = "open_for_voting"
    UNDER_REVIEW = "under_review"
    SHORTLIST_PUBLISHED = "shortlist_published"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "upcoming": "Upcoming",
            "open_for_ideas": "Open for ideas",
            "voting_upcoming": "Voting opens soon",
            "open_for_voting": "Open for voting",
            "under_review": "Under review",
            "shortlist_published": "Shortlist published",
            "closed": "Closed",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "draft": "grey",
            "upcoming": "light-blue",
            "open_for_ideas": "green",
            "voting_upcoming": "light-blue",
            "open_for_voting": "turquoise",
            "under_review": "yellow",
            "shortlist_published": "purple",
            "closed": "grey",
        }[self.value]


window_areas = Table(
    "window_areas",
    db.metadata,
    Column("window_id", ForeignKey("idea_windows.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="RESTRICT"), primary_key=True),
)


class Area(db.Model):
    """A borough or ward of the region, entered once per deployment and reused by windows."""

    __tablename__ = "areas"
    # Ids are never reused after a delete (SQLite would), so audit entries stay unambiguous.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaWindow(db.Model):
    """A season of collecting ideas, then voting on them, then reviewing them."""

    __tablename__ = "idea_windows"
    __table_args__ = (
        CheckConstraint("submissions_open_at < submissions_close_at", name="submission_dates"),
        CheckConstraint("voting_open_at < voting_close_at", name="voting_dates"),
        CheckConstraint("voting_open_at >= submissions_open_at", name="voting_after_opening"),
        CheckConstraint("support_limit IS NULL OR support_limit > 0", name="support_limit"),
        CheckConstraint("accepts_residents OR accepts_councils OR accepts_mayoral",
                        name="some_source"),
        CheckConstraint("support_weight >= 0 AND feasibility_weight >= 0 "
                        "AND support_weight + feasibility_weight > 0", name="shortlist_weights"),
        CheckConstraint("shortlist_size > 0", name="shortlist_size"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    submissions_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submissions_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepts_residents: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_councils: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_mayoral: Mapped[bool] = mapped_column(Boolean, default=True)
    support_limit: Mapped[int | None] = mapped_column(Integer)
    authors_may_support_own: Mapped[bool] = mapped_column(Boolean, default=False)
    # Pre-moderation: ideas appear only after staff approve them.
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The published shortlist formula: weights of public support and feasibility, and size.
    support_weight: Mapped[float] = mapped_column(Float, default=0.5, server_default="0.5")
    feasibility_weight: Mapped[float] = mapped_column(Float, default=0.5, server_default="0.5")
    shortlist_size: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shortlist_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    areas: Mapped[list[Area]] = relationship(secondary=window_areas, order_by=Area.name)

    def stage(self, now: datetime | None = None) -> WindowStage:
        """The window's stage at `now` (default: this moment)."""
        now = now or utcnow()
        if self.published_at is None:
            return WindowStage.DRAFT
        if self.closed_at is not None and self.closed_at <= now:
            return WindowStage.CLOSED
        return self.stage_by_dates(now)

    def stage_by_dates(self, now: datetime | None = None) -> WindowStage:
        """The stage its dates and shortlist give, as if it had never been closed: the stage
        reopening it would give it."""
        now = now or utcnow()
        if self.published_at is None:
            return WindowStage.DRAFT
        if self.shortlist_published_at is not None:
            return WindowStage.SHORTLIST_PUBLISHED
        if now < self.submissions_open_at:
            return WindowStage.UPCOMING
        if now < self.submissions_close_at:
            return WindowStage.OPEN_FOR_IDEAS
        if now < self.voting_open_at:
            return WindowStage.VOTING_UPCOMING
        if now < self.voting_close_at:
            return WindowStage.OPEN_FOR_VOTING
        return WindowStage.UNDER_REVIEW

    def is_open_for_ideas(self, now: datetime | None = None) -> bool:
        return self.stage(now) == WindowStage.OPEN_FOR_IDEAS

    def is_open_for_voting(self, now: datetime | None = None) -> bool:
        """Voting may overlap submissions, so this is not the same as the stage."""
        now = now or utcnow()
        return (self.published_at is not None and self.closed_at is None
                and self.shortlist_published_at is None
                and self.voting_open_at <= now < self.voting_close_at)

    def closed_by(self, moment: datetime) -> bool:
        """Whether the window was closed ("Close") at or before `moment`: a start after it
        never came, and a stage still open then ended when the window was closed."""
        return self.closed_at is not None and self.closed_at <= moment

    def ended(self, moment: datetime) -> datetime:
        """When a stage due to end at `moment` ends or ended: then, or when the window was
        closed if that came first. Its stored date stays as it was, so that reopening the
        window gives the stage back its time."""
        return self.closed_at if self.closed_by(moment) else moment

    @property
    def submissions_end_at(self) -> datetime:
        """When ideas stop or stopped being taken: what pages call the time ideas close."""
        return self.ended(self.submissions_close_at)

    @property
    def voting_end_at(self) -> datetime:
        """When voting ends or ended: what pages call the time voting closes."""
        return self.ended(self.voting_close_at)

    def voting_has_ended(self, now: datetime | None = None) -> bool:
        """Whether voting is over, by its date or because the window was closed."""
        return (now or utcnow()) >= self.voting_end_at

    def voting_has_opened(self, now: datetime | None = None) -> bool:
        """Whether voting has started (authors can no longer change published ideas)."""
        return (now or utcnow()) >= self.voting_open_at

    def accepts(self, source: "Source") -> bool:
        return {Source.RESIDENT: self.accepts_residents, Source.COUNCIL: self.accepts_councils,
                Source.MAYORAL: self.accepts_mayoral}[source]

    @property
    def accepted_sources(self) -> list["Source"]:
        return [source for source in Source if self.accepts(source)]


# Where the ideas table's unique pledge reference applies (migration 0013).
PLEDGE_REFERENCE_TAKEN = ("pledge_reference IS NOT NULL "
                          "AND status NOT IN ('draft', 'withdrawn')")


class Idea(db.Model):
    """An idea for a data project, under Nesta's three headings: problem, action, data."""

    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint("length(title) BETWEEN 10 AND 120", name="title_length"),
        CheckConstraint("source <> 'council' OR organisation_id IS NOT NULL",
                        name="council_ideas_name_the_organisation"),
        CheckConstraint("source <> 'mayoral' OR pledge_reference IS NOT NULL",
                        name="pledges_have_a_reference"),
        CheckConstraint("status = 'draft' OR published_at IS NOT NULL",
                        name="public_ideas_are_published"),
        CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        Index("ix_ideas_window_published", "window_id", "published_at"),
        # Covers listed() for a window (and serves a window's status filter): the public list
        # is counted and shuffled from the index, and other orders read rows in id order. No
        # more columns: see migration 0006.
        Index("ix_ideas_listing", "window_id", "status", "awaiting_moderation", "hidden_at"),
        # For the source and area filters, with listed()'s columns for the same reason.
        Index("ix_ideas_window_source_listed", "window_id", "source", "status",
              "awaiting_moderation", "hidden_at"),
        Index("ix_ideas_window_area_listed", "window_id", "area_id", "status",
              "awaiting_moderation", "hidden_at"),
        Index("ix_ideas_author_id", "author_id"),
        # One idea for each pledge in a window, whatever the letter case ("p1" is "P1"), among
        # the ideas that count: drafts and withdrawn ideas leave the reference free.
        Index("uq_ideas_window_pledge_reference", "window_id", text("lower(pledge_reference)"),
              unique=True, sqlite_where=text(PLEDGE_REFERENCE_TAKEN),
              postgresql_where=text(PLEDGE_REFERENCE_TAKEN)),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("idea_windows.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    source: Mapped[Source] = mapped_column(enum_column(Source, "source"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(String(120))
    problem: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="")
    datasets: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    pledge_reference: Mapped[str | None] = mapped_column(String(200))
    pledge_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus, "status"),
                                               default=IdeaStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept equal to the number of support rows, in the same transaction as each change;
    # `flask voting recount` checks it.
    support_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when staff mark this idea a duplicate of another (its status is then MERGED).
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"))
    # The similar ideas the author was shown and posted anyway, for staff.
    similar_when_posted: Mapped[list[int] | None] = mapped_column(JSONType)
    # Moderation: hidden ideas show only why; pre-moderated ones wait for approval.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(32))
    awaiting_moderation: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())
    # What looks like personal information in the text, flagged to staff on submission.
    pii_flags: Mapped[list[str] | None] = mapped_column(JSONType)
    # When moderators last edited the text to take personal information out (the page says so).
    moderator_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # For "not a data project": where the idea was sent instead.
    signposted_to: Mapped[str | None] = mapped_column(Text)

    window: Mapped[IdeaWindow] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()
    area: Mapped[Area | None] = relationship()
    status_changes: Mapped[list["IdeaStatusChange"]] = relationship(
        back_populates="idea", order_by="IdeaStatusChange.id", cascade="all, delete-orphan"
    )
    merged_into: Mapped["Idea | None"] = relationship(remote_side="Idea.id")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    @property
    def is_public(self) -> bool:
        return self.status != IdeaStatus.DRAFT

    @property
    def is_supportable(self) -> bool:
        """Withdrawn, merged, hidden and decided ideas keep their supports frozen."""
        return (self.status in (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW)
                and self.hidden_at is None and not self.awaiting_moderation)

    @property
    def hidden_reason_label(self) -> str:
        """Why moderators hid the idea, as the public reads it."""
        from app.models.review import ReportReason

        return ReportReason(self.hidden_reason).public_label if self.hidden_reason else ""

    @property
    def is_listed(self) -> bool:
        """Shown in public lists, search and similar ideas."""
        return self.is_public and self.hidden_at is None and not self.awaiting_moderation

    @property
    def dataset_list(self) -> list[str]:
        return [line.strip() for line in self.datasets.splitlines() if line.strip()]


class IdeaStatusChange(db.Model):
    """One entry on an idea's public timeline: the status it moved to, when, and why."""

    __tablename__ = "idea_status_changes"
    __table_args__ = (Index("ix_idea_status_changes_idea_id", "idea_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus, "status"))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Made by publishing the window's shortlist: the timeline links to it, and an idea that
    # publishing left off stays in the ranking the shortlist was chosen from.
    from_shortlist: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    idea: Mapped[Idea] = relationship(back_populates="status_changes")


class KeptAnswers(db.Model):
    """What someone typed in an idea form that was sent after their session had timed out.

    It goes back only to the account that wrote it, in the browser that sent it: the form
    carries the account signed, the session holds the token, and only a hash of it is
    stored here. See app/intake/kept.py.
    """

    __tablename__ = "kept_answers"
    __table_args__ = (Index("ix_kept_answers_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whose they are: the account the form was written under (signed in the form).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))  # the page whose form they fill
    answers: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
