"""The shortlist: a published formula that combines public support with feasibility, staff
overrides with public reasons, and publishing.

The formula (shown on every shortlist page):

    score = support_weight × support_share + feasibility_weight × feasibility_share
            ───────────────────────────────────────────────────────────────────────
                           support_weight + feasibility_weight

    support_share     = unique supporters of the idea (counting ideas merged into it, each
                        person once) ÷ the most any candidate idea has (decided,
                        merged, withdrawn and hidden ideas are not candidates, except
                        those that publishing itself decided)
    feasibility_share = the mean of the reviewers' totals ÷ the most a total can be
                        (2 × the number of criteria); 0 if nobody has assessed it

Ideas are ranked by score, highest first; ties go to the idea with more unique supporters,
then the older idea. The top `shortlist_size` are on the shortlist, except that staff may put
an idea on it or keep one off, with a public reason.

Publishing marks the ideas on the list "shortlisted" and every other candidate "not taken
forward", each with the public reason staff give, so that no idea of the window is left
waiting for a decision. Ideas hidden by moderators or waiting for their approval are not
candidates and stay as they are: they are the moderators' to decide, and telling their
followers would repeat a title that may be why the idea was hidden.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from app import audit
from app.extensions import db
from app.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    ShortlistEntry,
    ShortlistOverride,
    Support,
    User,
    WindowStage,
    listed,
    utcnow,
)
from app.review.assessments import feasibility_shares
from app.review.decisions import DecisionError, check_decision, decide
from app.voting.notifications import audience_of_many

# Ideas still in the running; decided ones (not taken forward, not a data project), merged and
# withdrawn ideas are not ranked.
CANDIDATE_STATUSES = (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.SHORTLISTED)
# Ideas waiting for a decision, which publishing makes for those it leaves off the list.
AWAITING_DECISION = (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW)
LEFT_OFF_REASON_NEEDED = "Enter the reason for ideas not on the shortlist"


class ShortlistError(Exception):
    """A shortlist change that cannot be made, and the publish form's field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _left_off_by_publishing() -> ColumnElement[bool]:
    """SQL condition: ideas not taken forward because publishing left them off the list (and
    not decided otherwise since)."""
    return and_(Idea.status == IdeaStatus.NOT_TAKEN_FORWARD, select(IdeaStatusChange.id).where(
        IdeaStatusChange.idea_id == Idea.id, IdeaStatusChange.from_shortlist.is_(True),
        IdeaStatusChange.status == IdeaStatus.NOT_TAKEN_FORWARD).exists())


def _candidate() -> ColumnElement[bool]:
    """SQL condition: the ideas the formula ranks once the shortlist is published. Those it
    left off still count, so that the ranking shown and downloaded afterwards is the one the
    shortlist was chosen from."""
    return and_(listed(), or_(Idea.status.in_(CANDIDATE_STATUSES), _left_off_by_publishing()))


@dataclass
class Ranked:
    """An idea's place under the formula (`idea` is loaded by `with_ideas` when a page needs
    more of the idea than its id: ranking a window of 100,000 ideas must not load them all)."""

    idea_id: int
    supporters: int
    support_share: float
    feasibility_share: float
    score: float
    on_list: bool
    override: ShortlistOverride | None
    idea: Idea | None = None
    assessed: bool = True  # False: nobody has scored it, and its feasibility share counts as 0


def unique_supporters_by_idea(window: IdeaWindow) -> dict[int, int]:
    """For each idea of the window, its supporters and those of ideas merged into it, each
    person counted once."""
    owner = func.coalesce(Idea.merged_into_id, Idea.id)
    rows = db.session.execute(
        select(owner, func.count(func.distinct(Support.user_id)))
        .join(Support, Support.idea_id == Idea.id)
        .where(Idea.window_id == window.id).group_by(owner)).all()
    return {idea_id: count for idea_id, count in rows}


def formula_score(window: IdeaWindow, support_share: float, feasibility_share: float) -> float:
    """The published formula."""
    total = window.support_weight + window.feasibility_weight
    return (window.support_weight * support_share
            + window.feasibility_weight * feasibility_share) / total


