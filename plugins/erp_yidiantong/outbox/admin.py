"""Back office of the connector: ``/admin/erp`` and its JSON API.

* ``GET  /api/v1/admin/erp/status`` (staff) — streams, outbox, ERP state,
  dead letters (:func:`status.connector_status`);
* ``GET  /api/v1/admin/erp/outbox`` (staff) — outbox rows, ``?status=``;
* ``POST /api/v1/admin/erp/outbox/{message_id}/retry`` (admin) — a dead
  letter back in line;
* ``POST /api/v1/admin/erp/sync`` (admin) — queue a sync run, 202.
"""

from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

from core.admin import require_staff
from core.errors import NotFound, ValidationFailed
from core.http import PageQuery, api, paginate
from core.jobs import enqueue
from core.web import render
from plugins.erp_yidiantong.models import OutboxMessage
from plugins.erp_yidiantong.outbox.dispatcher import DEAD, DONE, IN_FLIGHT, PENDING
from plugins.erp_yidiantong.outbox.jobs import SYNC_TASK
from plugins.erp_yidiantong.outbox.status import connector_status, message_json, retry_message

STAFF = ("admin", "support", "finance")
STREAM_NAME = re.compile(r"^[a-z][a-z-]{0,31}$")


class OutboxQuery(PageQuery):
    status = fields.String(validate=validate.OneOf([PENDING, IN_FLIGHT, DONE, DEAD]))


class SyncBody(Schema):
    streams = fields.List(
        fields.String(validate=validate.Regexp(STREAM_NAME, error="Not a stream name.")),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
    )
    full = fields.Boolean(load_default=False)


class OutboxMessageAnswer(Schema):
    id = fields.Integer()
    kind = fields.String()
    aggregate = fields.String(metadata={"description": "the order number"})
    idempotency_key = fields.String()
    status = fields.String(metadata={"description": "pending, in_flight, done or dead"})
    outcome = fields.String(
        allow_none=True,
        metadata={
            "description": "imports: imported, rejected or withdrawn; cancels: cancelled, not_in_erp or needless"
        },
    )
    attempts = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    locked_until = fields.String(allow_none=True)
    last_error = fields.String()
    created_at = fields.String()
    sent_at = fields.String(allow_none=True)
    done_at = fields.String(allow_none=True)
    age_seconds = fields.Integer()


class SyncQueuedAnswer(Schema):
    queued = fields.Boolean()
    streams = fields.List(fields.String(), allow_none=True)
    full = fields.Boolean()


def known_streams() -> tuple[str, ...]:
    """Stream names a sync may be asked for (the sync half's ``SELECTABLE_STREAMS``)."""
    from plugins.erp_yidiantong.sync import SELECTABLE_STREAMS

    return tuple(SELECTABLE_STREAMS)


class ErpStatus:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("ERP connector state: streams, outbox, dead letters", roles=STAFF, tags=["admin"])
    def on_get(self, req, resp):
        resp.media = connector_status(self.ctx)


class ErpOutbox:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Outbox messages, oldest first",
        query=OutboxQuery,
        response=OutboxMessageAnswer,
        paginated=True,
        roles=STAFF,
        tags=["admin"],
    )
    def on_get(self, req, resp):
        params = req.context.query
        query = OutboxMessage.select().order_by(OutboxMessage.id)
        if params.get("status"):
            query = query.where(OutboxMessage.status == params["status"])
        resp.media = paginate(query, params, lambda message: message_json(self.ctx, message))


class ErpOutboxRetry:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Retry a dead-lettered outbox message", response=OutboxMessageAnswer, roles=["admin"], tags=["admin"]
    )
    def on_post(self, req, resp, message_id: str):
        if not (message_id.isascii() and message_id.isdigit()) or len(message_id) > 18:
            raise NotFound()
        message = retry_message(self.ctx, int(message_id))
        resp.media = message_json(self.ctx, message)


class ErpSync:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Queue a sync with the ERP now",
        body=SyncBody,
        response=SyncQueuedAnswer,
        status=202,
        roles=["admin"],
        tags=["admin"],
    )
    def on_post(self, req, resp):
        body = req.context.body
        streams = list(dict.fromkeys(body["streams"] or []))
        known = known_streams()
        unknown = {
            str(index): ["Unknown stream."]
            for index, name in enumerate(body["streams"] or [])
            if name not in known
        }
        if unknown:
            raise ValidationFailed(details={"streams": unknown})
        enqueue(self.ctx, SYNC_TASK, streams or None, bool(body["full"]))
        resp.media = {"queued": True, "streams": streams or None, "full": bool(body["full"])}


class ErpAdminPage:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        user = require_staff(req, STAFF)
        _ = self.ctx.translator.bound(req.context.lang)
        render(
            self.ctx,
            req,
            resp,
            "erp/admin.html",
            area="admin",
            active_nav="erp",
            page_title=_("ERP connector"),
            status=connector_status(self.ctx),
            can_act=user.role == "admin",
        )


def routes(ctx) -> list[tuple[str, object]]:
    return [
        ("/api/v1/admin/erp/status", ErpStatus(ctx)),
        ("/api/v1/admin/erp/outbox", ErpOutbox(ctx)),
        ("/api/v1/admin/erp/outbox/{message_id}/retry", ErpOutboxRetry(ctx)),
        ("/api/v1/admin/erp/sync", ErpSync(ctx)),
        ("/admin/erp", ErpAdminPage(ctx)),
    ]
