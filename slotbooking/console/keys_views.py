"""The API keys page: keys by prefix only; rotation (admin), confirmed first, shows the new key once."""

from flask import abort, g

from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.ops_forms import RotateKeyForm
from slotbooking.console.ops_support import on_behalf, page
from slotbooking.extensions import db
from slotbooking.operations.api_keys import live_keys, rotate_key
from slotbooking.request_context import now
from slotbooking.retailers.keys import KEY_PREFIXES


@bp.get("/r/<slug>/keys")
@tenant_page("viewer")
def api_keys(slug: str):
    return page("console/keys.html", keys=live_keys(db.session, g.console_tenant))


def _known(kind: str) -> str:
    if kind not in KEY_PREFIXES:
        abort(404)
    return kind


@bp.get("/r/<slug>/keys/<kind>/rotate")
@tenant_page("admin")
def api_key_rotate(slug: str, kind: str, form: RotateKeyForm | None = None, status: int = 200):
    current = live_keys(db.session, g.console_tenant)[_known(kind)]
    form = form or RotateKeyForm(seen_prefix=current.prefix if current else "")
    return page("console/key_rotate.html", status, kind=kind, current=current, form=form)


@bp.post("/r/<slug>/keys/<kind>/rotate")
@tenant_page("admin")
def api_key_rotate_do(slug: str, kind: str):
    form = RotateKeyForm()
    if not form.validate_on_submit():
        return api_key_rotate(slug=slug, kind=kind, form=form, status=422)
    rotated = rotate_key(
        db.session,
        g.console_tenant,
        _known(kind),
        form.seen_prefix.data,
        form.confirm.data,
        now(),
        on_behalf(),
    )
    return page("console/key_rotated.html", kind=kind, rotated=rotated)
