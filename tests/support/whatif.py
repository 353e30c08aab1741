"""Seed a small offer log for what-if tests: grids of real slots, offers shown in the past week."""

import random
from datetime import timedelta

from sqlalchemy import select

from slotbooking.extensions import db
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.offers.generation import extend_horizon
from slotbooking.retailers.models import Retailer, Zone
from slotbooking.slots.models import Slot


def _cell(zone, rng) -> str:
    """A coarse cell near the zone's centre, as the offer log keeps one (0.01 degree)."""
    return f"{zone.lat + rng.uniform(-0.01, 0.01):.2f},{zone.lon + rng.uniform(-0.015, 0.015):.2f}"


def seed_offer_log(app, clock, slug: str = "demo-grocer", offers: int = 30, zones: int = 2, days: int = 2):
    """Log ``offers`` offers over the last days, each showing a zone's windows of the next days."""
    rng = random.Random(5)
    with app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
        if not db.session.scalar(select(Slot.id).where(Slot.retailer_id == retailer.id).limit(1)):
            extend_horizon(db.session, retailer, clock())
        chosen = db.session.scalars(
            select(Zone).where(Zone.retailer_id == retailer.id).order_by(Zone.code).limit(zones)
        ).all()
        grids = []
        for zone in chosen:
            dates = sorted(set(db.session.scalars(select(Slot.service_date).where(Slot.zone_id == zone.id))))[
                :days
            ]
            slots = db.session.scalars(
                select(Slot)
                .where(Slot.zone_id == zone.id, Slot.service_date.in_(dates))
                .order_by(Slot.starts_at, Slot.ends_at)
            ).all()
            windows = [
                [s.id, s.service_date.isoformat(), 0, s.width_minutes, 400, False, s.width_minutes >= 120]
                for s in slots
            ]
            grid = OfferGrid(
                id=f"test-grid-{zone.id}",
                retailer_id=retailer.id,
                zone_id=zone.id,
                sheet_id="test-sheet",
                mode=retailer.pricing.get("mode", "flat"),
                base_fee=int(retailer.pricing.get("base_fee", 400)),
                windows=windows,
                created_at=clock(),
            )
            db.session.add(grid)
            grids.append((grid, zone))
        for n in range(offers):
            grid, zone = grids[n % len(grids)]
            shown = clock() - timedelta(hours=1 + n * 5)
            db.session.add(
                OfferShown(
                    quote_digest=f"q{n:031d}",
                    retailer_id=retailer.id,
                    grid_id=grid.id,
                    shown_at=shown,
                    expires_at=shown + timedelta(minutes=10),
                    cell=_cell(zone, rng),
                )
            )
        db.session.commit()
