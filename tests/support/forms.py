"""Posting forms the way a browser does: fetch the page, take its CSRF token, submit."""

import html
import re

from flask.testing import FlaskClient

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'type="hidden" name="csrf_token" value="([^"]+)"|'
                          r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token in a page's form."""
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return next(group for group in match.groups() if group)


def csrf_token(client: FlaskClient, page: str = "/sign-in") -> str:
    """A valid CSRF token for this client's session, taken from a page with a form."""
    return csrf_token_from(client.get(page).get_data(as_text=True))


def submit(client: FlaskClient, url: str, data: dict, *, page: str | None = None,
           follow_redirects: bool = True):
    """Load `page` (default: `url`), then post `data` to `url` with the page's CSRF token."""
    token = csrf_token(client, page or url)
    return client.post(url, data={**data, "csrf_token": token},
                       follow_redirects=follow_redirects)


HIDDEN_PATTERN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def hidden_fields(html_text: str) -> dict[str, str]:
    """The hidden fields a page's form carries (written as `<input type="hidden" name=...
    value=...>`), as a browser would send them; the CSRF token is left to `submit`."""
    return {html.unescape(name): html.unescape(value)
            for name, value in HIDDEN_PATTERN.findall(html_text) if name != "csrf_token"}


def text(response) -> str:
    return response.get_data(as_text=True)
