"""Database connection settings that the models rely on."""

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets readers work during writes."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def register(app: Flask) -> None:
    """Nothing per-app yet: importing this module installs the connection listener."""
    app.extensions.setdefault("oda_database", True)


def is_postgresql(url: str) -> bool:
    """True when a database URL points at PostgreSQL."""
    return url.startswith("postgresql")


# Full-text search lives outside the models: an FTS5 table on SQLite and a generated tsvector
# column on PostgreSQL, both made by migration 0002. Migrations and the model check skip them.
SEARCH_OBJECTS = {"ideas_fts", "search_vector", "ix_ideas_search_vector"}
# Indexes on an expression, which SQLite's reflection skips (with a warning), so that Alembic
# cannot compare them: migration 0013 makes this one and a test checks that it holds.
EXPRESSION_INDEXES = {"uq_ideas_window_pledge_reference"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the database-specific search objects and the indexes on
    expressions out of comparisons."""
    return not (name in SEARCH_OBJECTS or name in EXPRESSION_INDEXES
                or (name or "").startswith("ideas_fts"))
