"""Retailer locale: the language and formats of shopper pages and worded reasons

Plain ADD/DROP COLUMN, not a batch: on SQLite a batch copies the table, and retailers is
referenced by every other table (foreign keys are on), so the copy could not replace it.

Revision ID: d4f2a6b8c0e1
Revises: 7b3f9c1d2e40
Create Date: 2026-12-02 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "d4f2a6b8c0e1"
down_revision = "7b3f9c1d2e40"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "retailers", sa.Column("locale", sa.String(length=16), nullable=False, server_default="en_GB")
    )


def downgrade():
    op.drop_column("retailers", "locale")
