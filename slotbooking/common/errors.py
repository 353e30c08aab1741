"""Named domain errors; the web layer maps each to the contract's status and error code."""


class DomainError(Exception):
    """Base of every error a client can cause; never a 500."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    status, code = 422, "validation_error"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class SlotFull(DomainError):
    status, code = 409, "slot_full"


class TooManyHolds(DomainError):
    """A browser (or a booking session) already has as many live holds as it may."""

    status, code = 409, "too_many_holds"


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was first used with another request (method, path or body)."""

    status, code = 409, "idempotency_conflict"


class IdempotencyInProgress(DomainError):
    """The first request with this Idempotency-Key may still be running: try again shortly."""

    status, code = 409, "idempotency_in_progress"


class HoldExpired(DomainError):
    status, code = 410, "hold_expired"


class AddressNotServed(DomainError):
    status, code = 422, "address_not_served"


class LinkExpired(DomainError):
    """A shopper's manage link whose delivery day has passed."""

    status, code = 410, "link_expired"


class SlotUnavailable(DomainError):
    status, code = 422, "slot_unavailable"


class PaymentRequired(DomainError):
    """The hold's window is paid through us and the payment has not succeeded yet."""

    status, code = 402, "payment_required"


class PaymentNotRequired(DomainError):
    status, code = 409, "payment_not_required"


class PaymentsUnavailable(DomainError):
    """Stripe is not configured here, or did not answer."""

    status, code = 503, "payments_unavailable"


class Unavailable(DomainError):
    """The database kept refusing the transaction (contention); nothing was stored."""

    status, code = 503, "unavailable"


class Conflict(DomainError):
    """A request that cannot apply to the resource in its current state."""

    status, code = 409, "conflict"
