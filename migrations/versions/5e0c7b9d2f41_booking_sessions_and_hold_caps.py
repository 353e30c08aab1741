"""Booking sessions for the hosted page; holds remember their session and client (per-session and per-client caps)

Revision ID: 5e0c7b9d2f41
Revises: aa967591c60f
Create Date: 2026-12-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0c7b9d2f41'
down_revision = 'aa967591c60f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('order_ref', sa.String(length=200), nullable=False),
    sa.Column('customer_ref', sa.String(length=200), nullable=True),
    sa.Column('return_url', sa.String(length=2000), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lock_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('postcode', sa.String(length=16), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('line1', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_digest')
    )
    with op.batch_alter_table('booking_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_sessions_retailer_id'), ['retailer_id'], unique=False)

    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('client', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('fk_holds_session_id_booking_sessions', 'booking_sessions', ['session_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_holds_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_holds_client_live', ['retailer_id', 'client', 'status', 'expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index('ix_holds_client_live')
        batch_op.drop_index(batch_op.f('ix_holds_session_id'))
        batch_op.drop_constraint('fk_holds_session_id_booking_sessions', type_='foreignkey')
        batch_op.drop_column('client')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('booking_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_sessions_retailer_id'))

    op.drop_table('booking_sessions')
