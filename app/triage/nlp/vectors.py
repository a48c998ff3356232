"""Sparse TF-IDF vectors of ideas: stemmed words (with bigrams) and character n-grams.

Two views of a text, each TF-IDF weighted (sublinear tf, smoothed idf) and L2-normalised:

* words: Snowball stems without stop words, unigrams plus adjacent bigrams;
* characters: n-grams (3 and 4 by default) of each content word padded with spaces, the same
  as scikit-learn's ``char_wb`` analyser but built from the word vocabulary with one sparse
  product, which is an order of magnitude faster than analysing every document character by
  character.

Field weighting: a text whose first line is a title ("title\\nbody") is vectorised as
``normalise(a * title + (1 - a) * body)`` so that the title, where people say what they ask
for, counts as much as a few hundred characters of background. A text with no line break is
one field. Queries are vectorised the same way (a one-line query is one field).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp

from app.triage.nlp.text import STOP_WORDS, content_words, stem

DTYPE = np.float32
BLOCK = 10_000  # documents counted and weighed at a time


def split_title(text: str) -> tuple[str, str]:
    """(title, body) of a text whose first non-empty line is its title."""
    text = (text or "").strip()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


def char_ngrams(word: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams of one word padded with a space on each side (like ``char_wb``)."""
    padded = f" {word} "
    lo, hi = ngram_range
    out = []
    for n in range(lo, hi + 1):
        if len(padded) < n:
            break
        out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a loop builds millions of small objects.

    The collector runs every few hundred new lists or dicts and walks the young ones, and now
    and then every object in the process. Tokenising and the linkage create millions of them
    without cycles (reference counting frees them), so those runs find nothing: at 100,000
    ideas they cost about a third of the linkage's time. The collector is one per process, so
    other threads go without it meanwhile too (for seconds at most; nothing is lost, it
    catches up when switched back on).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _row_ids(matrix: sp.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))


