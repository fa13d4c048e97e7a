"""EGP/1 signatures: good, tampered, stale, replayed, unknown and rotated keys."""

from __future__ import annotations

import pytest

from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.signing import Keyring, MemoryNonceStore, SignatureError

NOW = 1_772_416_800
BODY = b'{"customer_code":"C0001","items":[{"sku":"S-801","qty":1}]}'
TARGET = "/egp/v1/prices/quote"


def _verify(headers, *, keyring=None, nonces=None, now=NOW, method="POST", target=TARGET, body=BODY):
    return signing.verify_request(
        headers,
        method,
        target,
        body,
        keyring or Keyring.single("demo", "demo-egp-secret"),
        nonces if nonces is not None else MemoryNonceStore(lambda: now),
        now=now,
    )


def _signed(**kw):
    args = {"key_id": "demo", "secret": "demo-egp-secret", "method": "POST", "target": TARGET, "body": BODY}
    args.update(kw)
    now = args.pop("now", NOW)
    return signing.sign_request(**args, now=now)


def _code(excinfo) -> str:
    return excinfo.value.code


def test_a_signed_request_verifies_and_names_its_key():
    headers = _signed()
    assert set(headers) == {"X-EGP-Key-Id", "X-EGP-Timestamp", "X-EGP-Nonce", "X-EGP-Signature"}
    assert headers["X-EGP-Timestamp"] == str(NOW)
    assert len(headers["X-EGP-Nonce"]) == 32
    assert headers["X-EGP-Signature"].startswith("v1=")
    verified = _verify(headers)
    assert verified.key_id == "demo"
    assert verified.nonce == headers["X-EGP-Nonce"]
    assert verified.timestamp == NOW


def test_header_names_are_case_insensitive():
    headers = {k.upper(): v for k, v in _signed().items()}
    assert _verify(headers).key_id == "demo"


@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY + b" "},
        {"method": "PUT"},
        {"target": TARGET + "?x=1"},
        {"target": "/egp/v1/prices/quotes"},
    ],
)
def test_any_change_to_the_signed_parts_breaks_the_signature(change):
    headers = _signed()
    with pytest.raises(SignatureError) as excinfo:
        _verify(headers, **change)
    assert _code(excinfo) == signing.BAD_SIGNATURE


def test_a_wrong_secret_is_a_bad_signature():
    with pytest.raises(SignatureError) as excinfo:
        _verify(_signed(secret="guessed-secret"))
    assert _code(excinfo) == signing.BAD_SIGNATURE


def test_timestamps_older_or_newer_than_300_seconds_are_stale():
    assert _verify(_signed(now=NOW - 300)).key_id == "demo"
    assert _verify(_signed(now=NOW + 300)).key_id == "demo"
    for skew in (-301, 301, -86_400):
        with pytest.raises(SignatureError) as excinfo:
            _verify(_signed(now=NOW + skew))
        assert _code(excinfo) == signing.STALE


def test_a_nonce_is_accepted_once_within_600_seconds():
    clock = [NOW]
    nonces = MemoryNonceStore(lambda: clock[0])
    headers = _signed()
    _verify(headers, nonces=nonces)
    with pytest.raises(SignatureError) as excinfo:
        _verify(headers, nonces=nonces)
    assert _code(excinfo) == signing.REPLAY
    # The same nonce under a fresh timestamp is still a replay within 600 s.
    again = _signed(now=NOW + 200, nonce=headers["X-EGP-Nonce"])
    clock[0] = NOW + 200
    with pytest.raises(SignatureError):
        _verify(again, nonces=nonces, now=NOW + 200)
    # After 600 s the store forgets it (the timestamp check still guards it).
    late = _signed(now=NOW + 601, nonce=headers["X-EGP-Nonce"])
    clock[0] = NOW + 601
    assert _verify(late, nonces=nonces, now=NOW + 601).nonce == headers["X-EGP-Nonce"]


def test_a_forged_request_does_not_use_up_the_nonce():
    nonces = MemoryNonceStore(lambda: NOW)
    good = _signed()
    forged = dict(good, **{"X-EGP-Signature": "v1=" + "0" * 64})
    with pytest.raises(SignatureError) as excinfo:
        _verify(forged, nonces=nonces)
    assert _code(excinfo) == signing.BAD_SIGNATURE
    assert _verify(good, nonces=nonces).nonce == good["X-EGP-Nonce"]


def test_the_same_nonce_under_two_key_ids_is_two_nonces():
    keyring = Keyring({"a": "secret-a", "b": "secret-b"})
    nonces = MemoryNonceStore(lambda: NOW)
    nonce = signing.new_nonce()
    _verify(_signed(key_id="a", secret="secret-a", nonce=nonce), keyring=keyring, nonces=nonces)
    assert (
        _verify(_signed(key_id="b", secret="secret-b", nonce=nonce), keyring=keyring, nonces=nonces).key_id
        == "b"
    )


