"""Triage in the app: similar ideas, opportunity-type suggestions, duplicate clusters.

The NLP itself is in app/triage/nlp (plain Python, no Flask); this module feeds it ideas from
the database and stores what it finds.

Every web worker keeps its own in-memory similar-ideas index, rebuilt from the database:
each worker checks at most every REFRESH_SECONDS whether ideas were published, changed or
withdrawn since it last looked, and brings its index up to date. The database is the only
shared state, so a new idea is found by every worker on every host within that time.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, cast, delete, func, insert, or_, select

from app import audit
from app.extensions import db
from app.filters import plural
from app.models import (
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    AuditEvent,
    ClusterMember,
    ClusterStatus,
    ConfirmedType,
    DuplicateCluster,
    Idea,
    IdeaStatus,
    IdeaWindow,
    RunStatus,
    Support,
    TriageRun,
    TriageTheme,
    TypeModel,
    TypeSuggestion,
    User,
    listed,
    utcnow,
)
from app.triage import carry
from app.triage.nlp import clustering
from app.triage.nlp import types as type_model
from app.triage.nlp.similarity import RERANK_DEPTH, SimilarityIndex, rank_score
from app.triage.topics import find_themes

log = logging.getLogger(__name__)

REFRESH_SECONDS = 20
# Ideas kept with each stored theme, for the themes page to show a few that are still public.
THEME_EXAMPLES = 20
# A type is suggested when its calibrated confidence is at least this.
TYPE_THRESHOLD = 0.35
INDEXED_STATUSES = (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.SHORTLISTED,
                    IdeaStatus.NOT_TAKEN_FORWARD, IdeaStatus.NOT_A_DATA_PROJECT)


def indexed():
    """SQL condition: the ideas triage reads (listed publicly, and not withdrawn or merged)."""
    return and_(listed(), Idea.status.in_(INDEXED_STATUSES))


def idea_text(idea: Idea) -> str:
    """What the models read of an idea: its title, then its three sections."""
    return "\n".join(part for part in (idea.title, idea.problem, idea.action, idea.data) if part)


# ---- Similar ideas --------------------------------------------------------------------------

@dataclass(frozen=True)
class SimilarIdea:
    """An idea like the one being written, for "Already posted? Support one of these"."""

    id: int
    title: str
    score: float
    window_id: int
    window_title: str
    past: bool
    support_count: int
    supportable: bool


class SharedIndex:
    """This process's copy of the similar-ideas index, kept in step with the database."""

    def __init__(self):
        self._lock = threading.Lock()
        self._index: SimilarityIndex | None = None
        self._version: tuple | None = None
        self._checked = 0.0

    def _database_version(self) -> tuple:
        row = db.session.execute(
            select(func.count(Idea.id), func.max(Idea.id), func.max(Idea.updated_at),
                   func.max(Idea.published_at))
            .where(indexed())).one()
        # Ideas leaving the index (withdrawn, merged, hidden) change this count.
        withdrawn = db.session.scalar(select(func.count(Idea.id)).where(~indexed()))
        return (*row, withdrawn)

    def _rows(self, after_id: int = 0):
        return db.session.execute(
            select(Idea.id, Idea.title, Idea.problem, Idea.action, Idea.data)
            .where(indexed(), Idea.id > after_id)
            .order_by(Idea.id)).all()

    def index(self, force: bool = False) -> SimilarityIndex:
        """The index, brought up to date if the database changed since the last look."""
        now = time.monotonic()
        if not force and self._index is not None and now - self._checked < REFRESH_SECONDS:
            return self._index
        with self._lock:
            version = self._database_version()
            if self._index is not None and version == self._version:
                self._checked = now
                return self._index
            previous, index = self._version, self._index
            grew_only = (index is not None and previous is not None
                         and version[2] == previous[2] and version[4] == previous[4]
                         and version[0] > previous[0])
            if grew_only:
                rows = self._rows(after_id=previous[1] or 0)
                index.add([r.id for r in rows], [_row_text(r) for r in rows])
            else:
                rows = self._rows()
                index = SimilarityIndex(backend=current_app.config["SIMILAR_BACKEND"]).fit(
                    [r.id for r in rows], [_row_text(r) for r in rows])
            self._index, self._version, self._checked = index, version, now
            log.info("similar-ideas index has %s ideas", len(index))
            return index

    def reset(self) -> None:
        """Forget the index (tests, and after a database reset)."""
        with self._lock:
            self._index, self._version, self._checked = None, None, 0.0


