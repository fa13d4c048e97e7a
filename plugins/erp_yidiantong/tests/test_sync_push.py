"""``POST /api/v1/erp/events``: signed pushes are stored once and applied; bad ones change nothing."""

from __future__ import annotations

import json
import time

import pytest

from core.app import create_app
from core.db import write_transaction
from core.testing import ApiClient
from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.shapes import PUSH_PATH, new_event_id
from plugins.erp_yidiantong.models import ErpOrder, InboxEvent, SeenNonce
from plugins.erp_yidiantong.sync import inbox
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET, wait_until
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import (
    close_app,
    pay,
    place_order,
    stage_events,
    start_pusher,
    sync,
)
from plugins.orders.models import Order


def signed(
    events, *, secret: str = SECRET, key_id: str = KEY_ID, now: float | None = None, raw: bytes | None = None
):
    body = raw if raw is not None else json.dumps({"events": events}).encode()
    headers = signing.sign_request(key_id, secret, "POST", PUSH_PATH, body, now=now)
    return body, {**headers, "Content-Type": "application/json; charset=utf-8"}


def push(app, events=None, **kw):
    body, headers = signed(events, **kw)
    return ApiClient(app).request("POST", PUSH_PATH, raw=body, headers=headers)


def progress(order: Order, stage: str, seq: int, event_seq: int) -> dict:
    return {
        "id": new_event_id(),
        "type": "production.progress",
        "stream": "production",
        "seq": event_seq,
        "occurred_at": "2026-03-03T08:30:00+08:00",
        "data": {
            "platform_order_no": order.no,
            "erp_order_no": ErpOrder.get_by_id(order.id).erp_order_no,
            "customer_code": order.customer.code,
            "stage": stage,
            "stage_seq": seq,
            "progress_pct": 25,
            "at": "2026-03-03T08:30:00+08:00",
            "note": "",
        },
    }


def test_a_signed_push_is_stored_once_and_applied(synced, erp_app, erp_ctx, control, dataset):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    cutting = progress(order, "cutting", 3, 900)
    answer = push(erp_app, [cutting])
    assert answer.status_code == 204, answer.text
    assert Order.get_by_id(order.id).status == "in_production"
    stored = InboxEvent.get(InboxEvent.event_id == cutting["id"])
    assert (stored.source, stored.status, stored.payload) == ("push", "applied", cutting)
    again = push(erp_app, [cutting])  # a new signature, the same event: a duplicate
    assert again.status_code == 204
    assert InboxEvent.select().where(InboxEvent.event_id == cutting["id"]).count() == 1


def test_invalid_envelopes_are_answered_one_by_one(synced, erp_app, erp_ctx, control, dataset):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    good = progress(order, "cutting", 3, 901)
    bad = progress(order, "woodwork", 4, 902)
    del bad["data"]["stage_seq"]
    answer = push(erp_app, [good, bad])
    assert answer.status_code == 200
    assert answer.json == {
        "results": [
            {"id": good["id"], "status": "accepted"},
            {
                "id": bad["id"],
                "status": "rejected",
                "error": {"code": "INVALID_EVENT", "message": "data.stage_seq missing or not an int"},
            },
        ]
    }
    assert not InboxEvent.select().where(InboxEvent.event_id == bad["id"]).exists()
    assert ErpOrder.get_by_id(order.id).stage_seq == 3


