"""Measuring the triage on labelled data: duplicate petitions and opportunity types.

``evaluate_duplicates`` follows shared/data/README.md ("How to use it"):

* Similar ideas: the published petitions (state open or closed) are indexed; every petition
  with a non-empty ``duplicate_of_in_file`` is a query, three ways: its first 6 words
  ("6words", mimicking typing), its title ("title") and its title with background
  ("title+background"). The query itself is never a result. A hit is any of its
  ``duplicate_of_in_file`` ids in the top k; recall at 1, 5 and 10 and the mean reciprocal
  rank (over the full ranking; 0 when no target is published) are reported per kind.
  ``result["with_signatures"]`` ranks as the app ranks its "support this instead" list:
  the results at or above the "similar" floor among the ``RERANK_DEPTH`` best by similarity
  plus ``support_bonus(signature_count)``, signatures standing in for supporters. Those
  counts were taken when the file was made, long after most queries were written, so these
  figures know more than the app could; the main figures are by similarity alone.
  ``result["as_of_date"]`` repeats them for each query written on its ``created_at``, in two
  scenarios: "no_later_petitions" (a petition posted after the query cannot be found, as the
  app never offers a later window's ideas) and "closed_ranked_lower" (also, petitions closed
  by then rank ``PAST_PENALTY`` lower, as the app ranks ideas that can no longer be
  supported). The second also reflects the moderators' rule of linking a duplicate to an
  open petition, so read it as "if residents are offered what they can still sign".
* Clustering: every petition in the file is clustered (title, background and additional
  details); B-cubed precision, recall and F1 are averaged over the petitions that have a
  ``gold_cluster`` (a distractor in a gold petition's cluster counts against its precision),
  and the adjusted Rand index is taken over the same petitions.
  ``result["as_of_date"]["clustering_within_days"]`` clusters again with petitions posted more
  than ``WINDOW_DAYS`` apart never neighbours (the app clusters one window at a time).
* Duplicate alert: scores of (duplicate, original) pairs against each published petition's
  best match among the others, to choose an alert threshold (precision is a lower bound).

``rejection_details`` is never read.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import IO, Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, f1_score

from app.triage.nlp.clustering import cluster_details
from app.triage.nlp.petitions import (
    OPEN_PARLIAMENT_LICENCE,
    first_words,
    is_published,
    petition_day,
    petition_text,
    petition_title,
    read_json_lines,
)
from app.triage.nlp.similarity import (
    PAST_PENALTY,
    RERANK_DEPTH,
    SUPPORT_WEIGHT,
    SimilarityIndex,
    rerank,
    support_bonus,
)

QUERY_KINDS = ("6words", "title", "title+background")
# Scores of petitions a query cannot find (itself; petitions posted after it was written).
EXCLUDED = -1.0
# The dated clustering joins no two petitions posted further apart than this, standing in
# for the app's windows: a petition is open for six months, after up to about two months of
# moderation (the 90th percentile on the dev file: 58 days). docs/triage.md has the sweep.
WINDOW_DAYS = 240.0
# The dated search scenarios reported beside the main figures (see the module docstring).
AS_OF_SCENARIOS = {
    "no_later_petitions": {"as_of_date": True},
    "closed_ranked_lower": {"as_of_date": True, "closed_penalty": PAST_PENALTY},
}
ALERT_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def query_text(petition: dict[str, Any], kind: str) -> str:
    title = petition_title(petition)
    if kind == "6words":
        return first_words(title, 6)
    if kind == "title":
        return title
    if kind == "title+background":
        background = " ".join((petition.get("background") or "").split())
        return f"{title}\n{background}".strip()
    raise ValueError(f"unknown query kind {kind!r}")


def _rank(row: np.ndarray, position: int) -> int:
    """1-based rank of ``position`` in the ranking by score, ties broken by position."""
    s = row[position]
    return int(np.count_nonzero(row > s) + np.count_nonzero(row[:position] == s) + 1)


def half_of(petition: dict[str, Any]) -> str | None:
    """"even" or "odd" by the petition's gold cluster id (None outside gold clusters): two
    disjoint halves of the gold clusters, to choose settings on one and check on the other."""
    gold = petition.get("gold_cluster")
    if gold is None or gold == "":
        return None
    try:
        return "even" if int(gold) % 2 == 0 else "odd"
    except (TypeError, ValueError):
        return "even" if sum(str(gold).encode()) % 2 == 0 else "odd"


def _summarise(best_ranks: list[int | None],
               shown: list[bool] | None = None) -> dict[str, float]:
    """Recall at 1, 5, 10 and MRR from each query's best target rank (None: no target);
    with ``shown``, also "recall@5_shown": the share of queries with a target in the first
    five that also scores at least the index's "similar" floor (the list shown while typing)."""
    n = max(len(best_ranks), 1)
    figures = {f"recall@{k}": sum(1 for b in best_ranks if b is not None and b <= k) / n
               for k in (1, 5, 10)}
    figures["mrr"] = (float(np.mean([1.0 / b if b else 0.0 for b in best_ranks]))
                      if best_ranks else 0.0)
    if shown is not None:
        figures["recall@5_shown"] = sum(shown) / n
    return figures


