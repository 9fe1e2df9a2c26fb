"""large text mode (长辈模式): remembered on the account

Revision ID: e1d3a7c0b2f4
Revises: fac4e9e1ce94
Create Date: 2026-12-01 20:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1d3a7c0b2f4'
down_revision = 'fac4e9e1ce94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('large_text', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('large_text')