def test_bad_stale_replayed_or_missing_signatures_get_401_and_change_nothing(
    synced, erp_app, erp_ctx, control, dataset
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    event = progress(order, "cutting", 3, 903)
    before = InboxEvent.select().count()
    cases = {
        "BAD_SIGNATURE": dict(secret="not-the-secret"),
        "STALE": dict(now=time.time() - 301),
        "UNKNOWN_KEY": dict(key_id="someone-else"),
    }
    for code, kw in cases.items():
        answer = push(erp_app, [event], **kw)
        assert answer.status_code == 401, (code, answer.text)
        assert answer.json["error"]["code"] == "invalid_signature"
        assert answer.json["error"]["details"] == {"egp_code": code}
    unsigned = ApiClient(erp_app).request(
        "POST", PUSH_PATH, raw=json.dumps({"events": [event]}), headers={"Content-Type": "application/json"}
    )
    assert (unsigned.status_code, unsigned.json["error"]["details"]) == (401, {"egp_code": "UNSIGNED"})
    body, headers = signed([event])
    tampered = body.replace(b"cutting", b"packing")
    answer = ApiClient(erp_app).request("POST", PUSH_PATH, raw=tampered, headers=headers)
    assert (answer.status_code, answer.json["error"]["details"]) == (401, {"egp_code": "BAD_SIGNATURE"})
    assert InboxEvent.select().count() == before
    assert Order.get_by_id(order.id).status == "paid"
    # A replay of a good request: the first is taken, the copy refused.
    first = ApiClient(erp_app).request("POST", PUSH_PATH, raw=body, headers=headers)
    copy = ApiClient(erp_app).request("POST", PUSH_PATH, raw=body, headers=headers)
    assert first.status_code == 204
    assert (copy.status_code, copy.json["error"]["details"]) == (401, {"egp_code": "REPLAY"})


def test_the_nonce_store_is_shared_by_every_process(synced, erp_app, erp_ctx):
    """Two app instances on one database (two gunicorn workers): a replay to the other is refused too."""
    other = create_app(erp_app.ctx.settings)
    try:
        event = {
            "id": new_event_id(),
            "type": "x.unknown",
            "stream": "misc",
            "seq": 1,
            "occurred_at": "2026-03-03T08:30:00+08:00",
            "data": {},
        }
        body, headers = signed([event])
        assert ApiClient(erp_app).request("POST", PUSH_PATH, raw=body, headers=headers).status_code == 204
        replay = ApiClient(other).request("POST", PUSH_PATH, raw=body, headers=headers)
        assert (replay.status_code, replay.json["error"]["details"]) == (401, {"egp_code": "REPLAY"})
        assert SeenNonce.select().where(SeenNonce.nonce == headers["X-EGP-Nonce"]).count() == 1
        assert InboxEvent.get(InboxEvent.event_id == event["id"]).status == "ignored"  # unknown type
    finally:
        close_app(other)


def test_bodies_that_are_not_a_batch_get_400(synced, erp_app):
    for raw in (b"not json", b"[]", b'{"events": []}', b'{"events": {}}', b'{"events": [1], "more": 1}'):
        answer = push(erp_app, raw=raw)
        assert answer.status_code == 400, (raw, answer.text)
        assert answer.json["error"]["code"] in ("invalid_json", "invalid_input")
    many = [{"id": str(i)} for i in range(101)]
    assert push(erp_app, many).status_code == 400
    assert ApiClient(erp_app).get(PUSH_PATH).status_code == 405


def misc(seq: int = 1, **fields) -> dict:
    """An envelope of a type the platform does not know (stored, then ignored)."""
    return {
        "id": new_event_id(),
        "type": "x.unknown",
        "stream": "misc",
        "seq": seq,
        "occurred_at": "2026-03-03T08:30:00+08:00",
        "data": {},
        **fields,
    }


def test_a_seq_past_64_bits_rejects_that_envelope_alone_and_the_batch_can_be_resent(erp_app, erp_ctx):
    """A seq of 2**63 or more cannot be stored: it is rejected, never a 500 that blocks the push queue."""
    before, largest, huge = misc(1), misc(2**63 - 1), misc(2**63)
    batch = [before, huge, largest, misc(2**64)]
    answer = push(erp_app, batch)
    assert answer.status_code == 200, answer.text
    statuses = [(r["id"], r["status"]) for r in answer.json["results"]]
    assert statuses == [
        (before["id"], "accepted"),
        (huge["id"], "rejected"),
        (largest["id"], "accepted"),
        (batch[3]["id"], "rejected"),
    ]
    assert answer.json["results"][1]["error"] == {
        "code": "INVALID_EVENT",
        "message": "event.seq must be at most 9223372036854775807",
    }
    stored = {e.event_id: e.seq for e in InboxEvent.select()}
    assert stored == {before["id"]: 1, largest["id"]: 2**63 - 1}
    again = push(erp_app, batch)  # the agent's next batch goes through too
    assert [r["status"] for r in again.json["results"]] == ["duplicate", "rejected", "duplicate", "rejected"]
    assert InboxEvent.select().count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "\ud800"},
        {"type": "\ud800"},
        {"stream": "misc\udfff"},
        {"occurred_at": "2026-03-03T08:30:00+08:00\ud800"},
        {"data": {"note": "\udc00"}},
        {"data": {"\ud800": 1}},
    ],
)
def test_lone_surrogates_anywhere_in_a_push_are_a_400_that_stores_nothing(erp_app, erp_ctx, bad):
    raw = json.dumps({"events": [misc(1), misc(2, **bad)]}).encode()
    assert rb"\ud" in raw  # sent as a JSON escape: valid UTF-8, but not text once parsed
    answer = push(erp_app, raw=raw)
    assert answer.status_code == 400, answer.text
    assert answer.json["error"]["code"] == "invalid_json"
    assert InboxEvent.select().count() == 0


