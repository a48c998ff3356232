"""People's text: simple Markdown (paragraphs, lists, links) made safe with bleach."""

import re

import bleach
import markdown
from bleach.linkifier import DEFAULT_CALLBACKS
from markupsafe import Markup, escape

ALLOWED_TAGS = ["p", "ul", "ol", "li", "a", "strong", "em", "br"]
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]
LIST_CLASSES = {"ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number"}


def _govuk_link(attrs, new=False):
    """Every link in people's text: GOV.UK style, and no endorsement for search engines."""
    attrs[(None, "rel")] = "nofollow ugc"
    attrs[(None, "class")] = "govuk-link"
    return attrs


def render_markdown(text: str | None) -> Markup:
    """Turn plain text with simple Markdown into safe HTML with GOV.UK classes."""
    if not text:
        return Markup("")
    # Escape first: people write plain text, so "<b>" should show as typed, not vanish.
    # A Markdown instance per call: instances keep state and are not thread-safe.
    html = markdown.markdown(str(escape(text)), extensions=["sane_lists"])
    clean = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         protocols=ALLOWED_PROTOCOLS, strip=True)
    linked = bleach.linkify(clean, callbacks=[*DEFAULT_CALLBACKS, _govuk_link],
                            parse_email=False)
    for tag, classes in LIST_CLASSES.items():
        linked = linked.replace(f"<{tag}>", f'<{tag} class="{classes}">')
    # Safe: bleach allowed only the tags and attributes above.
    return Markup(linked.replace("<p>", '<p class="govuk-body">'))  # noqa: S704


# Every span below is bounded, so that no text people can type makes these regexes slow (an
# unclosed "[" or "*" repeated would otherwise rescan the rest of the line from each one).
MARKDOWN_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)")
CUT_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]*$")  # a link the excerpt's cut ends in
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
LINE_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?)+")  # headings and quotes: their words stay
RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
# Emphasis and code around words. Underscores only outside words, as Markdown reads them:
# "snake_case_name" keeps its underscores.
STARS = re.compile(r"(\*\*|\*|``|`)(?=\S)(.{1,300}?)(?<=\S)\1")
UNDERSCORES = re.compile(r"(?<!\w)(__|_)(?=\S)(.{1,300}?)(?<=\S)\1(?!\w)")
ENDS_SENTENCE = (".", "!", "?", ":", ";", ",", "…")


def _inline_plain(line: str) -> str:
    line = MARKDOWN_LINK.sub(r"\1", line)
    return UNDERSCORES.sub(r"\2", STARS.sub(r"\2", line))


def plain_text(text: str | None) -> str:
    """Simple Markdown as one line of plain words: lists become items separated by "; ", and
    paragraphs sentences, so that "- one - two" never shows as typed."""
    pieces: list[tuple[str, bool]] = []  # (words, is a list item)
    paragraph = False  # whether the line before continues a paragraph
    for line in (text or "").splitlines():
        if not line.strip() or RULE.match(line):
            paragraph = False
            continue
        item = LIST_MARKER.match(line)
        words = " ".join(_inline_plain(LINE_MARKS.sub("", line[item.end():] if item else line))
                         .split())
        if not words:
            continue
        if paragraph and not item:
            pieces[-1] = (f"{pieces[-1][0]} {words}", pieces[-1][1])  # a wrapped line
        else:
            pieces.append((words, bool(item)))
        paragraph = True
    plain = ""
    for index, (words, is_item) in enumerate(pieces):
        if index:
            before, was_item = pieces[index - 1]
            if before.endswith(ENDS_SENTENCE):
                plain += " "
            elif was_item and is_item:
                plain += "; "
            elif is_item:
                plain += ": "  # a line that introduces a list
            else:
                plain += ". "
            if plain.endswith((". ", "! ", "? ")):
                words = _capitalised(words)
        plain += words
    return plain


def _capitalised(words: str) -> str:
    """Words that now start a sentence, with a capital ("iPhone" and "eBay" stay as typed)."""
    if words[:1].islower() and not words[1:2].isupper():
        return words[0].upper() + words[1:]
    return words


def excerpt(text: str | None, length: int = 200) -> str:
    """The start of a text as plain words (see :func:`plain_text`), cut at a word boundary,
    for lists of ideas. The template escapes the result."""
    # Only the start is read: markup rarely takes three characters in four, and a list page
    # makes twenty of these.
    plain = plain_text(CUT_LINK.sub(r"\1", (text or "")[: length * 4]))
    if len(plain) <= length:
        return plain
    return plain[:length].rsplit(" ", 1)[0].rstrip(" .,;:") + "…"