def evaluate_duplicates(petitions: Sequence[dict[str, Any]], backend: str = "auto",
                        rankings_out: IO[str] | None = None,
                        assignments_out: IO[str] | None = None,
                        threshold: float | None = None,
                        halves: bool = False) -> dict[str, Any]:
    """Similar-ideas retrieval and duplicate clustering figures for a list of petitions.

    The main figures follow the protocol of shared/data/README.md: every published petition
    is searchable and the whole file is clustered at once. ``result["as_of_date"]`` adds the
    same figures for a query written on its petition's ``created_at`` (see
    :data:`AS_OF_SCENARIOS`); the rankings and assignments files are the main protocol's.
    ``halves=True`` adds ``result["halves"]``: the main figures over the queries and gold
    petitions of even and of odd gold cluster ids (:func:`half_of`)."""
    petitions = list(petitions)
    published = [p for p in petitions if is_published(p)]
    queries = [p for p in petitions if p.get("duplicate_of_in_file")]
    result: dict[str, Any] = {"licence": OPEN_PARLIAMENT_LICENCE}

    started = time.perf_counter()
    index = SimilarityIndex(backend=backend).fit([p["id"] for p in published],
                                                 [petition_text(p) for p in published])
    index_seconds = time.perf_counter() - started

    started = time.perf_counter()
    searches = {name: _Search(index, published, **options)
                for name, options in {"main": {}, **AS_OF_SCENARIOS,
                                      "with_signatures": {"signatures": True}}.items()}
    query_half = [half_of(q) for q in queries]
    similarity: dict[str, dict[str, dict[str, float]]] = {name: {} for name in searches}
    by_half: dict[str, dict[str, dict[str, float]]] = {"even": {}, "odd": {}}
    for kind in QUERY_KINDS:
        texts = [query_text(q, kind) for q in queries]
        for name, search in searches.items():
            main = name == "main"
            best_ranks, shown = search.best_ranks(queries, texts, kind,
                                                  rankings_out if main else None)
            similarity[name][kind] = _summarise(best_ranks, shown)
            if main:
                for half in by_half:
                    by_half[half][kind] = _summarise(
                        [b for b, h in zip(best_ranks, query_half, strict=True) if h == half])
    alert = _alert_figures(index, queries, published, searches["main"].position)
    query_seconds = time.perf_counter() - started

    started = time.perf_counter()
    ids, texts = [p["id"] for p in petitions], [petition_text(p) for p in petitions]
    details = cluster_details(ids, texts, threshold=threshold, backend=backend)
    cluster_seconds = time.perf_counter() - started
    label = _labels(petitions, details["groups"])
    if assignments_out is not None:
        for p in petitions:
            assignments_out.write(json.dumps({"id": p["id"], "cluster": label[int(p["id"])]})
                                  + "\n")
    clustering = bcubed(petitions, label)
    if halves:
        result["halves"] = {
            half: {"queries": sum(1 for h in query_half if h == half),
                   "similarity": by_half[half],
                   "clustering": bcubed(petitions, label,
                                        scored=lambda p, half=half: half_of(p) == half)}
            for half in by_half}
    clustering["groups"] = len(details["groups"])
    clustering["ideas_in_groups"] = sum(len(g) for g in details["groups"])
    dated = cluster_details(ids, texts, threshold=threshold, backend=backend,
                            times=[petition_day(p, "created_at") for p in petitions],
                            max_days_apart=WINDOW_DAYS)
    as_of: dict[str, Any] = {name: {"similarity": similarity[name]}
                             for name in AS_OF_SCENARIOS}
    as_of["clustering_within_days"] = {"max_days_apart": WINDOW_DAYS,
                                       **bcubed(petitions, _labels(petitions, dated["groups"]))}

    result.update({
        "backend": index.backend_name,
        "clustering_backend": details["backend"],
        "clustering_version": details["clustering_version"],
        "threshold": details["threshold"],
        "similarity": similarity["main"],
        "with_signatures": {"similarity": similarity["with_signatures"],
                            "support_weight": SUPPORT_WEIGHT, "rerank_depth": RERANK_DEPTH},
        "clustering": clustering,
        "as_of_date": as_of,
        "alert": alert,
        "counts": {"petitions": len(petitions), "published": len(published),
                   "queries": len(queries),
                   "gold_petitions": sum(1 for p in petitions if p.get("gold_cluster")),
                   "gold_clusters": len({p["gold_cluster"] for p in petitions
                                         if p.get("gold_cluster")})},
        "seconds": {"index": round(index_seconds, 3), "queries": round(query_seconds, 3),
                    "clustering": round(cluster_seconds, 3)},
    })
    return result


