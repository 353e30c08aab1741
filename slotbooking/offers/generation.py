"""Make a retailer's slots and depot days for the horizon from its templates (idempotent)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.bookings.version_watch import depot_changed
from slotbooking.common.errors import ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.db_types import new_id
from slotbooking.retailers.models import Retailer, SlotTemplate, Zone
from slotbooking.retailers.schemas import WEEKDAYS
from slotbooking.slots.clock import days, local_instant, local_today
from slotbooking.slots.models import DepotDay, Slot


@dataclass
class GenerationReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    problems: list[str] = field(default_factory=list)


def generate_slots(session, retailer: Retailer, now: datetime) -> GenerationReport:
    """Create missing slots and depot days up to the horizon and bring existing ones in line.

    :raises ValidationFailed: a capacity would fall below what is already booked.
    """
    tz = ZoneInfo(retailer.timezone)
    first = local_today(tz, now)
    dates = list(days(first, retailer.horizon_days + 1))
    zones = session.scalars(select(Zone).where(Zone.retailer_id == retailer.id, Zone.active.is_(True))).all()
    wanted = _wanted_windows(retailer, zones, dates, tz)
    report = GenerationReport()
    booked = _booked_per_slot(session, retailer.id, first)
    existing = {
        (s.zone_id, s.starts_at, s.ends_at): s
        for s in session.scalars(
            select(Slot).where(Slot.retailer_id == retailer.id, Slot.service_date >= first)
        )
    }
    blackout = {date.fromisoformat(d) for d in retailer.blackout_dates}
    for key, (template, zone, day) in wanted.items():
        slot = existing.pop(key, None)
        active = day not in blackout
        if slot is None:
            session.add(
                Slot(
                    id=new_id("slot"),
                    retailer_id=retailer.id,
                    zone_id=zone.id,
                    depot_id=zone.depot_id,
                    template_id=template.id,
                    service_date=day,
                    starts_at=key[1],
                    ends_at=key[2],
                    capacity=template.capacity,
                    fee=template.fee,
                    active=active,
                )
            )
            report.created += 1
            continue
        taken = booked.get(slot.id, 0)
        if template.capacity < taken:
            report.problems.append(
                f"slot_templates[{template.position}].capacity: {template.capacity} is below the "
                f"{taken} already booked in zone {zone.code} on {day} "
                f"{key[1].astimezone(tz):%H:%M}-{key[2].astimezone(tz):%H:%M}"
            )
        slot.capacity, slot.fee, slot.template_id, slot.active = (
            template.capacity,
            template.fee,
            template.id,
            active,
        )
        report.updated += 1
    for slot in existing.values():  # windows no template asks for any more
        if slot.active:
            slot.active = False
            report.deactivated += 1
    _sync_depot_days(session, retailer, zones, dates, report)
    if report.problems:
        raise ValidationFailed("capacity below what is already booked", {"capacity": report.problems})
    retailer.slots_generated_through = dates[-1]
    return report


def extend_horizon(session, retailer: Retailer, now: datetime) -> GenerationReport:
    """Generate the retailer's slots up to its horizon as one unit of work: all of it, or nothing.

    :raises ValidationFailed: a capacity would fall below what is already booked.
    """
    with unit_of_work(session):
        return generate_slots(session, retailer, now)


def _wanted_windows(retailer, zones, dates, tz):
    templates = [t for t in retailer.slot_templates if t.active]
    by_code = {z.code: z for z in zones}
    wanted: dict[tuple, tuple[SlotTemplate, Zone, date]] = {}
    for day in dates:
        weekday = WEEKDAYS[day.weekday()]
        for template in templates:
            if weekday not in template.weekdays:
                continue
            start = local_instant(day, template.start, tz)
            end = local_instant(day, template.end, tz)
            if start is None or end is None:  # the clocks skip this window today
                continue
            targets = (
                zones if template.zones == ["*"] else [by_code[c] for c in template.zones if c in by_code]
            )
            for zone in targets:
                wanted.setdefault((zone.id, start, end), (template, zone, day))
    return wanted


def _booked_per_slot(session, retailer_id: int, first: date) -> dict[str, int]:
    rows = session.execute(
        select(Booking.slot_id, func.count())
        .where(
            Booking.retailer_id == retailer_id,
            Booking.service_date >= first,
            Booking.status.in_(OCCUPYING_STATUSES),
        )
        .group_by(Booking.slot_id)
    )
    return dict(rows.all())


def _sync_depot_days(session, retailer, zones, dates, report) -> None:
    depots = {z.depot for z in zones}
    for depot in depots:
        capacity = sum(g.count * g.stops_per_vehicle for g in depot.fleet)
        rows = {
            d.service_date: d
            for d in session.scalars(
                select(DepotDay).where(DepotDay.depot_id == depot.id, DepotDay.service_date >= dates[0])
            )
        }
        booked = dict(
            session.execute(
                select(Booking.service_date, func.count())
                .where(
                    Booking.depot_id == depot.id,
                    Booking.service_date >= dates[0],
                    Booking.status.in_(OCCUPYING_STATUSES),
                )
                .group_by(Booking.service_date)
            ).all()
        )
        for day in dates:
            if capacity < booked.get(day, 0):
                report.problems.append(
                    f"fleet: depot {depot.code} can carry {capacity} stops on {day}, "
                    f"but {booked[day]} are already booked"
                )
            row = rows.get(day)
            if row is None:
                session.add(DepotDay(depot_id=depot.id, service_date=day, capacity=capacity))
                depot_changed(session, depot.id)
            elif row.capacity != capacity:
                row.capacity = capacity
                row.lock_seq = DepotDay.lock_seq + 1  # a new cache version (see capacity.py)
                depot_changed(session, depot.id)
