"""What-if runs through the real job queue: Celery on RabbitMQ, PostgreSQL, Redis, the console.

As in test_routes_queue.py, each test has queues of its own and a real Celery worker in a thread
of this process (so it shares the test's clock). The offer log is seeded small (tens of offers).
"""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from slotbooking.demo.cli import demo_document
from slotbooking.drafts.models import SetupVersion
from slotbooking.drafts.service import live_document, save_draft
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer
from slotbooking.staff.accounts import find_staff
from slotbooking.staff.models import StaffAuditEntry
from slotbooking.whatif.models import WhatIfRun
from slotbooking.whatif.service import Period, WhatIfBusy, start_run
from tests.conftest import import_document, make_app
from tests.support.console import add_staff, log_in, post_form
from tests.support.services import broker_url, delete_queues, fresh_redis_url, private_queue_name
from tests.support.waiting import solo_worker, waiter
from tests.support.whatif import seed_offer_log

pytestmark = pytest.mark.services

OTHER = {**demo_document()["retailer"], "slug": "other-grocer", "name": "Other Grocer"}


@pytest.fixture
def queue_app(pg_app, pg_database, clock):
    app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        BROKER_URL=broker_url(),
        JOBS_QUEUE=private_queue_name(),
        JOBS_RETRY_JITTER=False,
        WHATIF_ROUTING_ITERATIONS=20,
        WHATIF_ROUTING_SECONDS=None,
    )
    import_document(app, demo_document(), clock)
    import_document(app, {**demo_document(), "retailer": OTHER}, clock)
    seed_offer_log(app, clock)
    for email, slug, role in (
        ("ed@example.com", "demo-grocer", "editor"),
        ("ada@example.com", "demo-grocer", "admin"),
        ("vi@example.com", "demo-grocer", "viewer"),
        ("oz@example.com", "other-grocer", "admin"),
    ):
        add_staff(app, email, slug, role)
    yield app
    delete_queues(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _worker(app):
    return solo_worker(app, shutdown_timeout=60)


_wait_for = waiter(60.0, step=0.1)


def _run(app, run_id: int) -> WhatIfRun:
    with app.app_context():
        run = db.session.get(WhatIfRun, run_id)
        db.session.expunge(run)
        db.session.rollback()
        return run


def _cheaper_wide_draft(app, email="ed@example.com"):
    """Save a draft that prices wide windows £2 below the others (static mode)."""
    with app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == "demo-grocer"))
        document = live_document(retailer)
        pricing = {**document["pricing"], "mode": "static", "static_wide_discount": 200}
        save_draft(db.session, find_staff(db.session, email), retailer, {**document, "pricing": pricing}, "t")


def _start(client, draws=4, **extra):
    data = {"period": "7", "draws": str(draws), "seed": "3", **extra}
    return post_form(client, "/ops/r/demo-grocer/whatif", data, "/ops/r/demo-grocer/draft")


def _run_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_what_if_runs_to_done_on_the_queue_and_publishing_keeps_it_with_the_version(queue_app):
    _cheaper_wide_draft(queue_app)
    editor, admin = queue_app.test_client(), queue_app.test_client()
    log_in(editor, "ed@example.com")
    log_in(admin, "ada@example.com")
    with _worker(queue_app):
        run_id = _run_id(_start(editor))
        page = editor.get(f"/ops/r/demo-grocer/whatif/{run_id}").get_data(as_text=True)
        assert 'http-equiv="refresh"' in page and "<progress" in page  # queued or running: it refreshes
        assert _wait_for(lambda: _run(queue_app, run_id).status == "done"), _run(queue_app, run_id).error
    run = _run(queue_app, run_id)
    assert run.offers == 30 and run.progress == 1.0 and run.finished_at is not None
    wide = run.result["summary"]["wide_share"]
    assert wide["draft"]["mean"] > wide["live"]["mean"]  # £2 off the wide windows moves shoppers there
    assert run.result["summary"]["discount_spend"]["live"]["mean"] == 0  # flat live gives no discount
    assert len(run.result["per_draw"]["live"]) == 4

    page = editor.get(f"/ops/r/demo-grocer/whatif/{run_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert 'data-whatif-row="contribution_per_order"' in page and 'data-whatif="offers">30<' in page
    draft_page = admin.get("/ops/r/demo-grocer/draft").get_data(as_text=True)
    assert f"what-if {run_id}</a>" in draft_page and 'data-whatif-row="wide_share"' in draft_page

    published = post_form(
        admin, "/ops/r/demo-grocer/draft/publish", {"note": "wide £2 off"}, "/ops/r/demo-grocer/draft"
    )
    assert published.status_code == 302
    with queue_app.app_context():
        version = db.session.scalar(select(SetupVersion).order_by(SetupVersion.number.desc()).limit(1))
        assert db.session.get(WhatIfRun, run_id).setup_version_id == version.id
        number = version.number
        actions = set(db.session.scalars(select(StaffAuditEntry.action)))
        assert {"whatif.started", "setup.published"} <= actions
        db.session.rollback()
    history = admin.get("/ops/r/demo-grocer/versions").get_data(as_text=True)
    assert f'data-whatif-version="{number}"><a href="/ops/r/demo-grocer/whatif/{run_id}"' in history


def test_a_running_what_if_is_cancelled_midway_and_a_changed_draft_is_said(queue_app):
    queue_app.config.update(WHATIF_ROUTING_ITERATIONS=3000)  # long enough to be caught running
    _cheaper_wide_draft(queue_app)
    editor = queue_app.test_client()
    log_in(editor, "ed@example.com")
    with _worker(queue_app):
        run_id = _run_id(_start(editor, draws=30))
        assert _wait_for(lambda: _run(queue_app, run_id).stage == "routing"), _run(queue_app, run_id).status
        busy = _start(editor)  # one run at a time
        assert busy.status_code == 302 and busy.headers["Location"].endswith("/draft")
        cancelled = post_form(
            editor, f"/ops/r/demo-grocer/whatif/{run_id}/cancel", {}, f"/ops/r/demo-grocer/whatif/{run_id}"
        )
        assert cancelled.status_code == 302
        time.sleep(2.0)  # the job sees the flag at its next step and stops
        stopped = _run(queue_app, run_id)
    assert stopped.status == "cancelled" and stopped.result is None and stopped.progress < 1.0
    with queue_app.app_context():
        assert "whatif.cancelled" in set(db.session.scalars(select(StaffAuditEntry.action)))
        db.session.rollback()
    page = editor.get(f"/ops/r/demo-grocer/whatif/{run_id}").get_data(as_text=True)
    assert "was cancelled" in page and 'http-equiv="refresh"' not in page


def test_a_stale_run_does_not_block_a_new_one_for_ever(queue_app, clock):
    _cheaper_wide_draft(queue_app)
    with queue_app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == "demo-grocer"))
        staff = find_staff(db.session, "ed@example.com")
        period = Period(clock() - timedelta(days=7), clock())
        first = start_run(db.session, staff, retailer, period, 2, 1, queue_app.config)
        with pytest.raises(WhatIfBusy):
            start_run(db.session, staff, retailer, period, 2, 1, queue_app.config)
        clock.advance(minutes=queue_app.config["WHATIF_STALE_MINUTES"] + 1)
        second = start_run(db.session, staff, retailer, period, 2, 1, queue_app.config)
        assert db.session.get(WhatIfRun, first.id).status == "failed"
        assert second.status == "queued"
        db.session.rollback()


