"""Try a running demo as a stranger or an attacker would, and say what it answered.

    bash scripts/demo.sh                        # in one terminal
    .venv/bin/python scripts/probe_demo.py      # in another: http://127.0.0.1:5000, instance/demo_keys.json

Each probe prints PASS or FAIL with what the service answered; the exit status is the number of
FAILs. What is tried (issue 7, the hardening): the hosted page without a booking session, junk
bearer tokens and a spoofed X-Forwarded-For against the rate limit, Retry-After on answers that
are not 429/503, an Idempotency-Key sent from a browser's publishable key before the shop's own,
junk input (lone surrogates, NUL bytes, huge integers, deep JSON), a reschedule to a dearer
window, and /healthz and /metrics. Only the given base URL is contacted; the probes make a few
holds and bookings in the demo's database (order refs PROBE-...), nothing else.
"""

import argparse
import http.client
import json
import secrets
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent


class Service:
    """Plain HTTP/1.1 to the demo, one connection per call."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"  # a page of the demo's own allowed origin

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            sent = dict(headers or {})
            payload = raw
            if body is not None:
                payload = json.dumps(body).encode()
            if payload is not None:
                sent.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=payload, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            try:
                data = json.loads(text) if text else None
            except ValueError:
                data = text
            return response.status, dict(response.getheaders()), data
        finally:
            conn.close()


class Probes:
    def __init__(self, service: Service, keys: dict):
        self.service, self.keys, self.failures = service, keys, 0

    def check(self, name: str, ok: bool, seen: str) -> None:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {seen}")
        self.failures += not ok

    def api(self, method, path, body=None, key="secret_key", headers=None, raw=None):
        sent = {"Authorization": f"Bearer {self.keys[key]}", **(headers or {})}
        return self.service.call(method, f"/api/v1{path}", body, sent, raw)

    def free_windows(self, postcode="N1 2AB", days=3) -> list[dict]:
        status, _, grid = self.api("GET", "/slots?" + urlencode({"postcode": postcode, "days": days}))
        assert status == 200, (status, grid)
        return [s for s in grid["slots"] if s["available"]]


def code_of(data) -> str | None:
    return data.get("error", {}).get("code") if isinstance(data, dict) else None


def probe_hosted_page_without_session(p: Probes) -> None:
    slug = p.keys["retailer"]
    before = {s["id"]: s["remaining"] for s in p.free_windows()}
    status, _, page = p.service.call("GET", f"/r/{slug}/book")
    explained = isinstance(page, str) and "booking" in page.lower()
    held, _, _ = p.service.call(
        "POST",
        f"/r/{slug}/book/hold",
        raw=urlencode({"slot_id": next(iter(before))}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    after = {s["id"]: s["remaining"] for s in p.free_windows()}
    p.check(
        "hosted page without a booking session",
        status < 500 and explained and held >= 400 and after == before,
        f"GET /r/{slug}/book {status} (explains itself: {explained}), POST .../book/hold {held}, "
        f"places unchanged: {after == before}",
    )


def probe_junk_keys_share_the_address_bucket(p: Probes) -> None:
    statuses, retry_after = {}, None
    for n in range(1300):  # the default limit is 1200 a minute per bucket
        headers = {
            "Authorization": f"Bearer sk_live_{secrets.token_hex(12)}",
            "X-Forwarded-For": f"10.9.{n % 250}.{n // 250}",
        }
        status, got, _ = p.service.call("GET", "/api/v1/slots?postcode=N1+2AB", headers=headers)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 429:
            retry_after = got.get("Retry-After")
            break
    status, _, _ = p.api("GET", "/slots?postcode=N1+2AB")
    p.check(
        "junk bearer tokens with a spoofed X-Forwarded-For count against one address",
        429 in statuses and retry_after is not None and status == 200,
        f"answers {statuses}, the 429's Retry-After {retry_after}; the real key meanwhile: {status}",
    )


def probe_retry_after_only_when_due(p: Probes) -> None:
    window = p.free_windows()[0]
    status, headers, body = p.api(
        "POST",
        "/bookings",
        {
            "slot_id": window["id"],
            "address": {"postcode": "N1 2AB"},
            "order_ref": f"PROBE-{secrets.token_hex(4)}",
        },
    )
    p.check(
        "no Retry-After on a 201",
        status == 201 and "Retry-After" not in headers,
        f"{status}, Retry-After {'present' if 'Retry-After' in headers else 'absent'}",
    )


def probe_idempotency_scoped_to_the_key(p: Probes) -> None:
    first, second = p.free_windows()[:2]
    order = f"PROBE-{secrets.token_hex(4)}"
    by_browser, _, _ = p.api(
        "POST",
        "/holds",
        {"slot_id": first["id"], "address": {"postcode": "N1 2AB"}},
        key="publishable_key",
        headers={"Idempotency-Key": order, "Origin": p.service.origin},
    )
    by_shop, _, body = p.api(
        "POST",
        "/bookings",
        {"slot_id": second["id"], "address": {"postcode": "N1 2AB"}, "order_ref": order},
        headers={"Idempotency-Key": order},
    )
    p.check(
        "an Idempotency-Key first used by a browser's publishable key",
        by_browser == 201 and by_shop == 201,
        f"publishable key's hold {by_browser}, then the shop's booking with the same key "
        f"{by_shop} {code_of(body) or ''}",
    )


def probe_junk_input(p: Probes) -> None:
    window = p.free_windows()[0]
    book = '{"slot_id": "%s", "address": {"postcode": "N1 2AB"}, "order_ref": %s}'
    cases = {
        "lone surrogate in order_ref": ("POST", "/bookings", (book % (window["id"], '"A\\ud800B"')).encode()),
        "NUL in cursor": ("GET", "/bookings?cursor=ab%00cd", None),
        "NUL in a path id": ("GET", "/bookings/ab%00cd", None),
        "an integer of 5,000 digits": ("GET", "/slots?postcode=N1+2AB&days=" + "9" * 5000, None),
        "JSON nested 30,000 deep": ("POST", "/holds", b"[" * 30000 + b"]" * 30000),
    }
    for name, (method, path, raw) in cases.items():
        status, _, body = p.api(method, path, raw=raw)
        p.check(
            f"junk input: {name}",
            400 <= status < 500 and code_of(body) is not None,
            f"{status} {code_of(body)}",
        )
    left = {s["id"]: s["remaining"] for s in p.free_windows()}.get(window["id"], 0)
    p.check("junk input took no place", left == window["remaining"], f"{window['remaining']} -> {left} left")


def probe_reschedule_reprices(p: Probes) -> None:
    windows = sorted(p.free_windows(days=3), key=lambda s: s["price"]["amount"])
    cheap, dear = windows[0], windows[-1]
    status, _, booking = p.api(
        "POST",
        "/bookings",
        {
            "slot_id": cheap["id"],
            "address": {"postcode": "N1 2AB"},
            "order_ref": f"PROBE-{secrets.token_hex(4)}",
        },
    )
    assert status == 201, (status, booking)
    moved, _, answer = p.api("POST", f"/bookings/{booking['id']}/reschedule", {"slot_id": dear["id"]})
    change = answer.get("price_change") if isinstance(answer, dict) else None
    expected = dear["price"]["amount"] - booking["price"]["amount"]
    ok = (moved == 200 and change is not None and change["amount"] == expected) or (
        moved == 402 and code_of(answer) == "payment_required"
    )
    p.check(
        "a reschedule to a dearer window is priced",
        ok,
        f"{booking['price']['amount']} -> {dear['price']['amount']} minor units: {moved}, "
        f"price_change {change}",
    )


def probe_operable(p: Probes) -> None:
    health, _, body = p.service.call("GET", "/healthz")
    metrics, _, text = p.service.call("GET", "/metrics")
    counted = isinstance(text, str) and "slotbooking_http_requests_total" in text
    p.check(
        "/healthz and /metrics",
        health == 200 and metrics == 200 and counted,
        f"/healthz {health} {body if isinstance(body, dict) else ''}; /metrics {metrics}, "
        f"requests counted: {counted}",
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--keys", type=Path, default=ROOT / "instance" / "demo_keys.json")
    args = parser.parse_args(argv)
    probes = Probes(Service(args.base), json.loads(args.keys.read_text()))
    for probe in (
        probe_hosted_page_without_session,
        probe_retry_after_only_when_due,
        probe_idempotency_scoped_to_the_key,
        probe_junk_input,
        probe_reschedule_reprices,
        probe_operable,
        probe_junk_keys_share_the_address_bucket,  # last: it spends the address's minute
    ):
        probe(probes)
    print(f"{probes.failures} failed")
    return probes.failures


if __name__ == "__main__":
    sys.exit(main())
