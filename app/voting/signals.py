"""Signals of support abuse for staff: supports per hour, and groups of new accounts that
support the same ideas from one network within a short time."""

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
    """New accounts from one network that supported the same ideas, each within an hour."""

    network: str
    accounts: int
    ideas: list[tuple[int, str]]  # (id, title), most supported by the group first
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
    titles = {}
    for idea_id, user_id, network, at, joined, title in rows:
        if network and at - joined <= NEW_ACCOUNT:
            by_place[(idea_id, network)].append((at, user_id))
            titles[idea_id] = title
    bursts = [(network, idea_id, *burst) for (idea_id, network), supports in by_place.items()
              if (burst := _largest_burst(supports))]
    return Signals(hours=hours, groups=_groups(bursts, titles), total=db.session.scalar(
        select(db.func.count(Support.id)).where(Support.window_id == window.id)))


def _largest_burst(supports: list[tuple[datetime, int]]):
    """The most accounts supporting within one hour, as (accounts, first, last), or None
    when fewer than MIN_ACCOUNTS ever did. `supports` is in time order."""
    best = None
    start = 0
    for end in range(len(supports)):
        while supports[end][0] - supports[start][0] > BURST:
            start += 1
        accounts = {user for _at, user in supports[start:end + 1]}
        if len(accounts) >= MIN_ACCOUNTS and (best is None or len(accounts) > len(best[0])):
            best = (accounts, supports[start][0], supports[end][0])
    return best


def _groups(bursts, titles) -> list[SuspiciousGroup]:
    """Join the bursts of one network that share at least MIN_ACCOUNTS accounts, so that a
    set of accounts supporting many ideas together shows as one group, not one per idea."""
    parent = list(range(len(bursts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_network: dict[str, list[int]] = defaultdict(list)
    for i, (network, _idea, accounts, _first, _last) in enumerate(bursts):
        for j in by_network[network]:
            if len(accounts & bursts[j][2]) >= MIN_ACCOUNTS:
                parent[root(i)] = root(j)
        by_network[network].append(i)
    members: dict[int, list] = defaultdict(list)
    for i, burst in enumerate(bursts):
        members[root(i)].append(burst)
    groups = []
    for joined in members.values():
        joined.sort(key=lambda b: (-len(b[2]), b[3]))
        groups.append(SuspiciousGroup(
            network=joined[0][0][:8], accounts=len(set().union(*(b[2] for b in joined))),
            ideas=[(b[1], titles[b[1]]) for b in joined],
            first=min(b[3] for b in joined), last=max(b[4] for b in joined)))
    groups.sort(key=lambda g: (-g.accounts, -len(g.ideas), g.first))
    return groups
