"""Each time a person moves their support from a merged idea to the one it went into, a row
here says so. Undoing the merge reads them to tell each person where their support is: it
stays where they moved it. Moves made before this migration were not recorded, so undoing an
older merge says nothing about them to those people.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('triage_support_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_idea_id', sa.Integer(), nullable=False),
    sa.Column('to_idea_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('from_idea_id <> to_idea_id', name=op.f('ck_triage_support_moves_different_ideas')),
    sa.ForeignKeyConstraint(['from_idea_id'], ['ideas.id'], name=op.f('fk_triage_support_moves_from_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_idea_id'], ['ideas.id'], name=op.f('fk_triage_support_moves_to_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_triage_support_moves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_support_moves'))
    )
    with op.batch_alter_table('triage_support_moves', schema=None) as batch_op:
        batch_op.create_index('ix_triage_support_moves_from_idea_id', ['from_idea_id'], unique=False)


def downgrade():
    with op.batch_alter_table('triage_support_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_triage_support_moves_from_idea_id')

    op.drop_table('triage_support_moves')
