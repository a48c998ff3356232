"""Changing a window once things have happened in it: the audit entry of a change,
closing voting early and criteria behind a published shortlist."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.filters import LONDON, london_date, london_datetime
from app.forms_common import format_time
from app.intake import services, window_rules
from app.models import (
    AuditEvent,
    Criterion,
    Idea,
    IdeaWindow,
    Notification,
    OutboxEmail,
    Role,
    Support,
    User,
    WindowStage,
    utcnow,
)
from app.review import assessments
from tests.support import factories
from tests.support.forms import submit, text

DAY = timedelta(days=1)


def details_of(window: IdeaWindow, **changes) -> services.WindowDetails:
    """The details a window has now, as its form would send them back, with `changes`."""
    details = services.WindowDetails(
        title=window.title, theme=window.theme, description=window.description,
        submissions_open_at=window.submissions_open_at,
        submissions_close_at=window.submissions_close_at,
        voting_open_at=window.voting_open_at, voting_close_at=window.voting_close_at,
        accepts_residents=window.accepts_residents, accepts_councils=window.accepts_councils,
        accepts_mayoral=window.accepts_mayoral, area_ids=[a.id for a in window.areas],
        support_limit=window.support_limit,
        authors_may_support_own=window.authors_may_support_own,
        premoderation=window.premoderation)
    return replace(details, **changes)


def supporters(window: IdeaWindow, idea: Idea, count: int) -> list[User]:
    """`count` new people supporting `idea` (the database keeps the counts). They never sign
    in, so they skip the slow password hash."""
    start = db.session.scalar(select(func.count(User.id)))
    people = [User(email=f"supporter{start + n}@example.org", display_name=f"Supporter {n}",
                   password_hash="never used", role=Role.RESIDENT, email_verified_at=utcnow())
              for n in range(count)]
    db.session.add_all(people)
    db.session.flush()
    for person in people:
        db.session.add(Support(idea_id=idea.id, user_id=person.id, window_id=window.id))
    db.session.commit()
    return people


@pytest.fixture
def staff(app_context):
    return factories.make_user("staff@example.org", role=Role.STAFF)


# ---- The audit entry -------------------------------------------------------------------------

def test_the_audit_entry_records_only_what_changed_with_the_description(staff):
    window = factories.make_window(stage="open")
    old_title = window.title
    changed = services.update_window(staff, window, details_of(
        window, title="Getting around 2027", description="Ideas about buses."))
    assert changed == ["title", "description"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "window.update"))
    assert event.summary == "Changed window Getting around 2027: title, description"
    assert event.before == {"title": old_title, "description": "Ideas about **transport**."}
    assert event.after == {"title": "Getting around 2027", "description": "Ideas about buses."}
    # Nothing changed: nothing saved and nothing in the log.
    window = db.session.get(IdeaWindow, window.id)
    assert services.update_window(staff, window, details_of(window)) == []
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "window.update")) == 1


def test_creating_a_window_records_its_description(staff):
    template = factories.make_window(stage="upcoming", published=False)
    created = services.create_window(staff, details_of(template, description="All about parks"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target_id == str(created.id),
                                                       AuditEvent.action == "window.create"))
    assert event.after["description"] == "All about parks"


# ---- Closing voting early --------------------------------------------------------------------

def test_closing_voting_ends_it_now_and_closes_ideas_too(staff):
    window = factories.make_window(stage="overlap")  # ideas and voting both open
    author = factories.make_user()
    idea = factories.make_idea(window, author)
    supporters(window, idea, 2)
    notifications = db.session.scalar(select(func.count(Notification.id)))
    before = (window.voting_close_at, window.submissions_close_at)
    services.close_voting(staff, window)
    closed = db.session.get(IdeaWindow, window.id)
    assert closed.voting_close_at <= utcnow() and closed.submissions_close_at <= utcnow()
    assert closed.voting_close_at == closed.submissions_close_at
    assert closed.stage() == WindowStage.UNDER_REVIEW
    assert not closed.is_open_for_voting()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "window.close_voting"))
    assert event.actor_id == staff.id
    assert event.before == {"voting_close_at": before[0].isoformat(),
                            "submissions_close_at": before[1].isoformat()}
    assert event.after["voting_close_at"] == closed.voting_close_at.isoformat()
    # No stage change tells anyone, this one neither.
    assert db.session.scalar(select(func.count(Notification.id))) == notifications
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
    with pytest.raises(services.IntakeError) as caught:
        services.close_voting(staff, closed)
    assert caught.value.message.startswith("Voting closed on ")


def test_closing_voting_leaves_closed_ideas_as_they_were(staff):
    window = factories.make_window(stage="voting")
    services.close_voting(staff, window)
    closed = db.session.get(IdeaWindow, window.id)
    assert closed.submissions_close_at == window.submissions_close_at
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "window.close_voting"))
    assert set(event.before) == {"voting_close_at"}


@pytest.mark.parametrize(("stage", "change", "reason"), [
    ("open", {}, "Voting has not opened yet: it opens on "),
    ("review", {}, "Voting closed on "),
    ("voting", {"published_at": None}, "This window is a draft, so nobody can vote in it."),
    ("voting", {"closed_at": "now"}, "This window is closed, so nobody can support ideas"),
    ("voting", {"shortlist_published_at": "now"}, "The shortlist is published"),
])
def test_voting_closes_early_only_while_it_is_open(staff, stage, change, reason):
    window = factories.make_window(stage=stage)
    for name, value in change.items():
        setattr(window, name, utcnow() if value == "now" else value)
    db.session.commit()
    with pytest.raises(services.IntakeError) as caught:
        services.close_voting(staff, window)
    assert caught.value.message.startswith(reason)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_closing_voting_twice_at_once_closes_it_once(staff, monkeypatch):
    window = factories.make_window(stage="voting")
    services.close_voting(staff, window)
    # A second request that checked the window before the first one committed.
    monkeypatch.setattr(window_rules, "why_cannot_close_voting", lambda *args: None)
    with pytest.raises(services.IntakeError) as caught:
        services.close_voting(staff, db.session.get(IdeaWindow, window.id))
    assert "changed while you were looking at it" in caught.value.message
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "window.close_voting")) == 1


# ---- Criteria --------------------------------------------------------------------------------

def test_criteria_are_locked_once_the_shortlist_is_published(staff):
    window = factories.make_window(stage="review")
    rows = assessments.criteria_for(window)
    assessments.reword_criteria(staff, window, {rows[0].id: ("Specific", "Clear and local")})
    window.shortlist_published_at = utcnow()
    db.session.commit()
    with pytest.raises(assessments.AssessmentError) as caught:
        assessments.reword_criteria(staff, window, {rows[0].id: ("Other", "Other words")})
    assert str(caught.value) == (f"The shortlist was published on {london_date(utcnow())}, "
                                 f"so the criteria cannot change: its feasibility scores "
                                 f"were given against these words.")
    db.session.rollback()
    assert db.session.get(Criterion, rows[0].id).name == "Specific"


# ---- Pages -----------------------------------------------------------------------------------

def form_of(app, window_id: int, **overrides) -> dict:
    """What the window's form sends back as it stands, with `overrides`."""
    with app.app_context():
        window = db.session.get(IdeaWindow, window_id)
        values = {"title": window.title, "theme": window.theme,
                  "description": window.description,
                  "sources": [s.value for s in window.accepted_sources],
                  "areas": [str(a.id) for a in window.areas],
                  "support_limit": str(window.support_limit or "")}
        for name in ("submissions_open", "submissions_close", "voting_open", "voting_close"):
            moment = getattr(window, f"{name}_at").astimezone(LONDON)
            values[f"{name}_date"] = [str(moment.day), str(moment.month), str(moment.year)]
            values[f"{name}_time"] = format_time(moment)
    values.update(overrides)
    return values


