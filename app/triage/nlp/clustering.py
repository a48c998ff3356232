"""Near-duplicate clustering of ideas, in about n log n time and linear memory.

1. Vectorise every text (:mod:`vectors`: words + character n-grams, title weighted).
2. Candidate neighbours: a sparse product restricted to the rarer word features (stems and
   bigrams, rarest first until the product's cost reaches a budget proportional to n). Each
   idea keeps its ``CANDIDATES`` best candidates. With embeddings, the nearest ideas by
   embedding are candidates too.
3. Exact scores for the candidate pairs (the same score as :class:`SimilarityIndex`), and each
   idea keeps its ``NEIGHBOURS`` best: a k-nearest-neighbour graph.
4. Single linkage with an average-linkage veto on that graph: edges at or above the threshold
   are taken best first (as in single linkage, which follows chains of duplicates the way
   moderators' links do), but two groups are only joined when the density-corrected mean of
   all their cross edges also reaches ``threshold - MEAN_MARGIN``, so one strong bridge edge
   cannot chain two unrelated groups together: the rest of their edges must agree.

``cluster`` returns only groups of two or more ids; every id not in a group is a singleton.

With ``times`` and ``max_days_apart``, two ideas posted further apart than that are never
neighbours. The app clusters one idea window at a time, so it needs no such limit; a file of
ideas collected over years (the petitions evaluation) uses it to stand in for windows.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from app.triage.nlp import embeddings
from app.triage.nlp.similarity import (
    CHAR_WEIGHT,
    CLUSTER_EMBEDDING_WEIGHT,
    WORD_WEIGHT,
    backend_label,
    resolve_backend,
)
from app.triage.nlp.vectors import Vectoriser, collector_paused

CLUSTERING_VERSION = "knn-veto-1"
DEFAULT_THRESHOLD = 0.26             # TF-IDF scores (words + characters)
DEFAULT_THRESHOLD_EMBEDDINGS = 0.47  # TF-IDF mixed half and half with MiniLM cosine
# A merge also needs the groups' mean cross score >= threshold - MEAN_MARGIN (the veto).
MEAN_MARGIN = 0.10
NEIGHBOURS = 10
CANDIDATES = 15
# Average linkage divides by at least DENSITY edges per member of the smaller cluster.
DENSITY = 4.0
# Candidate generation may cost up to this many multiply-adds per idea, or EXACT_BUDGET in all
# when that is more (small corpora then get the exact word product).
BUDGET_PER_IDEA = 1_000
EXACT_BUDGET = 5e7
CHUNK = 2_000
CHUNK_ENTRIES = 3_000_000
PAIR_CHUNK = 20_000
# The candidate products and pair scores run chunk by chunk in this many threads: scipy's
# sparse products and numpy's sorts release the GIL, so two cores nearly halve those steps.
# The chunks are independent and their results are taken in order, so the graph is the same
# whatever the number.
THREADS = max(1, min(4, os.cpu_count() or 1))

Progress = Callable[[int, int], None]


def default_threshold(backend: str = "auto", n_docs: int = 0) -> float:
    """Default merge threshold for a backend ("auto" resolves as :func:`cluster` would for
    ``n_docs`` ideas). Simplest is to pass ``threshold=None`` to :func:`cluster`."""
    resolved = backend if backend == "tfidf" else resolve_backend(backend, n_docs)
    return DEFAULT_THRESHOLD_EMBEDDINGS if resolved == "embeddings" else DEFAULT_THRESHOLD


def cluster(ids: Sequence[int], texts: Sequence[str], threshold: float | None = None,
            backend: str = "auto", progress: Progress | None = None,
            times: Sequence[float | None] | None = None,
            max_days_apart: float | None = None) -> list[list[int]]:
    """Groups of near-duplicate ids (two or more each), largest first; singletons omitted.

    ``threshold`` is the score an edge needs to join two groups (default:
    :func:`default_threshold` of the backend used); the groups' mean cross score must also
    reach ``threshold - MEAN_MARGIN``. ``progress(done, total)`` is called as
    work advances; ``total`` is ``4 * len(ids)``. ``times`` (days, one per id, None where
    unknown) with ``max_days_apart``: ideas posted further apart are never joined directly.
    """
    return cluster_details(ids, texts, threshold, backend, progress, times,
                           max_days_apart)["groups"]


def cluster_details(ids: Sequence[int], texts: Sequence[str], threshold: float | None = None,
                    backend: str = "auto", progress: Progress | None = None,
                    times: Sequence[float | None] | None = None,
                    max_days_apart: float | None = None) -> dict:
    """:func:`cluster` plus the backend, threshold and time limit used and the graph's size."""
    ids = [int(i) for i in ids]
    texts = [t or "" for t in texts]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
    if times is not None and len(times) != len(ids):
        raise ValueError(f"{len(ids)} ids but {len(times)} times")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    n = len(ids)
    resolved = resolve_backend(backend, n)
    if threshold is None:
        threshold = default_threshold(resolved)
    total = 4 * n
    report = progress or (lambda done, total: None)
    report(0, total)
    result = {"backend": backend_label(resolved), "threshold": float(threshold),
              "clustering_version": CLUSTERING_VERSION, "groups": [], "edges": 0,
              "max_days_apart": max_days_apart if times is not None else None}
    if n < 2:
        report(total, total)
        return result
    rows, cols, scores = neighbour_graph(texts, resolved, report, times, max_days_apart)
    result["edges"] = len(scores)
    labels = link(n, rows, cols, scores, threshold)
    report(total, total)
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(ids[position])
    result["groups"] = sorted((sorted(g) for g in groups.values() if len(g) > 1),
                              key=lambda g: (-len(g), g[0]))
    return result


