"""Themes (app/triage/topics.py): words that name what ideas are about, as people write them."""

from app.triage.topics import THEME_STOP_WORDS, _surface_words, find_themes

IDEAS = [
    "Potholes on Millbrook Road\nThe potholes on Millbrook Road come back every winter.",
    "Fix the potholes\nPotholes. Millbrook Road is a mess and all the patches fail early.",
    "Mend Millbrook Road\nMore potholes open up on the road every year.",
    "Early buses to the hospital\nThe first buses reach the hospital after the early shift.",
    "Buses for hospital shifts\nNurses miss the start of shifts: no buses run that early.",
    "More buses to the NHS hospital\nEvery bus to the hospital is full before 8am.",
    "Grit the estate roads\nIce on the estate roads all winter; the gritter never comes.",
    "Gritting on our estate\nThe estate is never gritted and the pavements are ice.",
]


def test_theme_words_are_what_ideas_are_about_not_how_much_or_how_soon():
    themes = find_themes(list(range(len(IDEAS))), IDEAS)
    assert themes
    words = {w.lower() for theme in themes for w in theme.words}
    assert not words & {"every", "all", "more", "early", "open", "year"}
    assert {"every", "all", "more", "early"} <= THEME_STOP_WORDS


def test_labels_keep_names_capitalised_but_not_words_that_start_a_sentence():
    surface = _surface_words(IDEAS)
    assert surface["millbrook"] == "Millbrook"  # written so inside sentences, every time
    assert surface["nhs"] == "NHS"
    assert surface["pothol"] == "potholes"  # "Potholes" only starts a sentence
    assert surface["road"] in {"road", "roads"}  # "Road" in a name, "road" elsewhere


def test_labels_come_from_a_sample_and_then_from_the_rest_for_words_it_missed():
    # The sample (every tenth text: 0, 10, 20...) misses the one text that says "NHS".
    texts = ["Potholes on the road."] + ["Use the NHS app for this."] + ["Fix it."] * 49
    surface = _surface_words(texts, {"pothol", "nhs"}, sample=5)
    assert surface == {"pothol": "potholes", "nhs": "NHS"}  # only the wanted stems
    assert "nhs" not in _surface_words(texts[::10], {"pothol", "nhs"})
