"""What may change about an idea window once things have happened in it.

For now: closing voting before its date, which only staff do, after a page that says what
will happen.

Nothing here writes; `app.intake.services` calls it and refuses the change.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import distinct, func, select

from app.extensions import db
from app.filters import london_datetime, plural
from app.models import (
    Idea,
    IdeaStatus,
    IdeaWindow,
    Source,
    Support,
    SupportLedger,
    utcnow,
)


@dataclass
class History:
    """What has happened in a window, read from its rows: its ideas and its supports."""

    ideas: int = 0  # published ideas, of any status
    first_idea_at: datetime | None = None  # the first idea saved, drafts included
    supporters: int = 0  # people supporting an idea in it now
    first_support_at: datetime | None = None
    ever_supported: bool = False  # supports now, or given and withdrawn (ledgers remain)
    most_given: int = 0  # the most ideas one person supports in it now
    authors_supporting_own: int = 0
    by_source: dict[Source, int] = field(default_factory=dict)
    by_area: dict[int, int] = field(default_factory=dict)


def history(window: IdeaWindow) -> History:
    """What has happened in `window`, in a handful of aggregate queries."""
    if window.id is None:
        return History()
    public = (Idea.window_id == window.id) & (Idea.status != IdeaStatus.DRAFT)
    by_source = dict(db.session.execute(
        select(Idea.source, func.count()).where(public).group_by(Idea.source)).all())
    by_area = dict(db.session.execute(
        select(Idea.area_id, func.count()).where(public, Idea.area_id.is_not(None))
        .group_by(Idea.area_id)).all())
    first_idea_at = db.session.scalar(
        select(func.min(Idea.created_at)).where(Idea.window_id == window.id))
    supporters, first_support_at = db.session.execute(
        select(func.count(distinct(Support.user_id)), func.min(Support.created_at))
        .where(Support.window_id == window.id)).one()
    ledgers, most_given = db.session.execute(
        select(func.count(SupportLedger.user_id), func.max(SupportLedger.used))
        .where(SupportLedger.window_id == window.id)).one()
    own = db.session.scalar(
        select(func.count(distinct(Support.user_id))).join(Idea, Idea.id == Support.idea_id)
        .where(Support.window_id == window.id, Support.user_id == Idea.author_id))
    return History(ideas=sum(by_source.values()), first_idea_at=first_idea_at,
                   supporters=supporters, first_support_at=first_support_at,
                   ever_supported=bool(supporters or ledgers), most_given=most_given or 0,
                   authors_supporting_own=own or 0,
                   by_source={Source(k): v for k, v in by_source.items()}, by_area=by_area)


# ---- Closing voting early ------------------------------------------------------------------

def why_cannot_close_voting(window: IdeaWindow, now: datetime | None = None) -> str | None:
    """Why voting in `window` cannot be closed now, or None when it can."""
    now = now or utcnow()
    if window.published_at is None:
        return "This window is a draft, so nobody can vote in it."
    if window.shortlist_published_at is not None:
        return "The shortlist is published, so voting has already closed."
    if window.closed_at is not None:
        return "This window is closed, so nobody can support ideas in it."
    if now < window.voting_open_at:
        return (f"Voting has not opened yet: it opens on "
                f"{london_datetime(window.voting_open_at)}. To make it shorter, change the "
                f"window’s dates.")
    if now >= window.voting_close_at:
        return f"Voting closed on {london_datetime(window.voting_close_at)}."
    return None


def what_closing_voting_does(window: IdeaWindow, now: datetime | None = None) -> list[str]:
    """What closing voting in `window` now would do, paragraph by paragraph, for the staff
    who ask for it."""
    now = now or utcnow()
    past = history(window)
    supports = db.session.scalar(
        select(func.count(Support.id)).where(Support.window_id == window.id)) or 0
    said = [f"Voting will close now instead of on {london_datetime(window.voting_close_at)}. "
            f"After that nobody can support an idea or take a support back, so the counts "
            f"are final."]
    if supports:
        said.append(f"So far {plural(past.supporters, 'person', 'people')} "
                    f"{'has' if past.supporters == 1 else 'have'} given "
                    f"{plural(supports, 'support')}.")
    if window.submissions_close_at > now:
        said.append(f"Ideas are open until {london_datetime(window.submissions_close_at)}. "
                    f"They will close now too, because an idea posted after voting closes "
                    f"could never be supported.")
    said.append("Nobody is sent a message about it, just as nobody is when voting closes "
                "on its date. The window’s page, its ideas and its open data will show the "
                "new closing date.")
    said.append("Until the shortlist is published you can open voting again by changing "
                "the date voting closes to a later one.")
    return said

