"""The embeddable slot picker: the web component's script, and the iframe embed for shops without scripts."""


def register(app) -> None:
    """Add the widget script and the iframe embed to the app."""
    from slotbooking.auth import client_address_key
    from slotbooking.extensions import limiter
    from slotbooking.widget.embed_api import bp as embed_api_bp
    from slotbooking.widget.views import bp as widget_bp

    for blueprint in (widget_bp, embed_api_bp):
        # Per client address: a bearer header, junk or not, buys no bucket of its own here.
        limiter.limit(app.config["RATELIMIT_DEFAULT"], key_func=client_address_key)(blueprint)
        app.register_blueprint(blueprint)