def _row_text(row) -> str:
    return "\n".join(part for part in (row.title, row.problem, row.action, row.data) if part)


shared_index = SharedIndex()


def similar_ideas(title: str, text: str = "", window: IdeaWindow | None = None,
                  exclude: set[int] | None = None, limit: int = 5,
                  prefer_supportable: bool = True) -> list[SimilarIdea]:
    """Ideas like a draft from its window and earlier ones (marked past), most similar first,
    leaving out those below the "similar" floor. With ``prefer_supportable`` (the residents'
    "support this instead" list) they are ranked by :func:`similarity.rank_score`: one that
    can never be supported again ``PAST_PENALTY`` lower, and among the rest one with more
    supporters a little higher. Scores stay text similarity."""
    query = "\n".join(part for part in (title, text) if part and part.strip())
    if len(query.strip()) < 3:
        return []
    index = shared_index.index()
    if not len(index):
        return []
    # As many as the evaluation re-ranks (similarity.rerank); also room for ideas hidden
    # since this worker's index was built.
    found = index.query(query, k=max(RERANK_DEPTH, limit * 3), exclude=frozenset(exclude or ()))
    floor = index.thresholds["similar"]  # measured per backend, see docs/triage.md
    found = [(idea_id, score) for idea_id, score in found if score >= floor]
    if not found:
        return []
    ideas = {i.id: i for i in db.session.scalars(select(Idea).where(
        Idea.id.in_([idea_id for idea_id, _ in found]), indexed()))}
    results, rank_keys = [], {}
    for idea_id, score in found:
        idea = ideas.get(idea_id)
        if idea is None:
            continue  # withdrawn or merged since this worker last looked
        if window is not None and idea.window_id != window.id and \
                idea.window.submissions_open_at > window.submissions_open_at:
            continue  # a later window: not "already posted" from this one's point of view
        results.append(SimilarIdea(
            id=idea.id, title=idea.title, score=round(float(score), 3),
            window_id=idea.window_id, window_title=idea.window.title,
            past=window is not None and idea.window_id != window.id,
            support_count=idea.support_count,
            supportable=idea.is_supportable and idea.window.is_open_for_voting()))
        rank_keys[idea.id] = rank_score(float(score), not can_still_be_supported(idea),
                                        idea.support_count)
    if prefer_supportable:  # what can be supported instead comes before what is a bit closer
        results.sort(key=lambda similar: -rank_keys[similar.id])
    return results[:limit]


def can_still_be_supported(idea: Idea) -> bool:
    """Whether the idea takes supports now or will when its window's voting opens."""
    window = idea.window
    return (idea.is_supportable and window.closed_at is None
            and window.shortlist_published_at is None and utcnow() < window.voting_close_at)


# ---- Opportunity types ----------------------------------------------------------------------

class SharedClassifier:
    """This process's copy of the newest stored type model."""

    def __init__(self):
        self._lock = threading.Lock()
        self._model = None
        self._version: str | None = None
        self._checked = 0.0

    def get(self, train_if_missing: bool = True):
        """The newest model; on a deployment that has none yet, train one from the seed set
        (without cross-validation, which `flask triage train` adds), or return None."""
        now = time.monotonic()
        if self._model is not None and now - self._checked < REFRESH_SECONDS:
            return self._model
        if db.session.scalar(select(TypeModel.id).limit(1)) is None:
            if not train_if_missing:
                return None
            train_types(None, measure=False)
        with self._lock:
            latest = db.session.execute(
                select(TypeModel.version, TypeModel.id)
                .order_by(TypeModel.created_at.desc(), TypeModel.id.desc()).limit(1)).first()
            if latest.version != self._version:
                data = db.session.scalar(select(TypeModel.data).where(TypeModel.id == latest.id))
                self._model = type_model.TypeClassifier.from_bytes(data)
                self._version = latest.version
            self._checked = now
            return self._model

    def reset(self) -> None:
        with self._lock:
            self._model, self._version, self._checked = None, None, 0.0


shared_classifier = SharedClassifier()


def training_set() -> tuple[list[str], list[str], int]:
    """The seed set plus every type staff have confirmed; and how many came from staff."""
    texts, labels = type_model.load_seed()
    confirmed = db.session.execute(
        select(ConfirmedType.type_key, Idea).join(Idea, Idea.id == ConfirmedType.idea_id)
        .order_by(ConfirmedType.id)).all()
    for key, idea in confirmed:
        texts.append(idea_text(idea))
        labels.append(key)
    return list(texts), list(labels), len(confirmed)


