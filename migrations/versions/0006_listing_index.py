"""An index for a window's listed ideas (the conditions of listed()): the public list is
counted and put in its fair shuffle from the index alone, and the other orders read the rows
in id order. Adding the filter or sort columns made SQLite read rows in index order instead,
which was five times slower for "most supported" at 100,000 ideas.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:00:00

"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LISTED = ['status', 'awaiting_moderation', 'hidden_at']  # the columns listed() tests


def upgrade():
    op.create_index('ix_ideas_listing', 'ideas', ['window_id', *LISTED])
    op.drop_index('ix_ideas_window_status', table_name='ideas')  # a prefix of the new one
    # The source and area filters' indexes gain listed()'s columns, for the same reason.
    op.drop_index('ix_ideas_window_source_status', table_name='ideas')
    op.drop_index('ix_ideas_window_area_status', table_name='ideas')
    op.create_index('ix_ideas_window_source_listed', 'ideas', ['window_id', 'source', *LISTED])
    op.create_index('ix_ideas_window_area_listed', 'ideas', ['window_id', 'area_id', *LISTED])


def downgrade():
    op.drop_index('ix_ideas_window_area_listed', table_name='ideas')
    op.drop_index('ix_ideas_window_source_listed', table_name='ideas')
    op.create_index('ix_ideas_window_area_status', 'ideas', ['window_id', 'area_id', 'status'])
    op.create_index('ix_ideas_window_source_status', 'ideas',
                    ['window_id', 'source', 'status'])
    op.create_index('ix_ideas_window_status', 'ideas', ['window_id', 'status'])
    op.drop_index('ix_ideas_listing', table_name='ideas')
