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


MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"(^|\s)(?:[-*+]|\d+\.)\s+|[*_`]+")


def excerpt(text: str | None, length: int = 200) -> str:
    """The start of a text as plain words, cut at a word boundary (for lists of ideas).

    Cheap on purpose: a list page shows twenty, so this strips Markdown with two regular
    expressions instead of rendering it. The template escapes the result."""
    plain = MARKDOWN_MARKS.sub(r"\1", MARKDOWN_LINK.sub(r"\1", text or ""))
    plain = " ".join(plain[: length * 2].split())
    if len(plain) <= length:
        return plain
    return plain[:length].rsplit(" ", 1)[0] + "…"