class _Search:
    """The published petitions' index, searched without dates or as of each query's date,
    by similarity or (``signatures=True``) ranked as the app ranks similar ideas."""

    def __init__(self, index: SimilarityIndex, published: Sequence[dict[str, Any]],
                 as_of_date: bool = False, closed_penalty: float = 0.0,
                 signatures: bool = False, support_weight: float = SUPPORT_WEIGHT):
        self.index, self.published = index, list(published)
        self.as_of_date, self.closed_penalty = as_of_date, closed_penalty
        self.position = {int(p["id"]): i for i, p in enumerate(self.published)}
        # Unknown dates never hide a petition: posted at -inf, closed at +inf.
        self.posted = np.array([_day_or(p, "created_at", -np.inf) for p in self.published])
        self.closed = np.array([_day_or(p, "closed_at", np.inf) for p in self.published])
        self.bonus = (np.array([support_bonus(p.get("signature_count"), support_weight)
                                for p in self.published]) if signatures else None)

    def keys_for(self, row: np.ndarray, query: dict[str, Any]) -> np.ndarray:
        """One query's ranking keys (higher first): itself EXCLUDED; as of its date, later
        petitions EXCLUDED too and closed ones ``closed_penalty`` lower; with signatures, the
        shown results re-ranked by :func:`similarity.rerank`."""
        own = self.position.get(int(query["id"]))
        if own is not None:
            row[own] = EXCLUDED
        when = petition_day(query, "created_at") if self.as_of_date else None
        if when is not None:
            row[self.posted > when] = EXCLUDED
            row -= np.where((self.closed < when) & (row > EXCLUDED), self.closed_penalty, 0.0)
        if self.bonus is not None:
            return rerank(row, self.bonus, floor=self.index.thresholds["similar"])
        return row

    def best_ranks(self, queries, texts, kind: str, rankings_out: IO[str] | None):
        """Each query's best rank of one of its originals (None when none can be found), and
        whether an original in its first five scores at least the "similar" floor."""
        floor = self.index.thresholds["similar"]
        best_ranks: list[int | None] = []
        shown: list[bool] = []
        for start in range(0, len(texts), 64):
            scores = self.index.scores(texts[start:start + 64])
            for row, query in zip(scores, queries[start:start + 64], strict=True):
                row = row.astype(np.float64)
                keys = self.keys_for(row, query)
                targets = [self.position[int(t)] for t in query["duplicate_of_in_file"]
                           if int(t) in self.position and int(t) != int(query["id"])
                           and row[self.position[int(t)]] > EXCLUDED]
                ranks = [_rank(keys, t) for t in targets]
                best_ranks.append(min(ranks) if ranks else None)
                shown.append(any(r <= 5 and row[t] >= floor
                                 for r, t in zip(ranks, targets, strict=True)))
                if rankings_out is not None:
                    order = np.lexsort((np.arange(len(keys)), -keys))[:10]
                    ranked = [int(self.published[i]["id"]) for i in order if row[i] > EXCLUDED]
                    rankings_out.write(json.dumps(
                        {"id": query["id"], "query": kind, "ranked": ranked}) + "\n")
        return best_ranks, shown


