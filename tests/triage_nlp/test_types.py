import random

import numpy as np
import pytest

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
    return TypeClassifier().fit(*seed)


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
    assert TypeClassifier().fit(*seed, calibrate=False).version == model.version
    other = TypeClassifier().fit(seed[0][:-1], seed[1][:-1], calibrate=False)
    assert other.version != model.version


def test_deterministic(seed):
    text = ["Dashboard bringing housing and social care data together for case workers"]
    first = TypeClassifier().fit(*seed, calibrate=False).suggest(text)[0].ranked
    assert TypeClassifier().fit(*seed, calibrate=False).suggest(text)[0].ranked == first


def test_held_out_seed_figures(seed):
    """Train on 70% of the seed set, evaluate on the rest (a floor below measured 0.87)."""
    texts, labels = seed
    order = list(range(len(texts)))
    random.Random(1).shuffle(order)
    cut = int(len(order) * 0.7)
    train, test = order[:cut], order[cut:]
    model = TypeClassifier().fit([texts[i] for i in train], [labels[i] for i in train],
                                 calibrate=False)
    figures = evaluate_types([{"text": texts[i], "label": labels[i]} for i in test], model)
    assert figures["n"] == len(test)
    assert figures["top1"] >= 0.78
    assert figures["top2"] >= 0.88
    assert np.array(figures["confusion"]).sum() == len(test)
    assert figures["labels"] == ALL_LABELS


def test_cross_validate_reports_figures(seed):
    texts, labels = seed
    figures = cross_validate(texts[::3], labels[::3], folds=3)
    assert set(figures) >= {"accuracy", "top2", "macro_f1"}
    assert 0 <= figures["macro_f1"] <= 1


def test_unknown_label_rejected():
    with pytest.raises(ValueError):
        TypeClassifier().fit(["x"], ["not-a-label"])
