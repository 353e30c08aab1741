"""Our pages' Content-Security-Policy, built in one place for the hosted pages, the embed and payment."""

from slotbooking.security.csp import page_policy


def directives(policy: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in policy.split("; "))


def test_our_pages_load_our_own_assets_and_nobody_frames_them():
    policy = directives(page_policy())
    assert policy == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "style-src": "'self'",
        "script-src": "'self'",
        "connect-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_the_embed_may_be_framed_by_the_retailers_origins_alone():
    policy = directives(page_policy(("https://shop.example", "https://www.shop.example")))
    assert policy["frame-ancestors"] == "https://shop.example https://www.shop.example"
    assert policy["script-src"] == "'self'"


def test_extra_sources_widen_a_directive_after_ours_or_add_it():
    policy = page_policy(
        extra_sources={"script-src": "https://js.example", "frame-src": "https://js.example"}
    )
    found = directives(policy)
    assert found["script-src"] == "'self' https://js.example"
    assert found["frame-src"] == "https://js.example"
    assert found["connect-src"] == "'self'", "directives not named stay as they are"
    assert policy.endswith("frame-ancestors 'none'; frame-src https://js.example"), "added ones come last"
