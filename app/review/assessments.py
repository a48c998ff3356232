"""Feasibility: each window's editable criteria, reviewers' scores and notes, the queue."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, String, and_, cast, distinct, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts import personal_data
from app.extensions import db
from app.models import (
    DEFAULT_CRITERIA,
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    Assessment,
    AssessmentScore,
    ClusterMember,
    ConfirmedType,
    Criterion,
    DuplicateCluster,
    Idea,
    IdeaWindow,
    StaffNote,
    Support,
    TypeSuggestion,
    User,
    listed,
    utcnow,
)
from app.text import excerpt

# The assessment page is one form, and after a save that leaves other parts unsaved it is
# shown again without a redirect, so refreshing it can send a note a second time.
RESENT_WITHIN = timedelta(minutes=10)


class AssessmentError(Exception):
    """An assessment that cannot be saved as asked."""


def criteria_for(window: IdeaWindow, create: bool = True) -> list[Criterion]:
    """A window's criteria in order. A window that has none gets its own copy of the default
    nine (with create=False, for public pages that must not write, unsaved copies)."""
    rows = list(db.session.scalars(select(Criterion).where(Criterion.window_id == window.id)
                                   .order_by(Criterion.position)))
    if rows:
        return rows
    if not create:
        return [Criterion(window_id=window.id, heading=heading, name=name, wording=wording,
                          position=position)
                for position, (heading, name, wording) in enumerate(DEFAULT_CRITERIA)]
    for position, (heading, name, wording) in enumerate(DEFAULT_CRITERIA):
        db.session.add(Criterion(window_id=window.id, heading=heading, name=name,
                                 wording=wording, position=position))
    try:
        db.session.commit()
    except IntegrityError:  # another request made them first
        db.session.rollback()
    return list(db.session.scalars(select(Criterion).where(Criterion.window_id == window.id)
                                   .order_by(Criterion.position)))


def why_criteria_locked(window: IdeaWindow) -> str | None:
    """Why a window's criteria can no longer be reworded, or None while they can."""
    if window.shortlist_published_at is None:
        return None
    from app.filters import london_date

    return (f"The shortlist was published on {london_date(window.shortlist_published_at)}, "
            f"so the criteria cannot change: its feasibility scores were given against these "
            f"words.")


def scored_ideas(window: IdeaWindow) -> int:
    """How many of the window's ideas reviewers have scored against its criteria."""
    return db.session.scalar(select(func.count(distinct(Assessment.idea_id)))
                             .join(Idea, Idea.id == Assessment.idea_id)
                             .where(Idea.window_id == window.id)) or 0


def reword_criteria(actor: User, window: IdeaWindow, changes: dict[int, tuple[str, str]]) -> None:
    """Change the names and wording of a window's criteria (an admin task), until its
    shortlist is published."""
    locked = why_criteria_locked(window)
    if locked:
        raise AssessmentError(locked)
    rows = {c.id: c for c in criteria_for(window)}
    before = {c.id: [c.name, c.wording] for c in rows.values()}
    for criterion_id, (name, wording) in changes.items():
        if criterion_id in rows:
            rows[criterion_id].name, rows[criterion_id].wording = name.strip(), wording.strip()
    audit.record(actor, "criteria.reword", window, f"Changed the criteria wording of window "
                 f"{window.id}", before={str(k): v for k, v in before.items()},
                 after={str(c.id): [c.name, c.wording] for c in rows.values()})
    db.session.commit()


