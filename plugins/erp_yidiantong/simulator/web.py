"""JSON in and out for the simulator's resources (gateway and control API)."""

from __future__ import annotations

import json
from typing import Any

import falcon

from core.errors import ValidationFailed
from core.http import require_text
from plugins.erp_yidiantong.egp.shapes import MAX_BODY_BYTES, dump_json
from plugins.erp_yidiantong.simulator.errors import SimError, invalid

JSON_TYPE = "application/json; charset=utf-8"


def read_raw_body(req: falcon.Request) -> bytes:
    """Read the whole body once (at most 1 MiB) and keep it for signing and parsing."""
    if getattr(req.context, "raw_body", None) is not None:
        return req.context.raw_body
    length = req.content_length or 0
    if length > MAX_BODY_BYTES:
        raise SimError(413, "PAYLOAD_TOO_LARGE", f"bodies are limited to {MAX_BODY_BYTES} bytes")
    try:
        raw = req.bounded_stream.read(MAX_BODY_BYTES + 1)
    except OSError as ex:
        raise invalid({"_body": ["could not read the body"]}, "the body could not be read") from ex
    if len(raw) > MAX_BODY_BYTES:
        raise SimError(413, "PAYLOAD_TOO_LARGE", f"bodies are limited to {MAX_BODY_BYTES} bytes")
    req.context.raw_body = raw
    return raw


def json_body(req: falcon.Request) -> Any:
    """The body parsed as JSON; 415 for another media type, 400 for broken JSON
    or for text that is not (lone surrogates such as ``"\\ud800"``)."""
    raw = read_raw_body(req)
    if not raw.strip():
        raise invalid({"_body": ["a JSON body is required"]}, "the request needs a JSON body")
    media = (req.content_type or "application/json").split(";")[0].strip().lower()
    if media != "application/json":
        raise SimError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as ex:
        raise invalid({"_body": [f"not valid JSON: {ex}"]}, "the body is not valid JSON") from ex
    try:
        require_text(data, allow_nul=False)
    except ValidationFailed as ex:
        problem = {"_body": ["lone surrogates and NUL characters are not text"]}
        raise invalid(problem, "the body is not valid text") from ex
    return data


def optional_json_body(req: falcon.Request) -> Any:
    """Like :func:`json_body`, but an empty body is ``{}``."""
    raw = read_raw_body(req)
    return json_body(req) if raw.strip() else {}


def send_json(resp: falcon.Response, data: Any, status: int = 200) -> None:
    resp.status = status
    resp.content_type = JSON_TYPE
    resp.data = dump_json(data)