def _day_or(petition: dict[str, Any], field: str, default: float) -> float:
    day = petition_day(petition, field)
    return default if day is None else day


def _labels(petitions: Sequence[dict[str, Any]], groups) -> dict[int, int]:
    """Cluster label of every petition: the smallest id of its group, or its own id."""
    label = {int(p["id"]): int(p["id"]) for p in petitions}
    for group in groups:
        for member in group:
            label[member] = min(group)
    return label


def bcubed(petitions: Sequence[dict[str, Any]], label: dict[int, int],
           scored=None) -> dict[str, float]:
    """B-cubed precision, recall, F1 and ARI over the petitions with a gold cluster.

    ``scored(petition)``, when given, limits the averages to the gold petitions it accepts
    (cluster memberships still count every petition)."""
    members: dict[int, list[int]] = defaultdict(list)
    for p in petitions:
        members[label[int(p["id"])]].append(int(p["id"]))
    gold = {int(p["id"]): p.get("gold_cluster") for p in petitions}
    gold_size = Counter(g for g in gold.values() if g)
    precision, recall, truth, predicted = [], [], [], []
    accepted = None if scored is None else {int(p["id"]) for p in petitions if scored(p)}
    for pid, g in gold.items():
        if not g or (accepted is not None and pid not in accepted):
            continue
        cluster = members[label[pid]]
        same = sum(1 for other in cluster if gold[other] == g)
        precision.append(same / len(cluster))
        recall.append(same / gold_size[g])
        truth.append(g)
        predicted.append(label[pid])
    if not precision:
        return {"bcubed_precision": 0.0, "bcubed_recall": 0.0, "bcubed_f1": 0.0, "ari": 0.0}
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return {"bcubed_precision": p, "bcubed_recall": r,
            "bcubed_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "ari": float(adjusted_rand_score(truth, predicted))}


def sweep_corpora(petitions: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Deterministic sub-corpora of one file, to check that a clustering setting holds up
    when the mix of clusters and distractors changes (``clustering-sweep``):

    * "file": every petition;
    * "even+half", "odd+half": the gold clusters of even (odd) id with the distractors of
      even (odd) petition id: two disjoint halves, about half the size;
    * "small+third": gold clusters of at most 30 petitions with a third of the distractors
      (petition id divisible by 3): smaller clusters, fewer distractors.
    """
    petitions = list(petitions)
    size = Counter(p["gold_cluster"] for p in petitions if p.get("gold_cluster"))

    def distractor(p, mod, rest):
        return not p.get("gold_cluster") and int(p["id"]) % mod == rest

    return {
        "file": petitions,
        "even+half": [p for p in petitions
                      if half_of(p) == "even" or distractor(p, 2, 0)],
        "odd+half": [p for p in petitions if half_of(p) == "odd" or distractor(p, 2, 1)],
        "small+third": [p for p in petitions
                        if (p.get("gold_cluster") and size[p["gold_cluster"]] <= 30)
                        or distractor(p, 3, 0)],
    }


def sweep_support_weights(petitions: Sequence[dict[str, Any]], weights: Sequence[float],
                          backend: str = "tfidf") -> dict[str, Any]:
    """The ``with_signatures`` figures of :func:`evaluate_duplicates` for each supporters'
    weight (0: similarity alone, floor first): recall@5 and MRR of title and
    title+background queries over all queries and each half of the gold clusters."""
    petitions = list(petitions)
    published = [p for p in petitions if is_published(p)]
    queries = [p for p in petitions if p.get("duplicate_of_in_file")]
    index = SimilarityIndex(backend=backend).fit([p["id"] for p in published],
                                                 [petition_text(p) for p in published])
    halves = [half_of(q) for q in queries]
    rows: list[dict[str, Any]] = []
    for kind in ("title", "title+background"):
        texts = [query_text(q, kind) for q in queries]
        for weight in weights:
            search = _Search(index, published, signatures=True, support_weight=weight)
            best, _shown = search.best_ranks(queries, texts, kind, None)
            row = {"query": kind, "weight": weight}
            for part in ("all", "even", "odd"):
                ranks = [b for b, h in zip(best, halves, strict=True) if part in ("all", h)]
                figures = _summarise(ranks)
                row[part] = {"recall@5": round(figures["recall@5"], 3),
                             "mrr": round(figures["mrr"], 3)}
            rows.append(row)
    return {"backend": index.backend_name, "rerank_depth": RERANK_DEPTH,
            "floor": index.thresholds["similar"], "rows": rows,
            "licence": OPEN_PARLIAMENT_LICENCE}


def sweep_clustering(corpora: dict[str, Sequence[dict[str, Any]]], thresholds: Sequence[float],
                     backend: str = "tfidf",
                     methods: Sequence[str] = ("veto", "average"),
                     max_days_apart: float | None = None) -> dict[str, Any]:
    """B-cubed F1 of each linkage method and threshold on each corpus (the neighbour graph
    is built once per corpus), with the mean and minimum over corpora; ``max_days_apart``
    as in :func:`evaluate_duplicates` (petitions' ``created_at``)."""
    from app.triage.nlp.clustering import link, neighbour_graph  # noqa: PLC0415
    from app.triage.nlp.similarity import resolve_backend  # noqa: PLC0415

    table: dict[str, dict[str, dict[str, float]]] = {m: {} for m in methods}
    sizes = {}
    for name, corpus in corpora.items():
        corpus = list(corpus)
        sizes[name] = len(corpus)
        resolved = resolve_backend(backend, len(corpus))
        rows, cols, scores = neighbour_graph(
            [petition_text(p) for p in corpus], resolved,
            times=[petition_day(p, "created_at") for p in corpus],
            max_days_apart=max_days_apart)
        for method in methods:
            for t in thresholds:
                labels = link(len(corpus), rows, cols, scores, float(t), method)
                label = {int(p["id"]): int(corpus[int(labels[i])]["id"])
                         for i, p in enumerate(corpus)}
                table[method].setdefault(f"{t:.3f}", {})[name] = round(
                    bcubed(corpus, label)["bcubed_f1"], 4)
    for rows_by_t in table.values():
        for figures in rows_by_t.values():
            values = list(figures.values())
            figures["mean"] = round(float(np.mean(values)), 4)
            figures["min"] = round(float(np.min(values)), 4)
    return {"licence": OPEN_PARLIAMENT_LICENCE, "backend": backend, "corpora": sizes,
            "max_days_apart": max_days_apart, "f1": table}


def _alert_figures(index: SimilarityIndex, queries, published, position) -> dict[str, Any]:
    """Score distributions for a "possible duplicate" alert on a submitted idea."""
    positives = []
    texts = [petition_text(q) for q in queries]
    for start in range(0, len(texts), 64):
        scores = index.scores(texts[start:start + 64])
        for row, q in zip(scores, queries[start:start + 64], strict=True):
            targets = [position[int(t)] for t in q["duplicate_of_in_file"]
                       if int(t) in position and int(t) != int(q["id"])]
            if targets:
                positives.append(float(max(row[t] for t in targets)))
    negatives = []
    texts = [petition_text(p) for p in published]
    for start in range(0, len(texts), 64):
        scores = index.scores(texts[start:start + 64])
        for offset, row in enumerate(scores):
            row[start + offset] = -1.0
            negatives.append(float(row.max()) if len(row) else 0.0)
    positives_a, negatives_a = np.asarray(positives), np.asarray(negatives)
    table = []
    for t in ALERT_THRESHOLDS:
        tp = int(np.count_nonzero(positives_a >= t))
        fp = int(np.count_nonzero(negatives_a >= t))
        table.append({"threshold": t, "recall": tp / max(len(positives_a), 1),
                      "published_flagged": fp / max(len(negatives_a), 1),
                      "precision_lower_bound": tp / max(tp + fp, 1)})
    return {"positive_pairs": len(positives), "negatives": len(negatives), "table": table}


# -- opportunity types --------------------------------------------------------------------------
def read_labelled_texts(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of {"text", "label"} from JSON lines (blank lines skipped), labels normalised
    ("Early warning" -> "early_warning"); ValueError naming every bad line by number."""
    from app.triage.nlp.types import ALL_LABELS  # noqa: PLC0415 - avoid an import cycle

    def label_of(row: dict[str, Any]) -> str:
        return "_".join(str(row.get("label") or "").strip().lower().replace("-", " ").split())

    def problem(row: Any) -> str | None:
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            return 'needs a "text" string'
        if label_of(row) not in ALL_LABELS:
            return f"label {row.get('label')!r} is not one of {', '.join(ALL_LABELS)}"
        return None

    return [{**row, "label": label_of(row)} for row in read_json_lines(lines, problem)]


def evaluate_types(rows: Sequence[dict[str, Any]], classifier,
                   predictions_out: IO[str] | None = None,
                   use_embeddings: bool = True) -> dict[str, Any]:
    """Top-1 and top-2 accuracy, macro F1 and the confusion matrix of a TypeClassifier
    (``use_embeddings=False``: of its TF-IDF part alone)."""
    from app.triage.nlp.types import ALL_LABELS  # noqa: PLC0415 - avoid an import cycle

    texts = [r["text"] for r in rows]
    truth = [r["label"] for r in rows]
    suggestions = classifier.suggest(texts, use_embeddings=use_embeddings)
    top1, top2, predicted = 0, 0, []
    for suggestion, label in zip(suggestions, truth, strict=True):
        ranked = [name for name, _ in suggestion.ranked]
        predicted.append(ranked[0])
        top1 += ranked[0] == label
        top2 += label in ranked[:2]
        if predictions_out is not None:
            predictions_out.write(json.dumps(
                {"ranked": [[name, round(p, 6)] for name, p in suggestion.ranked]}) + "\n")
    n = max(len(rows), 1)
    index = {name: i for i, name in enumerate(ALL_LABELS)}
    confusion = np.zeros((len(ALL_LABELS), len(ALL_LABELS)), dtype=int)
    for t, p in zip(truth, predicted, strict=True):
        confusion[index[t], index[p]] += 1
    return {"n": len(rows), "top1": top1 / n, "top2": top2 / n,
            "macro_f1": float(f1_score(truth, predicted, labels=list(ALL_LABELS),
                                       average="macro", zero_division=0)),
            "labels": list(ALL_LABELS), "confusion": confusion.tolist(),
            "classifier_version": classifier.serving_version(use_embeddings)}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: print one JSON object of figures.

    python -m app.triage.nlp.evaluation duplicates PETITIONS.jsonl [--backend tfidf]
        [--rankings FILE] [--assignments FILE] [--threshold T] [--halves]
    python -m app.triage.nlp.evaluation clustering-sweep PETITIONS.jsonl --thresholds T,T,...
        [--backend tfidf] [--methods veto,average] [--extra OTHER.jsonl] [--max-days-apart D]
        (B-cubed F1 per linkage and threshold on sub-corpora of the file: sweep_corpora)
    python -m app.triage.nlp.evaluation support-sweep PETITIONS.jsonl --weights W,W,...
        [--backend tfidf]   (the with_signatures figures per supporters' weight)
    python -m app.triage.nlp.evaluation types [--seed FILE] [--folds 5] [--backend tfidf]
        (cross-validated figures on the seed set)
    python -m app.triage.nlp.evaluation types --test ROWS.jsonl [--predictions FILE]
        [--backend tfidf]
        (train on the seed set, evaluate on labelled rows {"text", "label"})
    """
    import argparse  # noqa: PLC0415
    import contextlib  # noqa: PLC0415

    from app.triage.nlp.petitions import read_petitions  # noqa: PLC0415
    from app.triage.nlp.types import TypeClassifier, cross_validate, load_seed  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m app.triage.nlp.evaluation")
    sub = parser.add_subparsers(dest="task", required=True)
    dup = sub.add_parser("duplicates")
    dup.add_argument("petitions")
    dup.add_argument("--backend", default="auto", choices=["auto", "tfidf", "embeddings"])
    dup.add_argument("--threshold", type=float)
    dup.add_argument("--rankings")
    dup.add_argument("--assignments")
    dup.add_argument("--halves", action="store_true",
                     help="also report figures for even and odd gold cluster ids")
    sweep = sub.add_parser("clustering-sweep")
    sweep.add_argument("petitions")
    sweep.add_argument("--backend", default="tfidf", choices=["auto", "tfidf", "embeddings"])
    sweep.add_argument("--thresholds", required=True, help="comma-separated, e.g. 0.22,0.26")
    sweep.add_argument("--methods", default="veto,average")
    sweep.add_argument("--extra", action="append", default=[],
                       help="another petitions file to add as a corpus (repeatable)")
    sweep.add_argument("--max-days-apart", type=float,
                       help=f"join no petitions posted further apart (evaluation: {WINDOW_DAYS:g})")
    weights = sub.add_parser("support-sweep")
    weights.add_argument("petitions")
    weights.add_argument("--backend", default="tfidf", choices=["auto", "tfidf", "embeddings"])
    weights.add_argument("--weights", required=True, help="comma-separated, e.g. 0,0.01,0.02")
    typ = sub.add_parser("types")
    typ.add_argument("--seed")
    typ.add_argument("--folds", type=int, default=5)
    typ.add_argument("--test")
    typ.add_argument("--predictions")
    typ.add_argument("--backend", default="auto", choices=["auto", "tfidf", "embeddings"],
                     help="embeddings: add the MiniLM part (auto: when installed)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        def output(path):
            return stack.enter_context(open(path, "w", encoding="utf-8")) if path else None

        if args.task == "duplicates":
            result = evaluate_duplicates(read_petitions(args.petitions), backend=args.backend,
                                         rankings_out=output(args.rankings),
                                         assignments_out=output(args.assignments),
                                         threshold=args.threshold, halves=args.halves)
        elif args.task == "clustering-sweep":
            petitions = read_petitions(args.petitions)
            corpora = sweep_corpora(petitions)
            for path in args.extra:
                corpora[path.rsplit("/", 1)[-1]] = read_petitions(path)
            result = sweep_clustering(corpora, [float(t) for t in args.thresholds.split(",")],
                                      backend=args.backend,
                                      methods=args.methods.split(","),
                                      max_days_apart=args.max_days_apart)
        elif args.task == "support-sweep":
            result = sweep_support_weights(read_petitions(args.petitions),
                                           [float(w) for w in args.weights.split(",")],
                                           backend=args.backend)
        else:
            texts, labels = load_seed(args.seed)
            use_embeddings = {"auto": None, "tfidf": False, "embeddings": True}[args.backend]
            if args.test:
                with open(args.test, encoding="utf-8") as handle:
                    rows = read_labelled_texts(handle.readlines())
                classifier = TypeClassifier(use_embeddings=use_embeddings).fit(texts, labels)
                result = evaluate_types(rows, classifier,
                                        predictions_out=output(args.predictions))
            else:
                result = cross_validate(texts, labels, folds=args.folds,
                                        use_embeddings=use_embeddings)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
