"""Store manage-link tokens as digests only, and webhook signing secrets encrypted

Manage tokens become an HMAC of the booking id (slotbooking/bookings/manage_links.py): every
booking gets the digest of its derived token, and the digest of its old random token is kept
in legacy_token_digest so links already e-mailed still open until their delivery day has
passed. Webhook secrets are encrypted under the app's ENCRYPTION_KEYS (first key). Both need
the app's keys, so this revision runs inside the app (flask db upgrade, or upgrade() in tests).

Revision ID: 5e1c0a7d9b42
Revises: c3d1e2f4a5b6
Create Date: 2026-12-02 09:50:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '5e1c0a7d9b42'
down_revision = 'c3d1e2f4a5b6'
branch_labels = None
depends_on = None

bookings = sa.table(
    'bookings',
    sa.column('id', sa.String),
    sa.column('manage_token', sa.String),
    sa.column('legacy_token_digest', sa.String),
)
endpoints = sa.table('event_endpoints', sa.column('retailer_id', sa.Integer), sa.column('secret', sa.String))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def upgrade():
    links = current_app.extensions['manage_links']
    box = current_app.extensions['secret_box']
    conn = op.get_bind()
    # No batch (table copy) for bookings: on SQLite that would drop a table other rows point at.
    # The column is kept and renamed (its unique constraint goes with it), and it now holds the
    # digest: 64 hex characters, as wide as the old token column.
    op.add_column('bookings', sa.Column('legacy_token_digest', sa.String(length=64), nullable=True))
    for booking_id, token in conn.execute(sa.select(bookings.c.id, bookings.c.manage_token)).all():
        conn.execute(
            bookings.update()
            .where(bookings.c.id == booking_id)
            .values(manage_token=links.digest(booking_id), legacy_token_digest=_digest(token))
        )
    op.execute('ALTER TABLE bookings RENAME COLUMN manage_token TO manage_token_digest')
    op.create_index('ix_bookings_legacy_token_digest', 'bookings', ['legacy_token_digest'], unique=True)

    with op.batch_alter_table('event_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), type_=sa.String(length=500))
    for retailer_id, secret in conn.execute(sa.select(endpoints.c.retailer_id, endpoints.c.secret)).all():
        conn.execute(
            endpoints.update().where(endpoints.c.retailer_id == retailer_id).values(secret=box.encrypt(secret))
        )


def downgrade():
    # Old random tokens cannot be rebuilt from their digests: downgrading stores every
    # booking's derived token in the clear, as tokens were stored before.
    links = current_app.extensions['manage_links']
    box = current_app.extensions['secret_box']
    conn = op.get_bind()
    for retailer_id, secret in conn.execute(sa.select(endpoints.c.retailer_id, endpoints.c.secret)).all():
        conn.execute(
            endpoints.update().where(endpoints.c.retailer_id == retailer_id).values(secret=box.decrypt(secret))
        )
    with op.batch_alter_table('event_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=500), type_=sa.String(length=100))

    op.drop_index('ix_bookings_legacy_token_digest', table_name='bookings')
    op.execute('ALTER TABLE bookings RENAME COLUMN manage_token_digest TO manage_token')
    for (booking_id,) in conn.execute(sa.select(bookings.c.id)).all():
        conn.execute(
            bookings.update().where(bookings.c.id == booking_id).values(manage_token=links.token(booking_id))
        )
    op.drop_column('bookings', 'legacy_token_digest')