@pytest.mark.parametrize("name", ["id", "type", "stream"])
def test_a_nul_in_id_type_or_stream_rejects_that_envelope_alone(erp_app, erp_ctx, name):
    """PostgreSQL cannot store NUL in text columns: the envelope is rejected, never a 500."""
    good, bad = misc(1), misc(2, **{name: "a\x00b"})
    answer = push(erp_app, [good, bad])
    assert answer.status_code == 200, answer.text
    (accepted, rejected) = answer.json["results"]
    assert accepted == {"id": good["id"], "status": "accepted"}
    assert rejected["status"] == "rejected"
    assert rejected["id"] == ("" if name == "id" else bad["id"])
    assert rejected["error"]["message"] == f"event.{name} must not contain NUL characters"
    assert [e.event_id for e in InboxEvent.select()] == [good["id"]]


def test_the_inbox_refuses_what_it_cannot_store_from_a_pulled_page_too(erp_ctx):
    """Pulled envelopes skip the push endpoint's body check: the inbox rejects them one by one."""
    huge, surrogate, good = misc(2**63), misc(1, id="bad-\ud800"), misc(3)
    with write_transaction():
        results = inbox.store([huge, surrogate, good], "pull")
        assert [(r.event_id, r.status) for r in results] == [
            (huge["id"], "rejected"),
            ("", "rejected"),
            (good["id"], "accepted"),
        ]
        assert "not valid text" in results[1].error
        assert inbox.store_failed(huge, results[0].error, "pull") is True
        assert inbox.store_failed(surrogate, results[1].error, "pull") is False
        assert inbox.store_failed(misc(4, data={"x": "\udc00"}), "bad", "pull") is False
        assert inbox.store_failed(misc(5, id="nul\x00"), "bad", "pull") is False
        nul_type = misc(6, type="x\x00y", stream="m\x00")
        assert inbox.store_failed(nul_type, "bad", "pull") is True
    kept = InboxEvent.get(InboxEvent.event_id == huge["id"])
    assert (kept.status, kept.seq) == ("failed", 0)
    kept = InboxEvent.get(InboxEvent.event_id == nul_type["id"])
    assert (kept.type, kept.stream, kept.payload) == ("xy", "m", nul_type)
    assert InboxEvent.select().count() == 3


def test_the_simulator_pushes_progress_over_http_and_duplicates_change_nothing(
    synced, erp_app, erp_ctx, control, dataset, sim, serve
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    platform = serve(erp_app)
    control.ok("POST", "faults", {"push_duplicates": True, "push_reverse": True})
    start_pusher(sim, platform + PUSH_PATH)
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 3})  # 排产 开料 木工
    wait_until(lambda: ErpOrder.get_by_id(order.id).stage_seq == 4)
    real = stage_events(control, order.no)
    older = dict(real[1], id=new_event_id(), seq=real[-1]["seq"] + 100)
    control.ok("POST", "events", {"events": [*real, older], "push": True})
    wait_until(lambda: InboxEvent.select().where(InboxEvent.event_id == older["id"]).exists())
    wait_until(lambda: control.ok("GET", "status")["push"]["pending"] == 0)
    assert (ErpOrder.get_by_id(order.id).stage_seq, Order.get_by_id(order.id).status) == (4, "in_production")
    assert InboxEvent.get(InboxEvent.event_id == older["id"]).status == "ignored"
    assert InboxEvent.select().where(InboxEvent.event_id.in_([e["id"] for e in real])).count() == len(real)


def test_pushes_signed_with_a_skewed_clock_are_refused_and_stay_in_the_feed(
    synced, erp_app, erp_ctx, control, dataset, sim, serve
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    platform = serve(erp_app)
    control.ok("POST", "faults", {"clock_skew_s": 1000})
    pusher = start_pusher(sim, platform + PUSH_PATH)
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 2})
    wait_until(lambda: pusher.snapshot()["failures"] >= 1)
    assert "401" in pusher.snapshot()["last_error"]
    assert ErpOrder.get_by_id(order.id).stage_seq == 1
    assert Order.get_by_id(order.id).status == "paid"
    control.ok("DELETE", "faults")
    sync(erp_ctx, ["events"])  # the pull feed has every event
    assert ErpOrder.get_by_id(order.id).stage_seq == 3