def day_parts(moment) -> list[str]:
    local = moment.astimezone(LONDON)
    return [str(local.day), str(local.month), str(local.year)]


@pytest.fixture
def signed_in_staff(client, auth, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    return client


def test_the_audit_log_shows_only_what_a_change_changed(app, client, auth, make_user,
                                                      make_window):
    make_user("ann@example.org", role=Role.ADMIN)
    window = make_window(stage="upcoming", title="Spring ideas")
    auth.sign_in("ann@example.org")
    submit(client, f"/staff/windows/{window.id}/edit",
           form_of(app, window.id, description="Ideas about parks and play."))
    page = text(client.get("/admin/audit"))
    assert "Changed window Spring ideas: description" in page
    assert "Ideas about **transport**. → Ideas about parks and play." in page
    assert "Spring ideas → Spring ideas" not in page  # nothing unchanged is listed
    submit(client, f"/staff/windows/{window.id}/edit", form_of(app, window.id))
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "window.update")) == 1


def test_close_voting_now_asks_first_and_says_what_happens(app, signed_in_staff, make_window,
                                                           make_idea, make_user):
    window = make_window(stage="overlap")
    idea = make_idea(window, make_user())
    with app.app_context():
        supporters(window, idea, 3)
    listing = text(signed_in_staff.get("/staff/windows"))
    assert f'href="/staff/windows/{window.id}/close-voting">Close voting now' in listing
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert f"Close voting in {window.title} now?" in asked
    assert (f"Voting will close now instead of on {london_datetime(window.voting_close_at)}"
            in asked)
    assert "So far 3 people have given 3 supports." in asked
    assert "They will close now too" in asked  # ideas are still open
    assert "Nobody is sent a message about it" in asked
    assert "Close voting now</button>" in asked
    with app.app_context():  # asking changed nothing
        assert db.session.get(IdeaWindow, window.id).is_open_for_voting()
    done = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-voting", {}))
    assert f"Voting in “{window.title}” has closed. Its stage is now: Under review." in done
    with app.app_context():
        assert not db.session.get(IdeaWindow, window.id).is_open_for_voting()
        assert list(db.session.scalars(select(AuditEvent.action))) == ["window.close_voting"]
    again = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert "Voting closed on " in again and "Close voting now</button>" not in again
    assert "Voting will close now" not in again


