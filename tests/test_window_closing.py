"""Ending a window's stages before their dates: closing the whole window ("Close"), and what
its pages then say about when ideas and voting ended; and closing ideas or voting early
("Close ideas now", "Close voting now"; the pages of the latter are in
tests/test_window_changes.py)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app import audit
from app.extensions import db
from app.filters import london_date, london_datetime
from app.intake import services, window_rules
from app.models import (
    AuditEvent,
    Idea,
    IdeaStatus,
    IdeaWindow,
    Notification,
    OutboxEmail,
    Role,
    WindowStage,
    utcnow,
)
from tests.support import factories
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


# ---- Closing ideas or voting early, in the service -------------------------------------------

@pytest.fixture
def staff(app_context):
    return factories.make_user("staff@example.org", role=Role.STAFF)


def moments_of(window: IdeaWindow) -> dict:
    return {name: getattr(window, f"{name}_at") for name in window_rules.MOMENTS}


def closed_early(staff, action: str, window: IdeaWindow) -> tuple[IdeaWindow, AuditEvent]:
    """Close a stage of `window` early; check that nobody was told and that closing it
    again is refused; hand back the window and the audit entry."""
    notifications = db.session.scalar(select(func.count(Notification.id)))
    getattr(services, action)(staff, window)
    closed = db.session.get(IdeaWindow, window.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == f"window.{action}"))
    assert event.actor_id == staff.id and event.target_id == str(window.id)
    # No stage change tells anyone, this one neither.
    assert db.session.scalar(select(func.count(Notification.id))) == notifications
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
    with pytest.raises(services.IntakeError) as caught:
        getattr(services, action)(staff, closed)
    again = "Ideas closed on " if action == "close_submissions" else "Voting closed on "
    assert caught.value.message.startswith(again)
    return closed, event


def test_closing_ideas_ends_them_now_and_leaves_voting_as_it_was(staff):
    window = factories.make_window(stage="open")  # voting opens in 5 days
    factories.make_idea(window, factories.make_user())
    before = moments_of(window)
    closed, event = closed_early(staff, "close_submissions", window)
    after = moments_of(closed)
    assert after["submissions_close"] <= utcnow()
    assert {k: v for k, v in after.items() if k != "submissions_close"} == {
        k: v for k, v in before.items() if k != "submissions_close"}
    assert window_rules.order_problems(after) == {}
    assert closed.stage() == WindowStage.VOTING_UPCOMING
    assert event.before == {"submissions_close_at": before["submissions_close"].isoformat()}
    assert event.after == {"submissions_close_at": after["submissions_close"].isoformat()}
    assert audit.action_label(event.action) == "Ideas closed early"


def test_closing_voting_ends_it_now_and_closes_ideas_too(staff):
    window = factories.make_window(stage="overlap")  # ideas and voting both open
    idea = factories.make_idea(window, factories.make_user())
    supporters(window, idea, 2)
    before = (window.voting_close_at, window.submissions_close_at)
    closed, event = closed_early(staff, "close_voting", window)
    assert closed.voting_close_at <= utcnow() and closed.submissions_close_at <= utcnow()
    assert closed.voting_close_at == closed.submissions_close_at
    assert window_rules.order_problems(moments_of(closed)) == {}
    assert closed.stage() == WindowStage.UNDER_REVIEW
    assert not closed.is_open_for_voting()
    assert event.before == {"voting_close_at": before[0].isoformat(),
                            "submissions_close_at": before[1].isoformat()}
    assert event.after["voting_close_at"] == closed.voting_close_at.isoformat()


def test_closing_voting_leaves_closed_ideas_as_they_were(staff):
    window = factories.make_window(stage="voting")
    closed, event = closed_early(staff, "close_voting", window)
    assert closed.submissions_close_at == window.submissions_close_at
    assert set(event.before) == {"voting_close_at"}


def test_closing_ideas_while_voting_is_open_keeps_voting_open(staff):
    window = factories.make_window(stage="overlap")
    services.close_submissions(staff, window)
    closed = db.session.get(IdeaWindow, window.id)
    assert closed.stage() == WindowStage.OPEN_FOR_VOTING and closed.is_open_for_voting()
    assert closed.voting_open_at == window.voting_open_at
    assert closed.voting_close_at == window.voting_close_at
    assert window_rules.order_problems(moments_of(closed)) == {}


def test_drafts_stay_private_and_can_no_longer_be_posted(staff):
    window = factories.make_window(stage="open")
    author = factories.make_user()
    draft = factories.make_idea(window, author, status=IdeaStatus.DRAFT)
    services.close_submissions(staff, window)
    draft = db.session.get(Idea, draft.id)
    with pytest.raises(services.IntakeError) as caught:
        services.publish_idea(author, draft, daily_limit=10)
    assert caught.value.message == "This window is closed to new ideas."
    db.session.rollback()
    draft = db.session.get(Idea, draft.id)
    assert draft.status == IdeaStatus.DRAFT and draft.published_at is None
    assert services.visible_to(draft, author)
    assert not services.visible_to(draft, factories.make_user())


@pytest.mark.parametrize(("action", "stage", "change", "reason"), [
    ("close_submissions", "upcoming", {}, "Ideas have not opened yet: they open on "),
    ("close_submissions", "voting", {}, "Ideas closed on "),
    ("close_submissions", "gap", {}, "Ideas closed on "),
    ("close_submissions", "open", {"published_at": None},
     "This window is a draft, so nobody can submit ideas to it."),
    ("close_submissions", "open", {"closed_at": "now"},
     "This window is closed, so nobody can submit ideas to it."),
    ("close_submissions", "open", {"shortlist_published_at": "now"},
     "The shortlist is published, so ideas have already closed."),
    ("close_voting", "open", {}, "Voting has not opened yet: it opens on "),
    ("close_voting", "review", {}, "Voting closed on "),
    ("close_voting", "voting", {"published_at": None},
     "This window is a draft, so nobody can vote in it."),
    ("close_voting", "voting", {"closed_at": "now"},
     "This window is closed, so nobody can support ideas"),
    ("close_voting", "voting", {"shortlist_published_at": "now"}, "The shortlist is published"),
])
def test_a_stage_closes_early_only_while_it_is_open(staff, action, stage, change, reason):
    window = factories.make_window(stage=stage)
    for name, value in change.items():
        setattr(window, name, utcnow() if value == "now" else value)
    db.session.commit()
    before = moments_of(window)
    with pytest.raises(services.IntakeError) as caught:
        getattr(services, action)(staff, window)
    assert caught.value.message.startswith(reason)
    assert moments_of(db.session.get(IdeaWindow, window.id)) == before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


@pytest.mark.parametrize(("action", "stage"), [("close_submissions", "open"),
                                               ("close_voting", "voting")])
def test_closing_a_stage_twice_at_once_closes_it_once(staff, monkeypatch, action, stage):
    window = factories.make_window(stage=stage)
    getattr(services, action)(staff, window)
    first = moments_of(db.session.get(IdeaWindow, window.id))
    # A second request that checked the window before the first one committed.
    monkeypatch.setattr(window_rules, "why_cannot_close", lambda *args: None)
    with pytest.raises(services.IntakeError) as caught:
        getattr(services, action)(staff, db.session.get(IdeaWindow, window.id))
    assert "changed while you were looking at it" in caught.value.message
    assert moments_of(db.session.get(IdeaWindow, window.id)) == first
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == f"window.{action}")) == 1


def test_a_date_changed_since_the_window_was_read_stops_the_close(staff):
    window = factories.make_window(stage="open")
    later = window.voting_close_at + timedelta(days=7)  # read: this request holds it now
    # Someone else saves the window's form in the meantime.
    with db.engine.begin() as connection:
        connection.execute(update(IdeaWindow).where(IdeaWindow.id == window.id)
                           .values(voting_close_at=later))
    with pytest.raises(services.IntakeError) as caught:
        services.close_submissions(staff, window)
    assert "changed while you were looking at it" in caught.value.message
    fresh = db.session.get(IdeaWindow, window.id)
    assert fresh.stage() == WindowStage.OPEN_FOR_IDEAS and fresh.voting_close_at == later
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


# ---- Closing ideas early, on the pages -------------------------------------------------------

@pytest.fixture
def signed_in_staff(client, auth, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    return client


def test_close_ideas_now_asks_first_and_says_what_happens(app, signed_in_staff, make_window,
                                                          make_idea, make_user):
    window = make_window(stage="open")  # voting opens in 5 days
    author = make_user()
    make_idea(window, author)
    make_idea(window, author, title="A draft about bus stops", status=IdeaStatus.DRAFT)
    listing = text(signed_in_staff.get("/staff/windows"))
    assert f'href="/staff/windows/{window.id}/close-ideas">Close ideas now' in listing
    edit = text(signed_in_staff.get(f"/staff/windows/{window.id}/edit"))
    assert f'href="/staff/windows/{window.id}/close-ideas">close ideas now</a>' in edit
    assert f"/staff/windows/{window.id}/close-voting" not in edit  # voting has not opened

    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-ideas"))
    assert f"Close ideas in {window.title} now?" in asked
    assert (f"Ideas will close now instead of on "
            f"{london_datetime(window.submissions_close_at)}. After that nobody can post a "
            f"new idea, and drafts can no longer be posted.") in asked
    assert "So far 1 idea has been posted." in asked
    assert "1 draft has not been posted. It stays private" in asked
    assert (f"Voting keeps its dates, {london_datetime(window.voting_open_at)} to "
            f"{london_datetime(window.voting_close_at)}: closing ideas does not move them."
            in asked)
    assert "Nobody is sent a message about it" in asked
    assert "Close ideas now</button>" in asked
    with app.app_context():  # asking changed nothing
        assert db.session.get(IdeaWindow, window.id).is_open_for_ideas()

    done = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-ideas", {}))
    assert (f"Ideas in “{window.title}” have closed. Its stage is now: Voting opens soon."
            in done)
    with app.app_context():
        closed = db.session.get(IdeaWindow, window.id)
        assert not closed.is_open_for_ideas()
        assert closed.voting_open_at == window.voting_open_at
        assert list(db.session.scalars(select(AuditEvent.action))) == [
            "window.close_submissions"]
    again = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-ideas"))
    assert "Ideas closed on " in again and "Close ideas now</button>" not in again
    assert "Ideas will close now" not in again
    # Pressing the button of a page left open says so rather than closing them again.
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-ideas", {},
                       page="/staff/windows"))
    assert "Ideas closed on " in page
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 1
    public = key_dates(text(signed_in_staff.get(f"/windows/{window.id}")))
    assert public["Ideas close"] == london_datetime(closed.submissions_close_at)


def test_close_ideas_now_says_voting_stays_open(app, signed_in_staff, make_window):
    window = make_window(stage="overlap")
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-ideas"))
    assert (f"Voting is open and stays open until {london_datetime(window.voting_close_at)}"
            in asked)
    done = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-ideas", {}))
    assert "Its stage is now: Open for voting." in done


def test_close_ideas_now_is_not_offered_once_ideas_have_closed(app, signed_in_staff,
                                                              make_window):
    window = make_window(stage="gap")
    assert f"/staff/windows/{window.id}/close-ideas" not in text(
        signed_in_staff.get("/staff/windows"))
    assert "close ideas now" not in text(signed_in_staff.get(f"/staff/windows/{window.id}/edit"))
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-ideas"))
    assert "Ideas closed on " in asked and "Close ideas now</button>" not in asked
    upcoming = make_window(stage="upcoming")
    asked = text(signed_in_staff.get(f"/staff/windows/{upcoming.id}/close-ideas"))
    assert "Ideas have not opened yet" in asked and "Close ideas now</button>" not in asked


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.MAYORS_OFFICE])
def test_only_staff_close_ideas(app, client, auth, make_user, make_window, role, monkeypatch):
    window = make_window(stage="open")
    make_user("someone@example.org", role=role)
    auth.sign_in("someone@example.org")
    assert client.get(f"/staff/windows/{window.id}/close-ideas").status_code == 403
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # reach the role check
    assert client.post(f"/staff/windows/{window.id}/close-ideas").status_code == 403
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).is_open_for_ideas()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
