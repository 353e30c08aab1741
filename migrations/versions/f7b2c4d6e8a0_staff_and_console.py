"""Staff accounts, memberships, sessions, invites and audit log; setup drafts and published versions

The ops console (slotbooking/staff, slotbooking/drafts, slotbooking/console). New tables only:
nothing existing changes.

Revision ID: f7b2c4d6e8a0
Revises: e6a1b3c5d7f9
Create Date: 2026-12-03 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7b2c4d6e8a0'
down_revision = 'e6a1b3c5d7f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('staff_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('staff_id', 'retailer_id')
    )
    with op.batch_alter_table('staff_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_memberships_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_memberships_retailer_id'), ['retailer_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_id'), ['staff_id'], unique=False)

    op.create_table('staff_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['staff_members.id'], ),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    with op.batch_alter_table('staff_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invites_retailer_id'), ['retailer_id'], unique=False)

    op.create_table('staff_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('retailer_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=254), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_audit_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_audit_retailer_id'), ['retailer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_audit_action'), ['action'], unique=False)

    op.create_table('setup_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_members.id'], ),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('retailer_id')
    )
    op.create_table('setup_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('restored_from', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_members.id'], ),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('retailer_id', 'number')
    )
    with op.batch_alter_table('setup_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setup_versions_retailer_id'), ['retailer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('setup_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setup_versions_retailer_id'))
    op.drop_table('setup_versions')
    op.drop_table('setup_drafts')
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_audit_action'))
        batch_op.drop_index(batch_op.f('ix_staff_audit_retailer_id'))
        batch_op.drop_index(batch_op.f('ix_staff_audit_staff_id'))
        batch_op.drop_index(batch_op.f('ix_staff_audit_at'))
    op.drop_table('staff_audit')
    with op.batch_alter_table('staff_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invites_retailer_id'))
    op.drop_table('staff_invites')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_id'))
    op.drop_table('staff_sessions')
    with op.batch_alter_table('staff_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_memberships_retailer_id'))
        batch_op.drop_index(batch_op.f('ix_staff_memberships_staff_id'))
    op.drop_table('staff_memberships')
    op.drop_table('staff_members')
