"""One idea for each mayoral pledge in a window: a unique index on the window and the pledge
reference in lower case, over the ideas that count (not drafts, not withdrawn). The pledge
import and the pledge form already refused a repeat, but the import compared letter case
against the window's pledges ("p1" went in beside "P1") and the form did not look at all.

If a window already holds two such pledges the upgrade stops and names them: staff withdraw
one or correct its reference (a database operator can do it), then upgrade again. Nothing is
changed or chosen for them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TAKEN = "pledge_reference IS NOT NULL AND status NOT IN ('draft', 'withdrawn')"


def upgrade():
    repeats = op.get_bind().execute(sa.text(
        f"SELECT window_id, lower(pledge_reference) AS reference, min(id), max(id), count(*) "
        f"FROM ideas WHERE {TAKEN} GROUP BY window_id, lower(pledge_reference) "
        f"HAVING count(*) > 1 ORDER BY window_id, reference")).all()
    if repeats:
        lines = "\n".join(f"  window {w}: pledge reference {r!r} on {n} ideas "
                          f"(ids {first} to {last})" for w, r, first, last, n in repeats)
        raise RuntimeError("These windows hold the same pledge more than once; withdraw the "
                           "repeats or correct their references, then upgrade again:\n" + lines)
    op.create_index('uq_ideas_window_pledge_reference', 'ideas',
                    ['window_id', sa.text('lower(pledge_reference)')], unique=True,
                    sqlite_where=sa.text(TAKEN), postgresql_where=sa.text(TAKEN))


def downgrade():
    op.drop_index('uq_ideas_window_pledge_reference', table_name='ideas')
