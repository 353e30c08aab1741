"""Placing and releasing holds, booking, rescheduling and cancelling: each one unit of work."""