def test_a_changed_draft_has_no_result_and_says_so(queue_app):
    _cheaper_wide_draft(queue_app)
    editor = queue_app.test_client()
    log_in(editor, "ed@example.com")
    with _worker(queue_app):
        run_id = _run_id(_start(editor, draws=2))
        assert _wait_for(lambda: _run(queue_app, run_id).status == "done")
    with queue_app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == "demo-grocer"))
        document = live_document(retailer)
        pricing = {**document["pricing"], "mode": "static", "static_wide_discount": 150}
        save_draft(
            db.session,
            find_staff(db.session, "ed@example.com"),
            retailer,
            {**document, "pricing": pricing},
            "t",
        )
    page = editor.get("/ops/r/demo-grocer/draft").get_data(as_text=True)
    assert "The draft changed since the last what-if" in page


def test_viewers_read_but_do_not_start_and_another_retailers_staff_get_404(queue_app):
    _cheaper_wide_draft(queue_app)
    editor, viewer, outsider = (queue_app.test_client() for _ in range(3))
    log_in(editor, "ed@example.com")
    log_in(viewer, "vi@example.com")
    log_in(outsider, "oz@example.com")
    run_id = _run_id(_start(editor, draws=2))  # no worker: it stays queued
    assert "Run the what-if" not in viewer.get("/ops/r/demo-grocer/draft").get_data(as_text=True)
    refused = post_form(
        viewer,
        "/ops/r/demo-grocer/whatif",
        {"period": "7", "draws": "2", "seed": "1"},
        "/ops/r/demo-grocer/draft",
    )
    assert refused.status_code == 403
    assert viewer.get(f"/ops/r/demo-grocer/whatif/{run_id}").status_code == 200
    token_page = f"/ops/r/demo-grocer/whatif/{run_id}"
    assert post_form(viewer, f"{token_page}/cancel", {}, token_page).status_code == 403
    assert outsider.get(f"/ops/r/demo-grocer/whatif/{run_id}").status_code == 404
    assert outsider.get(f"/ops/r/other-grocer/whatif/{run_id}").status_code == 404
    assert editor.get("/ops/r/demo-grocer/whatif/999999").status_code == 404


def test_bad_what_if_forms_answer_422_beside_the_fields(queue_app):
    _cheaper_wide_draft(queue_app)
    editor = queue_app.test_client()
    log_in(editor, "ed@example.com")
    for data in (
        {"draws": "0"},
        {"draws": "many"},
        {"period": "dates", "date_from": "2026-11-20"},
        {"period": "dates", "date_from": "2026-11-20", "date_to": "2026-11-10"},
        {"period": "dates", "date_from": "2026-01-01", "date_to": "2026-11-10"},
        {"period": "365"},
    ):
        answer = _start(editor, **data)
        assert answer.status_code == 422, (data, answer.status_code)
        assert "field__error" in answer.get_data(as_text=True)
    with queue_app.app_context():
        assert db.session.scalar(select(WhatIfRun.id)) is None
        db.session.rollback()
