"""Themes in a set of ideas: non-negative matrix factorisation of TF-IDF word weights.
Plain Python and scikit-learn, no Flask (part of the triage core)."""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from app.triage.nlp.text import content_words, stem, tokens


@dataclass
class Theme:
    """A topic: its most telling words and the ideas that are mostly about it."""

    words: list[str]
    idea_ids: list[int]


def find_themes(ids: list[int], texts: list[str], count: int | None = None,
                top_words: int = 6) -> list[Theme]:
    """The main themes, largest first. Words are shown as people wrote them, not as stems."""
    if len(texts) < 4:
        return []
    count = count or max(2, min(10, len(texts) // 6))
    vectoriser = TfidfVectorizer(analyzer=tokens, min_df=2, max_df=0.6, sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # no word appears in two ideas
        return []
    count = min(count, matrix.shape[1], matrix.shape[0])
    model = NMF(n_components=count, init="nndsvda", random_state=0, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = np.array(vectoriser.get_feature_names_out())
    surface = _surface_words(texts)
    themes = []
    for topic in range(count):
        members = [ids[i] for i in np.flatnonzero(weights.argmax(axis=1) == topic)
                   if weights[i, topic] > 0]
        if not members:
            continue
        top = vocabulary[np.argsort(-model.components_[topic])[:top_words]]
        themes.append(Theme(words=[surface.get(s, s) for s in top], idea_ids=members))
    return sorted(themes, key=lambda t: -len(t.idea_ids))


def _surface_words(texts: list[str]) -> dict[str, str]:
    """For each stem, the word people used most for it."""
    seen: dict[str, Counter] = {}
    for text in texts:
        for word in content_words(text):
            seen.setdefault(stem(word), Counter())[word] += 1
    return {s: counts.most_common(1)[0][0] for s, counts in seen.items()}
