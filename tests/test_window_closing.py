"""Ending a window's stages before their dates: closing the whole window ("Close"), and what
its pages then say about when ideas and voting ended."""

import re

from sqlalchemy import select

from app.extensions import db
from app.filters import london_date, london_datetime
from app.models import IdeaWindow, Role, utcnow
from tests.support.forms import submit, text
from tests.test_voting import support
from tests.test_window_changes import supporters


def key_dates(page: str) -> dict[str, str]:
    """The window page's key dates, as a reader sees them."""
    rows = re.findall(r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>\s*'
                      r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page, re.S)
    return {key: " ".join(value.split()) for key, value in rows}


def close(app, client, window_id: int) -> IdeaWindow:
    """Close the window as staff do, and hand it back as it is now."""
    page = text(submit(client, f"/staff/windows/{window_id}/close", {}))
    assert "is closed." in page
    with app.app_context():
        closed = db.session.get(IdeaWindow, window_id)
        db.session.expunge(closed)
    return closed


def test_a_window_closed_while_voting_was_open_says_voting_ended_then(
        app, client, auth, make_user, make_window, make_idea):
    window = make_window(stage="voting")
    idea = make_idea(window, make_user())
    with app.app_context():
        supporters(window, idea, 2)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    closed = close(app, client, window.id)
    auth.sign_out()
    ended = london_datetime(closed.closed_at)
    planned = london_datetime(window.voting_close_at)

    dates = key_dates(text(client.get(f"/windows/{window.id}")))
    assert dates["Voting closes"] == f"{ended}, when the window was closed"
    assert dates["Ideas close"] == london_datetime(window.submissions_close_at)  # before it
    assert dates["Voting opens"] == london_datetime(window.voting_open_at)
    listing = text(client.get("/windows"))
    assert (f"Voting from {london_date(window.voting_open_at)} to "
            f"{london_date(closed.closed_at)}.") in listing
    idea_page = text(client.get(f"/ideas/{idea.id}"))
    assert (f"Voting closed on {london_date(closed.closed_at)}, when the window was closed."
            in idea_page)
    shortlist = text(client.get(f"/windows/{window.id}/shortlist"))
    assert f"Voting closed on {london_date(closed.closed_at)}" in shortlist

    # Publishing the shortlist later changes none of it.
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_published_at = utcnow()
        db.session.commit()
    pages = [text(client.get(url)) for url in
             (f"/windows/{window.id}", "/windows", f"/ideas/{idea.id}")]
    assert key_dates(pages[0])["Voting closes"] == f"{ended}, when the window was closed"
    for page in pages:
        assert planned not in page and london_date(window.voting_close_at) not in page
    record = client.get(f"/api/windows/{window.id}").get_json()
    assert record["closed_at"] == closed.closed_at.isoformat()
    assert record["voting_close_at"] == window.voting_close_at.isoformat()  # the schedule


def test_a_window_closed_while_ideas_were_open_says_voting_did_not_open(
        app, client, auth, make_user, make_window, make_idea):
    window = make_window(stage="open")  # voting opens in 5 days
    idea = make_idea(window, make_user("rosa@example.org"))
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    closed = close(app, client, window.id)
    when = london_datetime(closed.closed_at)

    dates = key_dates(text(client.get(f"/windows/{window.id}")))
    assert dates["Ideas close"] == f"{when}, when the window was closed"
    assert dates["Voting opens"] == f"Did not open: the window was closed on {when}"
    assert "Voting closes" not in dates
    listing = text(client.get("/windows"))
    assert "Voting did not open: the window was closed." in listing
    assert f"to {london_date(closed.closed_at)}." in listing
    idea_page = text(client.get(f"/ideas/{idea.id}"))
    assert (f"Voting did not open: the window was closed on {london_date(closed.closed_at)}."
            in idea_page)
    assert f"Voting opens on {london_date(window.voting_open_at)}" not in idea_page
    staff_list = text(client.get("/staff/windows"))
    assert (f"Ideas: {london_date(window.submissions_open_at)} to "
            f"{london_date(closed.closed_at)}") in staff_list
    # Someone trying to support is told the window is closed, not that voting opens soon.
    auth.sign_out()
    auth.sign_in("rosa@example.org")
    reply = support(client, idea.id, json_reply=True)
    assert reply.status_code == 409
    assert reply.get_json()["error"] == "This window is closed, so nobody can support ideas in it."


def test_reopening_gives_the_pages_their_dates_back(app, client, auth, make_user, make_window):
    window = make_window(stage="voting")
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    close(app, client, window.id)
    submit(client, f"/staff/windows/{window.id}/reopen", {})
    dates = key_dates(text(client.get(f"/windows/{window.id}")))
    assert dates["Voting closes"] == london_datetime(window.voting_close_at)


def test_a_window_closed_after_its_dates_shows_its_dates(client, make_window):
    window = make_window(stage="closed")  # closed a day ago, voting ended weeks before
    dates = key_dates(text(client.get(f"/windows/{window.id}")))
    assert dates["Voting closes"] == london_datetime(window.voting_close_at)
    assert dates["Ideas close"] == london_datetime(window.submissions_close_at)


def test_the_model_says_when_each_stage_ended(app_context, make_window):
    window = db.session.scalar(select(IdeaWindow).where(
        IdeaWindow.id == make_window(stage="voting").id))
    assert window.voting_end_at == window.voting_close_at and not window.voting_has_ended()
    window.closed_at = utcnow()
    assert window.voting_end_at == window.closed_at and window.voting_has_ended()
    assert window.submissions_end_at == window.submissions_close_at  # ended before the close
    assert window.closed_by(window.voting_close_at)
    assert not window.closed_by(window.voting_open_at)
