"""Column types and id helpers shared by the models."""

import secrets
from datetime import UTC

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=dialect.name == "postgresql"))


# The longest public id (``hold_4f1c...``, ``bkg_...``) the id columns hold. A caller's id
# longer than this names no row, so lookups refuse it without asking the database.
PUBLIC_ID_MAX_LENGTH = 32


def new_id(prefix: str) -> str:
    """Return an unguessable public id such as ``hold_4f1c...``."""
    return f"{prefix}_{secrets.token_hex(10)}"
