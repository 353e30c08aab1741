"""Route plans of each depot-day: planned on the job queue after bookings change, read by the API.

``service.py`` plans a depot-day from its bookings (``pricing.routing``) and stores a new
version; ``views.py`` answers ``GET /api/v1/routes``; ``pricing_plans.py`` hands the latest plan
to the pricing engine. The jobs that run the planning live in ``slotbooking/jobs``.
"""
