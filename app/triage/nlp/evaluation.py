"""Measuring the triage on labelled data: duplicate petitions and opportunity types.

``evaluate_duplicates`` follows shared/data/README.md ("How to use it"):

* Similar ideas: the published petitions (state open or closed) are indexed; every petition
  with a non-empty ``duplicate_of_in_file`` is a query, three ways: its first 6 words
  ("6words", mimicking typing), its title ("title") and its title with background
  ("title+background"). The query itself is never a result. A hit is any of its
  ``duplicate_of_in_file`` ids in the top k; recall at 1, 5 and 10 and the mean reciprocal
  rank (over the full ranking; 0 when no target is published) are reported per kind.
* Clustering: every petition in the file is clustered (title, background and additional
  details); B-cubed precision, recall and F1 are averaged over the petitions that have a
  ``gold_cluster`` (a distractor in a gold petition's cluster counts against its precision),
  and the adjusted Rand index is taken over the same petitions.
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
    petition_text,
    petition_title,
)
from app.triage.nlp.similarity import SimilarityIndex

QUERY_KINDS = ("6words", "title", "title+background")
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


def evaluate_duplicates(petitions: Sequence[dict[str, Any]], backend: str = "auto",
                        rankings_out: IO[str] | None = None,
                        assignments_out: IO[str] | None = None,
                        threshold: float | None = None) -> dict[str, Any]:
    """Similar-ideas retrieval and duplicate clustering figures for a list of petitions."""
    petitions = list(petitions)
    published = [p for p in petitions if is_published(p)]
    queries = [p for p in petitions if p.get("duplicate_of_in_file")]
    result: dict[str, Any] = {"licence": OPEN_PARLIAMENT_LICENCE}

    started = time.perf_counter()
    index = SimilarityIndex(backend=backend).fit([p["id"] for p in published],
                                                 [petition_text(p) for p in published])
    index_seconds = time.perf_counter() - started
    position = {int(p["id"]): i for i, p in enumerate(published)}

    started = time.perf_counter()
    similarity: dict[str, dict[str, float]] = {}
    for kind in QUERY_KINDS:
        texts = [query_text(q, kind) for q in queries]
        hits = {1: 0, 5: 0, 10: 0}
        reciprocal = []
        for start in range(0, len(texts), 64):
            scores = index.scores(texts[start:start + 64])
            for row, query in zip(scores, queries[start:start + 64], strict=True):
                own = position.get(int(query["id"]))
                if own is not None:
                    row[own] = -1.0
                ranks = [_rank(row, position[int(t)]) for t in query["duplicate_of_in_file"]
                         if int(t) in position and int(t) != int(query["id"])]
                best = min(ranks) if ranks else None
                for k in hits:
                    hits[k] += best is not None and best <= k
                reciprocal.append(1.0 / best if best else 0.0)
                if rankings_out is not None:
                    order = np.lexsort((np.arange(len(row)), -row))[:10]
                    ranked = [int(published[i]["id"]) for i in order if row[i] >= 0]
                    rankings_out.write(json.dumps(
                        {"id": query["id"], "query": kind, "ranked": ranked}) + "\n")
        n = max(len(queries), 1)
        similarity[kind] = {"recall@1": hits[1] / n, "recall@5": hits[5] / n,
                            "recall@10": hits[10] / n,
                            "mrr": float(np.mean(reciprocal)) if reciprocal else 0.0}
    alert = _alert_figures(index, queries, published, position)
    query_seconds = time.perf_counter() - started

    started = time.perf_counter()
    details = cluster_details([p["id"] for p in petitions],
                              [petition_text(p) for p in petitions],
                              threshold=threshold, backend=backend)
    cluster_seconds = time.perf_counter() - started
    label = {int(p["id"]): int(p["id"]) for p in petitions}
    for group in details["groups"]:
        for member in group:
            label[member] = min(group)
    if assignments_out is not None:
        for p in petitions:
            assignments_out.write(json.dumps({"id": p["id"], "cluster": label[int(p["id"])]})
                                  + "\n")
    clustering = bcubed(petitions, label)
    clustering["groups"] = len(details["groups"])
    clustering["ideas_in_groups"] = sum(len(g) for g in details["groups"])

    result.update({
        "backend": index.backend_name,
        "clustering_backend": details["backend"],
        "clustering_version": details["clustering_version"],
        "threshold": details["threshold"],
        "similarity": similarity,
        "clustering": clustering,
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


def bcubed(petitions: Sequence[dict[str, Any]], label: dict[int, int]) -> dict[str, float]:
    """B-cubed precision, recall, F1 and ARI over the petitions with a gold cluster."""
    members: dict[int, list[int]] = defaultdict(list)
    for p in petitions:
        members[label[int(p["id"])]].append(int(p["id"]))
    gold = {int(p["id"]): p.get("gold_cluster") for p in petitions}
    gold_size = Counter(g for g in gold.values() if g)
    precision, recall, truth, predicted = [], [], [], []
    for pid, g in gold.items():
        if not g:
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
def evaluate_types(rows: Sequence[dict[str, Any]], classifier,
                   predictions_out: IO[str] | None = None) -> dict[str, Any]:
    """Top-1 and top-2 accuracy, macro F1 and the confusion matrix of a TypeClassifier."""
    from app.triage.nlp.types import ALL_LABELS  # noqa: PLC0415 - avoid an import cycle

    texts = [r["text"] for r in rows]
    truth = [r["label"] for r in rows]
    suggestions = classifier.suggest(texts)
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
            "classifier_version": getattr(classifier, "version", None)}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: print one JSON object of figures.

    python -m app.triage.nlp.evaluation duplicates PETITIONS.jsonl [--backend tfidf]
        [--rankings FILE] [--assignments FILE] [--threshold T]
    python -m app.triage.nlp.evaluation types [--seed FILE] [--folds 5]
        (cross-validated figures on the seed set)
    python -m app.triage.nlp.evaluation types --test ROWS.jsonl [--predictions FILE]
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
    typ = sub.add_parser("types")
    typ.add_argument("--seed")
    typ.add_argument("--folds", type=int, default=5)
    typ.add_argument("--test")
    typ.add_argument("--predictions")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        def output(path):
            return stack.enter_context(open(path, "w", encoding="utf-8")) if path else None

        if args.task == "duplicates":
            result = evaluate_duplicates(read_petitions(args.petitions), backend=args.backend,
                                         rankings_out=output(args.rankings),
                                         assignments_out=output(args.assignments),
                                         threshold=args.threshold)
        else:
            texts, labels = load_seed(args.seed)
            if args.test:
                with open(args.test, encoding="utf-8") as handle:
                    rows = [json.loads(line) for line in handle if line.strip()]
                result = evaluate_types(rows, TypeClassifier().fit(texts, labels),
                                        predictions_out=output(args.predictions))
            else:
                result = cross_validate(texts, labels, folds=args.folds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