def ranking(window: IdeaWindow) -> list[Ranked]:
    """Every candidate idea, ranked by the formula, with who is on the shortlist."""
    # Oldest first from the database; the stable sort below then keeps that order among
    # equal scores and supporters, which is the published tie-break. Plain rows, no ORM
    # objects: this runs over every idea of a window (about 0.2 s per 20,000).
    candidate = _candidate() if window.shortlist_published_at is not None \
        else and_(listed(), Idea.status.in_(CANDIDATE_STATUSES))  # no subquery needed yet
    candidates = [idea_id for idea_id, in db.session.connection().execute(
        select(Idea.id).where(Idea.window_id == window.id, candidate)
        .order_by(Idea.published_at, Idea.id))]
    supporters = unique_supporters_by_idea(window)
    most = max([supporters.get(idea_id, 0) for idea_id in candidates] or [0])
    feasible = feasibility_shares(window)
    overrides = {o.idea_id: o for o in db.session.scalars(
        select(ShortlistOverride).join(Idea, Idea.id == ShortlistOverride.idea_id)
        .where(Idea.window_id == window.id))}
    support_weight, feasibility_weight = window.support_weight, window.feasibility_weight
    total_weight = support_weight + feasibility_weight
    rows = []
    for idea_id in candidates:
        count = supporters.get(idea_id, 0)
        support_share = count / most if most else 0.0
        feasibility_share = feasible.get(idea_id, 0.0)
        # formula_score(), inlined: the window's weights are read once, not 100,000 times.
        score = (support_weight * support_share
                 + feasibility_weight * feasibility_share) / total_weight
        rows.append(Ranked(idea_id, count, round(support_share, 6), round(feasibility_share, 6),
                           round(score, 6), False, overrides.get(idea_id),
                           assessed=idea_id in feasible))
    rows.sort(key=lambda r: (-r.score, -r.supporters))
    # Overrides first, then the formula fills the places that are left, in order.
    places = window.shortlist_size
    for row in rows:
        if row.override is not None:
            row.on_list = row.override.include
            places -= row.on_list
    for row in rows:
        if row.override is None and places > 0:
            row.on_list = True
            places -= 1
    return rows


def with_ideas(rows: list[Ranked]) -> list[Ranked]:
    """Load the ideas of these rows (one query), for pages that show their titles."""
    ideas = {idea.id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.id.in_([row.idea_id for row in rows])))} if rows else {}
    for row in rows:
        row.idea = ideas[row.idea_id]
    return rows


def weights_problem(support_weight: float, feasibility_weight: float) -> str | None:
    """Why these weights cannot make a formula, or None (the form checks with this too)."""
    if support_weight < 0 or feasibility_weight < 0 or support_weight + feasibility_weight <= 0:
        return "Weights must be 0 or more, and not both 0"
    return None


def set_weights(actor: User, window: IdeaWindow, support_weight: float,
                feasibility_weight: float, size: int) -> None:
    """Change the formula's weights and the shortlist's size before it is published."""
    if window.shortlist_published_at is not None:
        raise ShortlistError("The shortlist is published; its formula can no longer change")
    if problem := weights_problem(support_weight, feasibility_weight):
        raise ShortlistError(problem)
    if any(w != round(w, 2) for w in (support_weight, feasibility_weight)):
        # The formula is shown and published to two places: finer weights would read as others.
        raise ShortlistError("Weights can have at most 2 decimal places")
    before = {"support_weight": window.support_weight,
              "feasibility_weight": window.feasibility_weight, "size": window.shortlist_size}
    window.support_weight, window.feasibility_weight = support_weight, feasibility_weight
    window.shortlist_size = size
    audit.record(actor, "shortlist.weights", window, f"Changed the shortlist formula of window "
                 f"{window.id}", before=before,
                 after={"support_weight": support_weight,
                        "feasibility_weight": feasibility_weight, "size": size})
    db.session.commit()


