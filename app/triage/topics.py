"""Themes in a set of ideas: non-negative matrix factorisation of TF-IDF word weights.
Plain Python and scikit-learn, no Flask (part of the triage core)."""

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from app.triage.nlp.text import STOP_WORDS, content_words, stem
from app.triage.nlp.vectors import collector_paused

# A theme's words name what ideas are about, so words that only say how much or how soon,
# or what any request does, are left out: the similarity search keeps "every", "all",
# "more" and "early" (they can tell two asks apart), a theme's label should not show them.
THEME_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | STOP_WORDS | frozenset({
    "early", "open", "new", "help", "ensure", "provide", "allow", "introduce", "improve",
    "better", "please", "ask", "asking", "idea", "ideas", "thing", "things", "lot", "lots",
    "way", "ways", "problem", "problems", "issue", "issues", "year", "years", "time",
    "times", "day", "days", "number", "place", "really", "bit", "sure", "long", "good",
})
# scikit-learn's default (1e-4) took twice the iterations for 0.7% of the ideas' themes at
# 100,000 ideas (docs/triage.md).
NMF_TOL = 1e-3
# Labels are read from this many texts at most (spread over the window): at 100,000 ideas
# reading them all took 11 s, more than finding the themes.
SURFACE_SAMPLE = 5_000
# Words and the ends of sentences, to tell a proper noun ("Millbrook") from a capital that
# only starts a sentence ("Potholes come back").
_WORD_OR_STOP = re.compile(r"[^\W_]+|[.!?\n]")


def _theme_tokens(text: str) -> list[str]:
    return [stem(w) for w in content_words(text, THEME_STOP_WORDS)]


@dataclass
class Theme:
    """A topic: its most telling words and the ideas that are mostly about it, those most
    about it first."""

    words: list[str]
    idea_ids: list[int]


def find_themes(ids: list[int], texts: list[str], count: int | None = None,
                top_words: int = 6) -> list[Theme]:
    """The main themes, largest first. Words are shown as people wrote them, not as stems."""
    if len(texts) < 4:
        return []
    count = count or max(2, min(10, len(texts) // 6))
    vectoriser = TfidfVectorizer(analyzer=_theme_tokens, min_df=2, max_df=0.6,
                                 sublinear_tf=True)
    try:
        with collector_paused():  # millions of short-lived lists of words
            matrix = vectoriser.fit_transform(texts)
    except ValueError:  # no word appears in two ideas
        return []
    count = min(count, matrix.shape[1], matrix.shape[0])
    model = NMF(n_components=count, init="nndsvda", random_state=0, max_iter=400, tol=NMF_TOL)
    weights = model.fit_transform(matrix)
    vocabulary = np.array(vectoriser.get_feature_names_out())
    themes = []
    for topic in range(count):
        mine = np.flatnonzero(weights.argmax(axis=1) == topic)
        mine = mine[weights[mine, topic] > 0]
        # Most about the theme first (ties by position), so that its first ideas show it best.
        members = [ids[i] for i in mine[np.lexsort((mine, -weights[mine, topic]))]]
        if not members:
            continue
        top = vocabulary[np.argsort(-model.components_[topic])[:top_words]]
        themes.append(Theme(words=list(top), idea_ids=members))
    surface = _surface_words(texts, {word for theme in themes for word in theme.words})
    for theme in themes:
        theme.words = [surface.get(s, s) for s in theme.words]
    return sorted(themes, key=lambda t: -len(t.idea_ids))


def _surface_words(texts: list[str], wanted: set[str] | None = None,
                   sample: int = SURFACE_SAMPLE) -> dict[str, str]:
    """For each stem (of ``wanted``, or every one), the word people used most for it: in
    lower case, unless they always write it with a capital, even inside sentences (names of
    places, services, schemes). Read from at most ``sample`` texts spread over the list (a
    theme's top words are common ones), then from the rest for any wanted stem not seen."""
    step = max(1, len(texts) // max(sample, 1))
    surface = _read_surface_words(texts[::step], wanted)
    missing = (wanted or set()) - surface.keys()
    if missing and step > 1:
        surface.update(_read_surface_words(texts, missing))
    return surface


@collector_paused()
def _read_surface_words(texts: list[str], wanted: set[str] | None) -> dict[str, str]:
    inside: dict[str, Counter] = {}  # forms as written inside sentences
    first: dict[str, Counter] = {}  # in lower case, words that start a sentence
    for text in texts:
        starts_sentence = True
        for match in _WORD_OR_STOP.finditer(text):
            written = match.group(0)
            if written in ".!?\n":
                starts_sentence = True
                continue
            for word in content_words(written, THEME_STOP_WORDS):
                if wanted is not None and stem(word) not in wanted:
                    continue
                if starts_sentence:
                    first.setdefault(stem(word), Counter())[word] += 1
                else:
                    form = written if written.lower() == word else word
                    inside.setdefault(stem(word), Counter())[form] += 1
            starts_sentence = False
    surface = {}
    for word_stem in first.keys() | inside.keys():
        counts = inside.get(word_stem) or first[word_stem]
        lower = [form for form in counts if not any(c.isupper() for c in form)]
        surface[word_stem] = max(lower or counts, key=lambda form: (counts[form], form))
    return surface
