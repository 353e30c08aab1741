"""Indexes for the dashboards: bookings by retailer and day with what the figures sum, live holds

The dashboards (slotbooking/dashboards) aggregate a retailer's bookings over a range of days:
on PostgreSQL the index carries the columns they group and sum (INCLUDE), so the figures read
the index alone (an index-only scan) rather than every booking's row with its JSON. Holds that
still count (status active) are few: a partial index finds them without reading the others.
SQLite gets the same keys without INCLUDE (it has none).

Revision ID: a9d3c5e7f1b2
Revises: a8c3e5f7b9d1
Create Date: 2026-12-03 07:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9d3c5e7f1b2"
down_revision = "a8c3e5f7b9d1"
branch_labels = None
depends_on = None

BOOKING_FIGURES = ["status", "slot_id", "zone_id", "depot_id", "price", "base_price"]


def upgrade():
    op.create_index(
        "ix_bookings_dashboard",
        "bookings",
        ["retailer_id", "service_date"],
        postgresql_include=BOOKING_FIGURES,
    )
    op.create_index(
        "ix_holds_active_day",
        "holds",
        ["retailer_id", "service_date"],
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )


def downgrade():
    op.drop_index("ix_holds_active_day", table_name="holds")
    op.drop_index("ix_bookings_dashboard", table_name="bookings")
