"""Turning down a request to join an organisation takes a reason: memberships.decline_reason
holds it (the person is emailed it and the audit log records it). Only a turned-down request
has one, a CHECK says so. Requests turned down before this migration keep no reason.

SQLite adds a CHECK only by rebuilding the table. memberships has no triggers to make again,
but the rebuild resets its AUTOINCREMENT counter to the highest id left, which would give the
ids of removed memberships out again (and make their audit entries ambiguous): the counter is
put back after.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHECK_NAME = 'ck_memberships_decline_reason_only_when_rejected'


def upgrade():
    counter = sqlite_counter()
    with op.batch_alter_table('memberships', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=True))
        batch_op.create_check_constraint(op.f(CHECK_NAME),
                                         "status = 'rejected' OR decline_reason IS NULL")
    restore_sqlite_counter(counter)


def downgrade():
    counter = sqlite_counter()
    with op.batch_alter_table('memberships', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(op.f(CHECK_NAME), type_='check')
        batch_op.drop_column('decline_reason')
    restore_sqlite_counter(counter)


def sqlite_counter():
    """The last id SQLite gave a membership, or None (PostgreSQL, or none given yet)."""
    if op.get_bind().dialect.name != 'sqlite':
        return None
    return op.get_bind().execute(sa.text(
        "SELECT seq FROM sqlite_sequence WHERE name = 'memberships'")).scalar()


def restore_sqlite_counter(counter):
    """Put the counter back as it was before the rebuild (only rows were copied since)."""
    if counter is None:
        return
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'memberships'")
    op.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('memberships', :seq)"
                       ).bindparams(seq=counter))
