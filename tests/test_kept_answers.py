"""An idea form sent after the session timed out: what was typed is kept, survives signing
in again, fills the form, and is forgotten once the form is sent."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.intake import kept
from app.models import Idea, KeptAnswers, utcnow
from tests.support.forms import csrf_token_from, submit, text

LONG_PROBLEM = ("The towpath between the lock and the station has no lights. " * 60).strip()
ANSWERS = {"title": "Light the towpath by the canal", "problem": LONG_PROBLEM,
           "action": "Use the council’s footfall counts to choose where lights go first.",
           "consent": "y"}
HERE = {"Origin": "http://localhost"}


def unescaped(response) -> str:
    return html.unescape(text(response))


AUTHOR = re.compile(r'name="kept_author" value="([^"]+)"')


def hidden_fields(client, path: str) -> dict:
    """The form's CSRF token and its signed author, as the page gives them."""
    page = client.get(path).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page), "kept_author": AUTHOR.search(page).group(1)}


def out_of_date(client, path: str) -> dict:
    """The answers with the form's signed author but a CSRF token that no longer holds."""
    return {**ANSWERS, **hidden_fields(client, path), "csrf_token": "out-of-date"}


def timed_out_post(app, client, path: str, data: dict, headers=HERE):
    """Send the form on `path` from a browser whose session has ended since it was loaded:
    its token belongs to a session the new request no longer carries."""
    fields = hidden_fields(client, path)
    fresh = app.test_client()  # the cookie has expired: nothing of the old session is sent
    return fresh, fresh.post(path, data={**data, **fields}, headers=headers)


def kept_rows(app) -> list[KeptAnswers]:
    with app.app_context():
        return list(db.session.scalars(select(KeptAnswers)))


@pytest.fixture
def rosas_form(make_window, make_user, auth) -> str:
    """The idea form of a window open for ideas, with Rosa signed in: its path."""
    window = make_window()
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    return f"/windows/{window.id}/submit/myself"


def test_an_idea_sent_after_the_session_ended_survives_signing_in_again(app, client, rosas_form):
    path = rosas_form

    browser, response = timed_out_post(app, client, path, ANSWERS)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={path}"
    page = unescaped(browser.get(response.headers["Location"]))
    assert kept.SIGN_IN_FIRST in page
    assert "nothing was saved" not in page

    response = submit(browser, f"/sign-in?next={path}",
                      {"email": "rosa@example.org", "password": "correct-horse-battery-staple-42"})
    assert response.request.path == path
    page = unescaped(response)
    assert kept.KEPT in page
    assert "Light the towpath by the canal" in page and LONG_PROBLEM in page
    assert "footfall counts" in page
    assert 'name="consent" type="checkbox" value="y" checked' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id))) == 0  # nothing saved yet

    # Sent again, it makes the draft, and the answers are forgotten.
    response = submit(browser, path, ANSWERS)
    assert "Check your idea before you publish it" in text(response)
    assert kept_rows(app) == []
    page = unescaped(browser.get(path))
    assert kept.KEPT not in page and LONG_PROBLEM not in page


def test_a_form_out_of_date_while_still_signed_in_comes_back_filled_in(app, client, rosas_form):
    path = rosas_form
    client.get(path)
    response = client.post(path, data=out_of_date(client, path),
                           headers=HERE, follow_redirects=True)
    assert response.request.path == path
    page = unescaped(response)
    assert kept.KEPT in page and LONG_PROBLEM in page


def test_changing_a_draft_from_check_your_answers_is_kept_too(
        app, client, auth, make_user, make_window):
    window = make_window()
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself", ANSWERS)
    idea_id = int(response.request.path.split("/")[2])
    path = f"/ideas/{idea_id}/edit"
    browser, response = timed_out_post(app, client, path,
                                       {**ANSWERS, "title": "Light the whole towpath at night"})
    submit(browser, f"/sign-in?next={path}",
           {"email": "rosa@example.org", "password": "correct-horse-battery-staple-42"})
    page = unescaped(browser.get(path))
    assert kept.KEPT in page
    assert 'value="Light the whole towpath at night"' in page or \
        ">Light the whole towpath at night</textarea>" in page
    with app.app_context():
        assert db.session.get(Idea, idea_id).title == "Light the towpath by the canal"


def test_only_the_forms_answers_are_kept_and_each_is_cut_short(app, client, rosas_form):
    path = rosas_form
    timed_out_post(app, client, path, {**ANSWERS, "problem": "x" * 50_000,
                                       "password": "hunter2", "next": "/elsewhere"})
    [row] = kept_rows(app)
    assert set(row.answers) == {"title", "problem", "action", "consent"}
    assert len(row.answers["problem"]) == kept.MAX_ANSWER
    assert row.path == path
    assert len(row.token_hash) == 64  # the session holds the token; only its hash is here


