"""voids of redemptions and exchanges; counter checkouts; dispatch matching per category; public summaries of orders

Revision ID: 5e18c0a1d2b3
Revises: 66b06d70eccd
Create Date: 2026-12-06 02:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import alliance.db_types


# revision identifiers, used by Alembic.
revision = '5e18c0a1d2b3'
down_revision = '66b06d70eccd'
branch_labels = None
depends_on = None

# The standard categories' dispatch matching as of this revision (a copy: migrations never
# import the application).
DEFAULT_MATCH = {
    "legal": ("法律咨询", "法律,咨询,调解"),
    "tax": ("财务,会计", "税务,财务,记账,会计"),
    "health": ("医护急救,陪同就医,心理疏导", "义诊,中医,药,体检,医疗"),
    "elderly": ("陪同就医,医护急救,烹饪,心理疏导,驾驶", "助老,养老,陪护,助餐,送餐,上门"),
    "repair": ("水电维修", "维修,上门,水电,家电"),
    "environment": ("防汛巡查", "清运,保洁,回收"),
    "employment": ("电脑手机教学", "招聘,培训,就业"),
    "enterprise": ("", "互助,供货,合作"),
    "volunteer": ("陪同就医,辅导作业,电脑手机教学,文艺演出,理发,摄影", "志愿,公益,义务"),
    "emergency": ("防汛巡查,医护急救,驾驶", "应急,防汛,物资"),
}


def upgrade():
    for table in ('card_redemptions', 'points_exchanges'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('voided_at', alliance.db_types.UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('void_reason', sa.String(length=200), server_default='', nullable=False))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_voided_by_id_users'), 'users', ['voided_by_id'], ['id'])
    with op.batch_alter_table('service_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_skills', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('match_services', sa.String(length=300), server_default='', nullable=False))
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_summary', sa.String(length=60), server_default='', nullable=False))
    categories = sa.table(
        'service_categories',
        sa.column('code', sa.String),
        sa.column('match_skills', sa.String),
        sa.column('match_services', sa.String),
    )
    for code, (skills, services) in DEFAULT_MATCH.items():
        op.execute(
            categories.update()
            .where(categories.c.code == code)
            .values(match_skills=skills, match_services=services)
        )
    op.create_table('counter_checkouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('code_type', sa.String(length=10), nullable=False),
    sa.Column('created_at', alliance.db_types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', alliance.db_types.UTCDateTime(), nullable=False),
    sa.Column('used_at', alliance.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_counter_checkouts_card_id_cards')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_counter_checkouts_merchant_id_merchants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_checkouts')),
    sa.UniqueConstraint('public_id', name=op.f('uq_counter_checkouts_public_id'))
    )
    with op.batch_alter_table('counter_checkouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_checkouts_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_counter_checkouts_merchant_id'), ['merchant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('public_summary')
    with op.batch_alter_table('service_categories', schema=None) as batch_op:
        batch_op.drop_column('match_services')
        batch_op.drop_column('match_skills')
    with op.batch_alter_table('counter_checkouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_checkouts_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_counter_checkouts_card_id'))
    op.drop_table('counter_checkouts')
    for table in ('points_exchanges', 'card_redemptions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_voided_by_id_users'), type_='foreignkey')
            batch_op.drop_column('void_reason')
            batch_op.drop_column('voided_by_id')
            batch_op.drop_column('voided_at')
