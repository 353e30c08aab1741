"""The embeddable slot picker: the web component's script, and the iframe embed for shops without scripts."""


def register(app) -> None:
    """Add the widget script and the iframe embed to the app."""
    from slotbooking.ratelimits import limit_per_address
    from slotbooking.widget.embed_api import bp as embed_api_bp
    from slotbooking.widget.views import bp as widget_bp

    for blueprint in (widget_bp, embed_api_bp):
        limit_per_address(app, blueprint)
        app.register_blueprint(blueprint)
