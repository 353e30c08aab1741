"""Retailer events: signed webhooks for bookings and holds, retried until delivered."""