def type_embeddings_setting() -> bool | None:
    """Whether the type model adds sentence embeddings, from TRIAGE_BACKEND: None for auto
    (when installed), True or False."""
    backend = current_app.config["TRIAGE_BACKEND"]
    settings = {"auto": None, "embeddings": True, "tfidf": False}
    if backend not in settings:
        raise ValueError(f"TRIAGE_BACKEND is {backend!r}; use one of {sorted(settings)}")
    return settings[backend]


def served_type_model() -> TypeModel | None:
    """The stored type model that suggestions come from: the newest (or newest retrained)."""
    return db.session.scalar(select(TypeModel).order_by(TypeModel.created_at.desc(),
                                                        TypeModel.id.desc()).limit(1))


def serves_embeddings(model: TypeModel | None) -> bool:
    """Whether suggestions from this stored model use sentence embeddings here and now."""
    from app.triage.nlp import embeddings  # noqa: PLC0415

    return (model is not None and "-minilm-" in model.version
            and type_embeddings_setting() is not False and embeddings.available())


def train_types(actor: User | None, measure: bool = True, folds: int = 5) -> TypeModel:
    """Train on the seed set and staff confirmations, cross-validate, store a new version."""
    texts, labels, from_staff = training_set()
    use_embeddings = type_embeddings_setting()
    metrics = (type_model.cross_validate(texts, labels, folds=folds,
                                         use_embeddings=use_embeddings) if measure else {})
    classifier = type_model.TypeClassifier(use_embeddings=use_embeddings).fit(texts, labels)
    existing = db.session.scalar(select(TypeModel).where(TypeModel.version == classifier.version))
    if existing is not None:  # the same data and code make the same model
        if metrics and not existing.metrics:
            existing.metrics = {k: v for k, v in metrics.items() if k != "confusion"}
        # Serve it again: after training with another TRIAGE_BACKEND, a newer model of the
        # other kind would otherwise stay in use.
        existing.created_at = utcnow()
        db.session.commit()
        shared_classifier.reset()
        return existing
    model = TypeModel(version=classifier.version, data=classifier.to_bytes(),
                      examples=len(texts), confirmed_examples=from_staff,
                      metrics={k: v for k, v in metrics.items() if k != "confusion"},
                      created_by_id=actor.id if actor else None)
    db.session.add(model)
    db.session.flush()
    audit.record(actor, "triage.train", model, f"Trained type model {model.version} on "
                 f"{len(texts)} examples ({from_staff} confirmed by staff)",
                 after=model.metrics)
    db.session.commit()
    shared_classifier.reset()
    return model


def suggest_types(ideas: list[Idea], train_if_missing: bool = True) -> list[TypeSuggestion]:
    """Suggest opportunity types for ideas and store the suggestions (the caller commits)."""
    if not ideas:
        return []
    classifier = shared_classifier.get(train_if_missing)
    if classifier is None:
        return []
    # TRIAGE_BACKEND=tfidf keeps the sentence model out of this process, even when the stored
    # model has an embeddings part (which was trained where it was allowed).
    use_embeddings = type_embeddings_setting() is not False
    suggestions = classifier.suggest([idea_text(idea) for idea in ideas],
                                     use_embeddings=use_embeddings)
    stored = {s.idea_id: s for s in db.session.scalars(select(TypeSuggestion).where(
        TypeSuggestion.idea_id.in_([idea.id for idea in ideas])))}
    rows = []
    for idea, suggestion in zip(ideas, suggestions, strict=True):
        row = stored.get(idea.id) or TypeSuggestion(idea_id=idea.id)
        row.model_version = classifier.serving_version(use_embeddings)
        row.ranked = [[label, round(float(score), 4)] for label, score in suggestion.ranked]
        row.suggested = suggestion.types_above(TYPE_THRESHOLD)
        row.evidence = {k: list(v) for k, v in suggestion.evidence.items()}
        row.not_a_data_project = bool(suggestion.not_a_data_project)
        row.created_at = utcnow()
        db.session.add(row)
        rows.append(row)
    return rows


def suggestion_for(idea: Idea) -> TypeSuggestion:
    """The stored suggestion for an idea, made now if there is none yet."""
    row = db.session.scalar(select(TypeSuggestion).where(TypeSuggestion.idea_id == idea.id))
    if row is None:
        row = suggest_types([idea])[0]
        db.session.commit()
    return row


