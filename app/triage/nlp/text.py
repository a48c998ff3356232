"""Text normalisation and tokenising shared by the triage NLP core.

Everything here is plain Python plus nltk's Snowball stemmer and scikit-learn's stop-word list,
both of which ship with their packages: nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# scikit-learn's list drops some words that carry meaning for public-service ideas
# ("fire" risk, energy "bill", "empty" homes, "first"-come-first-served, help "before" a
# crisis, "top" of a list...). They are kept as content words.
KEEP_WORDS = frozenset({
    "fire", "bill", "empty", "system", "find", "interest", "detail", "first", "top", "before",
    "call", "move", "full", "amount", "bottom", "front", "back", "most", "least", "next",
    "last", "never", "whole", "found", "show", "give", "take", "put", "cannot", "off", "out",
    "up", "down", "over", "under", "together", "against", "without", "more", "less", "only",
    "every", "all", "few", "many", "much", "side",
})
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS - KEEP_WORDS) | frozenset({
    "s", "t", "d", "ll", "m", "re", "ve", "don", "doesn", "isn", "aren", "won", "wasn",
    "weren", "shouldn", "wouldn", "couldn", "didn", "hasn", "haven", "hadn", "let", "just",
    "like", "really", "also", "would", "could", "should", "shall", "might", "must",
    "may", "will", "can", "get", "got", "make", "made", "use", "used",
    "people", "need", "needs", "want",
})
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.\w+")
_APOSTROPHE_S = re.compile(r"'s\b")
_TOKEN = re.compile(r"[a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u02bc", "'"), ("`", "'"),
           ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"))

_stemmer = SnowballStemmer("english")


def normalise(text: str | None) -> str:
    """Unicode-normalised, case-folded text with accents, URLs and e-mail addresses removed.

    The result keeps punctuation and word boundaries (character n-grams are taken from it)
    and has single spaces only.
    """
    if not text:
        return ""
    text = str(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for old, new in _QUOTES:
            if old in text:
                text = text.replace(old, new)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = _COMBINING.sub("", text)
    if "'" in text:
        text = _APOSTROPHE_S.sub("", text).replace("'", "")
    return " ".join(text.split())


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball (Porter 2) stem of one lower-case word, cached."""
    try:
        return _STEMS[word]
    except KeyError:
        result = _stemmer.stem(word)
        if len(_STEMS) < 500_000:
            _STEMS[word] = result
        return result


def words(text: str | None) -> list[str]:
    """Lower-case word tokens of the normalised text, stop words kept, not stemmed."""
    return _TOKEN.findall(normalise(text))


_SINGLE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@functools.lru_cache(maxsize=8)
def _left_out(stop_words: frozenset[str]) -> frozenset[str]:
    # [a-z0-9]+ tokens of one character are these 36: one set lookup drops them and the stop
    # words together (a third faster than testing the length too, at millions of words).
    return stop_words | _SINGLE_CHARACTERS


def content_words(text: str | None,
                  stop_words: frozenset[str] | set[str] = STOP_WORDS) -> list[str]:
    """Normalised words of ``text`` without stop words and single letters, not stemmed."""
    left_out = (_left_out(stop_words) if isinstance(stop_words, frozenset)
                else frozenset(stop_words) | _SINGLE_CHARACTERS)
    return [w for w in _TOKEN.findall(normalise(text)) if w not in left_out]


def tokens(text: str | None, stop_words: frozenset[str] = STOP_WORDS) -> list[str]:
    """Normalised, stop-word-free, Snowball-stemmed tokens of ``text``.

    Single letters are dropped; numbers are kept (years, "a1" road names).
    """
    return [stem(w) for w in content_words(text, stop_words)]


class Token(NamedTuple):
    """One token with the surface word it came from and its place in the original text."""

    stem: str
    surface: str
    start: int
    end: int


_PLAIN = re.compile(r"[a-z0-9]+")
_SURFACE_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)


def token_spans(text: str | None, stop_words: frozenset[str] = STOP_WORDS) -> list[Token]:
    """Like :func:`tokens` but keeps each token's surface word and offsets in ``text``.

    Used to show people the words that drove a suggestion in the text they wrote.
    """
    out: list[Token] = []
    if not text:
        return out
    for match in _SURFACE_TOKEN.finditer(text):
        surface = match.group(0)
        lowered = surface.lower()
        parts = [lowered] if _PLAIN.fullmatch(lowered) else _TOKEN.findall(normalise(surface))
        for part in parts:
            if len(part) > 1 and part not in stop_words:
                out.append(Token(stem(part), surface, match.start(), match.end()))
    return out
