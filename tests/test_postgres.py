"""Concurrency on PostgreSQL, where requests really do run side by side."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.conftest import POSTGRES_URL
from tests.support.concurrency import run_together
from tests.support.factories import PASSWORD
from tests.support.forms import csrf_token, text

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL "
                       "(CI=true bash .ci/run does this)"),
]


def test_simultaneous_registrations_of_one_address_make_one_account(app, mailbox):
    clients = [app.test_client() for _ in range(6)]
    tokens = [csrf_token(c, "/register") for c in clients]

    def register(client, token):
        return lambda: client.post("/register", data={
            "email": "rosa@example.org", "display_name": "Rosa",
            "password": "lantern-orchard-velvet-9", "csrf_token": token},
            follow_redirects=True)

    responses = run_together([register(c, t) for c, t in zip(clients, tokens, strict=True)])
    assert all("Check your email" in text(r) for r in responses)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
    assert len(mailbox.to("rosa@example.org")) == 6  # one link, five "you already have one"


def test_one_reset_link_used_twice_at_once_changes_the_password_once(app, make_user, mailbox):
    from tests.support.forms import submit

    make_user("rosa@example.org")
    submit(app.test_client(), "/forgot-password", {"email": "rosa@example.org"})
    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/")
    path = link.replace("http://localhost", "")
    clients = [app.test_client() for _ in range(4)]
    tokens = [csrf_token(c, path) for c in clients]
    passwords = [f"lantern-orchard-velvet-{n}{n}" for n in range(4)]

    def reset(client, token, password):
        return lambda: client.post(path, data={"password": password, "csrf_token": token})

    responses = run_together([reset(*args) for args in zip(clients, tokens, passwords,
                                                           strict=True)])
    succeeded = [r for r in responses if r.status_code == 302]
    assert len(succeeded) == 1
    assert all(r.status_code == 400 for r in responses if r.status_code != 302)


def test_two_people_deleting_the_last_two_templates_at_once_leave_one(app, make_user):
    from app.models import DecisionTemplate, Role
    from tests.support.forms import submit

    make_user("sam@example.org", role=Role.STAFF)
    make_user("ann@example.org", role=Role.STAFF)
    clients = {}
    for email in ("sam@example.org", "ann@example.org"):
        clients[email] = app.test_client()
        submit(clients[email], "/sign-in", {"email": email, "password": PASSWORD})
    clients["sam@example.org"].get("/staff/decision-templates")  # makes the defaults
    with app.app_context():
        ids = list(db.session.scalars(select(DecisionTemplate.id).order_by(DecisionTemplate.id)))
        db.session.execute(DecisionTemplate.__table__.delete().where(
            DecisionTemplate.id.not_in(ids[:2])))
        db.session.commit()
    pairs = list(zip(clients.values(), ids[:2], strict=True))
    tokens = [csrf_token(c, f"/staff/decision-templates/{i}/delete") for c, i in pairs]

    def delete(client, template_id, token):
        return lambda: client.post(f"/staff/decision-templates/{template_id}/delete",
                                   data={"csrf_token": token})

    responses = run_together([delete(c, i, t) for (c, i), t in zip(pairs, tokens, strict=True)])
    assert sorted(r.status_code for r in responses) == [200, 302]  # one deleted, one refused
    with app.app_context():
        assert db.session.scalar(select(func.count(DecisionTemplate.id))) == 1
