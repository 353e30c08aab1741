"""Operations for the ops console: find bookings, act for a shopper, watch webhooks, rotate API keys.

Use cases only (no views): the console's pages call them with a tenant snapshot, the app's clock
and an ``on_behalf`` recorder that writes who did it into the audit log, inside the same unit of
work as the change. Every change goes through the same services the API uses.
"""