def confirmed_types(idea: Idea) -> list[str]:
    """The types staff confirmed for an idea, in the standard order."""
    keys = set(db.session.scalars(select(ConfirmedType.type_key).where(
        ConfirmedType.idea_id == idea.id)))
    return [key for key in [*OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT] if key in keys]


def confirm_types(actor: User, idea: Idea, keys: list[str]) -> None:
    """Set the confirmed types of an idea (replacing earlier ones; none removes them); they
    become public. ValueError for an unknown key, or "not a data project" with a type."""
    allowed = {*OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT}
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise ValueError(f"unknown opportunity types: {', '.join(unknown)}")
    if NOT_A_DATA_PROJECT in keys and len(set(keys)) > 1:
        raise ValueError("an idea is either not a data project or of some types, not both")
    keys = [k for k in [*OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT] if k in keys]
    before = confirmed_types(idea)
    db.session.execute(delete(ConfirmedType).where(ConfirmedType.idea_id == idea.id))
    for key in keys:
        db.session.add(ConfirmedType(idea_id=idea.id, type_key=key, confirmed_by_id=actor.id))
    audit.record(actor, "idea.types", idea, f"Confirmed the opportunity types of idea {idea.id}",
                 before={"types": before}, after={"types": keys})
    db.session.commit()


# ---- Duplicate clusters ---------------------------------------------------------------------

def run_clustering(window: IdeaWindow | None = None, actor: User | None = None,
                   progress: Callable[[int, int], None] | None = None) -> TriageRun:
    """Cluster near-duplicate ideas (in one window, or each window) and store the result."""
    backend = current_app.config["TRIAGE_BACKEND"]
    run = TriageRun(window_id=window.id if window else None,
                    model_version=clustering.CLUSTERING_VERSION,
                    settings={"threshold": None, "backend": backend})
    db.session.add(run)
    db.session.commit()
    windows = [window] if window else list(db.session.scalars(select(IdeaWindow)))
    try:
        total_clusters = total_ideas = 0
        per_window: dict[str, dict[str, Any]] = {}
        for each in windows:
            # Ideas published after the run began are left for the next one (the pages count
            # them as "posted since"), so that none is both in the run and counted after it.
            rows = db.session.execute(
                select(Idea.id, Idea.title, Idea.problem, Idea.action, Idea.data)
                .where(Idea.window_id == each.id, indexed(),
                       Idea.published_at <= run.started_at)
                .order_by(Idea.id)).all()
            total_ideas += len(rows)
            texts = [_row_text(r) for r in rows]
            details = clustering.cluster_details([r.id for r in rows], texts,
                                                 backend=backend, progress=progress)
            previous, merged = _previous_decisions(run, each)
            carried, kept = carry.carry_decisions(details["groups"], previous,
                                                  {r.id for r in rows} | merged)
            reconfirm = _store_groups(run, carried)
            total_clusters += len(carried)
            themes = _store_themes(run, each, [r.id for r in rows], texts)
            per_window[str(each.id)] = {"ideas": len(rows), "groups": len(carried),
                                        "themes": themes, "threshold": details["threshold"],
                                        "backend": details["backend"],
                                        "kept": asdict(kept), "reconfirm": reconfirm}
        # Set once, as a new value: a JSON column is saved when it no longer equals what was
        # flushed, and a dict changed in place would equal itself.
        last = next(reversed(per_window.values()), run.settings)
        run.settings = {"threshold": last["threshold"], "backend": last["backend"],
                        "windows": per_window}
        run.status, run.finished_at = RunStatus.FINISHED, utcnow()
        run.idea_count, run.cluster_count = total_ideas, total_clusters
        audit.record(actor, "triage.run", run, f"Clustered {total_ideas} ideas into "
                     f"{total_clusters} groups", after={
                         "window": run.window_id, "threshold": run.settings["threshold"],
                         "backend": run.settings["backend"]})
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        run = db.session.get(TriageRun, run.id)
        run.status, run.finished_at, run.error = RunStatus.FAILED, utcnow(), str(error)[:1000]
        db.session.commit()
        raise
    return run


