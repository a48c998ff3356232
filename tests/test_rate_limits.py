"""Sign-in, registration and password reset are rate limited, with a GOV.UK 429 page."""

import pytest

from tests.support.forms import csrf_token, text


@pytest.mark.parametrize(("setting", "url", "data"), [
    ("RATELIMIT_SIGN_IN", "/sign-in", {"email": "a@example.org", "password": "x"}),
    ("RATELIMIT_REGISTER", "/register", {"email": "a@example.org"}),
    ("RATELIMIT_PASSWORD_RESET", "/forgot-password", {"email": "a@example.org"}),
])
def test_too_many_attempts_get_the_429_page(app, client, monkeypatch, setting, url, data):
    monkeypatch.setitem(app.config, setting, "3 per minute")
    token = csrf_token(client, url)
    statuses = [client.post(url, data={**data, "csrf_token": token}).status_code
                for _ in range(4)]
    assert statuses[:3] != [429, 429, 429] and statuses[3] == 429
    response = client.post(url, data={**data, "csrf_token": token})
    assert "You have tried too many times" in text(response)
    assert "Retry-After" in response.headers
    assert client.get(url).status_code == 200  # reading the page is never limited