def save_assessment(reviewer: User, idea: Idea, scores: dict[int, tuple[int, str]],
                    at: datetime | None = None) -> Assessment:
    """Record (or change) one reviewer's scores: 0, 1 or 2 and a note for every criterion.
    Scoring an idea that has no reviewer makes the scorer its reviewer. `at` is when the
    scores were given, if not now (the demo's past window)."""
    names = {c.id: c.name for c in criteria_for(idea.window)}
    criteria = set(names)
    if set(scores) != criteria:
        raise AssessmentError("Score every criterion")
    if any(score not in (0, 1, 2) for score, _note in scores.values()):
        raise AssessmentError("Scores must be 0, 1 or 2")
    assessment = db.session.scalar(select(Assessment).where(
        Assessment.idea_id == idea.id, Assessment.reviewer_id == reviewer.id))
    before = None
    if assessment is None:
        assessment = Assessment(idea_id=idea.id, reviewer_id=reviewer.id)
        db.session.add(assessment)
    else:
        before = {_audit_key(s.criterion_id, names): [s.score, s.note]
                  for s in assessment.scores}
    existing = {s.criterion_id: s for s in assessment.scores}
    for criterion_id, (score, note) in scores.items():
        row = existing.get(criterion_id) or AssessmentScore(criterion_id=criterion_id)
        row.score, row.note = score, note.strip()
        if criterion_id not in existing:
            assessment.scores.append(row)
    assessment.updated_at = at or utcnow()
    db.session.flush()
    audit.record(reviewer, "idea.assess", idea, f"Scored idea {idea.id} for feasibility",
                 before=before,
                 after={_audit_key(k, names): [v[0], v[1].strip()] for k, v in scores.items()},
                 occurred_at=at)
    _claim_reviewer(reviewer, idea, at)
    db.session.commit()
    return assessment