def override(actor: User, idea: Idea, include: bool | None, reason: str = "") -> bool:
    """Put an idea on the shortlist or keep it off against the formula (with a public
    reason), or go back to the formula (include=None). False when that is already so: nothing
    is written, not even to the audit log."""
    if idea.window.shortlist_published_at is not None:
        raise ShortlistError("The shortlist is published and can no longer change")
    row = db.session.scalar(select(ShortlistOverride).where(ShortlistOverride.idea_id == idea.id))
    before = None if row is None else {"include": row.include, "reason": row.reason}
    after = None if include is None else {"include": include, "reason": reason.strip()}
    if before == after:
        return False
    if include is None:
        if row is not None:
            db.session.delete(row)
    else:
        if not reason.strip():
            raise ShortlistError("Give a public reason for going against the formula")
        row = row or ShortlistOverride(idea_id=idea.id)
        row.include, row.reason, row.decided_by_id = include, reason.strip(), actor.id
        row.decided_at = utcnow()
        db.session.add(row)
    audit.record(actor, "shortlist.override", idea, f"Shortlist override for idea {idea.id}",
                 before=before, after=after)
    db.session.commit()
    return True


def why_cannot_publish(window: IdeaWindow) -> str | None:
    """Why the shortlist cannot be published now, or None when it can."""
    if window.shortlist_published_at is not None:
        return "The shortlist is already published"
    if window.stage() in (WindowStage.DRAFT, WindowStage.UPCOMING, WindowStage.OPEN_FOR_IDEAS,
                          WindowStage.VOTING_UPCOMING) or window.is_open_for_voting():
        return "Publish the shortlist after voting closes, so that every support counts"
    return None


def _left_off(window: IdeaWindow, on_list: list[int]):
    """SQL condition: the window's candidates waiting for a decision that are not on the list
    (before publishing: every candidate off the list)."""
    return and_(Idea.window_id == window.id, listed(), Idea.status.in_(AWAITING_DECISION),
                Idea.id.not_in(on_list))


@dataclass
class Preview:
    """What publishing would do now, for staff to read before they press the button."""

    shortlisted: int
    not_taken_forward: int
    kept_off: int  # of those, kept off against the formula: they get that reason instead
    people: int  # the people told about the ideas not taken forward, in the app
    by_email: int  # how many of them by email too
    left_alone: int  # waiting for a decision, but hidden or not yet approved by moderators

    @property
    def needs_reason(self) -> bool:
        """Whether any idea would be marked not taken forward with the reason staff give."""
        return self.not_taken_forward > self.kept_off


def preview(window: IdeaWindow, rows: list[Ranked], actor: User) -> Preview:
    """How many ideas publishing would shortlist and mark not taken forward, and how many
    people it would tell about the second (by the rules `notify_followers` follows)."""
    on_list = [row.idea_id for row in rows if row.on_list]
    left_off = _left_off(window, on_list)
    people, by_email = audience_of_many(left_off, actor)
    left_alone = db.session.scalar(select(func.count(Idea.id)).where(
        Idea.window_id == window.id, Idea.status.in_(AWAITING_DECISION),
        or_(Idea.hidden_at.is_not(None), Idea.awaiting_moderation.is_(True))))
    kept = sum(1 for row in rows if row.override is not None and not row.override.include)
    return Preview(len(on_list), db.session.scalar(select(func.count(Idea.id)).where(left_off)),
                   kept, people, by_email, left_alone)


@dataclass
class Published:
    """What publishing did."""

    entries: list[ShortlistEntry]
    not_taken_forward: int


def publish(actor: User, window: IdeaWindow, reason: str, left_off_reason: str = "") -> Published:
    """Freeze the shortlist, mark its ideas shortlisted and the other candidates not taken
    forward (telling their followers), and move the window to "shortlist published": all of
    it, or on any failure none of it."""
    refusal = why_cannot_publish(window)
    if refusal:
        raise ShortlistError(refusal)
    try:
        published = _publish(actor, window, reason, left_off_reason.strip())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return published


