"""The agent's side of event push: one signed ``POST /api/v1/erp/events``.

The agent sends up to 100 envelopes, in feed order, as
``{"events": [...]}``, signed like any EGP request. The platform answers
204 (all stored) or 200 with ``{"results": [{"id", "status"}]}``; anything
else is a failed delivery: 5xx, 401, 408, 429 and network errors are
retried by the caller, other 4xx mean the batch itself is refused.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.shapes import PUSH_BATCH_MAX, dump_json

# (url, headers, body) -> (status, body); the default sends over HTTP.
Transport = Callable[[str, dict[str, str], bytes], tuple[int, bytes]]
_RETRYABLE_4XX = (401, 408, 429)


class PushFailed(Exception):
    """A delivery that did not succeed; ``retryable`` says whether to try again."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class PushResult:
    """``results`` is None for a 204 (every event stored)."""

    status: int
    results: list[dict[str, Any]] | None


def http_transport(timeout: float) -> Transport:
    """A transport over ``http.client`` with the given timeout."""

    def send(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        parts = urlsplit(url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=timeout)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            conn.request("POST", target, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    return send


def push_events(
    url: str,
    key_id: str,
    secret: str | bytes,
    events: Sequence[dict[str, Any]],
    *,
    timeout: float = 10.0,
    now: float | None = None,
    transport: Transport | None = None,
) -> PushResult:
    """Deliver one batch of envelopes to the platform; raise :class:`PushFailed`."""
    if not 1 <= len(events) <= PUSH_BATCH_MAX:
        raise ValueError(f"a push carries 1 to {PUSH_BATCH_MAX} events")
    parts = urlsplit(url)
    body = dump_json({"events": list(events)})
    target = signing.canonical_target(unquote(parts.path), parts.query)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        **signing.sign_request(key_id, secret, "POST", target, body, now=time.time() if now is None else now),
    }
    send = transport or http_transport(timeout)
    try:
        status, answer = send(url, headers, body)
    except (OSError, http.client.HTTPException) as ex:
        raise PushFailed(f"{url}: {ex}") from ex
    if status == 204:
        return PushResult(status, None)
    if status == 200:
        try:
            data = json.loads(answer.decode("utf-8"))
            results = data["results"]
            if not isinstance(results, list):
                raise TypeError("results is not a list")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as ex:
            raise PushFailed(f"{url}: 200 without a results list: {ex}", status=status) from ex
        return PushResult(status, results)
    retryable = status >= 500 or status in _RETRYABLE_4XX
    snippet = answer[:200].decode("utf-8", "replace")
    raise PushFailed(f"{url}: HTTP {status} {snippet}", status=status, retryable=retryable)
