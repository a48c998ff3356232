"""The public record of a window's ideas, built once for the CSV, the JSON and the API.

Nothing personal leaves here beyond the display name a person chose to show beside their
ideas (the same name the idea's public page shows). Hidden ideas and ideas waiting for
pre-moderation are left out; withdrawn and merged ideas stay, because the record is public.

What depends on the whole window (the formula's ranking, unique supporters, feasibility, the
shortlist) takes about a second to work out for 100,000 ideas, so each process keeps it for
OPENDATA_CACHE_SECONDS (`WindowRanking`, `RankingCache`): paging through a window ranks it
once, not once a page. Which ideas are listed, and each idea's own fields (title, status,
support_count, confirmed types, last decision), are read afresh on every request, so a hidden
idea is never shown; the ranking figures beside them are at most that many seconds old.
"""

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
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
from app.rate_limits import wait_in_words
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
    "closed_at",
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
        # The four dates are the window's schedule; closing it early ends a stage still open
        # then, which its page shows (IdeaWindow.ended).
        "closed_at": iso(window.closed_at),
    }


@dataclass(frozen=True)
class WindowRanking:
    """What the record of any idea says that depends on the whole window, read at one moment:
    plain values only, so that it can be kept between requests (RankingCache)."""

    supporters: dict[int, int]
    feasibility: dict[int, tuple[int, float]]  # idea id: (reviewers, mean total)
    max_total: int
    ranked: dict[int, tuple[int, float]]  # candidate idea id: (formula rank, formula score)
    overrides: dict[int, tuple[bool, str]]  # idea id: (include, public reason)
    entries: dict[int, int]  # idea id: published rank
    published: bool  # the shortlist is published


@dataclass
class WindowFacts:
    """Everything about a window's ideas that is not on the idea row."""

    types: dict[int, list[str]]
    last_change: dict[int, IdeaStatusChange]
    window: WindowRanking


def window_ranking(window: IdeaWindow) -> WindowRanking:
    """Read the window's ranking, support, feasibility and shortlist (every idea of it)."""
    totals = db.session.execute(
        select(Assessment.idea_id, func.sum(AssessmentScore.score))
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .join(Idea, Idea.id == Assessment.idea_id).where(Idea.window_id == window.id)
        .group_by(Assessment.idea_id, Assessment.id)).all()
    per_idea: dict[int, list[int]] = defaultdict(list)
    for idea_id, total in totals:
        per_idea[idea_id].append(int(total))
    rows = shortlist.ranking(window)
    return WindowRanking(
        supporters=shortlist.unique_supporters_by_idea(window),
        feasibility={i: (len(v), sum(v) / len(v)) for i, v in per_idea.items()},
        max_total=2 * len(criteria_for(window, create=False)),
        ranked={row.idea_id: (position, row.score)
                for position, row in enumerate(rows, start=1)},
        overrides={o.idea_id: (o.include, o.reason) for o in db.session.scalars(
            select(ShortlistOverride).join(Idea, Idea.id == ShortlistOverride.idea_id)
            .where(Idea.window_id == window.id))},
        entries={e.idea_id: e.rank for e in shortlist.published_entries(window)},
        published=window.shortlist_published_at is not None,
    )


class RankingCache:
    """The windows ranked lately by this process, each kept for a number of seconds counted
    from when it was read; the least recently used go first past `windows`."""

    def __init__(self, windows: int = 8, clock: Callable[[], float] = time.monotonic):
        self._windows = windows
        self._clock = clock
        self._entries: OrderedDict[tuple, tuple[float, WindowRanking]] = OrderedDict()
        self._lock = threading.Lock()
        self._reading: dict[tuple, threading.Lock] = {}

    def _fresh(self, key: tuple, seconds: float) -> WindowRanking | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or self._clock() - found[0] >= seconds:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def get(self, key: tuple, seconds: float, read: Callable[[], WindowRanking]
            ) -> WindowRanking:
        """The ranking kept for `key` if it is less than `seconds` old, else `read()`."""
        if seconds <= 0:
            return read()
        found = self._fresh(key, seconds)
        if found is not None:
            return found
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        # One thread reads a window; the others asking for it meanwhile wait for its answer
        # instead of ranking the same 100,000 ideas again beside it.
        with reading:
            found = self._fresh(key, seconds)
            if found is not None:
                return found
            started = self._clock()  # the age counts from before the reading began
            ranking = read()
            with self._lock:
                self._entries[key] = (started, ranking)
                self._entries.move_to_end(key)
                while len(self._entries) > self._windows:
                    self._entries.popitem(last=False)
            return ranking

    def clear(self) -> None:
        """Forget every window."""
        with self._lock:
            self._entries.clear()


def ranking_cache(app: Flask) -> RankingCache:
    """The application's RankingCache (one per process)."""
    return app.extensions.setdefault("opendata_ranking", RankingCache())


def ranking_lag() -> str | None:
    """How far behind the kept rankings can be, in words ("1 minute"), or None if not kept."""
    seconds = current_app.config["OPENDATA_CACHE_SECONDS"]
    return wait_in_words(seconds) if seconds > 0 else None


def cached_window_ranking(window: IdeaWindow) -> WindowRanking:
    """The window's ranking, at most OPENDATA_CACHE_SECONDS old."""
    # The window's own settings are in the key: a new formula or a published shortlist is
    # shown at once. Everything else (supports, assessments, decisions) waits out the time.
    key = (window.id, window.support_weight, window.feasibility_weight, window.shortlist_size,
           window.shortlist_published_at)
    app = current_app._get_current_object()
    return ranking_cache(app).get(key, app.config["OPENDATA_CACHE_SECONDS"],
                                  lambda: window_ranking(window))


def window_facts(window: IdeaWindow, idea_ids: list[int] | None = None) -> WindowFacts:
    """The facts for the records of the window's ideas: the whole window's ranking (kept for
    a while), and the types and last decision of `idea_ids` when given (a page of the API)."""
    def only(column):
        return true() if idea_ids is None else column.in_(idea_ids)

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
    return WindowFacts(types=types, last_change=last_change,
                       window=cached_window_ranking(window))


def idea_record(idea: Idea, facts: WindowFacts, base_url: str) -> dict[str, Any]:
    """One idea as the open data shows it."""
    change = facts.last_change.get(idea.id)
    whole = facts.window
    reviewers, mean_total = whole.feasibility.get(idea.id, (0, None))
    position, score = whole.ranked.get(idea.id, (None, None))
    # Overrides are staff work in progress until the shortlist is published.
    include, reason = whole.overrides.get(idea.id, (None, None)) if whole.published \
        else (None, None)
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
        "unique_supporters": whole.supporters.get(idea.id, 0),
        "confirmed_types": facts.types.get(idea.id, []),
        "feasibility_assessments": reviewers,
        "feasibility_mean_total": round(mean_total, 6) if mean_total is not None else None,
        "feasibility_max_total": whole.max_total,
        "candidate": position is not None,
        "formula_rank": position,
        "formula_score": score,
        "shortlist_override": None if include is None else ("include" if include else "exclude"),
        "override_reason": reason,
        "shortlisted": idea.id in whole.entries,
        "shortlist_rank": whole.entries.get(idea.id),
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
