"""Changing a window once things have happened in it: criteria behind a published
shortlist."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.filters import london_date
from app.models import (
    AuditEvent,
    Criterion,
    Idea,
    IdeaWindow,
    Role,
    Support,
    User,
    utcnow,
)
from app.review import assessments
from tests.support import factories
from tests.support.forms import submit, text

DAY = timedelta(days=1)


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

@pytest.fixture
def signed_in_staff(client, auth, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    return client


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


