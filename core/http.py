"""Request validation, pagination and JSON helpers shared by every resource.

Decorate each responder with :func:`api`: it checks who may call it,
validates the query string and JSON body with marshmallow schemas (unknown
fields are rejected), and records what it did so that the OpenAPI document is
generated from the very schemas that validate requests.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import falcon
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.errors import ApiError, Forbidden, NotAuthenticated, PayloadTooLarge, ValidationFailed

MAX_PER_PAGE = 100


@dataclass
class Endpoint:
    """What the OpenAPI generator needs to know about one responder."""

    summary: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    response_many: bool = False
    paginated: bool = False
    status: int = 200
    roles: tuple[str, ...] | None = None
    public: bool = False
    customer_scoped: bool = False
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default_factory=tuple)


def _messages(err: ValidationError) -> dict[str, Any]:
    messages = err.messages
    if isinstance(messages, list):
        return {"_schema": messages}
    return messages


MAX_JSON_BYTES = 1024 * 1024


def read_json(req: falcon.Request) -> Any:
    """Return the parsed JSON body, or raise 400/413/415 in the error format.

    Bodies must be JSON (``application/json``; a form post could otherwise
    reach the API across sites), at most ``MAX_JSON_BYTES``, valid UTF-8
    without lone surrogates (they cannot be stored or answered back).
    """
    if req.content_length and req.content_length > MAX_JSON_BYTES:
        raise PayloadTooLarge("The request body is too large.")
    raw = _read_limited(req)
    if not raw.strip():
        return {}
    content_type = (req.content_type or "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise ApiError("Unsupported media type; send JSON.", code="unsupported_media_type", status=415)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as ex:  # RecursionError: absurd nesting
        raise ValidationFailed("The request body is not valid JSON.", code="invalid_json") from ex
    require_text(data)
    return data


def require_text(data: Any, *, allow_nul: bool = True) -> None:
    """Raise 400 ``invalid_json`` if parsed JSON holds lone surrogates (or, with
    ``allow_nul=False``, NUL characters).

    ``"\\ud800"`` parses, but is not text: it cannot be stored or answered
    back. ``"\\u0000"`` is text PostgreSQL cannot store; the platform's
    schemas refuse it field by field (with the field named), so only callers
    without such schemas ask for it here. For resources that parse a body
    themselves (a signed one, say).
    """
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as ex:
        raise ValidationFailed(
            "The request body contains characters that are not valid text.", code="invalid_json"
        ) from ex
    if not allow_nul and has_nul(data):
        raise ValidationFailed(
            "The request body contains characters that are not valid text.", code="invalid_json"
        )


def has_nul(data: Any) -> bool:
    """True when a string anywhere in parsed JSON (keys included) holds ``\\x00``."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _read_limited(req: falcon.Request) -> bytes:
    try:
        raw = req.bounded_stream.read(MAX_JSON_BYTES + 1)
    except Exception as ex:  # a client that hung up mid-body
        raise ValidationFailed("The request body is not valid JSON.", code="invalid_json") from ex
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge("The request body is too large.")
    return raw


def load(schema: Schema, data: Any) -> Any:
    """Validate ``data`` with ``schema`` or raise a 400 naming each bad field."""
    if not isinstance(data, dict) and not schema.many:
        raise ValidationFailed(details={"_schema": ["Expected a JSON object."]})
    try:
        return schema.load(data, unknown=RAISE)
    except ValidationError as err:
        raise ValidationFailed(details=_messages(err)) from err


def query_params(req: falcon.Request) -> dict[str, Any]:
    """Return query parameters, keeping only the last of repeated keys."""
    return {key: (value[-1] if isinstance(value, list) else value) for key, value in req.params.items()}


def api(
    summary: str,
    *,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | None = None,
    response_many: bool = False,
    paginated: bool = False,
    status: int = 200,
    roles: Iterable[str] | None = None,
    public: bool = False,
    customer: bool = False,
    tags: Iterable[str] = (),
) -> Callable:
    """Declare and guard a JSON responder.

    Args:
        summary: one line for the OpenAPI document.
        body: schema validating the JSON body into ``req.context.body``.
        query: schema validating the query string into ``req.context.query``.
        response: schema documenting the answer.
        roles: roles allowed to call; ``None`` means any logged-in user.
        public: no login needed.
        customer: customer-scoped; sets ``req.context.customer`` to the
            dealer's customer or the customer a rep acts for.
    """
    endpoint = Endpoint(
        summary=summary,
        body=body,
        query=query,
        response=response,
        response_many=response_many,
        paginated=paginated,
        status=status,
        roles=tuple(roles) if roles is not None else None,
        public=public,
        customer_scoped=customer,
        tags=tuple(tags),
    )

    def decorate(responder: Callable) -> Callable:
        @functools.wraps(responder)
        def wrapper(self, req: falcon.Request, resp: falcon.Response, **params: Any) -> Any:
            if not endpoint.public:
                user = req.context.user
                if user is None:
                    raise NotAuthenticated()
                if endpoint.roles is not None and user.role not in endpoint.roles:
                    raise Forbidden()
                if endpoint.customer_scoped:
                    from core.auth import acting_customer

                    req.context.customer = acting_customer(req)
            if endpoint.query is not None:
                req.context.query = load(endpoint.query(), query_params(req))
            if endpoint.body is not None:
                req.context.body = load(endpoint.body(), read_json(req))
            resp.status = endpoint.status
            return responder(self, req, resp, **params)

        wrapper.__api__ = endpoint
        return wrapper

    return decorate


class PageQuery(Schema):
    """``?page=&per_page=`` as the contract defines them."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def paginate(query, params: dict[str, Any], serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """Answer one page of a peewee query in the contract's list shape."""
    page, per_page = params["page"], params["per_page"]
    total = query.count()
    rows = query.paginate(page, per_page)
    return {"items": [serialize(row) for row in rows], "total": total, "page": page, "per_page": per_page}


def body_hash(data: Any) -> str:
    """A stable hash of a validated request body (for idempotency keys)."""
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
