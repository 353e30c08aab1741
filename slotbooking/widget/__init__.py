"""The embeddable slot picker: the web component's script, and the iframe embed for shops without scripts."""


def register(app) -> None:
    """Add the widget script and the iframe embed to the app."""
    from slotbooking.extensions import limiter
    from slotbooking.widget.embed_api import bp as embed_api_bp
    from slotbooking.widget.views import bp as widget_bp

    for blueprint in (widget_bp, embed_api_bp):
        limiter.limit(app.config["RATELIMIT_DEFAULT"])(blueprint)
        app.register_blueprint(blueprint)
