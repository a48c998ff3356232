"""Supports: one per person per idea, within the window's limit, exact under concurrency.

A support is one INSERT and a withdrawal one DELETE. Triggers in the database (migration
0007) move the person's ledger for the window and the idea's counter in the same statement,
and refuse an insert that takes the ledger past the window's limit; the ledger row's lock
queues two simultaneous supports by one person, so they cannot both pass the limit. The
unique constraint stops a double support.

Supporting an idea also follows it, in the same transaction, so that supporters hear what
happens to it. Withdrawing support does not stop following: someone who changed their mind
may still want to know, and "Stop following" is one button on the idea's page.
"""

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import case, delete, func, literal, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts import personal_data
from app.extensions import db
from app.models import STAFF_ROLES, Follow, Idea, IdeaWindow, Support, SupportLedger, User, utcnow

log = logging.getLogger(__name__)


class VotingError(Exception):
    """A support that cannot be given or taken back, with the reason for the person."""


def network_of(address: str | None) -> str | None:
    """A keyed hash of the network an address belongs to (/24 for IPv4, /48 for IPv6):
    enough to notice many accounts from one place, without storing anyone's address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, str(network).encode(), hashlib.sha256).hexdigest()[:16]


def begin_write() -> None:
    """Start a write transaction that queues behind other writers instead of failing.

    SQLite: Python's driver runs SELECTs outside any transaction and opens one (deferred) at
    the first INSERT/UPDATE/DELETE, so a transaction whose first statement writes waits on the
    busy timeout like any writer, and no stale read snapshot can make it fail. Every write path
    here starts with a write. PostgreSQL: row locks and the triggers' limit check decide.
    """


def why_cannot_support(user: User, idea: Idea, now: datetime | None = None) -> str | None:
    """Why this person cannot support this idea now, or None if they can."""
    window = idea.window
    now = now or utcnow()
    if user.role in STAFF_ROLES:
        return "ODA staff do not support ideas."
    if not user.is_verified:
        return "Confirm your email address before you support ideas."
    if not window.is_open_for_voting(now):
        if window.closed_by(now):  # whatever its dates say
            return "This window is closed, so nobody can support ideas in it."
        if window.published_at and now < window.voting_open_at:
            from app.filters import london_datetime

            return f"Voting opens on {london_datetime(window.voting_open_at)}."
        return "Voting has closed."
    if not idea.is_supportable:
        return "This idea can no longer be supported."
    if idea.author_id == user.id and not window.authors_may_support_own:
        return "You cannot support your own idea in this window."
    return None


def own_ideas_barred(user: User, idea_ids: list[int]) -> set[int]:
    """Which of these ideas are the person's own in a window that bars supporting them."""
    if not user.is_authenticated or not idea_ids:
        return set()
    return set(db.session.scalars(
        select(Idea.id).join(IdeaWindow, Idea.window_id == IdeaWindow.id)
        .where(Idea.id.in_(idea_ids), Idea.author_id == user.id,
               IdeaWindow.authors_may_support_own.is_(False))))


def supported_ids(user: User, idea_ids: list[int]) -> set[int]:
    """Which of these ideas the person supports."""
    if not user.is_authenticated or not idea_ids:
        return set()
    return set(db.session.scalars(select(Support.idea_id).where(
        Support.user_id == user.id, Support.idea_id.in_(idea_ids))))


def supports_used(user: User, window: IdeaWindow) -> int:
    """How many supports the person has given in the window."""
    if not user.is_authenticated:
        return 0
    return db.session.scalar(select(SupportLedger.used).where(
        SupportLedger.user_id == user.id, SupportLedger.window_id == window.id)) or 0


@dataclass
class SupportResult:
    """What the page needs after a change: the idea's count and the person's position."""

    idea_id: int
    supported: bool
    count: int
    used: int
    limit: int | None
    following: bool | None = None  # True after a support (it follows); None: not changed

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    def as_json(self) -> dict[str, Any]:
        reply = {"idea_id": self.idea_id, "supported": self.supported, "count": self.count,
                 "used": self.used, "limit": self.limit, "remaining": self.remaining}
        if self.following is not None:
            reply["following"] = self.following
        return reply