def test_an_unknown_key_id_is_refused():
    with pytest.raises(SignatureError) as excinfo:
        _verify(_signed(key_id="other"))
    assert _code(excinfo) == signing.UNKNOWN_KEY


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-EGP-Key-Id": "demo", "X-EGP-Timestamp": str(NOW), "X-EGP-Nonce": "a" * 32},
        {
            "X-EGP-Key-Id": "demo",
            "X-EGP-Timestamp": "soon",
            "X-EGP-Nonce": "a" * 32,
            "X-EGP-Signature": "v1=" + "0" * 64,
        },
        {
            "X-EGP-Key-Id": "demo",
            "X-EGP-Timestamp": str(NOW),
            "X-EGP-Nonce": "XYZ",
            "X-EGP-Signature": "v1=" + "0" * 64,
        },
        {
            "X-EGP-Key-Id": "de mo",
            "X-EGP-Timestamp": str(NOW),
            "X-EGP-Nonce": "a" * 32,
            "X-EGP-Signature": "v1=00",
        },
        {
            "X-EGP-Key-Id": "demo",
            "X-EGP-Timestamp": str(NOW),
            "X-EGP-Nonce": "a" * 32,
            "X-EGP-Signature": "v2=abc",
        },
        {
            "X-EGP-Key-Id": "demo",
            "X-EGP-Timestamp": str(NOW),
            "X-EGP-Nonce": "a" * 32,
            "X-EGP-Signature": "v1=zz",
        },
        {
            "X-EGP-Key-Id": "demo",
            "X-EGP-Timestamp": str(NOW),
            "X-EGP-Nonce": "a" * 32,
            "X-EGP-Signature": ",".join(["v1=" + "0" * 64] * 9),
        },
    ],
)
def test_missing_or_malformed_headers_are_unsigned(headers):
    with pytest.raises(SignatureError) as excinfo:
        _verify(headers)
    assert _code(excinfo) == signing.UNSIGNED


def test_rotation_with_a_second_secret_for_the_same_key_id():
    receiver = Keyring({"demo": ["new-secret", "old-secret"]})
    # A sender not yet switched, a switched one, and one signing with both.
    assert _verify(_signed(secret="old-secret"), keyring=receiver).key_id == "demo"
    assert _verify(_signed(secret="new-secret"), keyring=receiver).key_id == "demo"
    both = _signed(secret=["new-secret", "old-secret"])
    assert both["X-EGP-Signature"].count("v1=") == 2
    assert _verify(both, keyring=Keyring.single("demo", "old-secret")).key_id == "demo"
    assert _verify(_signed(secret=["new-secret", "old-secret"]), keyring=Keyring.single("demo", "new-secret"))
    # Once the old secret is dropped, it no longer verifies.
    with pytest.raises(SignatureError) as excinfo:
        _verify(_signed(secret="old-secret"), keyring=Keyring.single("demo", "new-secret"))
    assert _code(excinfo) == signing.BAD_SIGNATURE


def test_rotation_to_a_new_key_id():
    receiver = Keyring({"demo": "demo-egp-secret", "k2026": "fresh-secret"})
    assert _verify(_signed(), keyring=receiver).key_id == "demo"
    assert _verify(_signed(key_id="k2026", secret="fresh-secret"), keyring=receiver).key_id == "k2026"
    # A key id cannot be used with another key id's secret.
    with pytest.raises(SignatureError):
        _verify(_signed(key_id="k2026", secret="demo-egp-secret"), keyring=receiver)


def test_a_signed_response_is_bound_to_its_request_nonce():
    keyring = Keyring.single("demo", "demo-egp-secret")
    request_nonce = signing.new_nonce()
    body = b'{"ok":true}'
    headers = signing.sign_response("demo", "demo-egp-secret", 200, request_nonce, body, now=NOW)
    assert signing.verify_response(headers, 200, request_nonce, body, keyring, now=NOW).key_id == "demo"
    for status, nonce, answer in (
        (201, request_nonce, body),
        (200, signing.new_nonce(), body),
        (200, request_nonce, b"{}"),
    ):
        with pytest.raises(SignatureError) as excinfo:
            signing.verify_response(headers, status, nonce, answer, keyring, now=NOW)
        assert _code(excinfo) == signing.BAD_SIGNATURE
    with pytest.raises(SignatureError) as excinfo:
        signing.verify_response(headers, 200, request_nonce, body, keyring, now=NOW + 301)
    assert _code(excinfo) == signing.STALE


def test_canonical_target_encodes_the_path_and_keeps_the_query_as_sent():
    assert signing.canonical_target("/egp/v1/orders/SO20260302-0007") == "/egp/v1/orders/SO20260302-0007"
    assert signing.canonical_target("/egp/v1/orders/SO/1") == "/egp/v1/orders/SO/1"
    assert signing.canonical_target("/egp/v1/media/沙发 1.jpg") == "/egp/v1/media/%E6%B2%99%E5%8F%91%201.jpg"
    assert signing.canonical_target("/egp/v1/feeds/prices", "limit=10&cursor=a%2Bb") == (
        "/egp/v1/feeds/prices?limit=10&cursor=a%2Bb"
    )


def test_the_empty_body_hash_is_the_sha256_of_nothing():
    assert signing.body_digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_keyring_refuses_bad_key_ids_and_empty_secrets():
    with pytest.raises(ValueError):
        Keyring({"bad id": "x"})
    with pytest.raises(ValueError):
        Keyring({"demo": ""})
    with pytest.raises(ValueError):
        Keyring({"demo": []})


def test_nonce_store_forgets_expired_entries():
    clock = [1000.0]
    store = MemoryNonceStore(lambda: clock[0])
    assert store.add("demo", "a" * 32, 1600.0)
    assert not store.add("demo", "a" * 32, 1700.0)
    for i in range(100):
        assert store.add("demo", f"{i:032x}", 1100.0)
    clock[0] = 1700.0
    assert store.add("demo", "b" * 32, 2300.0)
    assert len(store) == 1
