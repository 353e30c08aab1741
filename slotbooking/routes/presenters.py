"""A stored route plan as the API shows it: local ISO times, per vehicle, stops in order."""

from datetime import date, datetime, time, timedelta

from slotbooking.routes.inputs import BookingsState
from slotbooking.routes.models import RoutePlanVersion


def clock_iso(day: date, minutes: float, tz) -> str:
    """Return minutes since the day's local midnight as ISO 8601 with the local offset."""
    wall = datetime.combine(day, time()) + timedelta(minutes=round(minutes, 2))
    return wall.replace(tzinfo=tz).replace(microsecond=0).isoformat()


def _stop(stop_id: str, details: dict) -> dict:
    start, end = details["window"]
    return {
        "booking_id": stop_id,
        "order_ref": details["order_ref"],
        "zone": details["zone"],
        "postcode": details["postcode"],
        "lat": details["lat"],
        "lon": details["lon"],
        "located": details["located"],
        "window": {"start": start, "end": end},
    }


def route_plan_json(record: RoutePlanVersion, depot_code: str, tz, now_state: BookingsState) -> dict:
    """Return the body of GET /routes for one stored plan."""
    day, body = record.service_date, record.body
    details = body["stop_details"]
    vehicles = []
    for route in body["routes"]:
        stops = []
        for visit in route["visits"]:
            stop = _stop(visit["stop_id"], details[visit["stop_id"]])
            stop.update(
                arrival=clock_iso(day, visit["arrival_minute"], tz),
                service_start=clock_iso(day, visit["service_start_minute"], tz),
                departure=clock_iso(day, visit["departure_minute"], tz),
                km_from_previous=round(visit["km_from_previous"], 3),
            )
            stops.append(stop)
        vehicles.append(
            {
                "vehicle": route["vehicle"],
                "number": route["number"],
                "start": clock_iso(day, route["start_minute"], tz),
                "end": clock_iso(day, route["end_minute"], tz),
                "km": round(route["km"], 3),
                "minutes": round(route["duration_minutes"], 1),
                "co2_grams": route["co2_grams"],
                "stops": stops,
            }
        )
    return {
        "date": day.isoformat(),
        "depot": depot_code,
        "version": record.version,
        "trigger": record.trigger,
        "planned_at": record.planned_at.astimezone(tz).isoformat(),
        "up_to_date": (record.bookings_count, record.bookings_changed_at)
        == (now_state.count, now_state.changed_at),
        "feasible": record.feasible,
        "km": record.km,
        "co2_grams": record.co2_grams,
        "stops": record.stops,
        "vehicles": vehicles,
        "unassigned": [_stop(stop_id, details[stop_id]) for stop_id in body["unassigned"]],
    }