def neighbour_graph(texts: Sequence[str], resolved: str = "tfidf",
                    report: Progress | None = None,
                    times: Sequence[float | None] | None = None,
                    max_days_apart: float | None = None):
    """(rows, cols, scores): the k-nearest-neighbour graph of steps 1-3, undirected edges.

    ``resolved`` is "tfidf" or "embeddings" (see :func:`similarity.resolve_backend`);
    ``report(done, 4 * n)`` is called as in :func:`cluster`; ``times`` and
    ``max_days_apart`` drop candidate pairs posted too far apart, before each idea keeps its
    best neighbours (so the places they would have taken go to ideas of the same period)."""
    n = len(texts)
    total = 4 * n
    report = report or (lambda done, total: None)
    words, chars = Vectoriser().fit_transform(texts)
    emb = embeddings.encode(texts) if resolved == "embeddings" else None
    report(n, total)
    rows, cols = _candidates(words, emb, lambda done: report(n + done, total))
    if times is not None and max_days_apart is not None:
        rows, cols = _within_days(rows, cols, times, max_days_apart)
    scores = _pair_scores(words, chars, emb, rows, cols,
                          lambda done: report(2 * n + done, total))
    return _keep_best(n, rows, cols, scores, NEIGHBOURS)


def _within_days(rows: np.ndarray, cols: np.ndarray, times: Sequence[float | None],
                 max_days_apart: float) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs posted at most ``max_days_apart`` apart (an unknown time is
    near every other)."""
    when = np.array([np.nan if t is None else float(t) for t in times], dtype=np.float64)
    gap = np.abs(when[rows] - when[cols])
    keep = ~(gap > max_days_apart)  # NaN (unknown) compares False: kept
    return rows[keep], cols[keep]


def link(n: int, rows, cols, scores, threshold: float, method: str = "veto") -> np.ndarray:
    """Cluster label per node from the graph: "veto" (the default, :func:`veto_linkage`
    with ``threshold - MEAN_MARGIN``) or "average" (:func:`average_linkage`, the method of
    clustering version knn-avglink-1, kept for comparison)."""
    if method == "veto":
        return veto_linkage(n, rows, cols, scores, threshold, threshold - MEAN_MARGIN)
    if method == "average":
        return average_linkage(n, rows, cols, scores, threshold)
    raise ValueError(f"unknown linkage {method!r}")


# -- candidates ----------------------------------------------------------------------------------
def _rare_features(words: sp.csr_matrix) -> tuple[np.ndarray, float]:
    """Word features, rarest first, whose summed df^2 stays within the product budget, and
    that cost."""
    n = words.shape[0]
    df = np.bincount(words.indices, minlength=words.shape[1]).astype(np.float64)
    order = np.argsort(df, kind="stable")
    cost = np.cumsum(df[order] ** 2)
    budget = max(min(float(n) * n, EXACT_BUDGET), float(BUDGET_PER_IDEA) * n)
    keep = cost <= budget
    return order[keep], float(cost[keep][-1]) if keep.any() else 0.0


def _top_per_row(matrix: sp.csr_matrix, m: int, offset: int, floor: float = 0.2):
    """(rows, cols) of the ``m`` largest entries of each row, excluding the diagonal.

    Entries below ``floor`` times their row's largest are dropped first (they cannot be
    near-duplicates), which keeps the sort small.
    """
    matrix = matrix.tocsr()
    counts = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), counts) + offset
    cols = matrix.indices.astype(np.int64)
    data = matrix.data.astype(np.float32, copy=True)
    data[cols == rows] = 0.0
    if len(data) == 0:
        return rows, cols
    nonempty = counts > 0
    row_max = np.zeros(matrix.shape[0], dtype=np.float32)
    row_max[nonempty] = np.maximum.reduceat(data, matrix.indptr[:-1][nonempty])
    keep = (data > 0) & (data >= floor * row_max[rows - offset])
    rows, cols, data = rows[keep], cols[keep], data[keep]
    # One integer sort: by row, then by decreasing score (quantised), then by column.
    quantised = np.minimum((1.0 - np.minimum(data, 1.0)) * (1 << 20), (1 << 20) - 1)
    key = ((rows - offset) << 44) | (quantised.astype(np.int64) << 24) | (cols & 0xFFFFFF)
    order = np.argsort(key, kind="stable")
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    keep = rank < m
    return rows[keep], cols[keep]


def _candidates(words: sp.csr_matrix, emb: np.ndarray | None, report: Callable[[int], None]):
    n = words.shape[0]
    keep, cost = _rare_features(words)
    mask = np.zeros(words.shape[1], dtype=bool)
    mask[keep] = True
    rare = words[:, mask].tocsr()
    rare_t = rare.T.tocsr()
    # Rows per product so that each chunk's result has about CHUNK_ENTRIES entries.
    per_row = max(cost / max(n, 1), 1.0)
    step = int(min(CHUNK, max(32, CHUNK_ENTRIES / per_row)))
    if emb is not None:
        step = min(step, max(32, CHUNK_ENTRIES // n))

    def chunk_candidates(start: int) -> list[tuple[np.ndarray, np.ndarray]]:
        found = [_top_per_row(rare[start:start + step] @ rare_t, CANDIDATES, start)]
        if emb is not None:
            sims = emb[start:start + step] @ emb.T
            found.append(_top_per_row(sp.csr_matrix(np.maximum(sims, 0)), CANDIDATES, start))
        return found

    all_rows, all_cols = [], []
    starts = range(0, n, step)
    for start, found in zip(starts, _in_threads(chunk_candidates, starts), strict=True):
        for r, c in found:
            all_rows.append(r)
            all_cols.append(c)
        report(min(start + step, n))
    rows = np.concatenate(all_rows)
    cols = np.concatenate(all_cols)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keys = np.unique(lo * n + hi)
    return keys // n, keys % n


def _pair_dots(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[rows].multiply(matrix[cols]).sum(axis=1), dtype=np.float32).ravel()


def _pair_scores(words, chars, emb, rows, cols, report: Callable[[int], None]) -> np.ndarray:
    """Exact similarity of each candidate pair: the SimilarityIndex score between ideas."""
    n = words.shape[0]
    out = np.empty(len(rows), dtype=np.float32)

    def chunk_scores(start: int) -> np.ndarray:
        r, c = rows[start:start + PAIR_CHUNK], cols[start:start + PAIR_CHUNK]
        s = WORD_WEIGHT * _pair_dots(words, r, c) + CHAR_WEIGHT * _pair_dots(chars, r, c)
        if emb is not None:
            cos = np.maximum(np.einsum("ij,ij->i", emb[r], emb[c]), 0.0)
            s = (1.0 - CLUSTER_EMBEDDING_WEIGHT) * s + CLUSTER_EMBEDDING_WEIGHT * cos
        return s

    starts = range(0, len(rows), PAIR_CHUNK)
    for start, s in zip(starts, _in_threads(chunk_scores, starts), strict=True):
        out[start:start + PAIR_CHUNK] = s
        report(int(n * min(start + PAIR_CHUNK, len(rows)) / max(len(rows), 1)))
    return np.clip(out, 0.0, 1.0)


def _in_threads(work: Callable[[int], object], starts: Iterable[int]) -> Iterator:
    """``work(start)`` for each start, in ``THREADS`` threads, results in order. At most
    two chunks per thread are in flight, so memory stays a few chunks' worth."""
    starts = list(starts)
    if THREADS == 1 or len(starts) < 2:
        yield from map(work, starts)
        return
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        pending = []
        for start in starts:
            pending.append(pool.submit(work, start))
            if len(pending) >= 2 * THREADS:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _keep_best(n: int, rows, cols, scores, k: int):
    """Undirected edges that are among the ``k`` best of either end."""
    both_rows = np.concatenate([rows, cols])
    both_cols = np.concatenate([cols, rows])
    both_scores = np.concatenate([scores, scores])
    edge = np.concatenate([np.arange(len(rows)), np.arange(len(rows))])
    order = np.lexsort((both_cols, -both_scores, both_rows))
    sorted_rows = both_rows[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows, side="left")
    chosen = np.unique(edge[order[rank < k]])
    return rows[chosen], cols[chosen], scores[chosen]


