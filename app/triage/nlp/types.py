"""Opportunity types: which of the six NOLAlytics types an idea is (or none).

Model: multinomial logistic regression over

* TF-IDF of Snowball-stemmed words and word bigrams (sublinear tf, L2-normalised), and
* seven optional "cue" features, one per label: how often the text uses phrases that signal
  that type's analytic intent ("rank", "backlog", "first come", "route", "randomised"...;
  see :mod:`type_definitions`). Measured on analytics teams' descriptions they hurt, so
  their scale is 0 by default (``CUE_SCALE``),

trained on the labelled seed set plus hand-written definitions and analyst-voice examples of
every type (:mod:`type_definitions`), so that it has seen more than the seed set's short,
mostly resident-written texts. Probabilities are calibrated by temperature scaling fitted on
cross-validated predictions. Everything the model needs at prediction time is plain arrays,
serialised without pickle.

When the optional sentence embeddings are installed (:mod:`embeddings`), a second logistic
regression over each text's MiniLM vector is trained beside it, and the two models' log
probabilities are mixed (``EMBEDDING_WEIGHT``): the embeddings carry the meaning of wordings
the training texts never used, which matters most for long, technical project descriptions.
A model trained with embeddings still predicts where they are missing (or where the caller
asks it not to use them), from its TF-IDF part alone, and
:meth:`TypeClassifier.serving_version` then says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from app.triage.nlp import embeddings, type_definitions
from app.triage.nlp.serial import pack, unpack
from app.triage.nlp.text import STOP_WORDS, token_spans, tokens

LABELS = ["needle", "prioritise", "early_warning", "decisions", "allocation", "experiment"]
NONE = "none"
ALL_LABELS = [*LABELS, NONE]
CODE_VERSION = "types-1"  # serialised format; stored models of this format still load
SEED_PATH = Path(__file__).resolve().parent.parent / "seed" / "opportunity_types.jsonl"

# Settings chosen by cross-validation on the seed set and on two sets of project descriptions
# in analytics teams' voices (tests/triage_nlp/fixtures/analyst_types_*.jsonl; docs/triage.md).
C = 4.0
# The cue features (off): at 0.2 they cost 5-7 points of top-1 on both analyst sets, whose
# authors use "identify", "target" or "prevent" for every type; 0.05 was no better than none.
CUE_SCALE = 0.0
EXAMPLE_WEIGHT = 1.0
DEFINITION_WEIGHT = 2.0
MIN_DF = 1
# Newton-CG reaches the (unique, L2-regularised) optimum in a handful of iterations on this
# small, wide problem: about 20x faster than lbfgs for the same coefficients.
SOLVER = "newton-cg"
TOL = 1e-6
# Temperature: fitted once on out-of-fold logits of this many stratified folds.
CALIBRATION_FOLDS = 3
# An idea is "not a data project" when "none" ranks first or no type reaches this probability.
CONFIDENT = 0.25
# Evidence is kept for every type at or above this probability.
EVIDENCE_MIN = 0.1
EVIDENCE_WORDS = 6
SEED = 0
# The embeddings part (only when the optional package is installed): its own regularisation,
# and its share of the mixed log probabilities (stored with each model). Measured on two sets
# of 84 project descriptions in analytics teams' voices that a colleague wrote without seeing
# the training data (tests/triage_nlp/fixtures/analyst_types_*.jsonl): C 2-8 and weights
# 0.5-0.8 were within one or two descriptions of each other; see docs/triage.md.
EMBEDDING_C = 4.0
EMBEDDING_WEIGHT = 0.7


def load_seed(path: str | Path | None = None) -> tuple[list[str], list[str]]:
    """(texts, labels) of the labelled seed set (app/triage/seed/opportunity_types.jsonl)."""
    texts, labels = [], []
    with open(path or SEED_PATH, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                labels.append(row["label"])
    return texts, labels


# -- features ------------------------------------------------------------------------------------
def _cue_pattern(cues: list[str]) -> re.Pattern[str]:
    if not cues:
        return re.compile(r"(?!x)x")  # matches nothing
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        escaped = re.escape(cue.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(escaped + (r"\w*" if cue.endswith("*") else ""))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


CUE_PATTERNS = {label: _cue_pattern(type_definitions.CUES[label]) for label in ALL_LABELS}


def _lower(text: str) -> str:
    """Lower case with curly apostrophes straightened, keeping every offset."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("\u2019", "'").replace("\u2018", "'")


