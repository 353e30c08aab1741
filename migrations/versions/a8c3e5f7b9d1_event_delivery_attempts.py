"""Event delivery attempts: each attempt to send a webhook, its answer and what followed

New table only: nothing existing changes. Deliveries made before it keep their counts and
last answer on event_deliveries; their earlier attempts are not known one by one.

Revision ID: a8c3e5f7b9d1
Revises: f7b2c4d6e8a0
Create Date: 2026-12-03 07:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a8c3e5f7b9d1"
down_revision = "f7b2c4d6e8a0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["event_deliveries.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_delivery_attempts_delivery_id", "event_delivery_attempts", ["delivery_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_event_delivery_attempts_delivery_id", table_name="event_delivery_attempts")
    op.drop_table("event_delivery_attempts")