def _previous_decisions(run: TriageRun, window: IdeaWindow
                        ) -> tuple[list[carry.PreviousGroup], set[int]]:
    """The window's groups in the last finished run before ``run``, with staff decisions (only
    groups with one), and the merged ideas among them whose canonical idea is still open."""
    before = db.session.scalar(
        select(TriageRun.id).where(
            TriageRun.status == RunStatus.FINISHED, TriageRun.id < run.id,
            (TriageRun.window_id == window.id) | TriageRun.window_id.is_(None))
        .order_by(TriageRun.id.desc()).limit(1))
    if before is None:
        return [], set()
    rows = db.session.execute(
        select(ClusterMember.cluster_id, ClusterMember.idea_id, ClusterMember.removed,
               ClusterMember.removed_by_id, DuplicateCluster.confirmed_by_id,
               DuplicateCluster.confirmed_at, Idea.status, Idea.merged_into_id)
        .join(DuplicateCluster, DuplicateCluster.id == ClusterMember.cluster_id)
        .join(Idea, Idea.id == ClusterMember.idea_id)
        .where(DuplicateCluster.run_id == before, Idea.window_id == window.id)
        .order_by(ClusterMember.cluster_id, ClusterMember.idea_id)).all()
    groups: dict[int, carry.PreviousGroup] = {}
    for row in rows:
        group = groups.setdefault(row.cluster_id, carry.PreviousGroup(
            ideas=[], confirmed_by=row.confirmed_by_id, confirmed_at=row.confirmed_at))
        group.ideas.append(row.idea_id)
        if row.removed:
            group.taken_out[row.idea_id] = row.removed_by_id
        if row.status == IdeaStatus.MERGED and row.merged_into_id is not None:
            group.merged_into[row.idea_id] = row.merged_into_id
    decided = [g for g in groups.values() if g.confirmed or g.taken_out or g.merged_into]
    merged = {m for g in decided for m in g.merged_into}
    return decided, merged


def _store_groups(run: TriageRun, groups: list[carry.CarriedGroup]) -> dict[str, Any]:
    """Insert a run's groups and their members in two bulk statements, and return, by cluster
    id, the confirmed groups that new ideas joined (for the groups page).

    A run over 100,000 ideas stores tens of thousands of members: one ORM object each took
    14 s to flush, a bulk insert about 1 s. Same transaction as the run.
    """
    if not groups:
        return {}
    cluster_ids = db.session.scalars(
        insert(DuplicateCluster).returning(DuplicateCluster.id, sort_by_parameter_order=True),
        [{"run_id": run.id,
          "status": (ClusterStatus.CONFIRMED if g.confirmed_at else ClusterStatus.SUGGESTED),
          "confirmed_by_id": g.confirmed_by if g.confirmed_at else None,
          "confirmed_at": g.confirmed_at} for g in groups]).all()
    db.session.execute(insert(ClusterMember), [
        {"cluster_id": cluster_id, "idea_id": idea_id, "removed": idea_id in group.taken_out,
         "removed_by_id": group.taken_out.get(idea_id)}
        for cluster_id, group in zip(cluster_ids, groups, strict=True)
        for idea_id in group.ideas])
    return {str(cluster_id): {"confirmed_at": group.reconfirm_since.isoformat(),
                              "joined": group.joined_since}
            for cluster_id, group in zip(cluster_ids, groups, strict=True)
            if group.reconfirm_since is not None}


def _store_themes(run: TriageRun, window: IdeaWindow, ids: list[int],
                  texts: list[str]) -> int | None:
    """Find a window's themes and keep them with the run (largest first); return how many,
    or None if finding them failed (logged: the groups matter more, so the run goes on)."""
    try:
        themes = find_themes(ids, texts)
    except Exception:
        log.exception("finding the themes of window %s failed", window.id)
        return None
    if themes:
        db.session.execute(insert(TriageTheme), [
            {"run_id": run.id, "window_id": window.id, "position": position,
             "words": theme.words, "idea_count": len(theme.idea_ids),
             "example_ids": theme.idea_ids[:THEME_EXAMPLES]}
            for position, theme in enumerate(themes)])
    return len(themes)


def run_summary(run: TriageRun, window: IdeaWindow) -> dict[str, Any]:
    """What a run found in one window: "ideas", "groups", "themes" (None: finding them
    failed; absent for runs made before themes were kept), "threshold" and "backend"."""
    found = (run.settings or {}).get("windows", {}).get(str(window.id))
    if found is not None:
        return found
    # A run from before the per-window figures: its totals, and no themes.
    return {"ideas": run.idea_count, "groups": run.cluster_count,
            "threshold": (run.settings or {}).get("threshold"),
            "backend": (run.settings or {}).get("backend")}