def cue_matches(text: str) -> dict[str, list[tuple[int, int]]]:
    """Spans of ``text`` matching each label's cues."""
    lowered = _lower(text or "")
    return {label: [m.span() for m in pattern.finditer(lowered)]
            for label, pattern in CUE_PATTERNS.items()}


def _word_features(stems: list[str]) -> list[str]:
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


@dataclass
class TypeSuggestion:
    """The classifier's view of one idea."""

    ranked: list[tuple[str, float]]
    evidence: dict[str, list[str]] = field(default_factory=dict)
    not_a_data_project: bool = False

    def types_above(self, threshold: float) -> list[str]:
        """Every opportunity type (never "none") with probability >= ``threshold``."""
        return [label for label, p in self.ranked if label != NONE and p >= threshold]

    @property
    def top(self) -> str:
        return self.ranked[0][0]

    def to_dict(self) -> dict:
        return {"ranked": [[label, p] for label, p in self.ranked], "evidence": self.evidence,
                "not_a_data_project": self.not_a_data_project}


_PHRASE_BREAK = re.compile(r"[^\w\s'’-]|\n|\s-\s|--")


def _reads_as_a_phrase(gap: str) -> bool:
    """True if two words with ``gap`` between them read as one phrase: no punctuation or line
    break between them and at most one word."""
    return not _PHRASE_BREAK.search(gap) and len(gap.split()) <= 1


