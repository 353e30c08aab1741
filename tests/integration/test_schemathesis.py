"""Schemathesis against the served OpenAPI document: every phase, every check, stateful links included.

The app runs in this process (so it reads the test clock) on PostgreSQL and Redis with the
demo retailer, served over real HTTP on a free local port and called with its secret key.
Schemathesis's own engine runs, as its command line would: examples, coverage, fuzzing and
stateful phases (the document's links, slots -> hold -> booking -> show, reschedule, cancel,
hold -> release and payment, plus those schemathesis infers), with all its checks. Bounded for a
2-core machine: a fixed number of examples per operation, derandomized with a fixed seed so
CI tries the same requests every run, no example database. Select with ``-m schemathesis``.
"""

import threading

import pytest
import schemathesis
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.engine import Status, events
from werkzeug.serving import make_server

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document

pytestmark = [pytest.mark.schemathesis, pytest.mark.services]

EXAMPLES_PER_OPERATION = 30
SEED = 20261123
# The contract answers 422 for requests that are well formed but refused on business grounds:
# address_not_served (a postcode no zone covers; the schema cannot list a retailer's zones)
# and slot_unavailable (past the cut-off). positive_data_acceptance counts every 422 as a
# refusal, so 422 is allowed there, and the stricter check below fails any schema-valid
# request answered 422 validation_error, which is what "valid data refused" means here.
BUSINESS_REFUSALS = {"address_not_served", "slot_unavailable"}
ACCEPTED = ["2xx", "401", "403", "404", "409", "410", "422", "429"]
# Rules the document states in words because OpenAPI 3.0 cannot state them in its schema
# language; a validation_error naming only these fields is the rule working, not valid data
# refused. Every other field a validation_error names fails the test.
RULES_IN_WORDS = {
    ("GET", "/slots"): {
        "lat": "one query parameter cannot be made to require another (give both lat and lon)",
        "from": "the bookable dates move with today and the retailer's horizon",
    },
    ("POST", "/booking_sessions"): {
        "return_url": "where a shopper may be sent back depends on the retailer's allowed origins",
        "lat": "lat and lon are given both or neither",
        "lon": "lat and lon are given both or neither",
    },
}


@schemathesis.check
def valid_data_is_never_a_validation_error(ctx, response, case):
    """Fail a request the document calls valid that is refused as invalid (422 only with a business code)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 422):
        return None
    try:
        error = response.json()["error"]
        code, fields = error["code"], set(error["details"])
    except (ValueError, KeyError, TypeError):
        code, fields = None, set()
    in_words = RULES_IN_WORDS.get((case.method.upper(), case.path.removeprefix("/api/v1")), {})
    if code == "validation_error" and fields and fields <= set(in_words):
        return None
    if code not in BUSINESS_REFUSALS:
        raise AssertionError(f"schema-valid request refused with {response.status_code} {code}")
    return None


@pytest.fixture
def served(pg_app):
    """The PostgreSQL + Redis app on a real local HTTP server, stopped afterwards."""
    server = make_server("127.0.0.1", 0, pg_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _failures(schema) -> list[str]:
    found: dict[tuple, str] = {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.FatalError | events.NonFatalError):
            found[(repr(event),)] = (
                f"schemathesis error: {event.info.format() if hasattr(event, 'info') else event}"
            )
        if not isinstance(event, events.ScenarioFinished) or event.status is Status.SUCCESS:
            continue
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                if check.status is not Status.FAILURE:
                    continue
                case = event.recorder.cases[case_id].value
                interaction = event.recorder.interactions.get(case_id)
                answer = interaction.response if interaction else None
                content = answer.content[:300] if answer else b""
                key = (event.label, check.name, check.failure_info.failure.title)
                found.setdefault(
                    key,
                    f"{check.name} on {case.method} {case.path} query={case.query} body={case.body!r:.300}"
                    f" -> {answer.status_code if answer else '-'} {content!r}"
                    f": {check.failure_info.failure.message[:300]}",
                )
    return list(found.values())


def test_the_served_document_and_the_api_agree(pg_app, clock, served):
    keys = import_document(pg_app, demo_document(), clock)
    schema = schemathesis.openapi.from_url(f"{served}/api/v1/openapi.json")
    schema.config.update(headers={"Authorization": f"Bearer {keys['secret_key']}"})
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none")
    schema.config.seed = SEED
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=ACCEPTED)
    failures = _failures(schema)
    assert not failures, "\n\n".join(failures)
