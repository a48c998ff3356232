"""Each clustering run (`flask triage run`, or "Check again" on the groups page) also finds
each window's themes and stores them here: their top words, how many ideas each held and the
ideas most about each. The staff themes page reads them instead of finding themes on every view,
which took about 5 s for a window of 100,000 ideas. Runs made before this migration have no
themes; the page says to check again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:34:21

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('triage_themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('words', sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('idea_count', sa.Integer(), nullable=False),
    sa.Column('example_ids', sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint('idea_count >= 1', name=op.f('ck_triage_themes_idea_count_positive')),
    sa.ForeignKeyConstraint(['run_id'], ['triage_runs.id'], name=op.f('fk_triage_themes_run_id_triage_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['idea_windows.id'], name=op.f('fk_triage_themes_window_id_idea_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_themes')),
    sa.UniqueConstraint('run_id', 'window_id', 'position', name='uq_triage_themes_run_window_position')
    )
    with op.batch_alter_table('triage_themes', schema=None) as batch_op:
        batch_op.create_index('ix_triage_themes_window_id', ['window_id'], unique=False)


def downgrade():
    with op.batch_alter_table('triage_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_triage_themes_window_id')

    op.drop_table('triage_themes')