def test_close_voting_now_is_not_offered_before_voting_opens(app, signed_in_staff, make_window):
    window = make_window(stage="open")
    assert f"/staff/windows/{window.id}/close-voting" not in text(
        signed_in_staff.get("/staff/windows"))
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert "Voting has not opened yet" in asked and "Close voting now</button>" not in asked
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-voting", {},
                       page="/staff/windows"))
    assert "Voting has not opened yet" in page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.MAYORS_OFFICE])
def test_only_staff_close_voting(app, client, auth, make_user, make_window, role):
    window = make_window(stage="voting")
    make_user("someone@example.org", role=role)
    auth.sign_in("someone@example.org")
    assert client.get(f"/staff/windows/{window.id}/close-voting").status_code == 403
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).is_open_for_voting()


def test_the_criteria_page_is_read_only_once_the_shortlist_is_published(app, client, auth,
                                                                        make_user, make_window):
    make_user("ann@example.org", role=Role.ADMIN)
    window = make_window(stage="review")
    auth.sign_in("ann@example.org")
    url = f"/admin/windows/{window.id}/criteria"
    assert "Save the criteria" in text(client.get(url))
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_published_at = utcnow()
        db.session.commit()
        rows = list(db.session.scalars(select(Criterion).order_by(Criterion.position)))
    page = text(client.get(url))
    assert "so the criteria cannot change" in page and "Save the criteria" not in page
    assert rows[0].wording in page
    form = {f"name-{c.id}": "Changed" for c in rows} | {f"wording-{c.id}": "New" for c in rows}
    page = text(submit(client, url, form, page=f"/staff/windows/{window.id}/edit"))
    assert "so the criteria cannot change" in page
    with app.app_context():
        assert db.session.get(Criterion, rows[0].id).name == rows[0].name
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "criteria.reword")) == 0


