"""order queue index: the queues sort and cut on ids by an index-only scan on PostgreSQL

Revision ID: cd9d4972f08f
Revises: af4ad53a0349
Create Date: 2026-12-01 14:15:00.076297

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cd9d4972f08f'
down_revision = 'af4ad53a0349'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_queue', ['community_id', 'state', 'due_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_queue')

