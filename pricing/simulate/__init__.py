"""Simulator: synthetic city and shoppers, three pricing policies, days routed with PyVRP."""
