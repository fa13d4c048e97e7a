"""Outages and trouble as the client sees them: offline, refused, slow, 5xx, lost answers, bad keys."""

from __future__ import annotations

import http.client
import socket
import time

import pytest

from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.client import (
    EgpClient,
    ErpAuthError,
    ErpNotFound,
    ErpOffline,
    ErpProtocolError,
    ErpServerError,
)
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET, order_body

SOFA = {"sku": "S-801", "options": {"SOFA-COVER": "L1"}, "qty": 2}


def test_offline_answers_503_erp_offline_to_everything_and_does_nothing(egp, control):
    body = order_body(egp, "SO20260302-0100", [SOFA])
    assert control.ok("POST", "offline") == {"online": False}
    calls = [
        egp.health,
        lambda: egp.feed("prices"),
        lambda: egp.quote_prices("C0001", [SOFA]),
        lambda: egp.query_stock(["S-801"]),
        lambda: egp.import_order(body),
        lambda: egp.order_status("SO20260302-0100"),
    ]
    for call in calls:
        with pytest.raises(ErpOffline) as excinfo:
            call()
        assert (excinfo.value.code, excinfo.value.status, excinfo.value.retry_after) == (
            "ERP_OFFLINE",
            503,
            30,
        )
        assert excinfo.value.retryable is True
        assert excinfo.value.outcome_unknown is False
    assert control.ok("GET", "imports")["items"] == []
    assert control.ok("POST", "online") == {"online": True}
    assert egp.import_order(body).status == 201
    held = control.ok("GET", "orders/SO20260302-0100")
    assert (held["created_count"], held["requests"]) == (1, 1)


def test_a_closed_port_is_offline_with_nothing_sent():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = EgpClient(f"http://127.0.0.1:{port}", KEY_ID, SECRET, timeout=2)
    with pytest.raises(ErpOffline) as excinfo:
        client.health()
    assert excinfo.value.code == "CONNECTION_REFUSED"
    assert excinfo.value.outcome_unknown is False


def test_a_slow_erp_times_out_with_the_outcome_unknown(sim_url, control):
    control.ok("POST", "faults", {"delay_ms": 1500})
    client = EgpClient(sim_url, KEY_ID, SECRET, timeout=0.5)
    with pytest.raises(ErpOffline) as excinfo:
        client.health()
    assert excinfo.value.code == "TIMEOUT"
    assert excinfo.value.outcome_unknown is True
    control.ok("POST", "faults", {"delay_ms": 0})
    assert client.health()["status"] == "ok"


def test_injected_5xx_fail_before_any_work(egp, control):
    body = order_body(egp, "SO20260302-0101", [SOFA])
    assert control.ok("POST", "faults", {"fail_next": 2})["fail_next"] == 2
    for _ in range(2):
        with pytest.raises(ErpServerError) as excinfo:
            egp.import_order(body)
        assert (excinfo.value.status, excinfo.value.code, excinfo.value.retryable) == (
            500,
            "INTERNAL_ERROR",
            True,
        )
    assert control.get("orders/SO20260302-0101").status_code == 404
    assert egp.import_order(body).status == 201


def test_error_rate_all_or_nothing(egp, control):
    control.ok("POST", "faults", {"error_rate_5xx": 1})
    with pytest.raises(ErpServerError):
        egp.health()
    control.ok("POST", "faults", {"error_rate_5xx": "0"})
    assert egp.health()["status"] == "ok"


def test_a_lost_answer_is_resolved_by_resending_the_same_import(egp, control):
    body = order_body(egp, "SO20260302-0102", [SOFA])
    control.ok("POST", "faults", {"drop_after_commit_next": 1})
    with pytest.raises(ErpServerError) as excinfo:
        egp.import_order(body)
    assert excinfo.value.code == "INTERNAL_ERROR"
    # The ERP did create the order; the retry with the same key replays it.
    assert egp.order_status("SO20260302-0102")["revision"] == 1
    retry = egp.import_order(body)
    assert retry.replayed and retry.status == 201
    held = control.ok("GET", "orders/SO20260302-0102")
    assert (held["created_count"], held["requests"]) == (1, 2)


def test_a_wrong_secret_or_a_wrong_clock_is_401_and_changes_nothing(egp, sim_url, control):
    body = order_body(egp, "SO20260302-0103", [SOFA])
    wrong_secret = EgpClient(sim_url, KEY_ID, "guessed")
    with pytest.raises(ErpAuthError) as excinfo:
        wrong_secret.import_order(body)
    assert (excinfo.value.status, excinfo.value.code) == (401, "BAD_SIGNATURE")
    slow_clock = EgpClient(sim_url, KEY_ID, SECRET, clock=lambda: time.time() - 400)
    with pytest.raises(ErpAuthError) as excinfo:
        slow_clock.import_order(body)
    assert excinfo.value.code == "STALE"
    unknown_key = EgpClient(sim_url, "other", SECRET)
    with pytest.raises(ErpAuthError) as excinfo:
        unknown_key.import_order(body)
    assert excinfo.value.code == "UNKNOWN_KEY"
    assert control.ok("GET", "orders")["items"] == []
    assert control.ok("GET", "imports")["items"] == []