def kept_decisions_message(found: dict[str, Any]) -> str | None:
    """What a run kept of staff decisions on the last run's groups, in a sentence or two."""
    kept = found.get("kept") or {}
    parts = [plural(kept[key], *nouns) for key, nouns in (
        ("confirmed_kept", ("confirmed group",)),
        ("taken_out_kept", ("idea taken out", "ideas taken out")),
        ("merged_kept", ("merged idea",))) if kept.get(key)]
    message = f"Staff decisions kept: {', '.join(parts)}." if parts else ""
    reopened = kept.get("confirmed_reopened", 0)
    if reopened:
        message += (f" {plural(reopened, 'confirmed group')} now "
                    f"{'has' if reopened == 1 else 'have'} new ideas: check "
                    f"{'it' if reopened == 1 else 'them'} and confirm again.")
    return message.strip() or None


def reconfirm_notes(found: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """By cluster id: the confirmed groups new ideas joined in this run ("confirmed_at" of
    the old confirmation, and the "joined" idea ids)."""
    notes = {}
    for cluster_id, note in (found.get("reconfirm") or {}).items():
        notes[int(cluster_id)] = {"confirmed_at": datetime.fromisoformat(note["confirmed_at"]),
                                  "joined": set(note["joined"])}
    return notes


def latest_run(window: IdeaWindow) -> TriageRun | None:
    """The newest finished clustering that covered this window."""
    return db.session.scalar(
        select(TriageRun).where(TriageRun.status == RunStatus.FINISHED,
                                (TriageRun.window_id == window.id) | TriageRun.window_id.is_(None))
        .order_by(TriageRun.id.desc()).limit(1))


# Audit actions that put an idea back among those triage reads.
BACK_IN_TRIAGE = ("idea.approve", "idea.restore", "idea.unmerge")


def posted_since(run: TriageRun, window: IdeaWindow) -> int:
    """How many of the window's ideas that triage reads were posted after the run began, or
    approved, shown again or unmerged since (so are in no group yet)."""
    # The ideas table keeps no time for approvals, restores and unmerges; the audit log,
    # which every such staff action writes, does.
    came_back = select(AuditEvent.target_id).where(
        AuditEvent.target_type == Idea.__tablename__, AuditEvent.action.in_(BACK_IN_TRIAGE),
        AuditEvent.occurred_at > run.started_at)
    return db.session.scalar(select(func.count(Idea.id)).where(
        Idea.window_id == window.id, indexed(),
        or_(Idea.published_at > run.started_at,
            cast(Idea.id, String).in_(came_back)))) or 0


def clusters_for(window: IdeaWindow) -> list[DuplicateCluster]:
    """The window's clusters from its latest run, largest first."""
    run = latest_run(window)
    if run is None:
        return []
    clusters = db.session.scalars(
        select(DuplicateCluster).join(ClusterMember).join(Idea, Idea.id == ClusterMember.idea_id)
        .where(DuplicateCluster.run_id == run.id, Idea.window_id == window.id).distinct())
    return sorted(clusters, key=lambda c: (-sum(1 for m in c.members if not m.removed), c.id))


def unique_supporters(idea: Idea) -> int:
    """People supporting an idea or any idea merged into it, each counted once."""
    ids = [idea.id, *db.session.scalars(select(Idea.id).where(Idea.merged_into_id == idea.id))]
    return db.session.scalar(select(func.count(func.distinct(Support.user_id))).where(
        Support.idea_id.in_(ids)))


def shared_words(texts: list[str]) -> set[str]:
    """Stems that appear in at least two of the texts (to highlight in a cluster). Every
    English stop word is left out here, even those the models keep for their meaning ("every",
    "up", "back"): highlighted, they only draw the eye away from the words that matter."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from app.triage.nlp.text import STOP_WORDS, tokens

    stop_words = STOP_WORDS | ENGLISH_STOP_WORDS
    seen: dict[str, int] = {}
    for text in texts:
        for stem in set(tokens(text, stop_words)):
            seen[stem] = seen.get(stem, 0) + 1
    return {stem for stem, count in seen.items() if count >= 2}


def highlight(text: str, stems: set[str]) -> list[tuple[str, bool]]:
    """The text in pieces, each marked True when it is one of the shared words."""
    from app.triage.nlp.text import token_spans

    pieces, position = [], 0
    for token in token_spans(text):
        if token.stem in stems and token.start >= position:
            pieces.append((text[position:token.start], False))
            pieces.append((text[token.start:token.end], True))
            position = token.end
    pieces.append((text[position:], False))
    return [(piece, marked) for piece, marked in pieces if piece]


def cluster_state(cluster: DuplicateCluster) -> dict[str, Any]:
    return {"status": cluster.status.value,
            "members": [m.idea_id for m in cluster.members if not m.removed]}