# -- linkage -------------------------------------------------------------------------------------
def _without_idle_edges(n: int, rows, cols, scores, threshold: float):
    """The graph's edges less those between two ideas that have no edge >= ``threshold``.

    Both linkages merge two clusters only across an edge at or above the threshold (the
    veto's best edge; average linkage's mean, which is at most the best edge), so an idea
    with no such edge stays alone, and an edge between two such ideas is never read: not for
    a merge, nor for the number of neighbours that picks which cluster absorbs the other.
    Dropping them before the Python loops leaves every group as it was. (Dropping also the
    edges between components of strong edges would skip more, but it changes those
    neighbour counts, so ties could then break the other way.)
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    if not len(rows) == len(cols) == len(scores):
        raise ValueError(f"{len(rows)} rows, {len(cols)} cols and {len(scores)} scores")
    strong = (scores >= threshold) & (rows != cols)
    active = np.zeros(n, dtype=bool)
    active[rows[strong]] = True
    active[cols[strong]] = True
    keep = (active[rows] | active[cols]) & (rows != cols)
    return rows[keep], cols[keep], scores[keep]


@collector_paused()
def veto_linkage(n: int, rows: Sequence[int], cols: Sequence[int], scores: Sequence[float],
                 threshold: float, mean_threshold: float,
                 density: float = DENSITY) -> np.ndarray:
    """Cluster label per node: single linkage with an average-linkage veto, on a sparse graph.

    Edges with score >= ``threshold`` are considered best first (Kruskal's order, as in
    single linkage). An edge joins its two clusters A and B only if the mean of all the
    graph's edges between them, divided by at least ``density * min(|A|, |B|)`` edges (capped
    at |A||B|), is >= ``mean_threshold``; otherwise the pair is skipped (it is reconsidered
    when either cluster grows and brings a stronger edge). Single linkage follows chains of
    near-duplicates (gold duplicate clusters are chains of moderators' links), and the veto
    stops a bridge edge from chaining two otherwise unrelated groups. Deterministic: ties go
    to lower node numbers. Scores must not be negative (the pipeline's lie in [0, 1]): a pair
    failing the veto is not queued again until its edges change, because a growing cluster
    can then only lower its mean.
    """
    rows, cols, scores = _without_idle_edges(n, rows, cols, scores, threshold)
    # Scores become ranks (0 = the best score in the graph): a pair's best edge is always one
    # of the edge scores, and the heap's keys can then be single integers ordered as
    # (-best, a, b), which compare several times faster than tuples.
    distinct, inverse = np.unique(-scores, return_inverse=True)
    ranks = inverse.reshape(-1).tolist()
    strong_rank = int(np.searchsorted(distinct, -threshold, side="right")) - 1
    parent = list(range(n))
    size = [1] * n
    # neighbours[a][b] = [sum of edge scores, number of edges, rank of the best edge, queued]
    # between clusters; "queued" says the heap holds the pair's key at that rank, so that
    # merges do not push the same key again (most pops were stale copies).
    neighbours: list[dict[int, list]] = [{} for _ in range(n)]
    for a, b, s, r in zip(rows.tolist(), cols.tolist(), scores.tolist(), ranks, strict=True):
        entry = neighbours[a].get(b)
        if entry is None:
            entry = [0.0, 0, r, False]
            neighbours[a][b] = entry
            neighbours[b][a] = entry
        entry[0] += s
        entry[1] += 1
        if r < entry[2]:
            entry[2] = r

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    heap = []
    for a in range(n):
        for b, e in neighbours[a].items():
            if a < b and e[2] <= strong_rank:
                heap.append((e[2] * n + a) * n + b)
                e[3] = True
    heapq.heapify(heap)
    while heap:
        rest, b = divmod(heapq.heappop(heap), n)
        rank, a = divmod(rest, n)
        if parent[a] != a or parent[b] != b:
            continue  # a cluster merged since; its edges were pushed again under its root
        entry = neighbours[a].get(b)
        if entry is None:
            continue
        if entry[2] == rank:  # else an older copy, pushed before the pair's best improved
            entry[3] = False
        sa, sb = size[a], size[b]
        if entry[0] / max(entry[1], min(sa * sb, density * (sa if sa < sb else sb))) \
                < mean_threshold:
            continue  # vetoed; pushed again if either side grows
        if len(neighbours[a]) < len(neighbours[b]):
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        sa = size[a]
        del neighbours[a][b]
        del neighbours[b][a]
        for c, (total, count, best, _queued) in neighbours[b].items():
            del neighbours[c][b]
            entry = neighbours[a].get(c)
            if entry is None:
                entry = [0.0, 0, best, False]
                neighbours[a][c] = entry
                neighbours[c][a] = entry
            entry[0] += total
            entry[1] += count
            if best < entry[2]:
                entry[2], entry[3] = best, False
            # Only pairs whose edges changed can pass the veto now: a cluster growing alone
            # can only lower its density-corrected mean with others. A pair that fails the
            # veto now would fail it when popped too, so it is not pushed at all.
            if entry[2] <= strong_rank and not entry[3]:
                sc = size[c]
                if entry[0] / max(entry[1], min(sa * sc, density * (sa if sa < sc else sc))) \
                        >= mean_threshold:
                    heapq.heappush(heap, (entry[2] * n + min(a, c)) * n + max(a, c))
                    entry[3] = True
        neighbours[b] = {}
    return np.array([find(i) for i in range(n)], dtype=np.int64)


@collector_paused()
def average_linkage(n: int, rows: Sequence[int], cols: Sequence[int],
                    scores: Sequence[float], threshold: float,
                    density: float = DENSITY) -> np.ndarray:
    """Cluster label per node: average linkage over a sparse k-nearest-neighbour graph.

    The similarity of clusters A and B is the mean score of the graph's edges between them,
    but divided by at least ``density * min(|A|, |B|)`` edges (capped at |A||B|). Two genuinely
    similar groups are linked by many neighbour edges, so the mean of those is what counts;
    two groups joined by one or two strong edges (the chaining that makes single linkage
    merge unrelated ideas through a bridge) are not merged. Clusters merge, best pair first,
    while that similarity is at least ``threshold``. Deterministic: ties go to lower node
    numbers.
    """
    rows, cols, scores = _without_idle_edges(n, rows, cols, scores, threshold)
    parent = np.arange(n)
    size = [1] * n
    # neighbours[a][b] = [sum of edge scores, number of edges] between clusters a and b
    neighbours: list[dict[int, list[float]]] = [{} for _ in range(n)]
    for a, b, s in zip(rows.tolist(), cols.tolist(), scores.tolist(), strict=True):
        if a == b:
            continue
        entry = neighbours[a].get(b)
        if entry is None:
            entry = [0.0, 0]
            neighbours[a][b] = entry
            neighbours[b][a] = entry
        entry[0] += s
        entry[1] += 1

    def value(a: int, b: int, entry: list[float]) -> float:
        sa, sb = size[a], size[b]
        expected = min(sa * sb, density * (sa if sa < sb else sb))
        return entry[0] / max(entry[1], expected)

    heap = [(-value(a, b, e), a, b) for a in range(n) for b, e in neighbours[a].items()
            if a < b and e[0] / e[1] >= threshold]
    heapq.heapify(heap)
    alive = [True] * n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        entry = neighbours[a].get(b)
        if entry is None:
            continue
        current = value(a, b, entry)
        if current < -negative - 1e-12:
            # Stale: the clusters grew since this was pushed; try again at the lower value.
            if current >= threshold:
                heapq.heappush(heap, (-current, a, b))
            continue
        if current < threshold:
            continue
        # Merge the cluster with fewer neighbours into the one with more.
        if len(neighbours[a]) < len(neighbours[b]):
            a, b = b, a
        alive[b] = False
        parent[b] = a
        size[a] += size[b]
        del neighbours[a][b]
        del neighbours[b][a]
        for c, (total, count) in neighbours[b].items():
            del neighbours[c][b]
            entry = neighbours[a].get(c)
            if entry is None:
                entry = [0.0, 0]
                neighbours[a][c] = entry
                neighbours[c][a] = entry
            entry[0] += total
            entry[1] += count
            if entry[0] / entry[1] >= threshold:
                heapq.heappush(heap, (-value(a, c, entry), min(a, c), max(a, c)))
        neighbours[b] = {}
    labels = parent.copy()
    for i in range(n):
        root = i
        while labels[root] != root:
            root = labels[root]
        j = i
        while labels[j] != root:
            labels[j], j = root, labels[j]
    return labels
