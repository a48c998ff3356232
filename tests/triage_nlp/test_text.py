from app.triage.nlp.text import STOP_WORDS, content_words, normalise, token_spans, tokens


def test_normalise_folds_case_accents_quotes_and_space():
    assert normalise("  Café’s  “FIRE-risk”\n\tnaïve ") == 'cafe "fire-risk" naive'
    assert normalise(None) == ""
    assert normalise("see https://example.org/x and a@b.com now") == "see and now"


def test_tokens_are_stemmed_without_stop_words():
    assert tokens("The landlords are renting rooms illegally") == [
        "landlord", "rent", "room", "illeg"]
    assert "the" in STOP_WORDS and "the" not in tokens("the the the")


def test_domain_words_are_kept():
    # scikit-learn's list drops these; they matter for public-service ideas.
    assert tokens("fire bill empty first before") == ["fire", "bill", "empti", "first", "befor"]


def test_content_words_and_spans_keep_surface_forms():
    text = "Predicting HOMES at risk before crisis"
    assert content_words(text) == ["predicting", "homes", "risk", "before", "crisis"]
    spans = token_spans(text)
    assert [t.stem for t in spans] == tokens(text)
    for t in spans:
        assert text[t.start:t.end] == t.surface
    assert spans[1].surface == "HOMES"


def test_tokens_are_deterministic():
    text = "Rank the pothole backlog by risk; route the crews"
    assert tokens(text) == tokens(text)