def _claim_reviewer(reviewer: User, idea: Idea, at: datetime | None = None) -> None:
    """Make the person scoring an idea its reviewer if it has none; an idea given to someone
    else stays theirs (others' scores count alongside, and only Assign moves an idea)."""
    # Conditional, so that of two people scoring an unassigned idea at once only the first
    # becomes its reviewer, and an assignment made meanwhile is never overwritten.
    claimed = db.session.execute(
        update(Idea).where(Idea.id == idea.id, Idea.assigned_to_id.is_(None))
        .values(assigned_to_id=reviewer.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(idea, ["assigned_to_id", "assigned_to"])
    if claimed:
        audit.record(reviewer, "idea.assign", idea, f"Assigned idea {idea.id} to user "
                     f"{reviewer.id}, who scored it when it had no reviewer",
                     before={"assigned_to": None},
                     after={"assigned_to": reviewer.id}, occurred_at=at)


def _audit_key(criterion_id: int, names: dict[int, str]) -> str:
    """How the audit log names a criterion: its name, which people read, and its id, which
    stays when the name is reworded."""
    return f"{names.get(criterion_id, 'criterion')} (#{criterion_id})"


@dataclass
class Feasibility:
    """All reviewers' scores for an idea, side by side, with the means."""

    criteria: list[Criterion]
    assessments: list[Assessment]
    criterion_means: dict[int, float]
    mean_total: float | None  # mean of the reviewers' totals, 0 to 18
    share: float | None  # mean_total / the most it could be, 0 to 1


def feasibility(idea: Idea) -> Feasibility:
    """The side-by-side view of an idea's assessments."""
    criteria = criteria_for(idea.window)
    assessments = list(db.session.scalars(select(Assessment).where(
        Assessment.idea_id == idea.id).order_by(Assessment.id)))
    means = {}
    for criterion in criteria:
        values = [s.score for a in assessments for s in a.scores
                  if s.criterion_id == criterion.id]
        if values:
            means[criterion.id] = sum(values) / len(values)
    if not assessments:
        return Feasibility(criteria, [], {}, None, None)
    mean_total = sum(a.total for a in assessments) / len(assessments)
    return Feasibility(criteria, assessments, means, mean_total, mean_total / (2 * len(criteria)))


def max_total(window: IdeaWindow) -> int:
    """The most a reviewer's total can be in a window: 2 for each of its criteria."""
    return 2 * len(criteria_for(window, create=False))


def feasibility_shares(window: IdeaWindow) -> dict[int, float]:
    """For every assessed idea of a window: its mean total over the most it could score."""
    maximum = max_total(window)
    totals = db.session.execute(
        select(Assessment.idea_id, Assessment.id, func.sum(AssessmentScore.score))
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .join(Idea, Idea.id == Assessment.idea_id).where(Idea.window_id == window.id)
        .group_by(Assessment.idea_id, Assessment.id)).all()
    per_idea: dict[int, list[int]] = {}
    for idea_id, _assessment, total in totals:
        per_idea.setdefault(idea_id, []).append(int(total))
    return {i: (sum(v) / len(v)) / maximum for i, v in per_idea.items()}


def add_note(author: User, idea: Idea, body: str,
             parent: StaffNote | None = None) -> StaffNote | None:
    """A private staff note on an idea, or a reply to one; None, adding nothing, when the
    author sent the same words there in the last ``RESENT_WITHIN`` (a refreshed page)."""
    if parent is not None and parent.idea_id != idea.id:
        raise AssessmentError("Reply to a note on this idea")
    again = db.session.scalar(select(StaffNote).where(
        StaffNote.idea_id == idea.id, StaffNote.author_id == author.id,
        StaffNote.parent_id.is_(None) if parent is None else StaffNote.parent_id == parent.id,
        StaffNote.created_at >= utcnow() - RESENT_WITHIN).order_by(StaffNote.id.desc()).limit(1))
    if again is not None and again.body == body.strip():
        return None
    note = StaffNote(idea_id=idea.id, author_id=author.id, body=body.strip(),
                     parent_id=parent.id if parent else None)
    db.session.add(note)
    db.session.flush()
    audit.record(author, "idea.note", idea, f"Added a staff note to idea {idea.id}",
                 after={"note": note.id, "reply_to": note.parent_id, "body": note.body})
    db.session.commit()
    return note


def notes_for(idea: Idea) -> list[StaffNote]:
    """Top-level staff notes on an idea, oldest first (each carries its replies)."""
    return list(db.session.scalars(select(StaffNote).where(
        StaffNote.idea_id == idea.id, StaffNote.parent_id.is_(None)).order_by(StaffNote.id)))


def cluster_companions(idea: Idea) -> list[Idea]:
    """The other ideas in an idea's group of similar ideas, from the window's latest run."""
    from app.triage.services import latest_run

    run = latest_run(idea.window)
    if run is None:
        return []
    cluster_id = db.session.scalar(
        select(ClusterMember.cluster_id).join(DuplicateCluster)
        .where(DuplicateCluster.run_id == run.id, ClusterMember.idea_id == idea.id,
               ClusterMember.removed.is_(False)).limit(1))
    if cluster_id is None:
        return []
    return list(db.session.scalars(
        select(Idea).join(ClusterMember, ClusterMember.idea_id == Idea.id)
        .where(ClusterMember.cluster_id == cluster_id, ClusterMember.removed.is_(False),
               Idea.id != idea.id).order_by(Idea.id)))


def cluster_supporters(idea: Idea) -> int:
    """People supporting the idea, an idea merged into it, or another idea in its group of
    similar ideas, each counted once."""
    ids = {idea.id, *(i.id for i in cluster_companions(idea))}
    ids |= set(db.session.scalars(select(Idea.id).where(Idea.merged_into_id.in_(ids))))
    return db.session.scalar(select(func.count(func.distinct(Support.user_id)))
                             .where(Support.idea_id.in_(ids)))


QUEUE_FILTERS = {
    "all": "All ideas",
    "not-assessed": "Not yet assessed",
    "assessed": "Assessed",
    "mine": "Assigned to me",
    "flagged": "Looks like personal information",
}


def queue(window: IdeaWindow, me: User, view: str = "all", type_key: str = "",
          source: str = "", in_clusters: bool = False, cluster_id: int | None = None) -> Select:
    """The review queue of a window with its filters, oldest first."""
    statement = select(Idea).where(Idea.window_id == window.id, listed())
    assessed = exists().where(Assessment.idea_id == Idea.id)
    if view == "not-assessed":
        statement = statement.where(~assessed)
    elif view == "assessed":
        statement = statement.where(assessed)
    elif view == "mine":
        statement = statement.where(Idea.assigned_to_id == me.id)
    elif view == "flagged":
        statement = statement.where(Idea.pii_flags.is_not(None))
    if type_key == NOT_A_DATA_PROJECT:
        confirmed = exists().where(and_(ConfirmedType.idea_id == Idea.id,
                                        ConfirmedType.type_key == type_key))
        suggested = exists().where(and_(TypeSuggestion.idea_id == Idea.id,
                                        TypeSuggestion.not_a_data_project.is_(True)))
        statement = statement.where(confirmed | suggested)
    elif type_key in OPPORTUNITY_TYPES:  # anything else typed in the address is ignored
        confirmed = exists().where(and_(ConfirmedType.idea_id == Idea.id,
                                        ConfirmedType.type_key == type_key))
        # The suggested types are a JSON list; matching its text works on both databases.
        suggested = exists().where(and_(TypeSuggestion.idea_id == Idea.id,
                                        cast(TypeSuggestion.suggested, String)
                                        .like(f'%"{type_key}"%')))
        statement = statement.where(confirmed | suggested)
    if source:
        statement = statement.where(Idea.source == source)
    if in_clusters or cluster_id:
        member = and_(ClusterMember.idea_id == Idea.id, ClusterMember.removed.is_(False))
        if cluster_id:
            member = and_(member, ClusterMember.cluster_id == cluster_id)
        else:  # any group of the window's latest run
            from app.triage.services import latest_run

            run = latest_run(window)
            member = and_(member, ClusterMember.cluster_id.in_(
                select(DuplicateCluster.id).where(DuplicateCluster.run_id ==
                                                  (run.id if run else -1))))
        statement = statement.where(exists().where(member))
    return statement.order_by(Idea.published_at, Idea.id)


def cluster_choices(window: IdeaWindow) -> list[tuple[int, str]]:
    """The window's groups of similar ideas (latest run) as filter choices: id and a label."""
    from app.triage.services import clusters_for

    choices = []
    for cluster in clusters_for(window):
        members = [m.idea for m in cluster.members if not m.removed]
        if len(members) > 1:
            first = min(members, key=lambda idea: idea.id)
            choices.append((cluster.id, f"{excerpt(first.title, 60)} ({len(members)} ideas)"))
    return choices


def assign(actor: User, ideas: list[Idea], reviewer: User | None) -> None:
    """Give ideas to a reviewer (or to nobody)."""
    for idea in ideas:
        before = idea.assigned_to_id
        idea.assigned_to_id = reviewer.id if reviewer else None
        audit.record(actor, "idea.assign", idea, f"Assigned idea {idea.id} to "
                     f"{'user ' + str(reviewer.id) if reviewer else 'nobody'}",
                     before={"assigned_to": before}, after={"assigned_to": idea.assigned_to_id})
    db.session.commit()


@personal_data.section("feasibility_assessments")
def _assessment_data(user: User) -> list[dict]:
    return [{"idea_id": a.idea_id, "updated_at": a.updated_at.isoformat(),
             "scores": [{"criterion": s.criterion.name, "score": s.score, "note": s.note}
                        for s in a.scores]}
            for a in db.session.scalars(select(Assessment).where(Assessment.reviewer_id == user.id)
                                        .order_by(Assessment.id))]


@personal_data.section("staff_notes")
def _note_data(user: User) -> list[dict]:
    return [{"idea_id": n.idea_id, "reply_to": n.parent_id, "body": n.body,
             "written_at": n.created_at.isoformat()}
            for n in db.session.scalars(select(StaffNote).where(StaffNote.author_id == user.id)
                                        .order_by(StaffNote.id))]