def test_a_replayed_request_is_refused(egp, sim_url):
    headers = signing.sign_request(KEY_ID, SECRET, "GET", "/egp/v1/health")
    port = int(sim_url.rsplit(":", 1)[1])
    answers = []
    for _ in range(2):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/egp/v1/health", headers=headers)
        response = conn.getresponse()
        answers.append((response.status, response.read()))
        conn.close()
    assert answers[0][0] == 200
    assert answers[1][0] == 401 and b'"REPLAY"' in answers[1][1]


def test_answers_are_signed_and_checked(sim_url, sim):
    client = EgpClient(sim_url, KEY_ID, SECRET, verify_responses=True)
    assert client.health()["status"] == "ok"
    sim.sim.sign_responses = False
    with pytest.raises(ErpProtocolError) as excinfo:
        client.health()
    assert excinfo.value.code == "BAD_RESPONSE_SIGNATURE"


def test_rotated_keys_are_accepted_side_by_side(make_sim, serve):
    sim = make_sim(extra_keys={"k2026": ["fresh-secret", "older-secret"]})
    url = serve(sim)
    for key_id, secret in (("demo", SECRET), ("k2026", "fresh-secret"), ("k2026", "older-secret")):
        assert EgpClient(url, key_id, secret, verify_responses=True).health()["status"] == "ok"


def test_unknown_paths_and_methods_answer_in_the_error_format(egp):
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.request("DELETE", "/orders/SO-1")
    assert (excinfo.value.status, excinfo.value.code) == (405, "METHOD_NOT_ALLOWED")
    with pytest.raises(ErpNotFound) as excinfo:
        egp.request("GET", "/nothing-here")
    assert (excinfo.value.status, excinfo.value.code) == (404, "NOT_FOUND")


def test_a_body_that_is_not_json_is_a_400_or_415(egp, sim_url):
    port = int(sim_url.rsplit(":", 1)[1])
    for content_type, body, status in (
        ("application/json", b"{not json", 400),
        ("application/json", b"[1, 2]", 400),
        ("text/plain", b'{"skus": ["S-801"]}', 415),
        ("application/json", b"\xff\xfe", 400),
        ("application/json", b'{"skus": ["\\ud800"]}', 400),  # a lone surrogate: not text
    ):
        headers = signing.sign_request(KEY_ID, SECRET, "POST", "/egp/v1/stock/query", body)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(
            "POST", "/egp/v1/stock/query", body=body, headers={**headers, "Content-Type": content_type}
        )
        response = conn.getresponse()
        assert response.status == status, body
        assert response.getheader("Content-Type").startswith("application/json")
        conn.close()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/prices/quote", {"customer_code": "C0001", "items": "S-801"}),
        ("/prices/quote", {"customer_code": "C0001", "items": []}),
        ("/prices/quote", {"customer_code": "C0001", "items": [{"sku": "S-801", "options": ["L1"]}]}),
        (
            "/prices/quote",
            {"customer_code": "C0001", "items": [{"sku": "S-801", "options": {"SOFA-COVER": 1}}]},
        ),
        ("/prices/quote", {"customer_code": "C0001", "items": [{"sku": "S-801", "qty": 0}]}),
        ("/prices/quote", {"customer_code": "C0001", "items": [{"sku": "S-801", "qty": True}]}),
        ("/prices/quote", {"customer_code": 1, "items": [{"sku": "S-801"}]}),
        ("/prices/quote", {"items": [{"sku": "S-801"}]}),
        ("/stock/query", {"skus": []}),
        ("/stock/query", {"skus": [None]}),
        ("/stock/query", {"skus": ["S-801"] * 501}),
    ],
)
def test_malformed_gateway_bodies_are_400(egp, path, body):
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.request("POST", path, body=body)
    assert (excinfo.value.status, excinfo.value.code) == (400, "INVALID_REQUEST")
    assert excinfo.value.details


@pytest.mark.parametrize(
    "payment",
    [
        {"amount_fen": 0, "channel": "wechat", "paid_at": "2026-03-02T10:05:00+08:00"},
        {"amount_fen": "100", "channel": "wechat", "paid_at": "2026-03-02T10:05:00+08:00"},
        {"amount_fen": 100, "channel": "wechat", "paid_at": "2026-03-02T10:05:00"},
        {"amount_fen": 100, "channel": "wechat"},
    ],
)
def test_malformed_payment_notices_are_400(egp, payment):
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.notify_payment("SO-1", "PAY-1", payment)
    assert excinfo.value.status == 400


def test_order_numbers_and_payment_ids_are_path_safe(egp):
    body = order_body(egp, "SO 1", [SOFA])
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.import_order(body)
    assert "platform_order_no" in excinfo.value.details
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.notify_payment(
            "SO-1", "支付 1", {"amount_fen": 1, "channel": "wechat", "paid_at": "2026-03-02T10:05:00Z"}
        )
    assert "payment_id" in excinfo.value.details
    # Non-ASCII path segments are signed and routed like any other.
    assert egp.order_status("订单-1") is None
