"""Import and export a retailer's whole setup as one document."""

import json
from dataclasses import dataclass
from datetime import datetime

import yaml
from marshmallow import ValidationError
from sqlalchemy import select

from slotbooking.common.errors import ValidationFailed
from slotbooking.common.fields import flatten_errors
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.events.settings import apply_event_settings, export_event_settings
from slotbooking.offers.generation import generate_slots
from slotbooking.payments.settings import apply_payment_settings, export_payment_settings
from slotbooking.retailers.keys import issue_keys
from slotbooking.retailers.models import (
    AuditEvent,
    Depot,
    FleetGroup,
    Retailer,
    SlotTemplate,
    Zone,
    ZonePrefix,
)
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.retailers.schemas import SetupDocument

RULE_FIELDS = ("horizon_days", "lead_time_hours", "cutoff", "hold_minutes")


@dataclass
class ImportResult:
    retailer: Retailer
    created: bool
    keys: dict[str, str] | None


def parse_document(text: str, filename: str = "") -> dict:
    """Read a setup document from JSON or YAML text.

    :raises ValidationFailed: the text is neither.
    """
    try:
        if filename.endswith((".yaml", ".yml")):
            return yaml.safe_load(text)
        return json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationFailed(f"not a readable setup document: {exc}") from exc


def validate_document(raw) -> dict:
    """Return the document with defaults applied.

    :raises ValidationFailed: with one message per path, e.g. ``zones[2].depot``.
    """
    try:
        document = SetupDocument().load(raw)
    except ValidationError as exc:
        raise ValidationFailed("invalid setup document", flatten_errors(exc.messages)) from exc
    problems = _cross_reference_problems(document)
    if problems:
        raise ValidationFailed("invalid setup document", problems)
    return document


def _cross_reference_problems(doc: dict) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def say(path, message):
        problems.setdefault(path, []).append(message)

    depots = [d["code"] for d in doc["depots"]]
    zones = [z["code"] for z in doc["zones"]]
    for i, code in enumerate(depots):
        if depots.index(code) != i:
            say(f"depots[{i}].code", f'duplicate depot "{code}"')
    seen_prefixes: dict[str, str] = {}
    for i, zone in enumerate(doc["zones"]):
        if zones.index(zone["code"]) != i:
            say(f"zones[{i}].code", f'duplicate zone "{zone["code"]}"')
        if zone["depot"] not in depots:
            say(f"zones[{i}].depot", f'unknown depot "{zone["depot"]}"')
        for j, prefix in enumerate(zone["postcode_prefixes"]):
            normal = normalise_postcode(prefix)
            owner = seen_prefixes.setdefault(normal, zone["code"])
            if owner != zone["code"] or zone["postcode_prefixes"].index(prefix) != j:
                say(f"zones[{i}].postcode_prefixes[{j}]", f'prefix "{normal}" is already used')
    for i, group in enumerate(doc["fleet"]):
        if group["depot"] not in depots:
            say(f"fleet[{i}].depot", f'unknown depot "{group["depot"]}"')
    for i, template in enumerate(doc["slot_templates"]):
        for code in template["zones"]:
            if code != "*" and code not in zones:
                say(f"slot_templates[{i}].zones", f'unknown zone "{code}"')
    return problems


def import_setup(session, raw, actor: str, now: datetime) -> ImportResult:
    """Create the retailer, or update it in place, keeping keys, bookings and history.

    :raises ValidationFailed: the document is invalid, or lowers a capacity below bookings.
    """
    doc = validate_document(raw)
    with unit_of_work(session):
        result = _apply(session, doc, now)
        session.add(
            AuditEvent(
                retailer_id=result.retailer.id,
                actor=actor,
                action="setup.created" if result.created else "setup.updated",
                details={"document": json.loads(json.dumps(doc, default=str))},
            )
        )
    return result


def _apply(session, doc: dict, now: datetime) -> ImportResult:
    section = doc["retailer"]
    retailer = session.scalar(select(Retailer).where(Retailer.slug == section["slug"]))
    created = retailer is None
    if created:
        retailer = Retailer(slug=section["slug"])
        session.add(retailer)
    for key in ("name", "timezone", "currency", "locale", "allowed_origins"):
        setattr(retailer, key, section[key])
    rules = doc["booking_rules"]
    for key in RULE_FIELDS:
        setattr(retailer, key, rules[key])
    retailer.blackout_dates = sorted(d.isoformat() for d in rules["blackout_dates"])
    retailer.pricing = doc["pricing"]
    # Always moves, even when only zones or templates changed: caches are keyed on it.
    retailer.updated_at = now
    session.flush()
    depots = _sync_depots(session, retailer, doc)
    _sync_zones(session, retailer, doc, depots)
    _sync_templates(session, retailer, doc)
    session.flush()
    session.refresh(retailer)
    generate_slots(session, retailer, now)
    keys = issue_keys(session, retailer.id) if created else None
    apply_payment_settings(session, retailer, doc["payments"])
    webhook_secret = apply_event_settings(session, retailer, doc["events"])
    if webhook_secret:  # shown once, like the keys
        keys = {**(keys or {}), "webhook_secret": webhook_secret}
    session.flush()
    return ImportResult(retailer=retailer, created=created, keys=keys)


