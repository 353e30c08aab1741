"""Delivery slot booking with dynamic, explained pricing: the Flask app."""

from pathlib import Path

from flask import Flask, send_from_directory
from sqlalchemy import event

from slotbooking.clock import system_now
from slotbooking.config import INSTANCE_DIR, load_config
from slotbooking.extensions import csrf, db, migrate
from slotbooking.jobs import init_jobs, use_app_factory
from slotbooking.jobs.queue import outbox_depth, queue_depth
from slotbooking.ops.logs import init_logging
from slotbooking.ops.metrics import init_metrics

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app; tests pass a mapping that replaces settings."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load_config(config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_security(app)
    init_logging(app)
    register_extensions(app)
    init_metrics(app, queue_depth, outbox_depth)
    init_jobs(app)
    register_blueprints(app)
    register_input_guard(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_security(app: Flask) -> None:
    """Refuse unsafe secrets, trust only the configured proxies, keep cookies on https."""
    from slotbooking.security.cookie_sessions import CookieSessions
    from slotbooking.security.startup import check_secrets, trust_proxies

    check_secrets(app.config, debug=app.debug, testing=app.testing)
    app.session_interface = CookieSessions()
    app.wsgi_app = trust_proxies(app.wsgi_app, app.config)
    if app.config["PUBLIC_BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True  # Flask-Login's (the console uses none, but may clear it)


def register_extensions(app: Flask) -> None:
    from slotbooking.auth import KeyCache
    from slotbooking.bookings.manage_links import ManageLinks
    from slotbooking.bookings.version_watch import watch_engine
    from slotbooking.cache import Cache
    from slotbooking.offerlog import init_offer_log
    from slotbooking.payments.gateway import StripeGateway
    from slotbooking.ratelimits import init_limiter
    from slotbooking.retailers.zones import ZoneFinder
    from slotbooking.security.encryption import SecretBox
    from slotbooking.slots.quotes import QuoteSigner
    from slotbooking.whatif import init_whatif
    from slotbooking.wording import init_babel

    init_babel(app)
    # CSRF is checked where a blueprint asks for it (console, shopper pages), never on the API.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    csrf.init_app(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    init_limiter(app)
    app.extensions["slot_cache"] = Cache(
        app.config["REDIS_URL"], app.config["REDIS_TIMEOUT_SECONDS"], app.config["CACHE_TTL_SECONDS"]
    )
    app.extensions["key_cache"] = KeyCache(app.config["AUTH_CACHE_SECONDS"])
    app.extensions["quote_signer"] = QuoteSigner(app.config["SECRET_KEY"])
    app.extensions["manage_links"] = ManageLinks(app.config["SECRET_KEY"], app.config["PUBLIC_BASE_URL"])
    app.extensions["secret_box"] = SecretBox.from_settings(
        app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"]
    )
    app.extensions["zone_finder"] = ZoneFinder()
    init_offer_log(app)
    init_whatif(app)
    app.extensions["clock"] = app.config.get("CLOCK") or system_now
    with app.app_context():
        watch_engine(
            db.engine,
            app.extensions["clock"],
            app.config["CAPACITY_VERSION_POLL_SECONDS"],
            app.config["CAPACITY_VERSION_STALE_SECONDS"],
            app.extensions["slot_cache"] if app.extensions["slot_cache"].enabled else None,
        )
    app.extensions["payments"] = StripeGateway(
        app.config["STRIPE_SECRET_KEY"],
        app.config["STRIPE_WEBHOOK_SECRET"],
        app.config["STRIPE_API_BASE"],
        app.config["STRIPE_TIMEOUT_SECONDS"],
    )
    register_pricers(app)


def register_pricers(app: Flask) -> None:
    from slotbooking.offerlog.fits import choice_for
    from slotbooking.offers.dynamic_pricing import EnginePricer
    from slotbooking.ops.metrics import TimedPricer
    from slotbooking.routes.pricing_plans import PlanLoader
    from slotbooking.slots.pricers import register_pricer

    # Route plans (docs/routes.md) and the retailer's fitted choice parameters where they
    # predict better (offerlog/fits.py) are handed in here, so slots imports neither part.
    engine = EnginePricer(solver=app.config["PRICING_SOLVER"], plans=PlanLoader(), choice=choice_for)
    register_pricer("dynamic", TimedPricer(engine, "dynamic"))
    register_pricer("static", TimedPricer(engine, "static"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    import swagger_ui_bundle
    from werkzeug.routing import UnicodeConverter

    from slotbooking import health
    from slotbooking.api.booking_schemas import booking_in_openapi
    from slotbooking.api.booking_sessions import blp as booking_sessions_blp
    from slotbooking.api.bookings import blp as bookings_blp
    from slotbooking.api.cors import register_cors
    from slotbooking.api.payments import blp as payments_blp
    from slotbooking.api.payments import webhook_blp as stripe_webhook_blp
    from slotbooking.api.rest import make_rest_api
    from slotbooking.api.routes import blp as routes_blp
    from slotbooking.api.schemas import address_in_openapi, path_id_parameter
    from slotbooking.api.slots import blp as slots_blp
    from slotbooking.console import register as register_console
    from slotbooking.shopper import register as register_shopper_pages
    from slotbooking.widget import register as register_widget

    app.config.update(
        API_TITLE="Delivery slot booking API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/assets/",
        API_SPEC_OPTIONS={
            "security": [{"bearer": []}],
            "info": {
                "description": (
                    "Authorization: Bearer <secret or publishable key>. Money is integer minor "
                    "units with a currency. Every error is "
                    '{"error": {"code", "message", "details"}} with codes validation_error, '
                    "unauthorized, forbidden, not_found, slot_full, idempotency_conflict, "
                    "idempotency_in_progress, too_many_holds, "
                    "hold_expired, address_not_served, slot_unavailable, payload_too_large, "
                    "rate_limited, unavailable."
                )
            },
        },
    )
    rest_api = make_rest_api(app)
    rest_api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    rest_api.register_converter(UnicodeConverter, path_id_parameter)
    rest_api.register_blueprint(slots_blp)
    rest_api.register_blueprint(bookings_blp)
    rest_api.register_blueprint(payments_blp)
    rest_api.register_blueprint(booking_sessions_blp)
    rest_api.register_blueprint(routes_blp)
    # What marshmallow's validators check across fields, said in the document too.
    documented = rest_api.spec.components.schemas
    documented["BookingIn"] = booking_in_openapi(documented["BookingIn"])
    documented["AddressIn"] = address_in_openapi(documented["AddressIn"])
    app.register_blueprint(health.blp)
    app.register_blueprint(stripe_webhook_blp)
    register_cors(app)
    register_shopper_pages(app)
    register_widget(app)
    register_console(app)

    @app.get("/api/v1/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


def register_input_guard(app: Flask) -> None:
    from slotbooking.input_guard import register_input_guard as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from slotbooking.error_responses import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from slotbooking.events.cli import events_cli
    from slotbooking.offerlog.cli import pricing_cli
    from slotbooking.offers.cli import slots_cli
    from slotbooking.payments.cli import payments_cli
    from slotbooking.reservations.cli import holds_cli, idempotency_cli
    from slotbooking.routes.cli import routes_cli
    from slotbooking.setup.cli import retailer_cli
    from slotbooking.staff.cli import staff_cli

    # `flask demo` is a plugin command (pyproject's flask.commands): it sets the demo's own
    # generated secrets before the app is built, so the start-up check passes without a debug flag.
    commands = (
        retailer_cli,
        slots_cli,
        holds_cli,
        idempotency_cli,
        payments_cli,
        events_cli,
        routes_cli,
        staff_cli,
    )
    for command in commands:
        app.cli.add_command(command)
    app.cli.add_command(pricing_cli)


# `celery -A slotbooking.jobs worker|beat` builds its app with this factory (see slotbooking.jobs).
use_app_factory(create_app)
