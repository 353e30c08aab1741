"""What-if runs: a draft's rules replayed over recent offers, kept with the version it became

whatif_runs: one row per run (docs/whatif.md): the draft's digest and document, the period of offers, draws
and seed, status and progress, the result, who started it, and the setup version its draft
became when published. A new table only: nothing existing changes.

Revision ID: b7e2d4f6a8c0
Revises: c2d4e6f8a0b3
Create Date: 2026-12-04 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d4f6a8c0"
down_revision = "c2d4e6f8a0b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "whatif_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retailer_id", sa.Integer(), nullable=False),
        sa.Column("draft_digest", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("offers", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("setup_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["retailer_id"], ["retailers.id"]),
        sa.ForeignKeyConstraint(["started_by"], ["staff_members.id"]),
        sa.ForeignKeyConstraint(["setup_version_id"], ["setup_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("whatif_runs", schema=None) as batch_op:
        batch_op.create_index("ix_whatif_runs_retailer_created", ["retailer_id", "created_at"], unique=False)
        batch_op.create_index("ix_whatif_runs_setup_version_id", ["setup_version_id"], unique=False)


def downgrade():
    with op.batch_alter_table("whatif_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_whatif_runs_setup_version_id")
        batch_op.drop_index("ix_whatif_runs_retailer_created")
    op.drop_table("whatif_runs")
