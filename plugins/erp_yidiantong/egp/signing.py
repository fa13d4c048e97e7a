"""EGP/1 message signing: HMAC-SHA256 over time, nonce, method, target and body.

Both directions (platform -> agent requests, agent -> platform pushes) sign
the same way; responses may be signed too. The string to sign is::

    v1\\n{timestamp}\\n{nonce}\\n{METHOD}\\n{target}\\n{hex sha256(body)}\\n

where ``target`` is the canonical path plus ``?query`` (:func:`canonical_target`).
The receiver looks the secret(s) up by ``X-EGP-Key-Id`` in a :class:`Keyring`,
compares in constant time against every ``v1=`` value of ``X-EGP-Signature``,
rejects timestamps more than 300 s away from its clock and nonces it saw in
the last 600 s (:class:`NonceStore`). A response is signed with the method
``RESPONSE`` and the target ``"{status} {request nonce}"``, which binds it to
its request. See ``docs/erp-gateway.md`` §3.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

VERSION = "v1"
TOLERANCE_S = 300
NONCE_TTL_S = 600
RESPONSE_METHOD = "RESPONSE"

HEADER_KEY_ID = "X-EGP-Key-Id"
HEADER_TIMESTAMP = "X-EGP-Timestamp"
HEADER_NONCE = "X-EGP-Nonce"
HEADER_SIGNATURE = "X-EGP-Signature"

_KEY_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_NONCE_RE = re.compile(r"^[0-9a-f]{32}$")
_TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")
_MAX_SIGNATURES = 8

# Error codes of a failed verification (all answered with HTTP 401).
UNSIGNED = "UNSIGNED"
UNKNOWN_KEY = "UNKNOWN_KEY"
BAD_SIGNATURE = "BAD_SIGNATURE"
STALE = "STALE"
REPLAY = "REPLAY"


class SignatureError(Exception):
    """A request or response whose signature does not verify.

    ``code`` is one of ``UNSIGNED``, ``UNKNOWN_KEY``, ``BAD_SIGNATURE``,
    ``STALE``, ``REPLAY``; ``message`` says what was wrong, in English.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Verified:
    """What a verified request proved: who signed it, when, with which nonce."""

    key_id: str
    timestamp: int
    nonce: str


class Keyring:
    """Secrets by key id. A key id may hold several secrets while one rotates.

    ``Keyring({"demo": "demo-egp-secret", "k2": ["new", "old"]})``; the first
    secret of a key id is the one used to sign.
    """

    def __init__(self, keys: Mapping[str, str | bytes | Sequence[str | bytes]]) -> None:
        self._keys: dict[str, tuple[bytes, ...]] = {}
        for key_id, value in keys.items():
            if not _KEY_ID_RE.match(key_id):
                raise ValueError(f"bad key id {key_id!r}: use 1-64 of A-Z a-z 0-9 . _ -")
            values = [value] if isinstance(value, str | bytes) else list(value)
            encoded = tuple(_secret_bytes(v) for v in values)
            if not encoded or not all(encoded):
                raise ValueError(f"key id {key_id!r} has an empty secret")
            self._keys[key_id] = encoded

    @classmethod
    def single(cls, key_id: str, secret: str | bytes) -> Keyring:
        return cls({key_id: secret})

    def secrets(self, key_id: str) -> tuple[bytes, ...]:
        """All secrets of ``key_id`` (empty when the key id is unknown)."""
        return self._keys.get(key_id, ())

    def signing_secret(self, key_id: str) -> bytes:
        found = self._keys.get(key_id)
        if not found:
            raise KeyError(key_id)
        return found[0]

    def key_ids(self) -> list[str]:
        return list(self._keys)


class NonceStore(Protocol):
    """Remembers nonces for replay protection.

    ``add`` must be atomic: it returns True when ``(key_id, nonce)`` was not
    known (and remembers it until ``expires_at``, a Unix time), False when it
    was already seen and has not expired. A shared store (database table,
    Redis ``SET NX EX``) is needed when several processes verify requests.
    """

    def add(self, key_id: str, nonce: str, expires_at: float) -> bool: ...


class MemoryNonceStore:
    """A process-local :class:`NonceStore` (one server process)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._next_purge = 0.0

    def add(self, key_id: str, nonce: str, expires_at: float) -> bool:
        now = self._clock()
        with self._lock:
            if now >= self._next_purge:
                self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
                self._next_purge = now + 60
            key = (key_id, nonce)
            expiry = self._seen.get(key)
            if expiry is not None and expiry > now:
                return False
            self._seen[key] = expires_at
            return True

    def __len__(self) -> int:
        return len(self._seen)


def _secret_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)


def canonical_target(path: str, query: str = "") -> str:
    """The signed request target: the decoded ``path`` percent-encoded again
    (everything but ``A-Z a-z 0-9 - . _ ~ /``, as UTF-8, upper-case hex), then
    ``?`` and the raw query string exactly as sent, if there is one."""
    target = quote(path, safe="/")
    return f"{target}?{query}" if query else target


def body_digest(body: bytes) -> str:
    """Hex SHA-256 of the raw body bytes (of ``b""`` when there is no body)."""
    return hashlib.sha256(body or b"").hexdigest()


def string_to_sign(timestamp: int | str, nonce: str, method: str, target: str, body: bytes) -> str:
    return f"{VERSION}\n{timestamp}\n{nonce}\n{method.upper()}\n{target}\n{body_digest(body)}\n"


def compute_signature(
    secret: str | bytes, timestamp: int | str, nonce: str, method: str, target: str, body: bytes
) -> str:
    """The hex HMAC-SHA256 of :func:`string_to_sign` under ``secret``."""
    message = string_to_sign(timestamp, nonce, method, target, body).encode("utf-8")
    return hmac.new(_secret_bytes(secret), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """32 lower-case hex characters from 16 random bytes."""
    return secrets.token_hex(16)


def _headers(
    key_id: str,
    secrets_: Sequence[str | bytes],
    method: str,
    target: str,
    body: bytes,
    now: float | None,
    nonce: str | None,
) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    nonce = nonce or new_nonce()
    signatures = ",".join(
        f"{VERSION}={compute_signature(s, timestamp, nonce, method, target, body)}" for s in secrets_
    )
    return {
        HEADER_KEY_ID: key_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signatures,
    }


def sign_request(
    key_id: str,
    secret: str | bytes | Sequence[str | bytes],
    method: str,
    target: str,
    body: bytes = b"",
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four ``X-EGP-*`` headers for a request.

    ``target`` comes from :func:`canonical_target`. Pass several secrets to
    send one ``v1=`` per secret (while the receiver rotates a key id's secret).
    """
    secrets_ = [secret] if isinstance(secret, str | bytes) else list(secret)
    return _headers(key_id, secrets_, method, target, body, now, nonce)


