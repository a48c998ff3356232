"""People's text: simple Markdown rendered safely."""

from html.parser import HTMLParser

import pytest

from app.text import excerpt, render_markdown


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
