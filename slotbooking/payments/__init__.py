"""Payments through Stripe for the windows a retailer charges through us."""
