"""Moderators can edit an idea's words to take personal information out (a phone number, a
neighbour's name) instead of only hiding it: ideas.moderator_edited_at says when they last
did, and the idea's page says so. The audit log records which answers changed, never the
words taken out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no table rebuild, so 0007's triggers stay.
    op.add_column('ideas', sa.Column('moderator_edited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place; a batch rebuild would lose 0007's triggers.
    op.drop_column('ideas', 'moderator_edited_at')