def _l2_normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale the rows of a CSR matrix to unit length, in place (float32)."""
    matrix = matrix.tocsr()
    if matrix.dtype != DTYPE:
        matrix = matrix.astype(DTYPE)
    rows = _row_ids(matrix)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2,
                                minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    matrix.data /= norms[rows].astype(DTYPE)
    return matrix


class Vectoriser:
    """Fits vocabularies and idf on a corpus, then turns texts into (words, chars) matrices."""

    def __init__(self, title_weight: float = 0.4, char_range: tuple[int, int] = (3, 4),
                 stop_words: frozenset[str] = STOP_WORDS):
        self.title_weight = title_weight
        self.char_range = tuple(char_range)
        self.stop_words = stop_words
        self.fitted = False

    # -- analysis -----------------------------------------------------------------------------
    def _surface_ids(self, texts: Sequence[str], grow: bool):
        """Per text, the ids of its content words; unknown words get ids past the vocabulary.

        Returns (document of each word, id of each word, the unknown words' ids).
        """
        vocab = self._surfaces
        extra: dict[str, int] = {}
        counts = np.zeros(len(texts), dtype=np.int64)
        ids: list[int] = []
        base = len(vocab)
        with collector_paused():
            if grow:
                add = vocab.setdefault
                for d, text in enumerate(texts):
                    found = [add(w, len(vocab)) for w in content_words(text, self.stop_words)]
                    counts[d] = len(found)
                    ids += found
            else:
                known = vocab.get
                for d, text in enumerate(texts):
                    words = content_words(text, self.stop_words)
                    found = [known(w, -1) for w in words]
                    if -1 in found:  # words not seen at fit time get ids past the vocabulary
                        found = [i if i >= 0 else extra.setdefault(w, base + len(extra))
                                 for w, i in zip(words, found, strict=True)]
                    counts[d] = len(found)
                    ids += found
        doc_index = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
        return doc_index, np.asarray(ids, dtype=np.int64), extra

    def _word_counts(self, n_docs, doc_index, surface_ids, stem_of_surface):
        """Counts of unigram and bigram stem features (known features only)."""
        n_stems = self._n_stems
        stems = stem_of_surface[surface_ids]
        same_doc = doc_index[1:] == doc_index[:-1]
        first, second = stems[:-1][same_doc], stems[1:][same_doc]
        ok = (first >= 0) & (second >= 0)
        keys = first[ok] * n_stems + second[ok]
        bigram_docs = doc_index[1:][same_doc][ok]
        pos = np.searchsorted(self._bigram_keys, keys)
        pos = np.minimum(pos, max(len(self._bigram_keys) - 1, 0))
        found = (self._bigram_keys[pos] == keys) if len(self._bigram_keys) else np.zeros(
            len(keys), dtype=bool)
        uni = stems >= 0
        rows = np.concatenate([doc_index[uni], bigram_docs[found]])
        cols = np.concatenate([stems[uni], n_stems + pos[found]])
        return sp.csr_matrix((np.ones(len(rows), dtype=DTYPE), (rows, cols)),
                             shape=(n_docs, n_stems + len(self._bigram_keys)))

    def _surface_char_matrix(self, words: Iterable[str], grow: bool) -> sp.csr_matrix:
        chars = self._chars
        rows: list[int] = []
        cols: list[int] = []
        n_words = 0
        for r, word in enumerate(words):
            n_words = r + 1
            for g in char_ngrams(word, self.char_range):
                c = chars.get(g)
                if c is None:
                    if not grow:
                        continue
                    c = chars[g] = len(chars)
                rows.append(r)
                cols.append(c)
        return sp.csr_matrix((np.ones(len(rows), dtype=DTYPE), (rows, cols)),
                             shape=(n_words, len(chars)))

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str]) -> Vectoriser:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], fields: bool = True):
        """Learn vocabularies and idf from ``texts`` and return their (words, chars) matrices."""
        self._surfaces: dict[str, int] = {}
        self._chars: dict[str, int] = {}
        parts = self._parts(texts) if fields else list(texts)
        doc_index, surface_ids, _ = self._surface_ids(parts, grow=True)
        surfaces = list(self._surfaces)
        stem_vocab: dict[str, int] = {}
        stem_ids = np.empty(len(surfaces), dtype=np.int64)
        for i, w in enumerate(surfaces):
            s = stem(w)
            stem_ids[i] = stem_vocab.setdefault(s, len(stem_vocab))
        self._stem_of_surface = stem_ids
        self._stems = stem_vocab
        self._n_stems = max(len(stem_vocab), 1)
        stems = stem_ids[surface_ids] if len(surface_ids) else surface_ids
        same_doc = doc_index[1:] == doc_index[:-1]
        keys = stems[:-1][same_doc] * self._n_stems + stems[1:][same_doc]
        self._bigram_keys = np.unique(keys)
        self._surface_chars = self._surface_char_matrix(surfaces, grow=True)
        n_docs = len(texts)
        # Count in blocks of documents, keeping document frequencies, then weigh each block:
        # peak memory stays near the size of the result.
        blocks = list(self._count_blocks(len(parts), doc_index, surface_ids, {}, fields))
        word_df = np.zeros(self._n_word_features(), dtype=np.int64)
        char_df = np.zeros(len(self._chars), dtype=np.int64)
        for words, chars in blocks:
            word_df += _df(_merge_fields(words) if fields else words, len(word_df))
            char_df += _df(_merge_fields(chars) if fields else chars, len(char_df))
        self._word_idf = _idf_from_df(word_df, n_docs)
        self._char_idf = _idf_from_df(char_df, n_docs)
        self.fitted = True
        return self._weigh_blocks(blocks, fields)

    def _n_word_features(self) -> int:
        return self._n_stems + len(self._bigram_keys)

    def _count_blocks(self, n_parts, doc_index, surface_ids, extra, fields):
        """Yield (words, chars) count matrices for consecutive blocks of parts."""
        stem_of_surface, surface_chars = self._surface_tables(extra)
        block = BLOCK * (2 if fields else 1)
        bounds = np.searchsorted(doc_index, np.arange(0, n_parts + block, block))
        for number, start in enumerate(range(0, max(n_parts, 1), block)):
            lo, hi = bounds[number], bounds[number + 1]
            size = min(block, n_parts - start)
            yield self._counts(size, doc_index[lo:hi] - start, surface_ids[lo:hi],
                               stem_of_surface, surface_chars)

    def _weigh_blocks(self, blocks: list, fields: bool):
        words_out, chars_out = [], []
        while blocks:
            words, chars = blocks.pop(0)
            if fields:
                words, chars = self._weigh_fields(words, chars)
            else:
                words = self._tfidf(words, self._word_idf)
                chars = self._tfidf(chars, self._char_idf)
            words_out.append(words)
            chars_out.append(chars)
        if len(words_out) == 1:
            return words_out[0], chars_out[0]
        return (sp.vstack(words_out, format="csr", dtype=DTYPE),
                sp.vstack(chars_out, format="csr", dtype=DTYPE))

    def _parts(self, texts: Sequence[str]) -> list[str]:
        parts: list[str] = []
        for text in texts:
            title, body = split_title(text)
            parts.append(title)
            parts.append(body)
        return parts

    def _surface_tables(self, extra):
        """Stem id and character n-gram rows of every surface word, known and new."""
        stem_of_surface = self._stem_of_surface
        surface_chars = self._surface_chars
        if extra:
            extra_stems = np.array([self._stems.get(stem(w), -1) for w in extra], dtype=np.int64)
            stem_of_surface = np.concatenate([stem_of_surface, extra_stems])
            surface_chars = sp.vstack([surface_chars,
                                       self._surface_char_matrix(list(extra), grow=False)],
                                      format="csr")
        return stem_of_surface, surface_chars

    def _counts(self, n_parts, doc_index, surface_ids, stem_of_surface, surface_chars):
        words = self._word_counts(n_parts, doc_index, surface_ids, stem_of_surface)
        doc_surface = sp.csr_matrix(
            (np.ones(len(surface_ids), dtype=DTYPE), (doc_index, surface_ids)),
            shape=(n_parts, surface_chars.shape[0]))
        chars = (doc_surface @ surface_chars).tocsr()
        return words, chars

    # -- transforming -------------------------------------------------------------------------
    def transform(self, texts: Sequence[str], fields: bool = True):
        """(words, chars) L2-normalised TF-IDF matrices; ``fields`` applies title weighting."""
        if not self.fitted:
            raise RuntimeError("Vectoriser is not fitted")
        parts = self._parts(texts) if fields else list(texts)
        doc_index, surface_ids, extra = self._surface_ids(parts, grow=False)
        blocks = list(self._count_blocks(len(parts), doc_index, surface_ids, extra, fields))
        return self._weigh_blocks(blocks, fields)

    def _tfidf(self, counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        """Sublinear tf times idf, L2-normalised; works in place on ``counts``."""
        counts = counts.tocsr()
        counts.sum_duplicates()
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= idf[counts.indices]
        return _l2_normalise(counts)

    def _weigh_fields(self, words, chars):
        return (self._combine(self._tfidf(words, self._word_idf)),
                self._combine(self._tfidf(chars, self._char_idf)))

    def _combine(self, parts: sp.csr_matrix) -> sp.csr_matrix:
        """Rows 2i (title) and 2i+1 (body) -> one row i: a*title + (1-a)*body, normalised."""
        a = self.title_weight
        weights = np.where(np.arange(parts.shape[0]) % 2 == 0, a, 1.0 - a).astype(DTYPE)
        parts.data *= np.repeat(weights, np.diff(parts.indptr))
        # Summing pairs of rows = collapsing row 2i+1 into 2i: rebuild indptr on half the rows.
        merged = sp.csr_matrix((parts.data, parts.indices, parts.indptr[0::2].copy()),
                               shape=(parts.shape[0] // 2, parts.shape[1]))
        merged.sum_duplicates()
        return _l2_normalise(merged)

    @property
    def n_features(self) -> tuple[int, int]:
        return len(self._word_idf), len(self._char_idf)


def _merge_fields(parts: sp.csr_matrix) -> sp.csr_matrix:
    return (parts[0::2] + parts[1::2]).tocsr()


def _df(counts: sp.csr_matrix, n_features: int) -> np.ndarray:
    counts = counts.tocsr()
    counts.sum_duplicates()
    return np.bincount(counts.indices, minlength=n_features)


def _idf_from_df(df: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(DTYPE)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties by index, so deterministic)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]




def vectoriser_state(v: Vectoriser) -> tuple[dict, dict]:
    """(meta, arrays) describing a fitted vectoriser, for :mod:`app.triage.nlp.serial`."""
    meta = {"title_weight": v.title_weight, "char_range": list(v.char_range)}
    arrays = {
        "surfaces": list(v._surfaces), "stems": list(v._stems), "chars": list(v._chars),
        "stem_of_surface": v._stem_of_surface, "bigram_keys": v._bigram_keys,
        "surface_chars": v._surface_chars, "word_idf": v._word_idf, "char_idf": v._char_idf,
    }
    return meta, arrays


def vectoriser_from_state(meta: dict, arrays: dict) -> Vectoriser:
    v = Vectoriser(title_weight=meta["title_weight"], char_range=tuple(meta["char_range"]))
    v._surfaces = {w: i for i, w in enumerate(arrays["surfaces"])}
    v._stems = {s: i for i, s in enumerate(arrays["stems"])}
    v._n_stems = max(len(v._stems), 1)
    v._chars = {c: i for i, c in enumerate(arrays["chars"])}
    v._stem_of_surface = np.asarray(arrays["stem_of_surface"], dtype=np.int64)
    v._bigram_keys = np.asarray(arrays["bigram_keys"], dtype=np.int64)
    v._surface_chars = arrays["surface_chars"].astype(DTYPE)
    v._word_idf = np.asarray(arrays["word_idf"], dtype=DTYPE)
    v._char_idf = np.asarray(arrays["char_idf"], dtype=DTYPE)
    v.fitted = True
    return v