def test_another_sites_form_puts_nothing_in_the_idea_form(app, client, rosas_form):
    path = rosas_form
    for headers in ({"Origin": "https://elsewhere.example"},
                    {"Referer": "https://elsewhere.example/form"}):
        # Another site's form gets a page of its own, and no session cookie that could
        # replace the person's (tests/test_layout_and_security.py).
        _browser, response = timed_out_post(app, client, path, ANSWERS, headers=headers)
        assert response.status_code == 400 and "Nothing was saved" in text(response)
    # Without Origin or Referer nothing says where it came from: the usual message.
    browser, response = timed_out_post(app, client, path, ANSWERS, headers={})
    assert "nothing was saved" in text(browser.get(response.headers["Location"]))
    assert kept_rows(app) == []


def test_other_forms_still_say_nothing_was_saved(app, client):
    client.get("/register")
    response = client.post("/register", data={"email": "a@example.org"}, headers=HERE,
                           follow_redirects=True)
    assert "nothing was saved" in text(response)
    assert kept_rows(app) == []


def test_kept_answers_last_a_day_and_go_when_the_person_signs_out(app, client, auth, rosas_form):
    path = rosas_form
    client.post(path, data=out_of_date(client, path), headers=HERE)
    assert LONG_PROBLEM in unescaped(client.get(path))
    with app.app_context():
        db.session.execute(update(KeptAnswers).values(
            created_at=utcnow() - kept.KEPT_FOR - timedelta(minutes=1)))
        db.session.commit()
    assert LONG_PROBLEM not in unescaped(client.get(path))

    client.post(path, data=out_of_date(client, path), headers=HERE)
    assert len(kept_rows(app)) == 1  # the one kept before has gone
    auth.sign_out()
    assert kept_rows(app) == []
    auth.sign_in("rosa@example.org")
    assert LONG_PROBLEM not in unescaped(client.get(path))


def test_one_address_can_keep_only_so_many(app, client, rosas_form):
    path = rosas_form
    author = hidden_fields(client, path)["kept_author"]
    for _ in range(kept.PER_ADDRESS.amount):
        response = app.test_client().post(path, data={**ANSWERS, "kept_author": author},
                                          headers=HERE)
        assert response.headers["Location"].startswith("/sign-in")
    response = app.test_client().post(path, data={**ANSWERS, "kept_author": author},
                                      headers=HERE)
    assert response.headers["Location"] == "http://localhost/"


def test_kept_answers_survive_resetting_a_forgotten_password(app, client, mailbox, rosas_form):
    path = rosas_form
    browser, _response = timed_out_post(app, client, path, ANSWERS)
    submit(browser, "/forgot-password", {"email": "rosa@example.org"})
    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/")
    link = link.replace("http://localhost", "")
    submit(browser, link, {"password": "a-brand-new-passphrase-77"})
    submit(browser, "/sign-in", {"email": "rosa@example.org",
                                 "password": "a-brand-new-passphrase-77"})
    page = unescaped(browser.get(path))
    assert kept.KEPT in page and LONG_PROBLEM in page


def test_kept_answers_go_back_only_to_the_account_that_wrote_them(
        app, client, auth, make_user, make_window):
    """On a shared computer the next person to sign in must not find someone else's words."""
    window = make_window()
    make_user("rosa@example.org")
    make_user("fred@example.org")
    auth.sign_in("rosa@example.org")
    path = f"/windows/{window.id}/submit/myself"
    browser, response = timed_out_post(app, client, path, ANSWERS)
    assert response.headers["Location"] == f"/sign-in?next={path}"
    response = submit(browser, f"/sign-in?next={path}",
                      {"email": "fred@example.org", "password": "correct-horse-battery-staple-42"})
    assert response.request.path == path
    page = unescaped(response)
    assert LONG_PROBLEM not in page and kept.KEPT not in page


def test_answers_without_a_signed_author_are_not_kept(app, client, rosas_form):
    path = rosas_form
    for author in ({}, {"kept_author": "1"}, {"kept_author": "forged.signature"}):
        browser = app.test_client()
        response = browser.post(path, data={**ANSWERS, **author}, headers=HERE)
        assert "nothing was saved" in text(browser.get(response.headers["Location"]))
    assert kept_rows(app) == []


def test_answers_kept_longer_than_a_day_are_deleted_by_the_email_sender(
        app, client, runner, rosas_form):
    path = rosas_form
    timed_out_post(app, client, path, ANSWERS)
    assert len(kept_rows(app)) == 1
    runner.invoke(args=["notifications", "send"])
    assert len(kept_rows(app)) == 1  # still within its day
    with app.app_context():
        db.session.execute(update(KeptAnswers).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and kept_rows(app) == []


def test_a_nul_character_is_dropped_from_kept_answers(app, client, rosas_form):
    path = rosas_form
    timed_out_post(app, client, path, {**ANSWERS, "title": "Light\x00 the towpath please"})
    assert kept_rows(app)[0].answers["title"] == "Light the towpath please"
