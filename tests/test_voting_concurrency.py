"""Supports under concurrency: requests fired at the same moment from threads, against the
test database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set: CI runs both)."""


from sqlalchemy import func, select

from app.extensions import db
from app.models import Idea, Support, SupportLedger
from tests.support.concurrency import run_together
from tests.support.factories import PASSWORD
from tests.support.forms import csrf_token, submit


def signed_in_clients(app, email, count):
    clients = []
    for _ in range(count):
        client = app.test_client()
        submit(client, "/sign-in", {"email": email, "password": PASSWORD})
        clients.append(client)
    return clients


def supporter(client, idea_id):
    token = csrf_token(client, f"/ideas/{idea_id}")
    return lambda: client.post(f"/ideas/{idea_id}/support", data={"csrf_token": token},
                               headers={"Accept": "application/json"})


def test_simultaneous_supports_from_one_person_never_pass_the_limit(app, make_user,
                                                                   make_window, make_idea):
    window = make_window(stage="voting", support_limit=3)
    author = make_user()
    ideas = [make_idea(window, author, title=f"Idea number {n} for the limit test")
             for n in range(8)]
    make_user("rosa@example.org")
    clients = signed_in_clients(app, "rosa@example.org", 8)
    responses = run_together([supporter(c, i.id) for c, i in zip(clients, ideas, strict=True)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [409] * 5, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count(Support.id))) == 3
        assert db.session.scalar(select(SupportLedger.used)) == 3
        assert db.session.scalar(select(func.sum(Idea.support_count))) == 3


def test_one_person_clicking_many_times_at_once_supports_once(app, make_user, make_window,
                                                              make_idea):
    window = make_window(stage="voting", support_limit=5)
    idea = make_idea(window, make_user())
    make_user("rosa@example.org")
    clients = signed_in_clients(app, "rosa@example.org", 6)
    responses = run_together([supporter(c, idea.id) for c in clients])
    assert all(r.status_code == 200 for r in responses)
    with app.app_context():
        assert db.session.scalar(select(func.count(Support.id))) == 1
        assert db.session.scalar(select(SupportLedger.used)) == 1
        assert db.session.scalar(select(Idea.support_count)) == 1


def test_many_people_at_once_are_all_counted(app, make_user, make_window, make_idea):
    window = make_window(stage="voting")
    idea = make_idea(window, make_user())
    clients = []
    for n in range(10):
        make_user(f"voter{n}@example.org")
        clients += signed_in_clients(app, f"voter{n}@example.org", 1)
    responses = run_together([supporter(c, idea.id) for c in clients])
    assert all(r.status_code == 200 for r in responses)
    with app.app_context():
        assert db.session.scalar(select(Idea.support_count)) == 10
        assert db.session.scalar(select(func.count(Support.id))) == 10
