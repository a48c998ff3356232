"""The public record of a window's ideas, built once for the CSV, the JSON and the API.

Nothing personal leaves here beyond the display name a person chose to show beside their
ideas (the same name the idea's public page shows). Hidden ideas and ideas waiting for
pre-moderation are left out; withdrawn and merged ideas stay, because the record is public.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.intake.services import public_author
from app.models import (
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    Assessment,
    AssessmentScore,
    ConfirmedType,
    Idea,
    IdeaStatusChange,
    IdeaWindow,
    ShortlistOverride,
    listed,
)
from app.review import shortlist
from app.review.assessments import criteria_for

IDEA_FIELDS = [
    "id", "window_id", "title", "url", "source", "organisation", "posted_by", "area",
    "published_at", "status", "status_reason", "status_changed_at", "signposted_to",
    "merged_into_id", "support_count", "unique_supporters", "confirmed_types",
    "feasibility_assessments", "feasibility_mean_total", "feasibility_max_total",
    "candidate", "formula_rank", "formula_score", "shortlist_override", "override_reason",
    "shortlisted", "shortlist_rank", "problem", "action", "data",
]

WINDOW_FIELDS = [
    "id", "title", "theme", "stage", "submissions_open_at", "submissions_close_at",
    "voting_open_at", "voting_close_at", "support_weight", "feasibility_weight",
    "shortlist_size", "criteria_count", "shortlist_published_at", "idea_count", "url",
    "open_for_voting",  # added later: at the end, so that the columns before it stay put
]


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC, or None."""
    return moment.isoformat() if moment is not None else None


def published_windows() -> list[IdeaWindow]:
    """Windows the public can see, newest first."""
    return list(db.session.scalars(select(IdeaWindow).where(IdeaWindow.published_at.is_not(None))
                                   .order_by(IdeaWindow.submissions_open_at.desc(),
                                             IdeaWindow.id.desc())))


def window_record(window: IdeaWindow, base_url: str) -> dict[str, Any]:
    """A window, its dates and its published shortlist formula."""
    count = db.session.scalar(select(func.count(Idea.id)).where(Idea.window_id == window.id,
                                                               listed()))
    return {
        "id": window.id, "title": window.title, "theme": window.theme,
        "stage": window.stage().value,
        # Voting may overlap the last weeks of submissions, when the stage is still
        # "open_for_ideas".
        "open_for_voting": window.is_open_for_voting(),
        "submissions_open_at": iso(window.submissions_open_at),
        "submissions_close_at": iso(window.submissions_close_at),
        "voting_open_at": iso(window.voting_open_at),
        "voting_close_at": iso(window.voting_close_at),
        "support_weight": window.support_weight, "feasibility_weight": window.feasibility_weight,
        "shortlist_size": window.shortlist_size,
        "criteria_count": len(criteria_for(window, create=False)),
        "shortlist_published_at": iso(window.shortlist_published_at), "idea_count": count,
        "url": f"{base_url}/windows/{window.id}",
    }


@dataclass
class WindowFacts:
    """Everything about a window's ideas that is not on the idea row, read in bulk."""

    supporters: dict[int, int]
    feasibility: dict[int, tuple[int, float]]  # idea id: (reviewers, mean total)
    max_total: int
    types: dict[int, list[str]]
    last_change: dict[int, IdeaStatusChange]
    ranked: dict[int, tuple[int, shortlist.Ranked]]
    overrides: dict[int, ShortlistOverride]
    entries: dict[int, int]  # idea id: published rank
    published: bool  # the shortlist is published


