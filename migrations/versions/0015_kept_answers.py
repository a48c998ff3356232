"""kept_answers: what someone typed in an idea form sent after their session had timed out,
kept for a day so that they can check it and send it again (app/intake/kept.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('answers', sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_answers')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kept_answers_token_hash'))
    )
    with op.batch_alter_table('kept_answers', schema=None) as batch_op:
        batch_op.create_index('ix_kept_answers_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_answers_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_answers_user_id'))
        batch_op.drop_index('ix_kept_answers_created_at')
    op.drop_table('kept_answers')
