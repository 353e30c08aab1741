"""An example shop checkout, on its own origin: the slot picker in the page, the booking from the backend.

Two ways to choose the delivery window: the slot picker in the page (the browser holds, this
backend books), or the hosted booking page (this backend opens a booking session and sends the
shopper to its link; they come back to /placed/<order>). Run beside the demo (see README.md).
Configured by environment variables:
SLOTBOOKING_URL (the booking service), PUBLISHABLE_KEY (for the browser), SECRET_KEY (for
this backend only: it books the held window), RETAILER_SLUG (for the iframe variant).
"""

import json
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path

from flask import Flask, redirect, render_template, request, url_for


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, root_path=str(Path(__file__).resolve().parent))
    app.config.update(
        SLOTBOOKING_URL=os.environ.get("SLOTBOOKING_URL", "http://127.0.0.1:5000").rstrip("/"),
        PUBLISHABLE_KEY=os.environ.get("PUBLISHABLE_KEY", ""),
        SLOTBOOKING_SECRET_KEY=os.environ.get("SECRET_KEY", ""),
        RETAILER_SLUG=os.environ.get("RETAILER_SLUG", "demo-grocer"),
    )
    app.config.update(config or {})
    session_ids: dict[str, str] = {}  # order -> its booking session (a real shop stores it with the order)

    @app.get("/")
    def checkout():
        return render_template("checkout.html", embed="widget", postcode=request.args.get("postcode", ""))

    @app.get("/iframe")
    def checkout_iframe():
        return render_template("checkout.html", embed="iframe", postcode=request.args.get("postcode", ""))

    @app.post("/order")
    def place_order():
        hold_id = request.form.get("hold_id", "")
        embed = "iframe" if request.form.get("embed") == "iframe" else "widget"
        postcode = request.form.get("postcode", "")
        if not hold_id:
            message = "Please choose a delivery window."
            return render_template("checkout.html", embed=embed, postcode=postcode, message=message), 400
        order_ref = f"SHOP-{secrets.token_hex(4).upper()}"
        status, body = book(app.config, hold_id, order_ref)
        if status == 201:
            return render_template("placed.html", order_ref=order_ref, booking=body)
        error = (body or {}).get("error", {})
        message = error.get("message") or "The delivery service did not answer; please try again."
        if error.get("code") == "hold_expired":
            message = "Your delivery window was released before you ordered. Please choose one again."
        return render_template("checkout.html", embed=embed, postcode=postcode, message=message), 409

    @app.post("/order/hosted")
    def place_order_hosted():
        """The hosted-page path: open a booking session for the order and send the shopper to its url."""
        postcode = request.form.get("postcode", "").strip()
        embed = "iframe" if request.form.get("embed") == "iframe" else "widget"
        if not postcode:
            message = "Please enter your postcode first."
            return render_template("checkout.html", embed=embed, postcode=postcode, message=message), 400
        order_ref = f"SHOP-{secrets.token_hex(4).upper()}"
        body = {
            "order_ref": order_ref,
            "address": {"postcode": postcode, "line1": request.form.get("line1", "").strip() or None},
            # Where the booking page's "Back to the shop" leads; the session id tells us what was booked.
            "return_url": url_for("order_placed", order_ref=order_ref, _external=True),
        }
        status, made = call(
            app.config, "POST", "/booking_sessions", body, idempotency_key=f"session-{order_ref}"
        )
        if status != 201:
            error = (made or {}).get("error", {})
            message = error.get("message") or "The delivery service did not answer; please try again."
            return render_template("checkout.html", embed=embed, postcode=postcode, message=message), 409
        session_ids[order_ref] = made["id"]
        return redirect(made["url"], code=303)

    @app.get("/placed/<order_ref>")
    def order_placed(order_ref):
        """Where the shopper comes back to: ask the service what was booked in the order's session."""
        session_id = session_ids.get(order_ref)
        if session_id is None:
            return render_template("placed.html", order_ref=order_ref, booking=None), 404
        _, state = call(app.config, "GET", f"/booking_sessions/{session_id}")
        booking = None
        if state and state.get("booking_id"):
            _, booking = call(app.config, "GET", f"/bookings/{state['booking_id']}")
        return render_template("placed.html", order_ref=order_ref, booking=booking)

    return app


def book(config, hold_id: str, order_ref: str) -> tuple[int, dict | None]:
    """Book the held window with the secret key, from the server: the browser never sees that key."""
    body = {"hold_id": hold_id, "order_ref": order_ref}
    return call(config, "POST", "/bookings", body, idempotency_key=order_ref)


def call(config, method: str, path: str, body=None, idempotency_key=None) -> tuple[int, dict | None]:
    """Call the booking service's API with the secret key; return the status and the JSON answer."""
    headers = {"Authorization": f"Bearer {config['SLOTBOOKING_SECRET_KEY']}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request_ = urllib.request.Request(
        f"{config['SLOTBOOKING_URL']}/api/v1{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request_, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.load(error)
        except ValueError:
            return error.code, None
    except (urllib.error.URLError, TimeoutError):
        return 503, None


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5001")))
