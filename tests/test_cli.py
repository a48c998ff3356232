"""Command-line tools: creating the first admin, setting roles, seeding the demo."""

from sqlalchemy import func, select

from app.accounts.passwords import password_problem
from app.cli import DEMO_USERS
from app.extensions import db
from app.models import AuditEvent, Organisation, Role, User


def test_create_admin_asks_for_the_password_twice_without_echo(app, runner, auth):
    password = "quiet-harbour-lamp-77"
    result = runner.invoke(args=["users", "create-admin", "Ada@Example.org", "--name", "Ada"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "Created administrator ada@example.org" in result.output
    assert password not in result.output
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert admin.role == Role.ADMIN and admin.is_verified
        assert db.session.scalar(select(AuditEvent.action)) == "user.create_admin"
    auth.sign_in("ada@example.org", password)


def test_create_admin_refuses_a_weak_password(runner, app):
    result = runner.invoke(args=["users", "create-admin", "ada@example.org"],
                           input="password1234\npassword1234\n")
    assert result.exit_code == 1
    assert "Password is too common" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_admin_refuses_an_existing_account(runner, make_user):
    make_user("rosa@example.org")
    result = runner.invoke(args=["users", "create-admin", "rosa@example.org"])
    assert result.exit_code == 1
    assert "flask users set-role rosa@example.org admin" in result.output


def test_set_role(runner, make_user, app):
    make_user("sam@example.org")
    result = runner.invoke(args=["users", "set-role", "sam@example.org", "staff"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role)) == Role.STAFF
    result = runner.invoke(args=["users", "set-role", "nobody@example.org", "staff"])
    assert result.exit_code == 1 and "No account uses nobody@example.org" in result.output


def test_seed_demo_creates_one_user_per_role_once(runner, app, auth):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "5 accounts and 46 ideas created" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in second.output
    assert "sign in at http://localhost/sign-in" in second.output  # PUBLIC_BASE_URL
    for email, _name, _role, password, _org in DEMO_USERS:
        assert f"{email}" in second.output and password in second.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        assert db.session.scalar(select(func.count(Organisation.id))) >= 2
    email, _name, _role, password, _org = DEMO_USERS[1]
    auth.sign_in(email, password)


def test_demo_passwords_meet_the_password_rules(app):
    with app.app_context():
        for email, name, _role, password, _org in DEMO_USERS:
            assert password_problem(password, email=email, display_name=name) is None


def test_seed_demo_refuses_to_run_in_production(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "refuses to run in production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_seed_demo_creates_three_windows_and_a_lived_in_set_of_ideas(runner, app):
    import json
    from pathlib import Path

    from app.models import Idea, IdeaWindow, Source, WindowStage

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stages = sorted(w.stage().value for w in db.session.scalars(select(IdeaWindow)))
        assert stages == ["closed", "open_for_ideas", "upcoming"]
        ideas = list(db.session.scalars(select(Idea)))
        assert len(ideas) >= 40
        assert {i.source for i in ideas} == set(Source)
        closed = next(w for w in db.session.scalars(select(IdeaWindow))
                      if w.stage() == WindowStage.CLOSED)
        assert any(i.status.value == "shortlisted" for i in ideas if i.window_id == closed.id)
        merged = [i for i in ideas if i.status.value == "merged"]
        assert merged and all(i.merged_into is not None and i.merged_into.window_id == i.window_id
                              for i in merged)
        for window_id in {i.window_id for i in ideas}:  # idea numbers follow posting order
            posted = [i.published_at for i in sorted(ideas, key=lambda i: i.id)
                      if i.window_id == window_id]
            assert posted == sorted(posted)
        # Supporters follow what they support, as in the app, so they hear its decisions.
        from app.models import Follow, Support

        supports = set(db.session.execute(select(Support.idea_id, Support.user_id)).all())
        assert supports and supports <= set(db.session.execute(
            select(Follow.idea_id, Follow.user_id)).all())
    demo = json.loads((Path(app.root_path) / "demo" / "ideas.json").read_text())
    types = {t for entry in demo for t in entry["opportunity_types"]}
    assert types == {"needle", "prioritise", "early_warning", "decisions", "allocation",
                     "experiment"}
    again = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in again.output


def test_the_demo_audit_log_tells_the_story_its_timelines_tell(runner, app, auth):
    """Every staff decision the demo seeds is in the audit log, by Sam Staff, when the idea's
    timeline says it was made, in the order a real review would make them."""
    from app.models import (
        Assessment,
        AuditEvent,
        ConfirmedType,
        Idea,
        IdeaStatus,
        IdeaStatusChange,
        IdeaWindow,
        ShortlistOverride,
    )
    from app.review import shortlist

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
        past = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == "Spring 2026 ideas"))
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        about = {}
        for event in events:
            about.setdefault((event.action, event.target_id), []).append(event)
        past_ideas = {i.id: i for i in db.session.scalars(select(Idea).where(
            Idea.window_id == past.id))}
        decided = list(db.session.scalars(select(IdeaStatusChange).where(
            IdeaStatusChange.idea_id.in_(past_ideas),
            IdeaStatusChange.status.not_in([IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN]))))
        assert len(decided) > len(past_ideas)  # under review, then a decision, for most
        for change in decided:
            action = "idea.merge" if change.status == IdeaStatus.MERGED else "idea.decide"
            entry = [e for e in about[(action, str(change.idea_id))]
                     if e.after["status"] == change.status.value]
            assert len(entry) == 1, (change.idea_id, change.status)
            assert entry[0].occurred_at == change.changed_at and entry[0].actor_id == staff.id
            assert change.changed_by_id == staff.id
            assert entry[0].summary.endswith("by publishing the shortlist") == \
                change.from_shortlist
        publish = about[("shortlist.publish", str(past.id))]
        assert len(publish) == 1 and publish[0].occurred_at == past.shortlist_published_at
        assert publish[0].after["shortlist"] == [e.idea_id for e in
                                                 shortlist.published_entries(past)]
        assert publish[0].after["not_taken_forward"] == sum(
            1 for c in decided if c.from_shortlist and c.status == IdeaStatus.NOT_TAKEN_FORWARD)
        assert [e.occurred_at for e in about[("window.close", str(past.id))]] == [past.closed_at]
        for override in db.session.scalars(select(ShortlistOverride)):
            entry, = about[("shortlist.override", str(override.idea_id))]
            assert entry.after == {"include": override.include, "reason": override.reason}
            assert entry.occurred_at == override.decided_at < past.shortlist_published_at
        scores = list(db.session.scalars(select(Assessment)))
        assert scores
        for row in scores:
            scored = [e.occurred_at for e in about[("idea.assess", str(row.idea_id))]]
            assert row.updated_at in scored
            # Sam scored each first, so each is Sam's to review, as scoring makes it.
            assert past_ideas[row.idea_id].assigned_to_id == staff.id
            assign, = about[("idea.assign", str(row.idea_id))]
            assert assign.actor_id == staff.id and assign.occurred_at == min(scored)
        typed = set(db.session.scalars(select(ConfirmedType.idea_id)))
        assert typed and all(("idea.types", str(i)) in about for i in typed)
        # Reviewing came after voting closed, and everything before the shortlist but it.
        review = [e for e in events if e.target_type == "ideas"
                  and int(e.target_id) in past_ideas]
        assert all(past.voting_close_at <= e.occurred_at <= past.shortlist_published_at
                   for e in review)
        by_hand = [e for e in review if e.action in ("idea.decide", "idea.merge")
                   and "publishing" not in e.summary and e.after["status"] != "under_review"]
        assert by_hand and all(e.occurred_at < past.shortlist_published_at for e in by_hand)
        # The idea waiting in the current window is Sam's by an assignment the log holds too.
        assigned = db.session.scalar(select(Idea).where(Idea.window_id != past.id,
                                                        Idea.assigned_to_id == staff.id))
        assert ("idea.assign", str(assigned.id)) in about
    auth.sign_in("admin@example.org", "admin-demo-pass-3806")
    page = auth._client.get("/admin/audit?action=shortlist.publish").get_data(as_text=True)
    assert f"Idea window {past.id}: Spring 2026 ideas</a>" in page


def test_seed_bulk_fills_a_window(runner, app):
    from app.models import Idea

    result = runner.invoke(args=["seed-bulk", "--ideas", "250"])
    assert result.exit_code == 0, result.output
    assert "Added 250 ideas" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id))) == 250
