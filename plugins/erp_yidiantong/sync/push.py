"""``POST /api/v1/erp/events``: the gateway agent's signed event pushes (EGP/1 §7).

In order, and nothing is stored unless the first two pass:

1. the raw body (at most 1 MiB) is verified against the ``X-EGP-*``
   signature with the push keys (``push_secrets``) and the shared nonce
   store — a missing, unknown, stale, wrong or replayed signature answers
   401 in the platform's error format;
2. the body must be ``{"events": [envelope, ...]}`` with 1-100 envelopes,
   valid JSON and valid text (no lone surrogates) — else 400;
3. every valid envelope is stored in the inbox by id (a known id is a
   ``duplicate``); an invalid one is ``rejected`` with the reason;
4. pending events are applied (:mod:`.events`).

The answer is 204 when every event is stored (new or known), else 200 with
one result per event. Not a logged-in call (no session, no CSRF): the
signature is the authentication. A ``seq`` gap in a pushed stream queues a
pull of the event feed.
"""

from __future__ import annotations

import json
import logging

import falcon

from core.db import write_transaction
from core.errors import ApiError, NotAuthenticated, PayloadTooLarge, ValidationFailed
from core.http import api, require_text
from plugins.erp_yidiantong.connection import push_keyring
from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.shapes import MAX_BODY_BYTES, PUSH_BATCH_MAX, PUSH_PATH
from plugins.erp_yidiantong.sync import inbox
from plugins.erp_yidiantong.sync.events import apply_pending
from plugins.erp_yidiantong.sync.nonces import DatabaseNonceStore

log = logging.getLogger("ydt.erp.push")
PULL_TASK = "erp.pull_events"


class InvalidSignature(NotAuthenticated):
    code = "invalid_signature"
    message = "The ERP signature was not accepted ({reason})."


class EventsPushResource:
    """The push endpoint of the ERP gateway agent."""

    csrf_exempt = True

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.nonces = DatabaseNonceStore()

    @api(
        "Receive signed ERP event pushes (EGP/1 §7): {events: [envelope, ...]}; 204, or 200 with results",
        public=True,
        tags=("erp",),
    )
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = _read_body(req)
        try:
            signing.verify_request(
                req.headers,
                "POST",
                signing.canonical_target((req.root_path or "") + req.path, req.query_string),
                raw,
                push_keyring(self.ctx),
                self.nonces,
            )
        except signing.SignatureError as ex:
            log.warning("refused an ERP push from %s: %s", req.remote_addr, ex)
            raise InvalidSignature(details={"egp_code": ex.code}, reason=ex.code) from ex
        events = _events(raw)
        with write_transaction():
            gaps = _gaps(events)
            results = inbox.store(events, "push")
        try:
            apply_pending(self.ctx)
        except Exception:  # stored is stored: the next sync applies what is left
            log.exception("applying pushed ERP events failed")
        if gaps:
            _queue_pull(self.ctx, gaps)
        if all(r.status in ("accepted", "duplicate") for r in results):
            resp.status = falcon.HTTP_204
            return
        resp.status = falcon.HTTP_200
        resp.media = {
            "results": [
                {"id": r.event_id, "status": r.status}
                | ({"error": {"code": "INVALID_EVENT", "message": r.error}} if r.status == "rejected" else {})
                for r in results
            ]
        }


def _read_body(req: falcon.Request) -> bytes:
    if (req.content_length or 0) > MAX_BODY_BYTES:
        raise PayloadTooLarge(details={"max_bytes": MAX_BODY_BYTES})
    try:
        raw = req.bounded_stream.read(MAX_BODY_BYTES + 1)
    except OSError as ex:
        raise ValidationFailed("The request body could not be read.", code="invalid_body") from ex
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(details={"max_bytes": MAX_BODY_BYTES})
    return raw


def _events(raw: bytes) -> list:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as ex:
        raise ValidationFailed("The request body is not valid JSON.", code="invalid_json") from ex
    require_text(body, allow_nul=True)  # a NUL rejects its envelope only (inbox)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not 1 <= len(events) <= PUSH_BATCH_MAX or set(body) != {"events"}:
        raise ValidationFailed(
            details={"events": [f'Send {{"events": [...]}} with 1 to {PUSH_BATCH_MAX} event envelopes.']}
        )
    return events


def _gaps(events: list) -> list[str]:
    """The streams whose lowest pushed ``seq`` lies past the last stored + 1 (valid envelopes only)."""
    lowest: dict[str, int] = {}
    for raw in events:
        try:
            envelope = inbox.check_envelope(raw)
        except inbox.InvalidEvent:
            continue
        lowest[envelope.stream] = min(envelope.seq, lowest.get(envelope.stream, envelope.seq))
    return [stream for stream, seq in lowest.items() if seq > inbox.last_seq(stream) + 1]


def _queue_pull(ctx, streams: list[str]) -> None:
    """A seq gap: something was not pushed; pull the event feed soon (not inline in tests)."""
    if ctx.settings.jobs_backend == "immediate":
        return
    from core.jobs import enqueue

    try:
        enqueue(ctx, PULL_TASK)
    except (KeyError, ApiError, OSError) as ex:
        log.warning("could not queue an event pull after a gap in %s: %s", streams, ex)


def routes(ctx) -> list[tuple[str, object]]:
    return [(PUSH_PATH, EventsPushResource(ctx))]
