"""An example shop checkout, on its own origin: the slot picker in the page, the booking from the backend.

Run beside the demo (see README.md). Configured by environment variables:
SLOTBOOKING_URL (the booking service), PUBLISHABLE_KEY (for the browser), SECRET_KEY (for
this backend only: it books the held window), RETAILER_SLUG (for the iframe variant).
"""

import json
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path

from flask import Flask, render_template, request


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, root_path=str(Path(__file__).resolve().parent))
    app.config.update(
        SLOTBOOKING_URL=os.environ.get("SLOTBOOKING_URL", "http://127.0.0.1:5000").rstrip("/"),
        PUBLISHABLE_KEY=os.environ.get("PUBLISHABLE_KEY", ""),
        SLOTBOOKING_SECRET_KEY=os.environ.get("SECRET_KEY", ""),
        RETAILER_SLUG=os.environ.get("RETAILER_SLUG", "demo-grocer"),
    )
    app.config.update(config or {})

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

    return app


def book(config, hold_id: str, order_ref: str) -> tuple[int, dict | None]:
    """Book the held window with the secret key, from the server: the browser never sees that key."""
    request_ = urllib.request.Request(
        f"{config['SLOTBOOKING_URL']}/api/v1/bookings",
        data=json.dumps({"hold_id": hold_id, "order_ref": order_ref}).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {config['SLOTBOOKING_SECRET_KEY']}",
            "Content-Type": "application/json",
            "Idempotency-Key": order_ref,
        },
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
