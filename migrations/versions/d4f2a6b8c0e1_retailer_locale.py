"""Retailer locale: the language and formats of shopper pages and worded reasons

Revision ID: d4f2a6b8c0e1
Revises: 5e1c0a7d9b42
Create Date: 2026-12-02 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "d4f2a6b8c0e1"
down_revision = "5e1c0a7d9b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("retailers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=False, server_default="en_GB"))


def downgrade():
    with op.batch_alter_table("retailers", schema=None) as batch_op:
        batch_op.drop_column("locale")
