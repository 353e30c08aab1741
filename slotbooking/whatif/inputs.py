"""Read a what-if's inputs: the period's logged offers, the windows they offered, both rule sets.

The live side is the retailer as it is (its rules, its slots' fees); the draft side is the tenant
``drafts/preview.py`` builds from the draft document (its pricing and its templates' fees). The
engine's own choice assumptions per side are production's (a fit in use, else that side's setup);
the simulated shoppers choose by the live side's (the retailer's fitted model, when one is in use).
"""

import hashlib
import json
from datetime import datetime

from sqlalchemy import select

from pricing import GeoPoint, VehicleGroup
from pricing.whatif import ReplayDepot, ReplayOffer, ReplaySlot, ReplayZone, RuleSet, WhatIfInput
from slotbooking.drafts.preview import draft_fees, draft_tenant
from slotbooking.offerlog.fits import in_use_parameters
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.offers.dynamic_pricing import engine_rules, local_minutes
from slotbooking.retailers.models import Depot, Zone
from slotbooking.slots.clock import minute_of_day
from slotbooking.slots.models import Slot

CHUNK = 500


def document_digest(document: dict) -> str:
    """Name a draft document by its content (keys sorted), to tell whether the draft changed since."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def _offer_rows(session, retailer_id: int, since: datetime, until: datetime, limit: int) -> list:
    """Return the newest ``limit`` offers shown in [since, until), oldest first, with their grids."""
    rows = session.execute(
        select(OfferShown.quote_digest, OfferShown.cell, OfferGrid.zone_id, OfferGrid.windows)
        .join(OfferGrid, OfferGrid.id == OfferShown.grid_id)
        .where(
            OfferShown.retailer_id == retailer_id, OfferShown.shown_at >= since, OfferShown.shown_at < until
        )
        .order_by(OfferShown.shown_at.desc(), OfferShown.quote_digest)
        .limit(limit)
    ).all()
    rows.reverse()
    return rows


def _slots(session, ids: set[str]) -> dict[str, Slot]:
    found, ordered = {}, sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        for slot in session.scalars(select(Slot).where(Slot.id.in_(ordered[start : start + CHUNK]))):
            found[slot.id] = slot
    return found


def _point(cell: str, zone: Zone) -> GeoPoint:
    """Return the offer's coarse cell as a point ("lat,lon"), or the zone's centre for a district."""
    lat, _, lon = cell.partition(",")
    try:
        return GeoPoint(float(lat), float(lon))
    except ValueError:
        return GeoPoint(zone.lat, zone.lon)


def _depots(session, retailer_id: int) -> dict[str, ReplayDepot]:
    depots = session.scalars(select(Depot).where(Depot.retailer_id == retailer_id)).all()
    return {
        str(depot.id): ReplayDepot(
            str(depot.id),
            GeoPoint(depot.lat, depot.lon),
            tuple(
                VehicleGroup(
                    g.vehicle,
                    g.count,
                    g.stops_per_vehicle,
                    minute_of_day(g.shift_start),
                    minute_of_day(g.shift_end),
                )
                for g in depot.fleet
            ),
        )
        for depot in depots
    }


def read_inputs(
    session, tenant, document: dict, since: datetime, until: datetime, config, draws: int, seed: int
) -> WhatIfInput:
    """Return the what-if of the document over the offers shown in [since, until).

    :raises ValidationFailed: the document is not a valid setup (drafts are checked when saved).
    """
    draft = draft_tenant(tenant, document)
    rows = _offer_rows(session, tenant.id, since, until, config["WHATIF_MAX_OFFERS"])
    zones = {z.id: z for z in session.scalars(select(Zone).where(Zone.retailer_id == tenant.id))}
    slot_rows = _slots(session, {window[0] for row in rows for window in row.windows})
    slots = {
        slot.id: ReplaySlot(
            key=slot.id,
            zone=str(slot.zone_id),
            day=slot.service_date.isoformat(),
            start_minute=local_minutes(slot.starts_at, tenant.tz, slot.service_date),
            end_minute=local_minutes(slot.ends_at, tenant.tz, slot.service_date),
            capacity=slot.capacity,
            fee=slot.fee,
        )
        for slot in slot_rows.values()
        if slot.zone_id in zones
    }
    offers = tuple(
        ReplayOffer(
            key=row.quote_digest,
            zone=str(row.zone_id),
            point=_point(row.cell, zones[row.zone_id]),
            slots=tuple(window[0] for window in row.windows if window[0] in slots),
        )
        for row in rows
        if row.zone_id in zones
    )
    by_template = draft_fees(session, tenant.id, document)
    fees = {s.id: by_template[s.template_id] for s in slot_rows.values() if s.template_id in by_template}
    solver = config["PRICING_SOLVER"]
    live_choice = in_use_parameters(session, tenant.id, tenant.pricing)[0]
    live_rules = engine_rules(tenant.pricing, 0, solver)
    return WhatIfInput(
        offers=offers,
        slots=slots,
        zones={
            str(z.id): ReplayZone(str(z.id), str(z.depot_id), GeoPoint(z.lat, z.lon)) for z in zones.values()
        },
        depots=_depots(session, tenant.id),
        live=RuleSet(live_rules, live_choice),
        draft=RuleSet(
            engine_rules(draft.pricing, 0, solver),
            in_use_parameters(session, tenant.id, draft.pricing)[0],
            fees,
        ),
        shoppers=live_choice,
        reference_fee=live_rules.base_fee,
        seed=seed,
        draws=draws,
        routing_iterations=config["WHATIF_ROUTING_ITERATIONS"],
        routing_seconds=config["WHATIF_ROUTING_SECONDS"],
    )
