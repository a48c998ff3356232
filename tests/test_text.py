"""People's text: simple Markdown rendered safely."""

import time
from html.parser import HTMLParser

import pytest

from app.text import excerpt, plain_text, render_markdown


def test_paragraphs_lists_and_links_get_gov_uk_classes():
    html = render_markdown("First.\n\nSecond with [a link](https://example.org).\n\n- one\n- two")
    assert '<p class="govuk-body">First.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<a href="https://example.org" rel="nofollow ugc" class="govuk-link">a link</a>' in html


def test_bare_web_addresses_become_links_too():
    assert 'href="https://example.org/x"' in render_markdown("See https://example.org/x")


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="https://x.org" onclick="steal()">x</a>',
    "<iframe src=https://evil.example>",
    "# Big heading",
])
def test_nothing_outside_the_allow_list_survives(hostile):
    elements = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, dict(attrs)))

    Collector().feed(render_markdown(hostile))
    for tag, attributes in elements:
        assert tag in {"p", "ul", "ol", "li", "a", "strong", "em", "br"}
        assert set(attributes) <= {"href", "rel", "class"}
        assert not attributes.get("href", "https:").startswith("javascript")


def test_html_typed_by_people_shows_as_text():
    assert "&lt;b&gt;bold?&lt;/b&gt;" in render_markdown("<b>bold?</b>")


def test_excerpt_is_plain_text_cut_at_a_word():
    assert excerpt("Tom & Jerry's **big** day out in town", 20) == "Tom & Jerry's big…"
    assert excerpt(None) == ""


@pytest.mark.parametrize(("typed", "plain"), [
    ("Buses stop before 7am.\n\n- nurses are late\n- patients miss appointments",
     "Buses stop before 7am. Nurses are late; patients miss appointments"),
    ("Two problems\n* the ice\n* the dark\n\nboth every winter",
     "Two problems: the ice; the dark. Both every winter"),
    ("1. first\n2) second.\n3. third", "first; second. Third"),
    ("- a list item\n  that wraps\n- iPhone users", "a list item that wraps; iPhone users"),
    ("# A heading\n\n> a quote\n\n---\n\nSee [the map](https://example.org/m).",
     "A heading. A quote. See the map."),
    ("**Bold**, *em*, `code`, __strong__ and _em_", "Bold, em, code, strong and em"),
    ("snake_case_name and 5 * 3 = 15", "snake_case_name and 5 * 3 = 15"),  # not emphasis
    ("", ""),
])
def test_plain_text_keeps_the_words_and_separates_items_and_paragraphs(typed, plain):
    assert plain_text(typed) == plain


def test_an_excerpt_never_ends_on_a_separator():
    assert excerpt("- one two three\n- four five six", 16) == "one two three…"
    assert excerpt("- one two\n- three", 200) == "one two; three"


@pytest.mark.parametrize("hostile", ["`" * 5000 + "a", "[x" * 2500, "*a " * 1700, "_a " * 1700])
def test_no_text_makes_an_excerpt_slow(hostile):
    # Unbounded, each of these took from 0.6 s to 4 s for the whole text: on a list of twenty
    # ideas, one person could slow every visitor's page. Bounded, each is a few milliseconds.
    started = time.perf_counter()
    plain_text(hostile)
    excerpt(hostile, 400)
    assert time.perf_counter() - started < 0.5


def test_an_excerpt_cut_inside_a_link_keeps_the_link_text():
    text = "Look at [the council map](https://example.org/" + "x" * 900 + ") today"
    assert excerpt(text) == "Look at the council map"
