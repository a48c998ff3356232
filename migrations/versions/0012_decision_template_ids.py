"""Decision templates never give a deleted template's id to a new one. The audit log names
each template it records by looking up its id, so a reused id would name an old entry (a
template added, changed or deleted) after a different template.

PostgreSQL's sequences never reuse an id. SQLite reuses the highest id once its row is
deleted, unless the table uses AUTOINCREMENT, which it takes only by rebuilding the table
(decision_templates has no triggers to make again). The new counter starts after the highest
id the table or the audit log has seen, so that templates deleted before now keep theirs too.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('decision_templates', schema=None, recreate='always',
                              table_kwargs={'sqlite_autoincrement': True}):
        pass
    highest = op.get_bind().execute(sa.text(
        "SELECT max(seen) FROM (SELECT max(id) AS seen FROM decision_templates UNION ALL "
        "SELECT max(CAST(target_id AS INTEGER)) FROM audit_events "
        "WHERE target_type = 'decision_templates' AND target_id NOT GLOB '*[^0-9]*')"
    )).scalar()
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'decision_templates'")
    if highest is not None:
        op.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) "
                           "VALUES ('decision_templates', :seq)").bindparams(seq=highest))


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('decision_templates', schema=None, recreate='always',
                              table_kwargs={'sqlite_autoincrement': False}):
        pass
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'decision_templates'")
