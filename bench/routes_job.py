"""The route-planning job on PostgreSQL: 300 bookings of one depot-day read, planned and stored.

Used by ``bench_routes.py --job``. It makes a scratch database, imports the demo retailer with
the Park Royal depot's fleet grown to carry 300 stops, inserts the bookings as rows (the setup
is not what is measured), then times ``plan_routes_of_day``: the body of the Celery task
``slotbooking.routes.plan``, with the app's settings (ROUTES_MAX_SECONDS, ROUTES_MAX_ITERATIONS).
"""

from __future__ import annotations

import copy
import hashlib
import random
import time
import uuid


def _group(vehicle: str, count: int, stops: int, start: str, end: str) -> dict:
    return dict(
        depot="PRY", vehicle=vehicle, count=count, stops_per_vehicle=stops, shift_start=start, shift_end=end
    )


# 8 electric and 3 diesel vans of 25 stops, 4 cargo bikes of 12: 323 places (bench_routes.FLEET).
FLEET = [
    _group("electric_van", 8, 25, "07:00", "21:00"),
    _group("diesel_van", 3, 25, "07:00", "21:00"),
    _group("cargo_bike", 4, 12, "08:00", "18:00"),
]


def time_planning_job(admin_url: str, stops: int, repeats: int, seed: int = 1) -> list[tuple[float, dict]]:
    """Return (wall seconds, job result) of each planning run of one depot-day with `stops` bookings."""
    import psycopg
    from flask_migrate import upgrade

    from slotbooking import create_app
    from slotbooking.demo.cli import demo_document
    from slotbooking.extensions import db

    name = f"slotbooking_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"{admin_url.rsplit('/', 1)[0]}/{name}", "SECRET_KEY": "bench"}
    )
    try:
        with app.app_context():
            upgrade()
            depot_id, day = _depot_day_with_bookings(db.session, demo_document(), stops, seed)
            from slotbooking.jobs.routes import plan_routes_of_day
            from slotbooking.routes.models import RoutePlanVersion

            runs = []
            for _ in range(repeats):
                db.session.query(RoutePlanVersion).delete()  # plan from scratch each time
                db.session.commit()
                started = time.perf_counter()
                result = plan_routes_of_day(depot_id, day.isoformat())
                runs.append((time.perf_counter() - started, result))
            db.session.remove()
            db.engine.dispose()
        return runs
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _depot_day_with_bookings(session, document: dict, stops: int, seed: int):
    from datetime import timedelta

    from sqlalchemy import select

    from slotbooking.bookings.models import Booking
    from slotbooking.clock import now
    from slotbooking.retailers.models import Depot, Zone
    from slotbooking.setup.document import import_setup
    from slotbooking.slots.models import DepotDay, Slot

    document = copy.deepcopy(document)
    document["fleet"] = [g for g in document["fleet"] if g["depot"] != "PRY"] + FLEET
    for template in document["slot_templates"]:
        template["capacity"] *= 10
    retailer = import_setup(session, document, "bench", now()).retailer
    depot = session.scalar(select(Depot).where(Depot.retailer_id == retailer.id, Depot.code == "PRY"))
    # The first weekday after tomorrow with windows (the demo delivers Monday to Saturday).
    day = min(
        d
        for d in session.scalars(select(Slot.service_date).where(Slot.depot_id == depot.id)).all()
        if d > now().date() + timedelta(days=1)
    )
    session.execute(
        DepotDay.__table__.update().where(DepotDay.depot_id == depot.id).values(capacity=10 * stops)
    )
    zones = {z.id: z for z in session.scalars(select(Zone).where(Zone.depot_id == depot.id)).all()}
    slots = session.scalars(select(Slot).where(Slot.depot_id == depot.id, Slot.service_date == day)).all()
    rng = random.Random(seed)
    for index in range(stops):
        slot = rng.choice(slots)
        zone = zones[slot.zone_id]
        booking_id = f"bkg_bench{index:05d}"
        session.add(
            Booking(
                id=booking_id,
                retailer_id=retailer.id,
                slot_id=slot.id,
                zone_id=zone.id,
                depot_id=depot.id,
                service_date=day,
                status="confirmed",
                price=400,
                base_price=400,
                incentives=[],
                currency="GBP",
                order_ref=f"BENCH-{index}",
                manage_token_digest=hashlib.sha256(booking_id.encode()).hexdigest(),
                postcode="N1 1AA",
                lat=zone.lat + rng.gauss(0, 0.01),
                lon=zone.lon + rng.gauss(0, 0.015),
            )
        )
    session.commit()
    return depot.id, day
