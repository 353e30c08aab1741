"""Booking sessions: a signed link, made by the shop's backend, that opens the hosted booking page.

The hosted page holds and books only inside an open session, for the session's order and
address. The shop creates one with its secret key (``POST /api/v1/booking_sessions``) and sends
the shopper to its ``url``; the link carries a random token of which only the digest is stored.
"""
