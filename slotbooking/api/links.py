"""OpenAPI links: what a client does next with an answer (slots -> hold -> booking -> cancel).

They tell an integrator how the calls chain, and let schemathesis's stateful phase walk the
same chain. Added by an apispec plugin because flask-smorest's decorators cannot carry links.
"""

from apispec import BasePlugin

PREFIX = "/api/v1"


def _ref(path: str, method: str) -> str:
    escaped = (PREFIX + path).replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


_HOLD_ID = {"hold_id": "$response.body#/id"}
_BOOKING_ID = {"booking_id": "$response.body#/id"}
_BOOKING_NEXT = {
    "ShowTheBooking": {"operationRef": _ref("/bookings/{booking_id}", "get"), "parameters": _BOOKING_ID},
    "RescheduleTheBooking": {
        "operationRef": _ref("/bookings/{booking_id}/reschedule", "post"),
        "parameters": _BOOKING_ID,
    },
    "CancelTheBooking": {
        "operationRef": _ref("/bookings/{booking_id}/cancel", "post"),
        "parameters": _BOOKING_ID,
    },
}

# (path under /api/v1, method, success status) -> links from that answer
LINKS = {
    ("/slots", "get", "200"): {
        "HoldTheFirstWindow": {
            "operationRef": _ref("/holds", "post"),
            "requestBody": {
                "slot_id": "$response.body#/slots/0/id",
                "quote_id": "$response.body#/quote_id",
                "address": {"postcode": "$request.query.postcode"},
            },
        }
    },
    ("/holds", "post", "201"): {
        "BookTheHold": {
            "operationRef": _ref("/bookings", "post"),
            "requestBody": {"hold_id": "$response.body#/id", "order_ref": "ORDER-1"},
        },
        "ReleaseTheHold": {"operationRef": _ref("/holds/{hold_id}", "delete"), "parameters": _HOLD_ID},
        "PayForTheHold": {"operationRef": _ref("/holds/{hold_id}/payment", "post"), "parameters": _HOLD_ID},
    },
    ("/bookings", "post", "201"): _BOOKING_NEXT,
    ("/bookings/{booking_id}/reschedule", "post", "200"): _BOOKING_NEXT,
}


class LinksPlugin(BasePlugin):
    """Add ``LINKS`` to the operations' success responses as the document is built."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        if not path or not path.startswith(PREFIX):
            return
        for method, operation in (operations or {}).items():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for status, response in responses.items():
                links = LINKS.get((path.removeprefix(PREFIX), method, str(status)))
                if links and isinstance(response, dict):
                    response["links"] = links
