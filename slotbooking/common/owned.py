"""Rows a retailer owns, looked up by the public id a caller sent (a slot, hold or booking session).

Another retailer's row is answered exactly as a missing one, so ids never tell one retailer
what another has. An id longer than the id columns hold names no row: it is refused before
the database is asked, so junk of any length never reaches a query.
"""

import functools

from sqlalchemy import bindparam, select
from sqlalchemy.orm.util import identity_key

from slotbooking.common.errors import NotFound
from slotbooking.db_types import PUBLIC_ID_MAX_LENGTH


@functools.cache
def _owned_row(model):
    """Build, once per model, the SELECT of one row by id and retailer (its eager loads included)."""
    return select(model).where(model.id == bindparam("owned_id"), model.retailer_id == bindparam("owned_by"))


def find_owned(session, model, tenant_id: int, object_id):
    """Return the retailer's row of ``model`` with this public id, or None.

    A row the session has already is taken from it as ``Session.get`` does (no query unless it
    was expired); any other is read with a statement built once, which costs less CPU than
    ``Session.get`` building its load for every call.
    """
    if not isinstance(object_id, str) or not object_id or len(object_id) > PUBLIC_ID_MAX_LENGTH:
        return None
    if session.identity_map.get(identity_key(model, object_id)) is not None:
        row = session.get(model, object_id)
        return row if row is not None and row.retailer_id == tenant_id else None
    return session.execute(
        _owned_row(model), {"owned_id": object_id, "owned_by": tenant_id}
    ).scalar_one_or_none()


def get_owned(session, model, tenant_id: int, object_id, label: str, detail: str = "id"):
    """Return the retailer's row of ``model`` with this public id.

    :raises NotFound: no such row of this retailer's (``label`` names it in the message and
        ``detail`` is the key the id is echoed under).
    """
    row = find_owned(session, model, tenant_id, object_id)
    if row is None:
        raise NotFound(f"no {label} {object_id!r}", {detail: object_id})
    return row
