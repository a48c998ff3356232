"""Sign-in, registration, password reset, account emails and password checks are rate limited,
counting real attempts only, with a GOV.UK 429 page that says why the limit is there and how
long to wait."""

import re

import pytest

from app.extensions import db
from app.models import User
from tests.support.factories import PASSWORD
from tests.support.forms import csrf_token, submit, text

# Each of these is a real attempt: a password checked, an account created, an email sent.
ATTEMPTS = [
    ("RATELIMIT_SIGN_IN", "/sign-in", {"email": "a@example.org", "password": "x"}),
    ("RATELIMIT_REGISTER", "/register",
     {"email": "a@example.org", "display_name": "Ada", "password": PASSWORD}),
    ("RATELIMIT_PASSWORD_RESET", "/forgot-password", {"email": "a@example.org"}),
]
# And these are mistakes in the form, which a person corrects and which cost nothing.
MISTAKES = {"/sign-in": ({"email": "a@example.org", "password": ""}, "Enter your password"),
            "/register": ({"email": "a@example.org", "display_name": "Ada",
                           "password": "too short"}, "Password must be 12 characters or more"),
            "/forgot-password": ({"email": "not an address"},
                                 "Enter an email address in the correct format")}


@pytest.mark.parametrize(("setting", "url", "data"), ATTEMPTS)
def test_too_many_attempts_get_the_429_page(app, client, monkeypatch, setting, url, data):
    monkeypatch.setitem(app.config, setting, "3 per minute")
    token = csrf_token(client, url)
    statuses = [client.post(url, data={**data, "csrf_token": token}).status_code
                for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429
    response = client.post(url, data={**data, "csrf_token": token})
    page = text(response)
    assert "You have tried too many times" in page
    assert "Wait 1 minute, then try again." in page
    assert 0 < int(response.headers["Retry-After"]) <= 60
    reading = client.get(url)
    assert reading.status_code == 200  # reading the page is never limited
    assert "Retry-After" not in reading.headers  # nothing was refused


@pytest.mark.parametrize(("setting", "url", "data"), ATTEMPTS)
def test_mistakes_in_the_form_do_not_count(app, client, monkeypatch, setting, url, data):
    monkeypatch.setitem(app.config, setting, "2 per minute")
    mistake, message = MISTAKES[url]
    for _ in range(6):
        response = submit(client, url, mistake)
        assert response.status_code == 200 and message in text(response)
    statuses = [submit(client, url, data).status_code for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429


def test_a_mistake_in_a_new_password_does_not_spend_a_reset(app, client, monkeypatch,
                                                             make_user, mailbox):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_RESET", "2 per minute")
    make_user("rosa@example.org")
    submit(client, "/forgot-password", {"email": "rosa@example.org"})
    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/")
    for _ in range(4):
        assert "Password must be 12 characters or more" in text(
            submit(client, link, {"password": "short"}))
    response = submit(client, link, {"password": "a-brand-new-passphrase-77"})
    assert "Your password has been changed" in text(response)
    # A link that no longer works counts: that is what guessing looks like.
    token = csrf_token(client)
    statuses = [client.post(link, data={"password": "x", "csrf_token": token}).status_code
                for _ in range(2)]
    assert statuses == [400, 429]


def test_wrong_passwords_count_and_a_right_one_does_not(app, client, monkeypatch, make_user):
    monkeypatch.setitem(app.config, "RATELIMIT_SIGN_IN", "3 per minute")
    make_user("rosa@example.org")
    for _ in range(2):
        assert "Enter a correct email address and password" in text(
            submit(client, "/sign-in", {"email": "rosa@example.org", "password": "wrong"}))
    assert "You’re signed in" in text(
        submit(client, "/sign-in", {"email": "rosa@example.org", "password": PASSWORD}))
    submit(client, "/sign-out", {}, page="/account")
    assert "Enter a correct email address and password" in text(
        submit(client, "/sign-in", {"email": "rosa@example.org", "password": "wrong"}))
    assert submit(client, "/sign-in", {"email": "rosa@example.org",
                                       "password": PASSWORD}).status_code == 429


def test_every_post_counts_towards_a_higher_ceiling(app, client, monkeypatch):
    """Attempts are checked before the view and counted after it, so requests sent at the same
    moment all pass the check; the ceiling counts each one as it arrives."""
    monkeypatch.setitem(app.config, "RATELIMIT_FORM_CEILING", "4 per minute")
    statuses = [submit(client, "/sign-in", {"email": "", "password": ""}).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_the_page_gives_the_longest_wait_of_the_limits_broken(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_RESET", "1 per minute;1 per hour")
    submit(client, "/forgot-password", {"email": "a@example.org"})
    response = submit(client, "/forgot-password", {"email": "a@example.org"})
    assert response.status_code == 429
    assert "Wait 1 hour, then try again." in text(response)
    assert 3500 < int(response.headers["Retry-After"]) <= 3600


@pytest.mark.parametrize(("seconds", "words"), [
    (None, "a few minutes"), (0, "1 minute"), (59, "1 minute"), (61, "2 minutes"),
    (300, "5 minutes"), (3540, "59 minutes"), (3541, "1 hour"), (3600, "1 hour"),
    (3601, "2 hours"),
])
def test_waits_are_in_plain_words_and_never_too_short(seconds, words):
    from app.rate_limits import wait_in_words

    assert wait_in_words(seconds) == words


def test_new_confirmation_links_are_limited_per_account(app, client, auth, make_user,
                                                          monkeypatch, mailbox):
    monkeypatch.setitem(app.config, "RATELIMIT_ACCOUNT_EMAILS", "2 per hour")
    make_user("rosa@example.org", verified=False)
    auth.sign_in("rosa@example.org")
    for _ in range(2):
        assert "We’ve sent a new link" in text(
            submit(client, "/account/resend-verification", {}, page="/account"))
    response = submit(client, "/account/resend-verification", {}, page="/account")
    assert response.status_code == 429
    assert re.search(r"Wait (\d+ minutes|1 hour), then try again\.", text(response))
    assert len(mailbox.to("rosa@example.org")) == 2


def test_changing_email_is_limited_per_account(app, client, auth, make_user, monkeypatch,
                                               mailbox):
    monkeypatch.setitem(app.config, "RATELIMIT_ACCOUNT_EMAILS", "2 per hour")
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    for _ in range(3):  # a mistake in the form costs nothing
        assert "Enter your email address" in text(
            submit(client, "/account/change-email", {"email": "", "password": PASSWORD}))
    for n in range(2):
        submit(client, "/account/change-email", {"email": f"victim{n}@example.org",
                                                 "password": PASSWORD})
    assert submit(client, "/account/change-email", {"email": "victim@example.org",
                                                    "password": PASSWORD}).status_code == 429
    assert not mailbox.to("victim@example.org")


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
from app.extensions import db
from config import TestConfig
app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                              "RATELIMIT_KEY_PREFIX": sys.argv[1],
                              "RATELIMIT_SIGN_IN": "2 per minute", "WTF_CSRF_ENABLED": False})
with app.app_context():  # a wrong password is checked against the accounts table
    db.create_all()
client = app.test_client()
wrong = {"email": "a@example.org", "password": "not the password"}
print(" ".join(str(client.post("/sign-in", data=wrong).status_code)
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


def test_a_wrong_password_counts_on_the_delete_form_even_with_the_box_unticked(
        app, client, auth, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_CHECK", "2 per minute")
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    for _ in range(2):
        assert "password is not correct" in text(submit(client, "/account/delete",
                                                        {"password": "not-my-password"}))
    assert submit(client, "/account/delete", {"password": "guess"}).status_code == 429


# Changing the password and deleting the account check the current password: wrong ones count,
# per account and for both forms together, so that a session left signed in cannot be used to
# guess it. Mistakes in the rest of the form cost nothing.
WRONG = {"/account/change-password": {"current_password": "not-my-password",
                                      "password": "a-brand-new-passphrase-77"},
         "/account/delete": {"confirm": "y", "password": "not-my-password"}}


@pytest.mark.parametrize(("url", "mistake", "message"), [
    ("/account/change-password", {"current_password": "", "password": "a-brand-new-passphrase-77"},
     "Enter your current password"),
    ("/account/change-password", {"current_password": PASSWORD, "password": "too short"},
     "Password must be 12 characters or more"),
    ("/account/change-password", {"current_password": PASSWORD, "password": PASSWORD},
     "Enter a new password that is different from your current one"),
    # The password is checked even when the box is not ticked (every problem shows at once), so
    # a wrong one counts there too: else unticking it would make a free way to guess.
    ("/account/delete", {"password": PASSWORD},
     "Confirm that you understand you cannot undo this"),
])
def test_wrong_current_passwords_are_limited_and_mistakes_are_not(
        app, client, auth, make_user, monkeypatch, url, mistake, message):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_CHECK", "3 per minute")
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    for _ in range(5):
        response = submit(client, url, mistake)
        assert response.status_code == 200 and message in text(response)
    for _ in range(3):
        assert "password is not correct" in text(submit(client, url, WRONG[url]))
    response = submit(client, url, WRONG[url])
    assert response.status_code == 429
    assert "Wait 1 minute, then try again." in text(response)
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert client.get(url).status_code == 200  # reading the page is never limited


def test_both_forms_share_one_allowance_per_account(app, client, auth, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_CHECK", "3 per hour")
    rosa = make_user("rosa@example.org")
    make_user("sam@example.org")
    auth.sign_in("rosa@example.org")
    submit(client, "/account/change-password", WRONG["/account/change-password"])
    submit(client, "/account/delete", WRONG["/account/delete"])
    # The right password does not count...
    assert "Your password has been changed" in text(submit(
        client, "/account/change-password",
        {"current_password": PASSWORD, "password": "a-brand-new-passphrase-77"}))
    submit(client, "/account/change-password", WRONG["/account/change-password"])
    # ...but once three wrong ones are spent, neither form checks a password, right or wrong.
    response = submit(client, "/account/delete",
                      {"confirm": "y", "password": "a-brand-new-passphrase-77"})
    assert response.status_code == 429
    assert "Wait 1 hour, then try again." in text(response)
    assert submit(client, "/account/change-password", WRONG["/account/change-password"]
                  ).status_code == 429
    with app.app_context():
        assert db.session.get(User, rosa.id).deleted_at is None
    # Another account signed in on the same computer has its own allowance.
    auth.sign_out()
    auth.sign_in("sam@example.org")
    assert "password is not correct" in text(
        submit(client, "/account/delete", WRONG["/account/delete"]))


# ---- The page says why the limit is there ---------------------------------------------------

def until_refused(send, most: int):
    """Send a request until one is refused (at most `most` + 1 of them); the refusal."""
    for _ in range(most + 1):
        response = send()
        if response.status_code == 429:
            return response
    raise AssertionError(f"no request of {most + 1} was refused")


@pytest.fixture
def signed_in_idea(auth, make_user, make_window, make_idea):
    """A resident signed in, and an idea of someone else's in a window open for voting."""
    window = make_window(stage="overlap")
    idea = make_idea(window, make_user(), title="Late buses on the ring road")
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    return idea


def test_a_limit_on_supporting_says_it_keeps_counts_fair(client, signed_in_idea):
    token = csrf_token(client, f"/ideas/{signed_in_idea.id}")
    response = until_refused(lambda: client.post(f"/ideas/{signed_in_idea.id}/support",
                                                 data={"csrf_token": token}), 120)
    page = text(response)
    assert "<title>You have changed your support too many times" in page
    assert ("To keep support counts fair we limit how often ideas can be supported or have "
            "their support withdrawn. Wait 1 minute, then try again.") in page
    assert "accounts safe" not in page
    # The support button's script shows the reason beside the button.
    reply = client.post(f"/ideas/{signed_in_idea.id}/support", data={"csrf_token": token},
                        headers={"Accept": "application/json"})
    assert reply.status_code == 429
    assert reply.get_json()["error"].startswith("To keep support counts fair")
    assert reply.get_json()["error"].endswith("Wait 1 minute, then try again.")


def test_a_limit_on_reporting_says_moderators_read_every_report(client, signed_in_idea):
    url = f"/ideas/{signed_in_idea.id}/report"
    token = csrf_token(client, url)
    page = text(until_refused(lambda: client.post(url, data={"reason": "spam",
                                                             "csrf_token": token}), 20))
    assert "You have reported too many ideas" in page
    assert re.search(r"So that moderators can read every report, we limit how many ideas can "
                     r"be reported\. Wait (\d+ minutes|1 hour), then try again\.", page)


def test_a_limit_on_sending_ideas_says_so(client, signed_in_idea):
    url = f"/windows/{signed_in_idea.window_id}/submit/myself"
    token = csrf_token(client, url)
    # Empty forms: this limit counts every idea form sent, mistakes included.
    page = text(until_refused(lambda: client.post(url, data={"csrf_token": token}), 60))
    assert "You have sent too many ideas" in page
    assert re.search(r"To stop the service being flooded we limit how often ideas can be sent\. "
                     r"Wait (\d+ minutes|1 hour), then try again\.", page)


def test_a_limit_on_account_emails_says_it_protects_inboxes(app, client, auth, make_user,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ACCOUNT_EMAILS", "1 per hour")
    make_user("rosa@example.org", verified=False)
    auth.sign_in("rosa@example.org")
    page = text(until_refused(
        lambda: submit(client, "/account/resend-verification", {}, page="/account"), 1))
    assert "You have asked for too many emails" in page
    assert ("To stop anyone’s inbox being flooded we limit how many emails we send about an "
            "account. Wait 1 hour, then try again.") in page


def test_a_limit_on_open_data_says_so_in_the_api_error(client, make_window):
    window = make_window()
    first = client.get(f"/api/windows/{window.id}")
    # How much is left is said on every answer, but a wait only on a refusal.
    assert first.headers["X-RateLimit-Remaining"] and "Retry-After" not in first.headers
    response = until_refused(lambda: client.get(f"/api/windows/{window.id}"), 120)
    assert 0 < int(response.headers["Retry-After"]) <= 60
    error = response.get_json()["error"]
    assert error["status"] == 429
    assert error["message"] == (
        "You have asked for open data too many times. To keep the service quick for everyone "
        "we limit how often open data can be downloaded. Wait 1 minute, then try again.")


def test_every_limit_names_a_reason_the_page_knows(app):
    """A limit made without `because` would get the page's general wording."""
    from app.extensions import limiter
    from app.rate_limits import WHY, because

    with pytest.raises(KeyError):
        because("something new")
    # Flask-Limiter keeps the decorated limits by view; it has no public way to list them.
    decorated = limiter.limit_manager._decorated_limits
    assert len(decorated) >= 15
    for view, limits in decorated.items():
        for limit in limits:
            assert limit.error_message in WHY, view
