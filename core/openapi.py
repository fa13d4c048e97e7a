"""The OpenAPI 3 document, generated from the schemas that validate requests.

Every responder decorated with :func:`core.http.api` is described from its
``Endpoint`` record; nothing is written by hand, so the document cannot
drift from the code.
"""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

METHODS = ("get", "post", "put", "patch", "delete")


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorAnswer(Schema):
    error = fields.Nested(ErrorBody, required=True)


def _schema_name(resolver_schema) -> str:
    cls = resolver_schema if isinstance(resolver_schema, type) else type(resolver_schema)
    name = cls.__name__
    if name.endswith("Schema") and len(name) > 6:
        name = name[:-6]
    return f"{cls.__module__.split('.')[1] if cls.__module__.startswith('plugins.') else 'core'}.{name}"


def build_spec(ctx) -> dict:
    spec = APISpec(
        title="YDT dealer ordering platform",
        version=next(p.manifest.version for p in ctx.plugins if p.name == "core"),
        openapi_version="3.0.3",
        info={"description": "Public HTTP contract (v1). Money is a CNY string with two decimals."},
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
    )
    spec.components.schema("Error", schema=ErrorAnswer)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for path, resource in ctx.routes:
        if not path.startswith("/api/v1"):
            continue
        operations = {}
        for method in METHODS:
            responder = getattr(resource, f"on_{method}", None)
            endpoint = getattr(responder, "__api__", None)
            if endpoint is None:
                continue
            operations[method] = _operation(endpoint)
        if operations:
            params = re.findall(r"{(\w+)(?::\w+)?}", path)
            spec.path(
                path=re.sub(r"{(\w+):\w+}", r"{\1}", path),
                operations=operations,
                parameters=[
                    {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                    for name in params
                ],
            )
    return spec.to_dict()


def _operation(endpoint) -> dict:
    op: dict = {"summary": endpoint.summary, "tags": list(endpoint.tags) or ["misc"]}
    if not endpoint.public:
        op["security"] = [{"bearer": []}]
    if endpoint.query is not None:
        op["parameters"] = [{"in": "query", "schema": endpoint.query}]
    if endpoint.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.body}}}
    ok: dict = {"description": "OK"}
    if endpoint.response is not None:
        schema = endpoint.response
        if endpoint.paginated:
            ok["content"] = {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": schema},
                            "total": {"type": "integer"},
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                        },
                    }
                }
            }
        elif endpoint.response_many:
            ok["content"] = {"application/json": {"schema": {"type": "array", "items": schema}}}
        else:
            ok["content"] = {"application/json": {"schema": schema}}
    error = {"description": "Error", "content": {"application/json": {"schema": "Error"}}}
    op["responses"] = {str(endpoint.status): ok, "400": error}
    if not endpoint.public:
        op["responses"]["401"] = error
    if endpoint.roles is not None or endpoint.customer_scoped:
        op["responses"]["403"] = error
    return op


class OpenApiResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self._cached: dict | None = None

    def on_get(self, req, resp):
        if self._cached is None:
            self._cached = build_spec(self.ctx)
        resp.media = self._cached
