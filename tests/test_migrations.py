"""The database is built by the migrations, and the models and migrations agree."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.database import include_object
from app.extensions import db
from app.models import AuditEvent, Role, User, utcnow
from config import TestConfig

# The one person the upgrade tests' hand-written rows belong to.
ONE_USER = ("INSERT INTO users (id, email, display_name, password_hash, role, session_version,"
            " created_at) VALUES (1, 'a@example.org', 'A', 'x', 'resident', 1, '2026-01-01')")


def sqlite_app(tmp_path, name: str):
    """An app on a SQLite file of its own, for upgrading from an older revision."""
    return create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/{name}.db"})


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression; include_object leaves them out.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], ("the models and the migrations disagree; run "
                               "`flask db migrate -m '...'` and review the file")


def test_audit_log_refuses_changes_and_deletions(app):
    with app.app_context():
        user = User(email="a@example.org", display_name="A", password_hash="x",
                    role=Role.ADMIN)
        db.session.add(user)
        db.session.flush()
        db.session.add(AuditEvent(actor_id=user.id, action="test", target_type="users",
                                  target_id=str(user.id), summary="made"))
        db.session.commit()
        for statement in ("UPDATE audit_events SET summary = 'rewritten'",
                          "DELETE FROM audit_events"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(statement))
                db.session.commit()
            db.session.rollback()
        assert db.session.scalar(text("SELECT summary FROM audit_events")) == "made"


@pytest.mark.parametrize("sql", [
    "INSERT INTO users (email, display_name, password_hash, role, session_version, created_at) "
    "VALUES ('Upper@Example.org', 'A', 'x', 'resident', 1, CURRENT_TIMESTAMP)",
    "INSERT INTO users (email, display_name, password_hash, role, session_version, created_at) "
    "VALUES ('a@example.org', 'A', 'x', 'overlord', 1, CURRENT_TIMESTAMP)",
    "INSERT INTO users (email, display_name, password_hash, role, session_version, created_at) "
    "VALUES (NULL, 'A', NULL, 'resident', 1, CURRENT_TIMESTAMP)",
])
def test_database_constraints_hold_without_the_app(app, sql):
    with app.app_context():
        with pytest.raises(Exception, match="(?i)check|constraint"):
            db.session.execute(text(sql))
            db.session.commit()
        db.session.rollback()


def test_one_account_per_email_is_enforced_by_the_database(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        for _ in range(2):
            db.session.add(User(email="same@example.org", display_name="A", password_hash="x",
                                created_at=utcnow()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_one_idea_for_each_pledge_in_a_window_whatever_the_case(app, make_window, make_user,
                                                                 make_idea):
    from sqlalchemy.exc import IntegrityError

    from app.models import Idea, IdeaStatus, Source

    window, other = make_window(stage="open"), make_window(stage="open")
    author = make_user()
    make_idea(window, author, source=Source.MAYORAL, pledge_reference="Manifesto p.12, P1")
    # The same pledge in another window, and drafts or withdrawn ideas, leave it free.
    make_idea(other, author, source=Source.MAYORAL, pledge_reference="Manifesto p.12, P1")
    for status in (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN):
        make_idea(window, author, source=Source.MAYORAL, status=status,
                  pledge_reference="manifesto P.12, p1")
    with app.app_context():
        db.session.add(Idea(window_id=window.id, author_id=author.id, source=Source.MAYORAL,
                            title="The same pledge again", problem="Twice.",
                            pledge_reference="MANIFESTO P.12, P1", status=IdeaStatus.SUBMITTED,
                            published_at=utcnow()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_upgrading_stops_on_a_pledge_held_twice_and_names_it(tmp_path, smtp_server):
    from alembic import command

    from app.models import IdeaStatus, Source
    from tests.support import factories

    app = sqlite_app(tmp_path, "pledges")
    with app.app_context():
        upgrade()  # the rows are made with today's models, then the database goes back
        window, author = factories.make_window(stage="open"), factories.make_user()
        first = factories.make_idea(window, author, source=Source.MAYORAL, pledge_reference="P1")
        factories.make_idea(window, author, source=Source.MAYORAL, pledge_reference="P2",
                            status=IdeaStatus.WITHDRAWN)
        factories.make_idea(window, author, source=Source.MAYORAL, pledge_reference="p2")
        first_id, window_id = first.id, window.id
        db.session.remove()
        downgrade(revision="0012")
        columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(ideas)"))
                   if row[1] not in ("id", "pledge_reference")]
        listed = ", ".join(columns)
        # The column names come from the database itself, not from anyone's input.
        db.session.execute(text(f"INSERT INTO ideas ({listed}, pledge_reference) SELECT "  # noqa: S608
                                f"{listed}, 'p1' FROM ideas WHERE id = :id"), {"id": first_id})
        db.session.commit()
        # Through Alembic itself: Flask-Migrate's upgrade would log the error and exit.
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=f"window {window_id}: pledge reference 'p1' on 2 "
                                               r"ideas \(ids 1 to 4\)") as error:
            command.upgrade(config, "0013")
        assert "'p2'" not in str(error.value)  # a withdrawn idea leaves its pledge free
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0012"
        db.session.remove()


def test_migrations_downgrade_and_upgrade_cleanly(tmp_path, smtp_server):
    app = sqlite_app(tmp_path, "m")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = db.session.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' "
            "AND name NOT IN ('alembic_version', 'sqlite_sequence')"
        )).scalars().all()
        assert tables == []
        upgrade()
        db.session.remove()


def test_upgrading_keeps_ideas_their_timelines_and_search(tmp_path, smtp_server):
    """Migration 0003 rebuilds the ideas table on SQLite: rows, child rows and the search
    triggers must all survive."""
    app = sqlite_app(tmp_path, "u")
    with app.app_context():
        upgrade(revision="0002")
        statements = [
            ONE_USER,
            "INSERT INTO idea_windows (id, title, theme, description, submissions_open_at,"
            " submissions_close_at, voting_open_at, voting_close_at, accepts_residents,"
            " accepts_councils, accepts_mayoral, authors_may_support_own, created_at) VALUES"
            " (1, 'W', 'T', 'D', '2026-01-01', '2026-02-01', '2026-01-15', '2026-03-01', 1, 1,"
            " 1, 0, '2026-01-01')",
            "INSERT INTO ideas (id, window_id, author_id, source, title, problem, action, data,"
            " datasets, status, created_at, published_at) VALUES (1, 1, 1, 'resident',"
            " 'Grit the side roads please', 'Icy estates', '', '', '', 'submitted',"
            " '2026-01-02', '2026-01-02')",
            "INSERT INTO idea_status_changes (idea_id, status, changed_at) VALUES"
            " (1, 'submitted', '2026-01-02')",
        ]
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        assert db.session.scalar(text("SELECT count(*) FROM idea_status_changes")) == 1
        assert db.session.scalar(text("SELECT support_count FROM ideas")) == 0
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        db.session.execute(text("UPDATE ideas SET title = 'Grit the estate roads' WHERE id = 1"))
        db.session.commit()
        found = db.session.scalar(text("SELECT count(*) FROM ideas_fts WHERE ideas_fts MATCH "
                                       "'estate'"))
        assert found == 1
        db.session.remove()


def test_upgrading_keeps_memberships_and_only_turned_down_ones_take_a_reason(tmp_path,
                                                                             smtp_server):
    """Migration 0008 rebuilds memberships on SQLite: rows and their ids survive, and the ids
    of removed memberships are never given out again."""
    app = sqlite_app(tmp_path, "r")
    with app.app_context():
        upgrade(revision="0007")
        for statement in [
            ONE_USER,
            "INSERT INTO organisations (id, name, slug, kind, created_at) VALUES"
            " (1, 'Northgate', 'northgate', 'council', '2026-01-01')",
            "INSERT INTO organisations (id, name, slug, kind, created_at) VALUES"
            " (2, 'Riverside', 'riverside', 'council', '2026-01-01')",
            "INSERT INTO memberships (id, user_id, organisation_id, status, is_lead, job_title,"
            " requested_at) VALUES (7, 1, 1, 'rejected', 0, 'Analyst', '2026-01-02'),"
            " (9, 1, 2, 'approved', 0, 'Analyst', '2026-01-02')",
            "DELETE FROM memberships WHERE id = 9",  # removed: its id stays used
        ]:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT id, status, decline_reason FROM memberships")
                                  ).all() == [(7, "rejected", None)]
        db.session.execute(text(
            "INSERT INTO memberships (user_id, organisation_id, status, is_lead, job_title,"
            " requested_at) VALUES (1, 2, 'pending', 0, 'Analyst', '2026-01-03')"))
        assert db.session.scalar(text("SELECT max(id) FROM memberships")) == 10
        db.session.execute(text("UPDATE memberships SET decline_reason = 'Not our team' "
                                "WHERE id = 7"))
        db.session.commit()
        with pytest.raises(Exception, match="(?i)check|constraint"):  # a reason, not turned down
            db.session.execute(text("UPDATE memberships SET status = 'pending' WHERE id = 7"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()


def test_upgrading_marks_the_changes_publishing_made(tmp_path, smtp_server):
    """Migration 0009: only publishing ever shortlisted an idea, so those changes are marked
    as its own; ideas left waiting by an earlier publish stay as they were."""
    app = sqlite_app(tmp_path, "s")
    with app.app_context():
        upgrade(revision="0008")
        for statement in [
            ONE_USER,
            "INSERT INTO idea_windows (id, title, theme, description, submissions_open_at,"
            " submissions_close_at, voting_open_at, voting_close_at, accepts_residents,"
            " accepts_councils, accepts_mayoral, authors_may_support_own, created_at,"
            " shortlist_published_at) VALUES (1, 'W', 'T', 'D', '2026-01-01', '2026-02-01',"
            " '2026-01-15', '2026-03-01', 1, 1, 1, 0, '2026-01-01', '2026-03-05')",
            "INSERT INTO ideas (id, window_id, author_id, source, title, problem, action, data,"
            " datasets, status, created_at, published_at) VALUES (1, 1, 1, 'resident',"
            " 'Grit the side roads', 'Icy', '', '', '', 'shortlisted', '2026-01-02',"
            " '2026-01-02'), (2, 1, 1, 'resident', 'Light the towpath', 'Dark', '', '', '',"
            " 'submitted', '2026-01-02', '2026-01-02')",
            "INSERT INTO idea_status_changes (idea_id, status, changed_at) VALUES"
            " (1, 'submitted', '2026-01-02'), (1, 'shortlisted', '2026-03-05'),"
            " (2, 'submitted', '2026-01-02')",
        ]:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        assert db.session.execute(text(
            "SELECT idea_id, status, from_shortlist FROM idea_status_changes ORDER BY id")
        ).all() == [(1, "submitted", 0), (1, "shortlisted", 1), (2, "submitted", 0)]
        assert db.session.scalar(text("SELECT status FROM ideas WHERE id = 2")) == "submitted"
        db.session.remove()


def test_upgrading_stops_sqlite_giving_a_deleted_templates_id_again(tmp_path, smtp_server):
    """Migration 0012: the audit log names decision templates by id, so a new template must
    never take the id of a deleted one, even one deleted before the upgrade (its id is in the
    log); templates and their constraints survive the rebuild."""
    app = sqlite_app(tmp_path, "t")
    with app.app_context():
        upgrade(revision="0011")
        for statement in [
            "INSERT INTO decision_templates (id, name, status, reason) VALUES"
            " (1, 'Kept', 'under_review', 'Kept.'), (2, 'Also kept', 'under_review', 'Also.'),"
            " (3, 'Deleted last', 'under_review', 'Gone.')",
            "DELETE FROM decision_templates WHERE id = 3",
            # A template deleted even earlier, known only to the audit log.
            "INSERT INTO audit_events (occurred_at, action, target_type, target_id, summary)"
            " VALUES ('2026-01-01', 'template.delete', 'decision_templates', '5', 'Deleted')",
        ]:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        db.session.execute(text("INSERT INTO decision_templates (name, status, reason) VALUES"
                                " ('New', 'under_review', 'New.')"))
        db.session.commit()
        assert db.session.execute(text("SELECT id, name FROM decision_templates ORDER BY id")
                                  ).all() == [(1, "Kept"), (2, "Also kept"), (6, "New")]
        db.session.execute(text("DELETE FROM decision_templates WHERE id = 6"))
        db.session.execute(text("INSERT INTO decision_templates (name, status, reason) VALUES"
                                " ('Newer', 'under_review', 'Newer.')"))
        db.session.commit()
        assert db.session.scalar(text("SELECT max(id) FROM decision_templates")) == 7
        for statement in ("INSERT INTO decision_templates (name, status, reason) VALUES"
                          " ('Kept', 'under_review', 'Twice.')",
                          "INSERT INTO decision_templates (name, status, reason) VALUES"
                          " ('Odd', 'overlord', 'No.')"):
            with pytest.raises(Exception, match="UNIQUE|CHECK"):
                db.session.execute(text(statement))
            db.session.rollback()
        db.session.remove()
