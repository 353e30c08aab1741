"""Every shopper page blueprint is made by one helper: CSRF-checked, our headers, friendly errors."""

import pytest

from slotbooking.common.errors import NotFound
from slotbooking.shopper.pages import PAGE_POLICY, shopper_blueprint


@pytest.fixture
def page_client(sqlite_app):
    bp = shopper_blueprint("probe", __name__, "/probe")

    @bp.route("/", methods=["GET", "POST"])
    def page():
        return "ok"

    @bp.get("/missing")
    def missing():
        raise NotFound("we could not find this page")

    sqlite_app.register_blueprint(bp)
    return sqlite_app.test_client()


def test_pages_carry_our_headers(page_client):
    response = page_client.get("/probe/")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == PAGE_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_post_without_the_form_token_is_refused_with_a_page(page_client):
    response = page_client.post("/probe/")
    assert response.status_code == 400
    assert "text/html" in response.headers["Content-Type"]
    assert "reload it" in response.get_data(as_text=True)


def test_a_domain_error_is_answered_with_our_error_page(page_client):
    response = page_client.get("/probe/missing")
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "could not find this page" in response.get_data(as_text=True), "the error's own words"
