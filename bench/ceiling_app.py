"""The stack's ceiling for GET /api/v1/slots: gunicorn + Flask + one Redis GET, nothing else.

It answers every request with a JSON document read from Redis as it is (no parsing, no auth,
no database), so what GET /slots does beyond this is the app's own cost. bench_api.py stores
a real /slots answer under CEILING_KEY and serves this module with 4 gunicorn workers:

    CEILING_REDIS_URL=redis://127.0.0.1:6379/13 CEILING_KEY=bench:ceiling gunicorn bench.ceiling_app:app
"""

import os

import redis
from flask import Flask, Response

app = Flask(__name__)
_redis = redis.Redis.from_url(
    os.environ["CEILING_REDIS_URL"], socket_timeout=0.25, socket_connect_timeout=0.25
)
_key = os.environ["CEILING_KEY"]


@app.get("/api/v1/slots")
def slots():
    body = _redis.get(_key)
    if body is None:
        return {"error": {"code": "unavailable", "message": "no document cached", "details": {}}}, 503
    return Response(body, mimetype="application/json")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
