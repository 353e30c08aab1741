"""Operating the service: structured logs with a request id, Prometheus metrics."""
