"""Signals of support abuse for staff: supports per hour, and groups of new accounts that
support the same idea from one network within a short time."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Idea, IdeaWindow, Support, User, utcnow

NEW_ACCOUNT = timedelta(days=7)
BURST = timedelta(hours=1)
MIN_ACCOUNTS = 3


@dataclass
class SuspiciousGroup:
    """New accounts supporting one idea from one network within an hour."""

    idea_id: int
    idea_title: str
    network: str
    accounts: int
    first: datetime
    last: datetime


@dataclass
class Signals:
    hours: list[tuple[datetime, int]]
    groups: list[SuspiciousGroup]
    total: int


def abuse_signals(window: IdeaWindow, now: datetime | None = None) -> Signals:
    """Supports per hour over the last two days, and suspicious groups over the last week."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Support.idea_id, Support.user_id, Support.network, Support.created_at,
               User.created_at, Idea.title)
        .join(User, User.id == Support.user_id).join(Idea, Idea.id == Support.idea_id)
        .where(Support.window_id == window.id, Support.created_at >= now - timedelta(days=7))
        .order_by(Support.created_at)).all()
    start = (now - timedelta(hours=47)).replace(minute=0, second=0, microsecond=0)
    per_hour = Counter(at.replace(minute=0, second=0, microsecond=0)
                       for _i, _u, _n, at, _c, _t in rows if at >= start)
    hours = [(start + timedelta(hours=h), per_hour.get(start + timedelta(hours=h), 0))
             for h in range(48)]
    by_place: dict[tuple[int, str], list] = defaultdict(list)
    for idea_id, user_id, network, at, joined, title in rows:
        if network and at - joined <= NEW_ACCOUNT:
            by_place[(idea_id, network)].append((at, user_id, title))
    groups = []
    for (idea_id, network), supports in by_place.items():
        start_index = 0
        for end_index in range(len(supports)):
            while supports[end_index][0] - supports[start_index][0] > BURST:
                start_index += 1
            burst = supports[start_index:end_index + 1]
            if len({user for _at, user, _t in burst}) >= MIN_ACCOUNTS:
                groups.append(SuspiciousGroup(idea_id, burst[0][2], network[:8],
                                              len({u for _a, u, _t in burst}), burst[0][0],
                                              burst[-1][0]))
                break
    groups.sort(key=lambda g: (-g.accounts, g.first))
    total = db.session.scalar(select(db.func.count(Support.id)).where(
        Support.window_id == window.id))
    return Signals(hours=hours, groups=groups, total=total)