class TypeClassifier:
    """Suggests opportunity types for idea texts; see the module docstring."""

    def __init__(self, C: float = C, cue_scale: float = CUE_SCALE,
                 example_weight: float = EXAMPLE_WEIGHT,
                 definition_weight: float = DEFINITION_WEIGHT, use_definitions: bool = True,
                 use_embeddings: bool | None = None):
        """``use_embeddings``: None uses them when installed, True insists, False never."""
        self.C = C
        self.cue_scale = cue_scale
        self.example_weight = example_weight
        self.definition_weight = definition_weight
        self.use_definitions = use_definitions
        self.labels = list(ALL_LABELS)
        self.version = ""
        self._vocab: dict[str, int] = {}
        self._idf = np.zeros(0, dtype=np.float64)
        self._coef = np.zeros((len(ALL_LABELS), 0))
        self._intercept = np.zeros(len(ALL_LABELS))
        self.temperature = 1.0
        self.use_embeddings = use_embeddings
        self._emb_coef: np.ndarray | None = None  # (labels, dimensions) when trained with them
        self._emb_intercept: np.ndarray | None = None
        self.mixed_temperature = 1.0
        self.embedding_weight = EMBEDDING_WEIGHT

    @property
    def has_embeddings(self) -> bool:
        """Whether this model has an embeddings part (it may still lack the package to use it)."""
        return self._emb_coef is not None

    def serving_version(self, use_embeddings: bool = True) -> str:
        """The version that predictions made with ``use_embeddings`` come from: "+tfidf-only"
        when the model has an embeddings part that is not used (not asked for, or this machine
        cannot compute embeddings)."""
        if self.has_embeddings and not self._embeddings_used(use_embeddings):
            return f"{self.version}+tfidf-only"
        return self.version

    def _embeddings_used(self, use_embeddings: bool) -> bool:
        return self.has_embeddings and use_embeddings and embeddings.available()

    def _resolve_embeddings(self) -> bool:
        if self.use_embeddings is None:
            return embeddings.available()
        if self.use_embeddings and not embeddings.available():
            raise RuntimeError(f"use_embeddings=True but {embeddings.PACKAGE} is not installed "
                               f"(or ODA_TRIAGE_EMBEDDINGS=0)")
        return bool(self.use_embeddings)

    # -- training -----------------------------------------------------------------------------
    def _training_set(self, texts, labels):
        texts, labels = list(texts), list(labels)
        unknown = sorted(set(labels) - set(ALL_LABELS))
        if unknown:
            raise ValueError(f"unknown labels {unknown}; use {ALL_LABELS}")
        weights = [1.0] * len(texts)
        if self.use_definitions:
            for label in ALL_LABELS:
                texts.append(type_definitions.DEFINITIONS[label])
                labels.append(label)
                weights.append(self.definition_weight)
                for example in type_definitions.EXAMPLES[label]:
                    texts.append(example)
                    labels.append(label)
                    weights.append(self.example_weight)
        return texts, labels, np.asarray(weights)

    def fit(self, texts: list[str], labels: list[str], calibrate: bool = True) -> TypeClassifier:
        """Train on ``texts`` and ``labels`` (plus the built-in definitions and examples).

        ``calibrate=False`` skips fitting the temperatures (used by :func:`cross_validate`,
        where only rankings are scored): rankings are the same, except with an embeddings part,
        whose mix with the TF-IDF part depends on the TF-IDF temperature."""
        # The solver works on small vectors, where multi-threaded BLAS only adds overhead (and
        # stalls badly when the CPUs are busy): one thread is 1.2-8x faster here.
        with _one_blas_thread():
            return self._fit(texts, labels, calibrate)

    def _fit(self, texts: list[str], labels: list[str], calibrate: bool) -> TypeClassifier:
        all_texts, all_labels, weights = self._training_set(texts, labels)
        stems = [tokens(t) for t in all_texts]
        df: dict[str, int] = {}
        for s in stems:
            for f in set(_word_features(s)):
                df[f] = df.get(f, 0) + 1
        vocab = sorted(f for f, count in df.items() if count >= MIN_DF)
        self._vocab = {f: i for i, f in enumerate(vocab)}
        n = len(all_texts)
        self._idf = np.array([np.log((1 + n) / (1 + df[f])) + 1 for f in vocab])
        X = self._features(all_texts, stems)
        y = np.array([self.labels.index(label) for label in all_labels])
        coef, intercept = _class_arrays(_logistic(self.C).fit(X, y, sample_weight=weights),
                                        len(self.labels))
        self._coef, self._intercept = coef, intercept
        E = None
        self._emb_coef = self._emb_intercept = None
        if self._resolve_embeddings():
            E = embeddings.encode(all_texts).astype(np.float64)
            self._emb_coef, self._emb_intercept = _class_arrays(
                _logistic(EMBEDDING_C).fit(E, y, sample_weight=weights), len(self.labels))
        self.temperature, self.mixed_temperature = (
            self._fit_temperatures(X, E, y, weights, len(texts)) if calibrate else (1.0, 1.0))
        self.version = self._version(texts, labels)
        return self

    def _fit_temperatures(self, X: sp.csr_matrix, E: np.ndarray | None, y: np.ndarray,
                          weights: np.ndarray, n_given: int) -> tuple[float, float]:
        """Temperatures minimising the log loss of out-of-fold predictions of the given texts:
        one for the TF-IDF part alone and one for the mix with the embeddings part (1.0 when
        there is none).

        ``CALIBRATION_FOLDS`` stratified folds, each a fast Newton-CG fit on the features the
        full model was trained on. The loss is taken over the first ``n_given`` rows (the
        caller's texts): the built-in definitions and examples are easy to classify and
        would make the temperature overconfident."""
        counts = np.bincount(y, minlength=len(self.labels))
        smallest = int(counts[counts > 0].min()) if counts.any() else 0
        if np.count_nonzero(counts) < 2 or smallest < 2:
            return 1.0, 1.0
        from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

        folds = StratifiedKFold(n_splits=min(CALIBRATION_FOLDS, smallest), shuffle=True,
                                random_state=SEED)
        logits = np.zeros((len(y), len(self.labels)))
        emb_logits = np.zeros_like(logits)
        for train, test in folds.split(np.zeros(len(y)), y):
            logits[test] = _out_of_fold(_logistic(self.C), X[train], y[train], weights[train],
                                        X[test], len(self.labels))
            if E is not None:
                emb_logits[test] = _out_of_fold(_logistic(EMBEDDING_C), E[train], y[train],
                                                weights[train], E[test], len(self.labels))
        rows = np.arange(min(n_given, len(y)) or len(y))
        temperature = _best_temperature(logits[rows], y[rows])
        if E is None:
            return temperature, 1.0
        mixed = _mix(logits[rows] / temperature, emb_logits[rows], self.embedding_weight)
        return temperature, _best_temperature(mixed, y[rows])

    def _version(self, texts, labels) -> str:
        h = hashlib.sha256(CODE_VERSION.encode())
        h.update(json.dumps([self.C, self.cue_scale, self.example_weight,
                             self.definition_weight, self.use_definitions]).encode())
        # Training procedure (added with the Newton-CG solver; older models hash without it).
        h.update(json.dumps([SOLVER, TOL, CALIBRATION_FOLDS]).encode())
        if self.has_embeddings:  # models without them hash as before
            h.update(json.dumps([embeddings.MODEL_NAME, embeddings.MAX_SEQ_LENGTH, EMBEDDING_C,
                                 self.embedding_weight]).encode())
        if self.use_definitions:
            h.update(json.dumps([type_definitions.DEFINITIONS, type_definitions.EXAMPLES,
                                 type_definitions.CUES], sort_keys=True).encode())
        for text, label in zip(texts, labels, strict=True):
            h.update(f"{label}\x00{text}\x01".encode())
        kind = "-minilm" if self.has_embeddings else ""
        return f"{CODE_VERSION}{kind}-{h.hexdigest()[:12]}"

    # -- features -----------------------------------------------------------------------------
    def _features(self, texts: list[str], stems: list[list[str]] | None = None) -> sp.csr_matrix:
        if stems is None:
            stems = [tokens(t) for t in texts]
        rows, cols, vals = [], [], []
        for r, s in enumerate(stems):
            counts: dict[int, int] = {}
            for f in _word_features(s):
                i = self._vocab.get(f)
                if i is not None:
                    counts[i] = counts.get(i, 0) + 1
            if counts:
                idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
                tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64,
                                              count=len(counts)))
                w = tf * self._idf[idx]
                w /= np.linalg.norm(w)
                rows.extend([r] * len(idx))
                cols.extend(idx.tolist())
                vals.extend(w.tolist())
        n_words = len(self._vocab)
        words = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), n_words))
        cues = np.zeros((len(texts), len(self.labels)))
        for r, text in enumerate(texts if self.cue_scale else ()):
            lowered = _lower(text or "")
            for c, label in enumerate(self.labels):
                hits = len(CUE_PATTERNS[label].findall(lowered))
                cues[r, c] = np.log1p(hits) * self.cue_scale
        return sp.hstack([words, sp.csr_matrix(cues)], format="csr")

    # -- predicting ---------------------------------------------------------------------------
    def predict_proba(self, texts: list[str], use_embeddings: bool = True) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in :data:`ALL_LABELS` order
        (``use_embeddings=False``: from the TF-IDF part alone)."""
        if not self.version:
            raise RuntimeError("TypeClassifier is not fitted")
        texts = [t or "" for t in texts]
        return self._probabilities(texts, self._features(texts), use_embeddings)

    def _probabilities(self, texts: list[str], X: sp.csr_matrix,
                       use_embeddings: bool) -> np.ndarray:
        logits = (X @ self._coef.T + self._intercept) / self.temperature
        if self._embeddings_used(use_embeddings) and texts:
            E = embeddings.encode(texts).astype(np.float64)
            logits = _mix(logits, E @ self._emb_coef.T + self._emb_intercept,
                          self.embedding_weight) / self.mixed_temperature
        return _softmax(logits)

    def suggest(self, texts: list[str], use_embeddings: bool = True) -> list[TypeSuggestion]:
        """A :class:`TypeSuggestion` per text, in order (``use_embeddings=False``: from the
        TF-IDF part alone, for a caller that must not load the sentence model)."""
        texts = [t or "" for t in texts]
        if not texts:
            return []
        X = self._features(texts)
        probs = self._probabilities(texts, X, use_embeddings)
        out = []
        n_words = len(self._vocab)
        for r, text in enumerate(texts):
            p = probs[r]
            order = np.argsort(-p, kind="stable")
            ranked = [(self.labels[i], float(p[i])) for i in order]
            best_type = max(p[i] for i in range(len(self.labels)) if self.labels[i] != NONE)
            not_data = ranked[0][0] == NONE or best_type < CONFIDENT
            wanted = [i for i in order if self.labels[i] != NONE and
                      (p[i] >= EVIDENCE_MIN or i == order[0])]
            evidence = self._evidence(text, X[r], wanted, n_words) if wanted else {}
            out.append(TypeSuggestion(ranked=ranked, evidence=evidence,
                                      not_a_data_project=bool(not_data)))
        return out

    def _evidence(self, text: str, x: sp.csr_matrix, wanted: list[int],
                  n_words: int) -> dict[str, list[str]]:
        """Words and phrases of ``text`` that pushed each wanted label up the most."""
        x = x.tocsr()
        spans = token_spans(text, STOP_WORDS)
        surface_of: dict[str, str] = {}
        for a, b in zip(spans, spans[1:], strict=False):
            # A bigram's two words may sit either side of stop words, punctuation or a field
            # break; shown as the span between them, such a "phrase" reads as garbled text
            # ("council too Use the repair"), so only phrases people would read as one are shown.
            if _reads_as_a_phrase(text[a.end:b.start]):
                surface_of.setdefault(f"{a.stem} {b.stem}", text[a.start:b.end])
        for t in spans:
            surface_of.setdefault(t.stem, t.surface)
        cue_spans = cue_matches(text)
        inverse = self._inverse_vocab()
        mean_coef = self._coef.mean(axis=0)
        result: dict[str, list[str]] = {}
        for label_index in wanted:
            label = self.labels[label_index]
            relative = self._coef[label_index] - mean_coef
            scored: list[tuple[float, str]] = []
            for col, value in zip(x.indices, x.data, strict=True):
                contribution = value * relative[col]
                if contribution <= 0:
                    continue
                if col < n_words:
                    phrase = surface_of.get(inverse[col])
                    if phrase:
                        scored.append((contribution, phrase))
                else:
                    cue_label = self.labels[col - n_words]
                    for start, end in cue_spans.get(cue_label, []):
                        scored.append((contribution, text[start:end]))
            seen: set[str] = set()
            words: list[str] = []
            for _, phrase in sorted(scored, key=lambda item: -item[0]):
                key = phrase.lower()
                if key in seen or any(key in s for s in seen):
                    continue
                seen.add(key)
                words.append(" ".join(phrase.split()))
                if len(words) >= EVIDENCE_WORDS:
                    break
            result[label] = words
        return result

    def _inverse_vocab(self) -> list[str]:
        if getattr(self, "_inverse", None) is None or len(self._inverse) != len(self._vocab):
            self._inverse = sorted(self._vocab, key=self._vocab.get)
        return self._inverse

    # -- persistence --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        meta = {"code_version": CODE_VERSION, "version": self.version, "labels": self.labels,
                "C": self.C, "cue_scale": self.cue_scale, "temperature": self.temperature,
                "example_weight": self.example_weight,
                "definition_weight": self.definition_weight,
                "use_definitions": self.use_definitions,
                "embeddings": self.has_embeddings, "mixed_temperature": self.mixed_temperature,
                "embedding_weight": self.embedding_weight}
        vocab = sorted(self._vocab, key=self._vocab.get)
        arrays = {"vocab": vocab, "idf": self._idf, "coef": self._coef,
                  "intercept": self._intercept}
        if self.has_embeddings:
            arrays.update(emb_coef=self._emb_coef, emb_intercept=self._emb_intercept)
        return pack(meta, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> TypeClassifier:
        meta, arrays = unpack(data)
        if meta.get("code_version") != CODE_VERSION:
            raise ValueError(f"model from {meta.get('code_version')}, code is {CODE_VERSION}")
        model = cls(C=meta["C"], cue_scale=meta["cue_scale"],
                    example_weight=meta["example_weight"],
                    definition_weight=meta["definition_weight"],
                    use_definitions=meta["use_definitions"])
        model.labels = list(meta["labels"])
        model.version = meta["version"]
        model.temperature = float(meta["temperature"])
        model._vocab = {f: i for i, f in enumerate(arrays["vocab"])}
        model._idf = np.asarray(arrays["idf"], dtype=np.float64)
        model._coef = np.asarray(arrays["coef"], dtype=np.float64)
        model._intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        if meta.get("embeddings"):  # models stored before the embeddings part have none
            model._emb_coef = np.asarray(arrays["emb_coef"], dtype=np.float64)
            model._emb_intercept = np.asarray(arrays["emb_intercept"], dtype=np.float64)
            model.mixed_temperature = float(meta["mixed_temperature"])
            # 0.7: the weight of the first models with this part, stored before the key was.
            model.embedding_weight = float(meta.get("embedding_weight", 0.7))
        return model


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 - scikit-learn dependency
    except ImportError:  # pragma: no cover - always installed with scikit-learn
        import contextlib  # noqa: PLC0415

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _logistic(c: float):
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - training only

    return LogisticRegression(C=c, solver=SOLVER, tol=TOL, max_iter=1000, random_state=SEED)


def _class_arrays(model, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted LogisticRegression's coefficients with one row per label (absent labels get
    a very low intercept, so they are never predicted)."""
    coef = np.zeros((n_labels, model.coef_.shape[1]))
    intercept = np.full(n_labels, -1e3)
    for row, cls in enumerate(model.classes_):
        coef[cls] = model.coef_[row] if len(model.classes_) > 2 else (
            model.coef_[0] * (1 if row else -1))
        intercept[cls] = model.intercept_[row] if len(model.classes_) > 2 else (
            model.intercept_[0] * (1 if row else -1))
    return coef, intercept


