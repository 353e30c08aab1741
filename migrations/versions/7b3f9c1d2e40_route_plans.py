"""Route plans: one row per version of a depot-day's planned routes

Planned on the job queue after bookings change and at the day's cut-off (slotbooking/routes);
the body holds the plan as the pricing engine reads it (slotbooking/routes/codec.py).

Revision ID: 7b3f9c1d2e40
Revises: 5e1c0a7d9b42
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3f9c1d2e40'
down_revision = '5e1c0a7d9b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('route_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('inputs_seq', sa.Integer(), nullable=False),
    sa.Column('bookings_count', sa.Integer(), nullable=False),
    sa.Column('bookings_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stops', sa.Integer(), nullable=False),
    sa.Column('unassigned', sa.Integer(), nullable=False),
    sa.Column('km', sa.Float(), nullable=False),
    sa.Column('co2_grams', sa.Integer(), nullable=False),
    sa.Column('feasible', sa.Boolean(), nullable=False),
    sa.Column('solve_seconds', sa.Float(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], ),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('depot_id', 'service_date', 'version', name='uq_route_plans_version')
    )
    with op.batch_alter_table('route_plans', schema=None) as batch_op:
        batch_op.create_index('ix_route_plans_retailer_day', ['retailer_id', 'service_date'], unique=False)


def downgrade():
    with op.batch_alter_table('route_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_route_plans_retailer_day')
    op.drop_table('route_plans')
