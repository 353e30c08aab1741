"""Schemathesis's engine against a served OpenAPI document, as a program of its own.

``tests/integration/test_schemathesis.py`` serves the app in its own process (so the app reads the
test clock) and runs this module in a child process, started without libfaketime: the suite may
run with the machine's date moved (``faketime -f '+400d' ...``), and under Debian's libfaketime
0.9.10 every timed wait in Python (``Lock.acquire(timeout=...)``, ``queue.get(timeout=...)``)
never returns, which stalls schemathesis's stateful phase. Schemathesis is the client, like the
shopper's browser: the date it sees does not matter, the app's does.

    python -m tests.support.schemathesis_run URL SECRET_KEY

prints a JSON list of failures (empty when the document and the API agree) on its last line.
"""

import json
import sys

import schemathesis
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.engine import Status, events

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


def failures_of(schema) -> list[str]:
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


def run(base_url: str, secret_key: str) -> list[str]:
    """Run every phase and every check against the document served at base_url."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    schema.config.update(headers={"Authorization": f"Bearer {secret_key}"})
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none")
    schema.config.seed = SEED
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=ACCEPTED)
    return failures_of(schema)


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
