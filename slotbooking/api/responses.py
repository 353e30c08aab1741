"""Document every error status an operation can answer, each with the contract's error shape."""

from slotbooking.api.schemas import ApiErrorSchema

# What each status means across the API; an operation may say more for its own codes.
ERRORS = {
    400: "validation_error: the body could not be read (not JSON, or nested too deep)",
    401: "unauthorized: no API key, or one that is unknown or revoked",
    402: "payment_required: the hold's fee is paid by card first",
    403: "forbidden: a publishable key where the secret key is needed, or from an origin not allowed",
    404: "not_found: no such resource for this retailer",
    409: "conflict",
    410: "hold_expired",
    413: "payload_too_large",
    422: "validation_error (details name the fields), or a refusal such as address_not_served",
    429: "rate_limited, with Retry-After",
    503: "unavailable, with Retry-After",
}
# Every operation: the key is checked, the limiter counts, the database may be away, and junk
# in a query or path is a validation_error.
EVERY_OPERATION = (401, 403, 422, 429, 503)
# Said on the answers that ask the client to come back later, and only on those.
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}
}
# Every operation with a JSON body.
WITH_A_BODY = (400, 413)


def documents_errors(blp, *statuses: int, **meanings: str):
    """Add the alt responses for these statuses (and those of every operation) to a view.

    ``meanings`` override ``ERRORS`` per status, named ``s409="slot_full or ..."``.
    """

    def decorate(view):
        for status in sorted({*EVERY_OPERATION, *statuses}):
            description = meanings.get(f"s{status}", ERRORS[status])
            headers = RETRY_AFTER if status in (429, 503) else None
            view = blp.alt_response(status, schema=ApiErrorSchema, description=description, headers=headers)(
                view
            )
        return view

    return decorate
