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
# Two primes just under 2**31: every product below stays under 2**62, so the shuffle is plain
# 64-bit integer arithmetic, the same on SQLite and PostgreSQL (ids stay below 2**31).
_P1 = 2147483647
_P2 = 2147483629


def daily_seed(visitor: str, today: date | None = None) -> int:
    """A number that is the same for one visitor all day and different the next day."""
    today = today or utcnow().date()
    digest = hashlib.sha256(f"{visitor}:{today.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shuffle_keys(seed: int) -> tuple[int, int, int, int]:
    """The multipliers and offsets of the fair shuffle for one seed."""
    digest = hashlib.sha256(seed.to_bytes(8, "big")).digest()
    a1, b1, a2, b2 = (int.from_bytes(digest[k:k + 4], "big") for k in range(0, 16, 4))
    return a1 % (_P1 - 1) + 1, b1 % _P1, a2 % (_P2 - 1) + 1, b2 % _P2


def shuffle_key(idea_id: int, seed: int) -> int:
    """Where an idea falls in the fair shuffle for a seed (the Python twin of the SQL)."""
    a1, b1, a2, b2 = shuffle_keys(seed)
    x = (idea_id * a1 + b1) % _P1
    return (x * x % _P1 * a2 + b2) % _P2


def _shuffle_key_sql(seed: int):
    def number(value: int):
        return cast(literal(value), BigInteger)

    a1, b1, a2, b2 = shuffle_keys(seed)
    x = (Idea.id * number(a1) + number(b1)) % number(_P1)
    return ((x * x) % number(_P1) * number(a2) + number(b2)) % number(_P2)


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
    # fair: each id's key is x² mod p with x = a·id + b mod p, then one more affine step
    # modulo a second prime, every constant drawn from the seed. One affine step alone
    # (a·id + b mod p, used before) kept runs of consecutive ids in order for a few per cent
    # of visitors and, in a window of 16 ideas, put some ideas first 1.6 times as often as
    # others; squaring breaks that pattern at the cost of two more multiplications per row
    # (tests/test_voting.py checks the spread).
    return statement.order_by(_shuffle_key_sql(seed), Idea.id)