def window_facts(window: IdeaWindow, idea_ids: list[int] | None = None) -> WindowFacts:
    """Read the window's support, feasibility, types, decisions and shortlist at once; the
    per-idea facts only for `idea_ids` when given (a page of the API)."""
    def only(column):
        return true() if idea_ids is None else column.in_(idea_ids)

    totals = db.session.execute(
        select(Assessment.idea_id, func.sum(AssessmentScore.score))
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .join(Idea, Idea.id == Assessment.idea_id).where(Idea.window_id == window.id)
        .group_by(Assessment.idea_id, Assessment.id)).all()
    per_idea: dict[int, list[int]] = defaultdict(list)
    for idea_id, total in totals:
        per_idea[idea_id].append(int(total))
    types: dict[int, list[str]] = defaultdict(list)
    order = [*OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT]
    for idea_id, key in db.session.execute(
            select(ConfirmedType.idea_id, ConfirmedType.type_key)
            .join(Idea, Idea.id == ConfirmedType.idea_id)
            .where(Idea.window_id == window.id, only(ConfirmedType.idea_id))):
        types[idea_id].append(key)
    for keys in types.values():
        keys.sort(key=order.index)
    latest = (select(func.max(IdeaStatusChange.id))
              .join(Idea, Idea.id == IdeaStatusChange.idea_id)
              .where(Idea.window_id == window.id, only(IdeaStatusChange.idea_id))
              .group_by(IdeaStatusChange.idea_id))
    last_change = {change.idea_id: change for change in db.session.scalars(
        select(IdeaStatusChange).where(IdeaStatusChange.id.in_(latest)))}
    rows = shortlist.ranking(window)
    return WindowFacts(
        supporters=shortlist.unique_supporters_by_idea(window),
        feasibility={i: (len(v), sum(v) / len(v)) for i, v in per_idea.items()},
        max_total=2 * len(criteria_for(window, create=False)),
        types=types, last_change=last_change,
        ranked={row.idea_id: (position, row) for position, row in enumerate(rows, start=1)},
        overrides={o.idea_id: o for o in db.session.scalars(
            select(ShortlistOverride).join(Idea, Idea.id == ShortlistOverride.idea_id)
            .where(Idea.window_id == window.id))},
        entries={e.idea_id: e.rank for e in shortlist.published_entries(window)},
        published=window.shortlist_published_at is not None,
    )


def idea_record(idea: Idea, facts: WindowFacts, base_url: str) -> dict[str, Any]:
    """One idea as the open data shows it."""
    change = facts.last_change.get(idea.id)
    reviewers, mean_total = facts.feasibility.get(idea.id, (0, None))
    position, row = facts.ranked.get(idea.id, (None, None))
    override = facts.overrides.get(idea.id)
    return {
        "id": idea.id, "window_id": idea.window_id, "title": idea.title,
        "url": f"{base_url}/ideas/{idea.id}", "source": idea.source.value,
        "organisation": idea.organisation.name if idea.organisation and
        idea.source.value != "resident" else None,
        "posted_by": public_author(idea), "area": idea.area.name if idea.area else None,
        "published_at": iso(idea.published_at), "status": idea.status.value,
        "status_reason": change.reason if change else None,
        "status_changed_at": iso(change.changed_at) if change else None,
        "signposted_to": idea.signposted_to, "merged_into_id": idea.merged_into_id,
        "support_count": idea.support_count,
        "unique_supporters": facts.supporters.get(idea.id, 0),
        "confirmed_types": facts.types.get(idea.id, []),
        "feasibility_assessments": reviewers,
        "feasibility_mean_total": round(mean_total, 6) if mean_total is not None else None,
        "feasibility_max_total": facts.max_total,
        "candidate": row is not None,
        "formula_rank": position,
        "formula_score": row.score if row else None,
        # Overrides are staff work in progress until the shortlist is published.
        "shortlist_override": None if override is None or not facts.published else (
            "include" if override.include else "exclude"),
        "override_reason": override.reason if override and facts.published else None,
        "shortlisted": idea.id in facts.entries,
        "shortlist_rank": facts.entries.get(idea.id),
        "problem": idea.problem, "action": idea.action or None, "data": idea.data or None,
    }


def window_ideas_query(window: IdeaWindow):
    """The window's public ideas, oldest first, with what their records need loaded."""
    return (select(Idea).where(Idea.window_id == window.id, listed())
            .options(selectinload(Idea.author), selectinload(Idea.organisation),
                     selectinload(Idea.area))
            .order_by(Idea.id))


def idea_records(window: IdeaWindow, base_url: str, ideas: list[Idea] | None = None
                 ) -> list[dict[str, Any]]:
    """The records of the given ideas of a window (default: all its public ideas)."""
    facts = window_facts(window, None if ideas is None else [idea.id for idea in ideas])
    if ideas is None:
        ideas = list(db.session.scalars(window_ideas_query(window)))
    return [idea_record(idea, facts, base_url) for idea in ideas]


def csv_value(value: Any) -> Any:
    """A record value as a CSV cell: lists joined with semicolons, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value