def _publish(actor: User, window: IdeaWindow, reason: str, left_off_reason: str) -> Published:
    # Claimed first, by a conditional UPDATE: a second Publish pressed at the same moment
    # waits for this one and then finds it done, so nobody is decided or told twice.
    claimed = db.session.execute(
        update(IdeaWindow).where(IdeaWindow.id == window.id,
                                 IdeaWindow.shortlist_published_at.is_(None))
        .values(shortlist_published_at=utcnow())).rowcount
    if not claimed:
        raise ShortlistError("The shortlist is already published")
    rows = with_ideas([row for row in ranking(window) if row.on_list])
    if not rows:
        raise ShortlistError("There is nothing on the shortlist yet")
    left_off = list(db.session.scalars(
        select(Idea).where(_left_off(window, [row.idea_id for row in rows])).order_by(Idea.id)))
    # An idea kept off against the formula is told the reason staff gave for that, which
    # says more than the reason for all the others.
    kept_off_because = {o.idea_id: o.reason for o in kept_off(window)}
    others = [idea for idea in left_off if idea.id not in kept_off_because]
    checks = [("reason", IdeaStatus.SHORTLISTED, reason)]
    if others:
        if not left_off_reason:
            raise ShortlistError(LEFT_OFF_REASON_NEEDED, "not_taken_forward_reason")
        checks.append(("not_taken_forward_reason", IdeaStatus.NOT_TAKEN_FORWARD, left_off_reason))
    for field, status, words in checks:  # both reasons, before anything is decided
        try:
            check_decision(status, words, allowed=(status,))
        except DecisionError as error:
            raise ShortlistError(str(error), field) from None
    db.session.execute(delete(ShortlistEntry).where(ShortlistEntry.window_id == window.id))
    entries = []
    for rank, row in enumerate(rows, start=1):
        entry = ShortlistEntry(window_id=window.id, idea_id=row.idea_id, rank=rank,
                               score=row.score, support_share=row.support_share,
                               feasibility_share=row.feasibility_share,
                               override_reason=row.override.reason if row.override else None)
        db.session.add(entry)
        entries.append(entry)
    decide(actor, [row.idea for row in rows], IdeaStatus.SHORTLISTED, reason, commit=False,
           allowed=(IdeaStatus.SHORTLISTED,), from_shortlist=True)
    groups = [(others, left_off_reason)] if others else []
    groups += [([idea], kept_off_because[idea.id]) for idea in left_off
               if idea.id in kept_off_because]
    decided = sum(decide(actor, ideas, IdeaStatus.NOT_TAKEN_FORWARD, words, commit=False,
                         allowed=(IdeaStatus.NOT_TAKEN_FORWARD,), from_shortlist=True)
                  for ideas, words in groups)
    audit.record(actor, "shortlist.publish", window, f"Published the shortlist of window "
                 f"{window.id}: {len(rows)} shortlisted, {decided} not taken forward",
                 before={"stage": "under_review", "shortlist": []},
                 after={"stage": "shortlist_published",
                        "shortlist": [row.idea_id for row in rows],
                        "not_taken_forward": decided,
                        "not_taken_forward_reason": left_off_reason or None,
                        "support_weight": window.support_weight,
                        "feasibility_weight": window.feasibility_weight})
    return Published(entries, decided)


def kept_off(window: IdeaWindow) -> list[ShortlistOverride]:
    """Ideas staff kept off the shortlist against the formula, with their public reasons
    (leaving out ideas moderators have hidden since)."""
    return list(db.session.scalars(
        select(ShortlistOverride).join(Idea, Idea.id == ShortlistOverride.idea_id)
        .where(Idea.window_id == window.id, ShortlistOverride.include.is_(False), listed())
        .order_by(ShortlistOverride.id)))


def left_off_count(window: IdeaWindow) -> int:
    """How many public ideas publishing marked not taken forward."""
    return db.session.scalar(select(func.count(Idea.id)).where(
        Idea.window_id == window.id, listed(), _left_off_by_publishing()))


def published_entries(window: IdeaWindow, public: bool = False) -> list[ShortlistEntry]:
    """The frozen shortlist, in order; for the public, without ideas hidden since."""
    statement = select(ShortlistEntry).where(ShortlistEntry.window_id == window.id)
    if public:
        statement = statement.join(Idea, Idea.id == ShortlistEntry.idea_id).where(listed())
    return list(db.session.scalars(statement.order_by(ShortlistEntry.rank)))