def _out_of_fold(model, X_train, y_train, w_train, X_test, n_labels: int) -> np.ndarray:
    """Logits of the test rows from ``model`` fitted on the training rows (all labels)."""
    model.fit(X_train, y_train, sample_weight=w_train)
    full = np.full((X_test.shape[0], n_labels), -1e3)
    decision = model.decision_function(X_test)
    if decision.ndim == 1:  # two classes: one logit, of the second against the first
        decision = np.column_stack([np.zeros_like(decision), decision])
    full[:, model.classes_] = decision
    return full


def _best_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature in [0.05, 5] with the lowest log loss (bounded search on log T)."""
    from scipy.optimize import minimize_scalar  # noqa: PLC0415

    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        p = _softmax(logits / np.exp(log_t))
        return float(-np.mean(np.log(p[rows, y] + 1e-12)))

    found = minimize_scalar(loss, bounds=(np.log(0.05), np.log(5.0)), method="bounded",
                            options={"xatol": 1e-3})
    return round(float(np.exp(found.x)), 2)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _mix(tfidf_logits: np.ndarray, embedding_logits: np.ndarray,
         weight: float) -> np.ndarray:
    """The weighted mean of the two parts' log probabilities (``weight``: the embeddings')."""
    return ((1 - weight) * _log_softmax(tfidf_logits)
            + weight * _log_softmax(embedding_logits))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def cross_validate(texts: list[str], labels: list[str], folds: int = 5,
                   **settings) -> dict[str, float]:
    """Stratified k-fold figures of a TypeClassifier: accuracy (top-1), top-2, macro F1.

    The built-in definitions and examples are added to every training fold (never to a test
    fold).
    """
    from sklearn.metrics import f1_score  # noqa: PLC0415
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

    texts, labels = list(texts), list(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    predicted: list[str] = [""] * len(texts)
    top2 = np.zeros(len(texts), dtype=bool)
    # Only an embeddings part needs the temperatures for its rankings (see fit).
    calibrate = TypeClassifier(**settings)._resolve_embeddings()
    for train, test in splitter.split(texts, labels):
        model = TypeClassifier(**settings).fit([texts[i] for i in train],
                                               [labels[i] for i in train], calibrate=calibrate)
        probs = model.predict_proba([texts[i] for i in test])
        for row, i in enumerate(test):
            order = np.argsort(-probs[row], kind="stable")
            predicted[i] = model.labels[order[0]]
            top2[i] = labels[i] in {model.labels[order[0]], model.labels[order[1]]}
    accuracy = float(np.mean([p == t for p, t in zip(predicted, labels, strict=True)]))
    return {"accuracy": accuracy, "top1": accuracy, "top2": float(top2.mean()),
            "macro_f1": float(f1_score(labels, predicted, labels=ALL_LABELS, average="macro",
                                       zero_division=0)),
            "folds": folds, "n": len(texts)}