def sign_response(
    key_id: str,
    secret: str | bytes | Sequence[str | bytes],
    status: int,
    request_nonce: str,
    body: bytes = b"",
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The ``X-EGP-*`` headers of a response to the request with ``request_nonce``.

    Pass every secret of the key id while it rotates, so a client holding
    either one can check the answer.
    """
    secrets_ = [secret] if isinstance(secret, str | bytes) else list(secret)
    return _headers(key_id, secrets_, RESPONSE_METHOD, f"{int(status)} {request_nonce}", body, now, nonce)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _parse(headers: Mapping[str, str]) -> tuple[str, int, str, list[str]]:
    found = _lower(headers)
    key_id = found.get(HEADER_KEY_ID.lower(), "").strip()
    timestamp = found.get(HEADER_TIMESTAMP.lower(), "").strip()
    nonce = found.get(HEADER_NONCE.lower(), "").strip()
    signature = found.get(HEADER_SIGNATURE.lower(), "").strip()
    if not (key_id and timestamp and nonce and signature):
        missing = [
            name
            for name, value in (
                (HEADER_KEY_ID, key_id),
                (HEADER_TIMESTAMP, timestamp),
                (HEADER_NONCE, nonce),
                (HEADER_SIGNATURE, signature),
            )
            if not value
        ]
        raise SignatureError(UNSIGNED, f"missing header(s): {', '.join(missing)}")
    if not _KEY_ID_RE.match(key_id):
        raise SignatureError(UNSIGNED, f"malformed {HEADER_KEY_ID}")
    if not _TIMESTAMP_RE.match(timestamp):
        raise SignatureError(UNSIGNED, f"malformed {HEADER_TIMESTAMP}: whole Unix seconds expected")
    if not _NONCE_RE.match(nonce):
        raise SignatureError(UNSIGNED, f"malformed {HEADER_NONCE}: 32 lower-case hex characters expected")
    values: list[str] = []
    parts = [p.strip() for p in signature.split(",") if p.strip()]
    if len(parts) > _MAX_SIGNATURES:
        raise SignatureError(UNSIGNED, f"more than {_MAX_SIGNATURES} signatures")
    for part in parts:
        version, _, value = part.partition("=")
        if version == VERSION and _SIGNATURE_RE.match(value):
            values.append(value)
    if not values:
        raise SignatureError(UNSIGNED, f"{HEADER_SIGNATURE} has no valid v1=<64 hex> value")
    return key_id, int(timestamp), nonce, values


def _check(
    headers: Mapping[str, str],
    method: str,
    target: str,
    body: bytes,
    keyring: Keyring,
    now: float | None,
    tolerance: int,
) -> Verified:
    key_id, timestamp, nonce, values = _parse(headers)
    candidates = keyring.secrets(key_id)
    if not candidates:
        raise SignatureError(UNKNOWN_KEY, f"unknown key id {key_id!r}")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError(STALE, f"timestamp {timestamp} is more than {tolerance} s from now ({int(now)})")
    expected = [compute_signature(s, timestamp, nonce, method, target, body) for s in candidates]
    # Compare every pair without stopping early, so timing reveals nothing.
    matched = False
    for given in values:
        for wanted in expected:
            matched |= hmac.compare_digest(given, wanted)
    if not matched:
        raise SignatureError(BAD_SIGNATURE, "signature does not match")
    return Verified(key_id, timestamp, nonce)


def verify_request(
    headers: Mapping[str, str],
    method: str,
    target: str,
    body: bytes,
    keyring: Keyring,
    nonces: NonceStore,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_S,
    nonce_ttl: int = NONCE_TTL_S,
) -> Verified:
    """Verify a signed request or raise :class:`SignatureError`.

    Checks, in order: headers present and well formed (``UNSIGNED``), key id
    known (``UNKNOWN_KEY``), timestamp within ``tolerance`` (``STALE``),
    signature (``BAD_SIGNATURE``), nonce unused (``REPLAY``). The nonce is
    remembered only once the signature is valid, so forged requests cannot
    burn nonces.
    """
    verified = _check(headers, method, target, body, keyring, now, tolerance)
    current = time.time() if now is None else now
    if not nonces.add(verified.key_id, verified.nonce, current + nonce_ttl):
        raise SignatureError(REPLAY, "nonce already used")
    return verified


def verify_response(
    headers: Mapping[str, str],
    status: int,
    request_nonce: str,
    body: bytes,
    keyring: Keyring,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_S,
) -> Verified:
    """Verify a signed response to the request sent with ``request_nonce``."""
    return _check(headers, RESPONSE_METHOD, f"{int(status)} {request_nonce}", body, keyring, now, tolerance)
