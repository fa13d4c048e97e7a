"""The back office of the connector (/admin/erp) and the order pages' ERP notice."""

from __future__ import annotations

from plugins.erp_yidiantong.models import SyncRun
from plugins.erp_yidiantong.tests.outbox_helpers import outbox_rows, place_order

HTML = {"Accept": "text/html"}


def test_the_order_pages_tell_the_dealer_the_order_waits_for_the_factory(connector_app, shop, sim_http):
    sim_http.post("offline")
    dealer = shop("dealer1")
    number = place_order(dealer, connector_app, [("S-801-LA", 1, {})]).json["no"]
    detail = dealer.get(f"/orders/{number}", headers=HTML)
    assert detail.status_code == 200
    assert "等待工厂接单" in detail.text
    assert "订单已排队，工厂系统可接单时自动送达，无需重新下单。" in detail.text
    listing = dealer.get("/orders", headers=HTML)
    assert "等待工厂接单" in listing.text

    sim_http.post("online")
    admin = shop("admin")
    (message,) = outbox_rows(connector_app, number)
    assert (
        admin.post(f"admin/erp/outbox/{message.id}/retry").status_code == 200
    )  # "send now" for a waiting row
    erp_no = sim_http.order(number)["erp_order_no"]
    detail = dealer.get(f"/orders/{number}", headers=HTML)
    assert "工厂已接单" in detail.text
    assert f"ERP单号 {erp_no} · 生产进度：审单" in detail.text
    english = dealer.get(f"/orders/{number}?lang=en", headers=HTML)
    assert f"ERP order {erp_no} · Production: Order review" in english.text


def test_the_back_office_page_shows_streams_outbox_and_dead_letters(connector_app, shop, sim_http):
    sim_http.post("offline")
    dealer = shop("dealer2")
    number = place_order(dealer, connector_app, [("S-801-M", 1, {})]).json["no"]
    admin = shop("admin")
    page = admin.get("/admin/erp", headers=HTML)
    assert page.status_code == 200
    assert "ERP 离线：订单排队等待" in page.text
    assert number in page.text  # the oldest waiting order
    assert "立即同步" in page.text
    assert admin.post("admin/erp/sync", {"streams": ["stock"]}).status_code == 202
    page = admin.get("/admin/erp", headers=HTML)
    assert '<input type="hidden" name="streams[]" value="stock">' in page.text  # sync one stream again

    support = shop("support1")
    seen = support.get("/admin/erp", headers=HTML)
    assert seen.status_code == 200
    assert "立即同步" not in seen.text  # staff may look; only administrators act
    assert dealer.get("/admin/erp", headers=HTML).status_code == 303


def test_sync_now_queues_a_sync_of_the_chosen_streams(connector_app, shop):
    admin = shop("admin")
    queued = admin.post("admin/erp/sync", {"streams": ["stock", "customers"]})
    assert queued.status_code == 202, queued.text
    assert queued.json == {"queued": True, "streams": ["stock", "customers"], "full": False}
    # Jobs run inline in tests: the runs are there.
    with connector_app.ctx.activate():
        runs = {run.stream: run.status for run in SyncRun.select()}
    assert runs == {"customers": "ok", "stock": "ok"}
    status = admin.get("admin/erp/status").json
    assert {s["name"] for s in status["streams"]} >= {"customers", "stock"}
    stock = next(s for s in status["streams"] if s["name"] == "stock")
    assert stock["last_run"]["status"] == "ok" and stock["last_run"]["fetched"] > 0
    assert stock["cursor"]


def test_sync_now_refuses_bad_input_and_other_roles(connector_app, shop):
    admin = shop("admin")
    unknown = admin.post("admin/erp/sync", {"streams": ["stock", "nope"]})
    assert unknown.status_code == 400
    assert unknown.json["error"]["details"] == {"streams": {"1": ["没有这个同步流。"]}}
    for body in ({"streams": "stock"}, {"full": "yes please"}, {"streams": [1]}, {"other": 1}, [1]):
        answer = admin.post("admin/erp/sync", body)
        assert answer.status_code == 400, (body, answer.text)
    assert admin.post("admin/erp/sync", raw="{not json").status_code == 400
    assert shop("support1").post("admin/erp/sync", {}).status_code == 403
    assert shop("dealer1").post("admin/erp/sync", {}).status_code == 403
    with connector_app.ctx.activate():
        assert SyncRun.select().count() == 0


def test_the_outbox_list_filters_by_status(connector_app, shop, sim_http):
    sim_http.post("offline")
    dealer = shop("dealer3")
    numbers = [place_order(dealer, connector_app, [("S-801-M", 1, {})]).json["no"] for _ in range(3)]
    admin = shop("admin")
    pending = admin.get("admin/erp/outbox?status=pending&per_page=2").json
    assert pending["total"] == 3 and [m["aggregate"] for m in pending["items"]] == numbers[:2]
    assert pending["items"][0]["idempotency_key"] == f"{numbers[0]}:1"
    assert admin.get("admin/erp/outbox?status=done").json["total"] == 0
    assert admin.get("admin/erp/outbox?status=bogus").status_code == 400
    assert shop("finance1").get("admin/erp/outbox").status_code == 200
    assert dealer.get("admin/erp/outbox").status_code == 403