def _sync_depots(session, retailer, doc) -> dict[str, Depot]:
    existing = {d.code: d for d in retailer.depots}
    for item in doc["depots"]:
        depot = existing.get(item["code"])
        if depot is None:
            depot = Depot(retailer_id=retailer.id, code=item["code"])
            session.add(depot)
            existing[item["code"]] = depot
        depot.name, depot.lat, depot.lon = item["name"], item["lat"], item["lon"]
    session.flush()
    for depot in existing.values():
        depot.fleet = [
            FleetGroup(
                vehicle=g["vehicle"],
                count=g["count"],
                stops_per_vehicle=g["stops_per_vehicle"],
                shift_start=g["shift_start"],
                shift_end=g["shift_end"],
            )
            for g in doc["fleet"]
            if g["depot"] == depot.code
        ]
    return existing


def _sync_zones(session, retailer, doc, depots) -> None:
    existing = {z.code: z for z in retailer.zones}
    listed = set()
    for prefix_row in session.scalars(select(ZonePrefix).where(ZonePrefix.retailer_id == retailer.id)):
        session.delete(prefix_row)
    session.flush()
    for item in doc["zones"]:
        zone = existing.get(item["code"])
        if zone is None:
            zone = Zone(retailer_id=retailer.id, code=item["code"])
            session.add(zone)
        zone.name, zone.lat, zone.lon = item["name"], item["lat"], item["lon"]
        zone.depot_id = depots[item["depot"]].id
        zone.active = True
        session.flush()
        for prefix in dict.fromkeys(normalise_postcode(p) for p in item["postcode_prefixes"]):
            session.add(ZonePrefix(retailer_id=retailer.id, zone_id=zone.id, prefix=prefix))
        listed.add(item["code"])
    for code, zone in existing.items():
        if code not in listed:  # kept for its bookings, no longer offered
            zone.active = False


def _sync_templates(session, retailer, doc) -> None:
    def natural_key(zones, weekdays, start, end):
        return (tuple(zones), tuple(weekdays), start, end)

    existing = {
        natural_key(t.zones, t.weekdays, t.start, t.end): t
        for t in session.scalars(select(SlotTemplate).where(SlotTemplate.retailer_id == retailer.id))
    }
    for t in existing.values():
        t.active = False
    for position, item in enumerate(doc["slot_templates"]):
        key = natural_key(item["zones"], item["weekdays"], item["start"], item["end"])
        template = existing.get(key)
        if template is None:
            template = SlotTemplate(
                retailer_id=retailer.id,
                zones=item["zones"],
                weekdays=item["weekdays"],
                start=item["start"],
                end=item["end"],
            )
            session.add(template)
            existing[key] = template
        template.position, template.capacity, template.fee = position, item["capacity"], item["fee"]
        template.active = True


def export_setup(retailer: Retailer) -> dict:
    """Return the retailer's setup document, ready to import again."""
    depots = [d for d in retailer.depots]
    zones = [z for z in retailer.zones if z.active]
    return {
        "retailer": {
            "slug": retailer.slug,
            "name": retailer.name,
            "timezone": retailer.timezone,
            "currency": retailer.currency,
            "locale": retailer.locale,
            "allowed_origins": list(retailer.allowed_origins),
        },
        "depots": [{"code": d.code, "name": d.name, "lat": d.lat, "lon": d.lon} for d in depots],
        "zones": [
            {
                "code": z.code,
                "name": z.name,
                "depot": z.depot.code,
                "postcode_prefixes": [p.prefix for p in z.prefixes],
                "lat": z.lat,
                "lon": z.lon,
            }
            for z in zones
        ],
        "fleet": [
            {
                "depot": d.code,
                "vehicle": g.vehicle,
                "count": g.count,
                "stops_per_vehicle": g.stops_per_vehicle,
                "shift_start": g.shift_start,
                "shift_end": g.shift_end,
            }
            for d in depots
            for g in d.fleet
        ],
        "slot_templates": [
            {
                "zones": "*" if t.zones == ["*"] else list(t.zones),
                "weekdays": list(t.weekdays),
                "start": t.start,
                "end": t.end,
                "capacity": t.capacity,
                "fee": t.fee,
            }
            for t in retailer.slot_templates
            if t.active
        ],
        "booking_rules": {
            "horizon_days": retailer.horizon_days,
            "lead_time_hours": retailer.lead_time_hours,
            "cutoff": retailer.cutoff,
            "hold_minutes": retailer.hold_minutes,
            "blackout_dates": list(retailer.blackout_dates),
        },
        "pricing": dict(retailer.pricing),
        "payments": export_payment_settings(retailer),
        "events": export_event_settings(retailer),
    }
