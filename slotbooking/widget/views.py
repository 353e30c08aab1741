"""The widget's script, a clock for its countdown, and the iframe embed page."""

from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_from_directory

from slotbooking.common.errors import DomainError
from slotbooking.request_context import now
from slotbooking.shopper.lookup import ShopperInput
from slotbooking.widget.access import frame_policy, tenant_for_key
from slotbooking.widget.strings import widget_strings
from slotbooking.wording import current_locale

bp = Blueprint("widget", __name__)

WIDGET_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"


@bp.get("/widget/slot-picker.js")
def script():
    """Serve the web component; any site may load it, the API decides who may use it."""
    response = send_from_directory(WIDGET_DIR, "slot-picker.js", mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/widget/strings")
def strings():
    """Give a shop page's picker its words, in the language asked for (?lang=) or the browser's."""
    response = current_app.json.response(widget_strings())
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    return response


@bp.get("/widget/clock")
def clock():
    """Tell the widget our time, so a hold's countdown is right on a shopper's skewed clock."""
    response = current_app.json.response({"now": now().isoformat()})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/embed/<slug>")
def embed(slug):
    """Render the picker for an iframe; it posts the widget's events to the shop page."""
    tenant = None
    try:
        tenant = tenant_for_key(slug, request.args.get("key"))
        shopper = ShopperInput.read(request.args)
        page = render_template(
            "widget/embed.html",
            tenant=tenant,
            postcode=shopper.postcode or "",
            lang=str(current_locale()).replace("_", "-"),
            strings=widget_strings(),
            days=request.args.get("days", "7") if request.args.get("days", "7").isdigit() else "7",
        )
        status = 200
    except DomainError as error:
        lang = str(current_locale()).replace("_", "-")
        page = render_template("widget/embed_error.html", message=error.message, lang=lang)
        status = error.status
    response = current_app.make_response((page, status))
    response.headers["Content-Security-Policy"] = frame_policy(tenant)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
