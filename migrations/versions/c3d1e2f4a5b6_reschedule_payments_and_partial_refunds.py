"""Reschedule at the new price: holds that pay for a move, and several refunds per payment

A hold may now stand for moving a booking (``moves_booking_id``), with the amount to pay for
it through us (``amount_due``: the price difference). A payment may be refunded in parts (a
cheaper move, then a cancellation), so ``payment_refunds`` loses its unique payment_id and
booking_id (each refund keeps its own unique idempotency key).

Revision ID: c3d1e2f4a5b6
Revises: c3e1d2a4b5f6
Create Date: 2026-12-02 09:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3d1e2f4a5b6"
down_revision = "c3e1d2a4b5f6"
branch_labels = None
depends_on = None

# The unique constraints were created unnamed: PostgreSQL named them itself, SQLite has no
# names, so batch mode gives them these names while it copies the table.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_names(table: str, columns: list[str]) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [f"{table}_{column}_key" for column in columns]
    return [f"uq_{table}_{column}" for column in columns]


def upgrade():
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moves_booking_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("amount_due", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_holds_moves_booking", ["moves_booking_id", "slot_id", "status"], unique=False
        )

    with op.batch_alter_table("payment_refunds", schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        for name in _unique_names("payment_refunds", ["payment_id", "booking_id"]):
            batch_op.drop_constraint(name, type_="unique")
        batch_op.create_index("ix_payment_refunds_payment_id", ["payment_id"], unique=False)
        batch_op.create_index("ix_payment_refunds_booking_id", ["booking_id"], unique=False)


def downgrade():
    with op.batch_alter_table("payment_refunds", schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_index("ix_payment_refunds_booking_id")
        batch_op.drop_index("ix_payment_refunds_payment_id")
        for name, column in zip(
            _unique_names("payment_refunds", ["payment_id", "booking_id"]), ["payment_id", "booking_id"]
        ):
            batch_op.create_unique_constraint(name, [column])

    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index("ix_holds_moves_booking")
        batch_op.drop_column("amount_due")
        batch_op.drop_column("moves_booking_id")
