"""The ERP simulator as a Falcon WSGI app with its own database.

``make_simulator_app(data_dir)`` opens (or creates) the simulator database —
``<data_dir>/erp-sim.sqlite3`` unless ``database_url`` names another — and
mounts the EGP/1 gateway under ``/egp/v1`` and the control API under
``/_sim``. The gateway middleware does what an agent does before any
operation: offline answer (503 ``ERP_OFFLINE``), signature check (401),
injected faults; and signs every answer to a signed request. With
``platform_push_url`` a background thread pushes new events there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import falcon
import peewee

from core.db import open_database
from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.push import Transport
from plugins.erp_yidiantong.egp.shapes import API_PREFIX, dump_json
from plugins.erp_yidiantong.simulator import control, gateway
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.errors import SimError
from plugins.erp_yidiantong.simulator.faults import Faults
from plugins.erp_yidiantong.simulator.models import MODELS
from plugins.erp_yidiantong.simulator.pusher import Pusher
from plugins.erp_yidiantong.simulator.store import install_counters
from plugins.erp_yidiantong.simulator.web import JSON_TYPE, read_raw_body

log = logging.getLogger("ydt.erp_sim")
DEMO_KEY_ID = "demo"
DEMO_SECRET = "demo-egp-secret"
OFFLINE_RETRY_AFTER_S = 30
_HTTP_CODES = {
    400: "INVALID_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class SimulatorState:
    """What the resources and middleware share: database, keys, faults, pusher."""

    def __init__(
        self,
        db: peewee.Database,
        keyring: signing.Keyring,
        key_id: str,
        secret: str,
        *,
        clock: Callable[[], float],
        sign_responses: bool,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.key_id = key_id
        self.secret = secret
        self.clock = clock
        self.sign_responses = sign_responses
        self.nonces = signing.MemoryNonceStore(clock)
        self.faults = Faults()
        self.pusher: Pusher | None = None

    def wake_pusher(self) -> None:
        if self.pusher is not None:
            self.pusher.wake()

    def push_snapshot(self) -> dict[str, Any]:
        return self.pusher.snapshot() if self.pusher is not None else {"url": None}


def _is_gateway(req: falcon.Request) -> bool:
    return req.path == API_PREFIX or req.path.startswith(API_PREFIX + "/")


class GatewayMiddleware:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if "\x00" in req.path or "%00" in req.query_string or "\x00" in req.query_string:
            raise SimError(400, "INVALID_REQUEST", "the address contains a NUL character")
        if not _is_gateway(req):
            return
        faults = self.state.faults
        delay_ms = faults.get("delay_ms")
        if delay_ms:
            time.sleep(delay_ms / 1000)
        if not faults.online:
            raise SimError(503, "ERP_OFFLINE", "the ERP is offline", retry_after=OFFLINE_RETRY_AFTER_S)
        raw = read_raw_body(req)
        target = signing.canonical_target(req.path, req.query_string)
        try:
            req.context.egp = signing.verify_request(
                req.headers,
                req.method,
                target,
                raw,
                self.state.keyring,
                self.state.nonces,
                now=self.state.clock(),
            )
        except signing.SignatureError as ex:
            raise SimError(401, ex.code, ex.message) from ex
        if faults.should_fail_now():
            raise SimError(500, "INTERNAL_ERROR", "injected failure: nothing was done")

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool
    ) -> None:
        gateway_call = _is_gateway(req)
        if (
            gateway_call
            and req.method == "PUT"
            and 200 <= resp.status_code < 300
            and self.state.faults.should_drop_answer()
        ):
            # The write is committed; the answer is lost on the way back.
            _write_error(resp, SimError(500, "INTERNAL_ERROR", "injected failure after the change was saved"))
        verified = getattr(req.context, "egp", None)
        if gateway_call and verified is not None and self.state.sign_responses:
            # Every secret of the key id, so either side of a rotation can check it.
            secrets = self.state.keyring.secrets(verified.key_id)
            headers = signing.sign_response(
                verified.key_id,
                secrets,
                resp.status_code,
                verified.nonce,
                resp.data or b"",
                now=self.state.clock(),
            )
            for name, value in headers.items():
                resp.set_header(name, value)
        if req.method in ("POST", "PUT", "DELETE") and resp.status_code < 400:
            self.state.wake_pusher()


def _write_error(resp: falcon.Response, error: SimError) -> None:
    resp.status = error.status
    resp.content_type = JSON_TYPE
    resp.data = dump_json(error.body.to_json())
    if error.body.retry_after is not None:
        resp.set_header("Retry-After", str(error.body.retry_after))


def _handle_sim_error(req, resp, ex: SimError, params) -> None:
    _write_error(resp, ex)


def _handle_http_error(req, resp, ex: falcon.HTTPError, params) -> None:
    status = ex.status_code
    code = _HTTP_CODES.get(status, f"HTTP_{status}")
    message = ex.title or "the request could not be processed"
    if status == 404:
        message = f"no such path: {req.method} {req.path}"
    elif status == 405:
        message = f"{req.method} is not allowed on {req.path}"
    _write_error(resp, SimError(status, code, message))
    for name, value in (ex.headers or {}).items():
        resp.set_header(name, value)


def _handle_unexpected(req, resp, ex: Exception, params) -> None:
    log.exception("simulator error on %s %s", req.method, req.path)
    _write_error(resp, SimError(500, "INTERNAL_ERROR", "the simulator failed; see its log"))


class SimulatorApp(falcon.App):
    """A Falcon app that binds the simulator database around each request."""

    sim: SimulatorState

    def __call__(self, env: dict, start_response):  # type: ignore[override]
        with use_sim_database(self.sim.db):
            return super().__call__(env, start_response)

    def close(self) -> None:
        """Stop the pusher and close the database connections."""
        if self.sim.pusher is not None:
            self.sim.pusher.stop()
        db = self.sim.db
        if hasattr(db, "close_all"):
            db.close_all()
        else:
            db.close()


def make_simulator_app(
    data_dir: str | Path | None = None,
    *,
    database_url: str | None = None,
    platform_push_url: str | None = None,
    key_id: str = DEMO_KEY_ID,
    secret: str = DEMO_SECRET,
    extra_keys: Mapping[str, str | Sequence[str]] | None = None,
    sign_responses: bool = True,
    clock: Callable[[], float] = time.time,
    push_transport: Transport | None = None,
    push_timeout: float = 10.0,
) -> SimulatorApp:
    """Build an ERP simulator.

    Args:
        data_dir: where ``erp-sim.sqlite3`` lives (created when missing).
        database_url: another database instead (``sqlite:///...`` or
            ``postgresql://...?schema=...``).
        platform_push_url: where to push events, e.g.
            ``http://127.0.0.1:8000/api/v1/erp/events``; no pushing without it.
        key_id, secret: the key the gateway accepts and signs with.
        extra_keys: more accepted key ids (rotation), ``{key_id: secret(s)}``.
        sign_responses: sign every answer to a signed request.
        clock: Unix time source (tests inject skew).
        push_transport: deliver pushes another way than HTTP (tests hand
            them to an in-process platform app).
        push_timeout: seconds to wait for the platform's answer to a push.
    """
    if database_url is None:
        if data_dir is None:
            raise ValueError("give data_dir or database_url")
        database_url = f"sqlite:///{Path(data_dir).resolve() / 'erp-sim.sqlite3'}"
    db = open_database(database_url)
    keyring = signing.Keyring({key_id: secret, **dict(extra_keys or {})})
    state = SimulatorState(db, keyring, key_id, secret, clock=clock, sign_responses=sign_responses)
    with use_sim_database(db), db.atomic():
        db.create_tables(MODELS, safe=True)
        install_counters()
    app = SimulatorApp(middleware=[GatewayMiddleware(state)])
    app.sim = state
    app.req_options.auto_parse_qs_csv = False
    app.add_error_handler(Exception, _handle_unexpected)
    app.add_error_handler(falcon.HTTPError, _handle_http_error)
    app.add_error_handler(SimError, _handle_sim_error)
    for path, resource in gateway.routes() + control.routes(state):
        app.add_route(path, resource)
    if platform_push_url:
        state.pusher = Pusher(
            db,
            platform_push_url,
            key_id,
            secret,
            state.faults,
            clock=clock,
            transport=push_transport,
            timeout=push_timeout,
        )
        state.pusher.start()
    return app
