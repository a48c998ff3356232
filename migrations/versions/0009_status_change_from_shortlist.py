"""Publishing a shortlist now also decides the window's other ideas still waiting for a
decision ("not taken forward"). idea_status_changes.from_shortlist marks the changes that
publishing made: the public timeline links them to the shortlist, and the ranking shown and
downloaded after publishing keeps the ideas it left off, so that it stays the ranking the
shortlist was chosen from.

Changes to "shortlisted" were only ever made by publishing, so they are marked here. Ideas of
shortlists published before this migration that were left waiting stay as they are: deciding
them now would tell their followers, which is for staff to choose (a bulk decision from the
review queue does it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_shortlist', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute("UPDATE idea_status_changes SET from_shortlist = TRUE "
               "WHERE status = 'shortlisted'")


def downgrade():
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.drop_column('from_shortlist')
