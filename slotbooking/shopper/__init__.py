"""Our own shopper pages: the hosted booking page and the manage page behind a booking's link."""


def register(app) -> None:
    """Add the hosted booking and manage pages to the app."""
    from flask import request

    from slotbooking.ratelimits import limit_per_address
    from slotbooking.shopper.booking_views import bp as booking_bp
    from slotbooking.shopper.manage_views import bp as manage_bp
    from slotbooking.shopper.move_payment_views import bp as move_payment_bp
    from slotbooking.shopper.payment_views import bp as payment_bp
    from slotbooking.wording import remember_language_choice

    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    for blueprint in (booking_bp, manage_bp, payment_bp, move_payment_bp):
        limit_per_address(app, blueprint)
        app.register_blueprint(blueprint)
    pages = {booking_bp.name, manage_bp.name, payment_bp.name, move_payment_bp.name}

    @app.before_request
    def keep_the_shoppers_language():
        if request.blueprint in pages:
            remember_language_choice()
