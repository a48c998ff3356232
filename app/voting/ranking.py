"""How a window's ideas can be ordered. Each formula is explained in plain English on the
public "How ranking works" page (templates/voting/how_ranking_works.html); change both
together.

- fair (the default): a shuffled order that stays the same for one visitor for one day and
  differs between visitors, so that ideas posted early do not win by sitting at the top.
- most supported: most supports first; ties newest first.
- newest: most recently published first.
- trending: recent supports count more. A support counts 1 in its first 24 hours, 1/2 for
  the next two days, 1/4 for the rest of its first week, and nothing after that. Ties go to
  the idea with more supports overall, then the newest.
"""

import hashlib
from datetime import date, timedelta

from sqlalchemy import BigInteger, Select, case, cast, func, literal, select

from app.models import Idea, Support, utcnow

SORTS = {
    "fair": "Fair shuffle",
    "most-supported": "Most supported",
    "newest": "Newest",
    "trending": "Trending",
}
DEFAULT_SORT = "fair"
# A prime near 2**32, and a multiplier that spreads seeds across it.
_PRIME = 4294967291
_MULTIPLIER = 2654435761


def daily_seed(visitor: str, today: date | None = None) -> int:
    """A number that is the same for one visitor all day and different the next day."""
    today = today or utcnow().date()
    digest = hashlib.sha256(f"{visitor}:{today.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % _PRIME


def trending_scores(window_id: int):
    """A subquery of (idea_id, score) for supports in the last week, weighted by age."""
    now = utcnow()
    weight = case(
        (Support.created_at >= now - timedelta(days=1), 1.0),
        (Support.created_at >= now - timedelta(days=3), 0.5),
        else_=0.25,
    )
    return (select(Support.idea_id.label("idea_id"), func.sum(weight).label("score"))
            .where(Support.window_id == window_id,
                   Support.created_at >= now - timedelta(days=7))
            .group_by(Support.idea_id).subquery("trending"))


def apply_sort(statement: Select, sort: str, window_id: int, seed: int) -> Select:
    """Order a select of ideas by one of SORTS."""
    if sort == "most-supported":
        return statement.order_by(Idea.support_count.desc(), Idea.published_at.desc(),
                                  Idea.id.desc())
    if sort == "newest":
        return statement.order_by(Idea.published_at.desc(), Idea.id.desc())
    if sort == "trending":
        scores = trending_scores(window_id)
        return (statement.outerjoin(scores, scores.c.idea_id == Idea.id)
                .order_by(func.coalesce(scores.c.score, 0).desc(), Idea.support_count.desc(),
                          Idea.published_at.desc(), Idea.id.desc()))
    # fair: the affine permutation id -> (a·id + seed) mod p, with a multiplier a drawn from
    # the seed, so that two seeds give unrelated orders, not one order started at different
    # places (plain arithmetic in 64 bits, the same on both databases).
    multiplier = (seed * _MULTIPLIER) % (_PRIME - 1) + 1
    shuffled = (Idea.id * cast(literal(multiplier), BigInteger)
                + cast(literal(seed), BigInteger)) % cast(literal(_PRIME), BigInteger)
    return statement.order_by(shuffled, Idea.id)