# A support is one statement: the database's triggers (migration 0007) move the person's
# ledger and the idea's counter in the same statement and refuse a support past the window's
# limit, so SQLite's write lock is held for one statement and PostgreSQL's row locks queue
# two supports by one person. The same SQL runs on SQLite (3.35 or newer) and PostgreSQL.
INSERT_SUPPORT = text(
    "INSERT INTO supports (idea_id, user_id, window_id, created_at, network) "
    "VALUES (:idea_id, :user_id, :window_id, :created_at, :network) "
    "ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING id"
)
# Supporting follows the idea too: one more statement in the same transaction, which the
# unique constraint on follows makes harmless for someone who already follows it (an author,
# or a second press). It is not conditional on the support being new, so pressing Support is
# always also "tell me what happens".
INSERT_FOLLOW = text(
    "INSERT INTO follows (idea_id, user_id, created_at) VALUES (:idea_id, :user_id, :created_at) "
    "ON CONFLICT (idea_id, user_id) DO NOTHING"
)
REMOVE_SUPPORT = text("DELETE FROM supports WHERE idea_id = :idea_id AND user_id = :user_id "
                      "RETURNING id")
POSITION = text("SELECT ideas.support_count, COALESCE(support_ledgers.used, 0) FROM ideas "
                "LEFT JOIN support_ledgers ON support_ledgers.user_id = :user_id "
                "AND support_ledgers.window_id = :window_id WHERE ideas.id = :idea_id")
# The words of the error the trigger raises when a support would pass the limit.
LIMIT_REACHED = "support limit reached"


def add_support(user: User, idea: Idea, address: str | None = None) -> SupportResult:
    """Support an idea. Supporting twice is harmless: the second changes nothing."""
    reason = why_cannot_support(user, idea)
    if reason:
        raise VotingError(reason)
    window = idea.window
    keys = {"user_id": user.id, "idea_id": idea.id, "window_id": window.id}
    limit = window.support_limit  # read now: the commit below expires the loaded rows
    begin_write()
    connection = db.session.connection()
    now = timestamp(utcnow())
    try:
        connection.execute(INSERT_SUPPORT, {
            **keys, "created_at": now, "network": network_of(address)})
    except IntegrityError as error:
        db.session.rollback()
        if LIMIT_REACHED not in str(error.orig):
            raise
        raise VotingError(f"You have used all {limit} of your supports in this window. "
                          "Withdraw one to support this idea instead.") from None
    connection.execute(INSERT_FOLLOW, {"idea_id": idea.id, "user_id": user.id,
                                       "created_at": now})
    # Read inside the transaction: the figures include this support and nothing later.
    count, used = connection.execute(POSITION, keys).one()
    db.session.commit()
    return SupportResult(keys["idea_id"], True, count, used, limit, following=True)


def timestamp(moment):
    """How UTCDateTime stores a moment, for the statements above that bypass the ORM."""
    return moment.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else moment


def withdraw_support(user: User, idea: Idea) -> SupportResult:
    """Take a support back while voting is open. Taking back one never given changes nothing."""
    window = idea.window
    if not window.is_open_for_voting():
        raise VotingError("Voting has closed, so supports can no longer be changed.")
    if not idea.is_supportable:
        raise VotingError("This idea’s supports are frozen.")
    keys = {"user_id": user.id, "idea_id": idea.id, "window_id": window.id}
    limit = window.support_limit  # read now: the commit below expires the loaded rows
    begin_write()
    connection = db.session.connection()
    connection.execute(REMOVE_SUPPORT, keys)
    count, used = connection.execute(POSITION, keys).one()
    db.session.commit()
    return SupportResult(keys["idea_id"], False, count, used, limit)


@dataclass
class VotingContext:
    """What a page needs to show support buttons for some ideas of one window."""

    window: IdeaWindow
    open: bool
    supported: set[int]
    used: int
    limit: int | None
    signed_in: bool
    verified: bool = False  # signed in with a confirmed email address: may support
    user_id: int | None = None
    staff: bool = False  # ODA staff never support ideas

    def own_idea_barred(self, idea: Idea) -> bool:
        """Whether this is the person's own idea, which this window does not let them support."""
        return (self.user_id is not None and idea.author_id == self.user_id
                and not self.window.authors_may_support_own)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


def voting_context(user: User, window: IdeaWindow, idea_ids: list[int]) -> VotingContext:
    """Support state for these ideas: which the person supports and what they have left."""
    return VotingContext(window=window, open=window.is_open_for_voting(),
                         supported=supported_ids(user, idea_ids),
                         used=supports_used(user, window), limit=window.support_limit,
                         signed_in=user.is_authenticated,
                         verified=user.is_authenticated and user.is_verified,
                         user_id=user.id if user.is_authenticated else None,
                         staff=user.is_authenticated and user.role in STAFF_ROLES)


