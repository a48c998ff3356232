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


def redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


WORKER_SCRIPT = """
import sys
from app import create_app
from config import TestConfig
app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                              "RATELIMIT_KEY_PREFIX": sys.argv[1],
                              "RATELIMIT_SIGN_IN": "2 per minute", "WTF_CSRF_ENABLED": False})
client = app.test_client()
print(" ".join(str(client.post("/sign-in", data={"email": "a@example.org"}).status_code)
               for _ in range(int(sys.argv[2]))))
"""


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_limits_are_shared_through_redis_by_separate_processes():
    """Two processes (think: two gunicorn workers) count against one limit kept in Redis.

    They run as subprocesses because Flask-Limiter keeps its storage on the module-level
    limiter, which the test app must keep using."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    prefix = f"oda-test-{uuid.uuid4().hex}"
    root = Path(__file__).resolve().parents[1]

    def worker(requests: int) -> list[str]:
        done = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, prefix, str(requests)],
                              cwd=root, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.split()

    assert worker(2) == ["200", "200"]
    assert worker(1) == ["429"]
