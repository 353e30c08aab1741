"""Conversion counts per closed day and zone, and how far each retailer's days are counted

The conversion dashboard joins every offer of its range to the holds booked with its quote; a
day whose outcomes can no longer change is now counted once and kept (dashboards/funnel.py).

Revision ID: c2d4e6f8a0b3
Revises: b1c2d3e4f5a6
Create Date: 2026-12-03 11:20:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "c2d4e6f8a0b3"
down_revision = "b1c2d3e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversion_counts",
        sa.Column("retailer_id", sa.Integer(), sa.ForeignKey("retailers.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("zone_id", sa.Integer(), sa.ForeignKey("zones.id"), primary_key=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
    )
    op.create_table(
        "conversion_rollups",
        sa.Column("retailer_id", sa.Integer(), sa.ForeignKey("retailers.id"), primary_key=True),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("conversion_rollups")
    op.drop_table("conversion_counts")
