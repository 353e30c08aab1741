"""Signals sent as grids are built and shown, so an offer log can listen (slots imports nothing of it).

- ``grid_built`` (sender: the tenant; ``session``, ``zone``, ``grid_id``, ``sheet_id``,
  ``slots_json``, ``now``): a grid was priced from the database (a cache miss), its price
  sheet saved and committed.
- ``offer_shown`` (sender: the tenant; ``offer``, ``quote_id``, ``expires_at``, ``address``,
  ``now``): a grid was answered with a quote, from the cache or not. This is on the warm path:
  a receiver must be cheap, and must not raise (the answer does not wait on what it records).
"""

from blinker import Namespace

_signals = Namespace()
grid_built = _signals.signal("grid-built")
offer_shown = _signals.signal("offer-shown")