def support_state(user: User, idea_ids: list[int],
                  ) -> tuple[dict[int, Idea], dict[int, VotingContext]]:
    """For support buttons on ideas of several windows (a list of similar ideas): the ideas
    by id, with their windows, and a :func:`voting_context` for each window, by window id."""
    ideas = {idea.id: idea for idea in db.session.scalars(
        select(Idea).options(joinedload(Idea.window)).where(Idea.id.in_(idea_ids)))}
    by_window: dict[int, list[Idea]] = {}
    for idea in ideas.values():
        by_window.setdefault(idea.window_id, []).append(idea)
    return ideas, {window_id: voting_context(user, group[0].window, [i.id for i in group])
                   for window_id, group in by_window.items()}


# ---- Following ------------------------------------------------------------------------------

def is_following(user: User, idea: Idea) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.scalar(select(Follow.id).where(Follow.idea_id == idea.id,
                                                     Follow.user_id == user.id)) is not None


def follow(user: User, idea: Idea, commit: bool = True) -> None:
    """Follow an idea (doing it twice is harmless)."""
    if db.session.scalar(select(Follow.id).where(Follow.idea_id == idea.id,
                                                 Follow.user_id == user.id)) is None:
        db.session.add(Follow(idea_id=idea.id, user_id=user.id))
    if commit:
        try:
            db.session.commit()
        except IntegrityError:  # followed in another tab at the same moment
            db.session.rollback()


def unfollow(user: User, idea: Idea) -> None:
    """Stop following an idea."""
    db.session.execute(delete(Follow).where(Follow.idea_id == idea.id,
                                            Follow.user_id == user.id))
    db.session.commit()


# ---- Checking the counters ------------------------------------------------------------------

@dataclass
class Drift:
    """A counter that did not match the rows it counts."""

    kind: str
    key: str
    stored: int
    actual: int


def recount(fix: bool = True) -> list[Drift]:
    """Recompute every idea's support count and every ledger from the support rows."""
    drifts: list[Drift] = []
    actual = dict(db.session.execute(select(Support.idea_id, func.count(Support.id))
                                     .group_by(Support.idea_id)).all())
    for idea_id, stored in db.session.execute(select(Idea.id, Idea.support_count)).all():
        if stored != actual.get(idea_id, 0):
            drifts.append(Drift("idea", str(idea_id), stored, actual.get(idea_id, 0)))
    used = {(u, w): n for u, w, n in db.session.execute(
        select(Support.user_id, Support.window_id, func.count(Support.id))
        .group_by(Support.user_id, Support.window_id)).all()}
    for user_id, window_id, stored in db.session.execute(
            select(SupportLedger.user_id, SupportLedger.window_id, SupportLedger.used)).all():
        if stored != used.get((user_id, window_id), 0):
            drifts.append(Drift("ledger", f"{user_id}/{window_id}", stored,
                                used.get((user_id, window_id), 0)))
    if fix:
        for drift in drifts:
            if drift.kind == "idea":
                db.session.execute(update(Idea).where(Idea.id == int(drift.key))
                                   .values(support_count=drift.actual))
            else:
                user_id, window_id = (int(part) for part in drift.key.split("/"))
                db.session.execute(update(SupportLedger).where(
                    SupportLedger.user_id == user_id, SupportLedger.window_id == window_id)
                    .values(used=drift.actual))
        db.session.commit()
    return drifts


def _title_as_seen_by(user: User):
    """An idea's title, unless moderators hid the idea from everyone but its author (a hidden
    title may hold someone's personal information)."""
    return case((or_(Idea.hidden_at.is_(None), Idea.author_id == user.id), Idea.title),
                else_=literal("An idea moderators have hidden"))


@personal_data.section("supports")
def _support_data(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(select(_title_as_seen_by(user), Support.created_at).join(Idea)
                              .where(Support.user_id == user.id)).all()
    return [{"idea": title, "supported_at": at.isoformat()} for title, at in rows]


@personal_data.section("follows")
def _follow_data(user: User) -> list[str]:
    return list(db.session.scalars(select(_title_as_seen_by(user))
                                   .join(Follow, Follow.idea_id == Idea.id)
                                   .where(Follow.user_id == user.id)))
