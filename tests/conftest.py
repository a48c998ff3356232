"""Shared fixtures: the app on a migrated database, a real SMTP server, clients and sign-in.

The database is SQLite in a temporary file unless TEST_DATABASE_URL points at PostgreSQL
(`.ci/run` does both). Either way it is built by running the migrations, once a session,
and emptied between tests.
"""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db, limiter
from app.opendata.services import ranking_cache
from config import TestConfig, normalise_database_url
from tests.support import factories
from tests.support.forms import submit
from tests.support.smtp import SMTPServer

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def database_url(tmp_dir: Path) -> str:
    if POSTGRES_URL:
        # The suite empties the database it is given: refuse anything not named as a test one.
        name = POSTGRES_URL.rsplit("/", 1)[-1].split("?")[0]
        if "test" not in name and "ci" not in name:
            raise pytest.UsageError(f"TEST_DATABASE_URL names database {name!r}; the tests wipe "
                                    "it, so its name must contain 'test' or 'ci'")
        return normalise_database_url(POSTGRES_URL)
    return f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server):
    """The application on a freshly migrated test database."""
    tmp_dir = tmp_path_factory.mktemp("db")
    application = create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": database_url(tmp_dir), "MAIL_PORT": smtp_server.port},
    )
    with application.app_context():
        if POSTGRES_URL:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        db.engine.dispose()
    application.extensions["test_db_template"] = _snapshot_sqlite(application, tmp_dir)
    yield application


def _snapshot_sqlite(application, tmp_dir: Path) -> Path | None:
    """Keep a copy of the freshly migrated SQLite file, to restore before each test."""
    if POSTGRES_URL:
        return None
    template = tmp_dir / "template.db"
    shutil.copyfile(tmp_dir / "test.db", template)
    return template


def reset_database(application) -> None:
    """Empty every table. The audit log refuses DELETE, so PostgreSQL truncates and SQLite
    gets its freshly migrated file back."""
    with application.app_context():
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        db.engine.dispose()
        # SQLite's backup API replaces the contents safely even if the live server's thread
        # still holds a connection; copying the file over it would corrupt that connection.
        source = sqlite3.connect(application.extensions["test_db_template"])
        target = sqlite3.connect(db.engine.url.database, timeout=10)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()


@pytest.fixture(autouse=True)
def _clean_state(request, smtp_server):
    """Each test starts with an empty database, no rate-limit history, no open data rankings
    kept and an empty mailbox."""
    if "app" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    reset_database(application)
    with application.app_context():
        limiter.reset()
    ranking_cache(application).clear()  # window ids start again at 1 in each test
    smtp_server.mailbox.clear()
    yield


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


def _in_own_context(app, factory):
    """Run a factory in an app context of its own and hand back detached, loaded records.

    The test client must not share an app context with the test: Flask would then reuse
    one `g` (and with it the signed-in user and CSRF token) across requests.
    """

    def build(*args, **kwargs):
        with app.app_context():
            # Fresh copies, never merges: merging a stale record would write its old values.
            args = [db.session.get(type(a), a.id) if isinstance(a, db.Model) else a
                    for a in args]
            record = factory(*args, **kwargs)
            db.session.refresh(record)
            db.session.expunge(record)
            return record

    return build


@pytest.fixture
def make_user(app):
    return _in_own_context(app, factories.make_user)


@pytest.fixture
def make_organisation(app):
    return _in_own_context(app, factories.make_organisation)


@pytest.fixture
def make_membership(app):
    return _in_own_context(app, factories.make_membership)


@pytest.fixture
def make_area(app):
    return _in_own_context(app, factories.make_area)


@pytest.fixture
def make_window(app):
    return _in_own_context(app, factories.make_window)


@pytest.fixture
def make_idea(app):
    return _in_own_context(app, factories.make_idea)


class Auth:
    """Signs in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def sign_in(self, email: str, password: str = factories.PASSWORD):
        response = submit(self._client, "/sign-in", {"email": email, "password": password})
        assert response.status_code == 200
        return response

    def sign_out(self):
        return submit(self._client, "/sign-out", {}, page="/account")


@pytest.fixture
def auth(client):
    return Auth(client)


def pytest_report_header(config):
    backend = "PostgreSQL (TEST_DATABASE_URL)" if POSTGRES_URL else "SQLite (temporary file)"
    return f"database: {backend}"


@pytest.fixture(scope="session")
def _trained_type_model():
    """One type model for the whole session: training takes seconds, storing it does not."""
    from app.triage.nlp.types import TypeClassifier, load_seed

    texts, labels = load_seed()
    # TF-IDF only, as TestConfig's TRIAGE_BACKEND asks, whatever extras are installed.
    classifier = TypeClassifier(use_embeddings=False).fit(texts, labels)
    return classifier.version, classifier.to_bytes(), len(texts)


@pytest.fixture
def type_model(app, _trained_type_model):
    """A stored type model, as `flask triage train` would leave one."""
    from app.models import TypeModel
    from app.triage import services

    version, data, examples = _trained_type_model
    with app.app_context():
        db.session.add(TypeModel(version=version, data=data, examples=examples,
                                 metrics={"accuracy": 0.9, "top2": 0.95, "macro_f1": 0.9}))
        db.session.commit()
    services.shared_classifier.reset()
    yield version
    services.shared_classifier.reset()
