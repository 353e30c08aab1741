"""Quote tokens: signed, readable back, the library's own format, never compressed."""

import hashlib
from datetime import UTC, datetime

from itsdangerous import URLSafeSerializer

from slotbooking.slots.quotes import QuoteSigner

EXPIRES = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def test_a_token_reads_back_to_what_it_was_issued_for():
    signer = QuoteSigner("secret")
    token = signer.issue(7, "ab" * 20, EXPIRES)
    assert signer.read(token) == {"r": 7, "s": "ab" * 20, "e": int(EXPIRES.timestamp())}
    assert not token.startswith(".")  # not compressed, though this payload would compress


def test_tokens_are_the_librarys_own_uncompressed_form():
    signer, reference = QuoteSigner("secret"), URLSafeSerializer("secret", salt="quote")
    for n in range(50):
        sheet = hashlib.sha256(str(n).encode()).hexdigest()[:40]
        payload = {"r": n, "s": sheet, "e": int(EXPIRES.timestamp())}
        issued = reference.dumps(payload)
        if not issued.startswith("."):  # where the library did not compress, the same token
            assert signer.issue(n, sheet, EXPIRES) == issued


def test_compressed_tokens_issued_before_still_read():
    signer = QuoteSigner("secret")
    payload = {"r": 1, "s": "a" * 40, "e": int(EXPIRES.timestamp())}
    compressed = URLSafeSerializer("secret", salt="quote").dumps(payload)
    assert compressed.startswith(".")
    assert signer.read(compressed) == payload


def test_a_token_signed_with_another_secret_or_edited_is_refused():
    token = QuoteSigner("other").issue(1, "a" * 40, EXPIRES)
    assert QuoteSigner("secret").read(token) is None
    genuine = QuoteSigner("secret").issue(1, "a" * 40, EXPIRES)
    assert QuoteSigner("secret").read(genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")) is None
