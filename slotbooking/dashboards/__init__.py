"""Dashboards: a retailer's figures by depot, zone and day, read with SQL aggregates.

A read-only use-case part: each figure is one or two GROUP BY queries over the domain's tables
(bookings, holds, slots, route plans, the offer log, webhook deliveries, refunds), returned as
plain frozen dataclasses that the console draws (``charts.py``, server-rendered SVG) and offers
as CSV (``export.py``). Nothing here writes; nothing loops over bookings in Python.
"""
