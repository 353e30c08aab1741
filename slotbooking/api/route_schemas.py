"""GET /routes: the query and the answer (a depot-day's planned routes, per vehicle)."""

from marshmallow import Schema, fields, validate

from slotbooking.common.fields import NO_CONTROL, StrictSchema


class RoutesQuery(StrictSchema):
    date = fields.Date(
        required=True, metadata={"description": "the delivery date, in the retailer's time zone"}
    )
    depot = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=32), NO_CONTROL],
        metadata={"description": "the depot's code, as in the setup document"},
    )


class WindowOut(Schema):
    start = fields.String(metadata={"description": "ISO 8601 with offset"})
    end = fields.String()


class StopOut(Schema):
    booking_id = fields.String()
    order_ref = fields.String()
    zone = fields.String()
    postcode = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    located = fields.Boolean(
        metadata={"description": "false: the booking has no coordinates and was planned at its zone's centre"}
    )
    window = fields.Nested(WindowOut)


class PlannedStopOut(StopOut):
    arrival = fields.String(metadata={"description": "when the vehicle is planned to arrive (ISO 8601)"})
    service_start = fields.String(metadata={"description": "after any wait for the window to open"})
    departure = fields.String()
    km_from_previous = fields.Float(metadata={"description": "road km from the previous stop (or the depot)"})


class VehicleOut(Schema):
    vehicle = fields.String(metadata={"description": "diesel_van, electric_van or cargo_bike"})
    number = fields.Integer(metadata={"description": "1, 2, ... among the routes of its fleet group"})
    start = fields.String(metadata={"description": "leaves the depot (ISO 8601)"})
    end = fields.String(metadata={"description": "back at the depot"})
    km = fields.Float()
    minutes = fields.Float(metadata={"description": "the route's duration, waiting included"})
    co2_grams = fields.Integer()
    stops = fields.List(fields.Nested(PlannedStopOut))


class RoutePlanOut(Schema):
    date = fields.String()
    depot = fields.String()
    version = fields.Integer(metadata={"description": "grows by one with each new plan of the depot-day"})
    trigger = fields.String(
        metadata={
            "description": "bookings (they changed), cutoff (booking closed) or setup (the "
            "retailer's setup changed: depots, fleet, windows)"
        }
    )
    planned_at = fields.String()
    up_to_date = fields.Boolean(
        metadata={"description": "false: bookings changed since, and a new plan follows within seconds"}
    )
    feasible = fields.Boolean()
    km = fields.Float()
    co2_grams = fields.Integer()
    stops = fields.Integer(metadata={"description": "stops on the routes"})
    vehicles = fields.List(fields.Nested(VehicleOut))
    unassigned = fields.List(
        fields.Nested(StopOut),
        metadata={"description": "stops no vehicle can serve within their windows and the shifts"},
    )
