"""Stock API: dealers read published products' stock; admins set and upload."""

import pytest

from core.plugins import hookimpl
from plugins.catalog.models import Product
from plugins.inventory.models import StockItem, StockMovement
from plugins.inventory.tests.helpers import product, stock


class Recorder:
    """Collects on_stock_changed notifications and answers resolve_stock."""

    def __init__(self, live=None):
        self.changes = []
        self.live = live or {}

    @hookimpl
    def on_stock_changed(self, ctx, product_id, available):
        self.changes.append((product_id, available))

    @hookimpl
    def resolve_stock(self, ctx, product):
        return self.live.get(product.code)


@pytest.fixture
def recorder(app):
    rec = Recorder()
    app.ctx.pm.register(rec)
    return rec


@pytest.fixture
def goods(app, make_user):
    with app.ctx.activate():
        items = {
            "quota": product("S-801", "quota", 30, unit="套"),
            "low": product("S-801-CHR", "quota", 3),
            "erp": product("B-100", "erp", 50, reserved=5, unit="张"),
            "free": product("T-1"),
            "hidden": product("H-1", "quota", 9, published=False),
        }
    make_user("dealer1")
    make_user("admin1", "admin")
    make_user("finance1", "finance")
    return items


def test_dealer_reads_stock_of_published_products(client, goods):
    dealer = client.login("dealer1")
    assert dealer.get(f"stock/{goods['quota'].id}").json == {
        "product_id": goods["quota"].id,
        "mode": "quota",
        "available": 30,
    }
    assert dealer.get(f"stock/{goods['erp'].id}").json["available"] == 45
    assert dealer.get(f"stock/{goods['free'].id}").json == {
        "product_id": goods["free"].id,
        "mode": "unlimited",
        "available": None,
    }
    for path in (f"stock/{goods['hidden'].id}", "stock/999999", "stock/0", "stock/x", "stock/99999999999"):
        result = dealer.get(path)
        assert result.status_code == 404, path
        assert result.json["error"]["code"] in ("not_found",)
    assert client.get(f"stock/{goods['quota'].id}").status_code == 401


def test_live_erp_stock_comes_from_resolve_stock_minus_reservations(app, client, goods):
    app.ctx.pm.register(Recorder(live={"B-100": 20}))
    dealer = client.login("dealer1")
    assert dealer.get(f"stock/{goods['erp'].id}").json["available"] == 15
    # quota products never ask the resolver
    assert dealer.get(f"stock/{goods['quota'].id}").json["available"] == 30


def test_product_data_carries_stock(app, goods):
    with app.ctx.activate():
        merged = {}
        for extra in app.ctx.pm.hook.extend_product_data(
            ctx=app.ctx, customer=None, products=list(goods.values()), detail=False
        ):
            for product_id, data in extra.items():
                merged.setdefault(product_id, {}).update(data)
    assert merged[goods["low"].id]["stock"] == {"mode": "quota", "available": 3}
    assert merged[goods["free"].id]["stock"] == {"mode": "unlimited", "available": None}


def test_admin_sets_stock_and_listeners_hear_of_it(app, client, goods, recorder):
    admin = client.login("admin1")
    free = goods["free"]
    result = admin.put(f"admin/stock/{free.id}", {"mode": "quota", "quantity": 12})
    assert result.status_code == 200, result.text
    body = result.json
    assert {k: body[k] for k in ("mode", "quantity", "reserved", "available")} == {
        "mode": "quota",
        "quantity": 12,
        "reserved": 0,
        "available": 12,
    }
    assert [(m["delta"], m["reason"]) for m in body["movements"]] == [(12, "set")]
    assert recorder.changes == [(free.id, 12)]
    back = admin.put(f"admin/stock/{free.id}", {"mode": "unlimited"})
    assert (back.json["mode"], back.json["available"], back.json["quantity"]) == ("unlimited", None, None)
    assert recorder.changes[-1] == (free.id, None)
    assert admin.get(f"admin/stock/{free.id}").json == back.json


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "quota"},
        {"mode": "quota", "quantity": -1},
        {"mode": "quota", "quantity": 10_000_001},
        {"mode": "quota", "quantity": "5"},
        {"mode": "quota", "quantity": 2.5},
        {"mode": "infinite", "quantity": 5},
        {"quantity": 5},
        {"mode": "quota", "quantity": 5, "reserved": 1},
    ],
)
def test_bad_stock_settings_are_400_and_change_nothing(app, client, goods, body):
    result = client.login("admin1").put(f"admin/stock/{goods['quota'].id}", body)
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_input"
    with app.ctx.activate():
        assert stock(goods["quota"].id) == ("quota", 30, 0)
        assert StockMovement.select().count() == 0


def test_stock_admin_is_for_admins(client, goods):
    for user in ("dealer1", "finance1"):
        api = client.login(user)
        assert api.put(f"admin/stock/{goods['quota'].id}", {"mode": "unlimited"}).status_code == 403
        assert api.get("admin/stock").status_code == 403
        assert (
            api.post("admin/stock/upload", raw="S-801,1", headers={"Content-Type": "text/csv"}).status_code
            == 403
        )
    assert client.login("admin1").put("admin/stock/999999", {"mode": "unlimited"}).status_code == 404


def test_admin_lists_stock_with_filters(client, goods):
    admin = client.login("admin1")
    everything = admin.get("admin/stock").json
    assert everything["total"] == 5
    assert [row["code"] for row in everything["items"]] == ["B-100", "H-1", "S-801", "S-801-CHR", "T-1"]
    quota = admin.get("admin/stock", params={"mode": "quota"}).json
    assert [row["code"] for row in quota["items"]] == ["H-1", "S-801", "S-801-CHR"]
    unlimited = admin.get("admin/stock", params={"mode": "unlimited"}).json
    assert [row["code"] for row in unlimited["items"]] == ["T-1"]
    low = admin.get("admin/stock", params={"low": "5"}).json
    assert [(row["code"], row["available"]) for row in low["items"]] == [("S-801-CHR", 3)]
    found = admin.get("admin/stock", params={"q": "s-801"}).json
    assert found["total"] == 2
    assert admin.get("admin/stock", params={"mode": "lots"}).status_code == 400
    assert admin.get("admin/stock", params={"q": "S-801\x00"}).status_code == 400
    assert admin.get("admin/stock", params={"per_page": "1000"}).status_code == 400


def upload(api, text, encoding="utf-8", **kw):
    return api.post(
        "admin/stock/upload", raw=text.encode(encoding), headers={"Content-Type": "text/csv"}, **kw
    )


def test_upload_applies_good_rows_and_reports_bad_ones(app, client, goods, recorder):
    admin = client.login("admin1")
    csv_text = (
        "编码,数量\n"
        "S-801,25\n"
        "T-1,8\n"
        "\n"
        "NOPE-1,5\n"
        "S-801-CHR,-2\n"
        "S-801-CHR,2.5\n"
        "B-100,40\n"
        "S-801,26\n"
        "H-1\n"
        "H-1,4,extra\n"
        "H-1,0\n"
    )
    result = upload(admin, csv_text)
    assert result.status_code == 200, result.text
    report = result.json
    assert (report["rows"], report["applied"]) == (10, 3)
    assert [
        (i["line"], i["code"], i["quantity"], i["previous_mode"], i["previous_quantity"])
        for i in report["items"]
    ] == [
        (2, "S-801", 25, "quota", 30),
        (3, "T-1", 8, "unlimited", None),
        (12, "H-1", 0, "quota", 9),
    ]
    assert [(e["line"], e["code"], e["message"]) for e in report["errors"]] == [
        (5, "NOPE-1", "没有此编码的产品。"),
        (6, "S-801-CHR", "数量须为 0 到 10000000 之间的整数。"),
        (7, "S-801-CHR", "数量须为 0 到 10000000 之间的整数。"),
        (8, "B-100", "该产品库存来自 ERP，请先修改库存模式。"),
        (9, "S-801", "该编码重复出现，只采用了第一行。"),
        (10, "H-1", "每行需要且只需要产品编码和数量两列。"),
        (11, "H-1", "每行需要且只需要产品编码和数量两列。"),
    ]
    with app.ctx.activate():
        assert stock(goods["quota"].id) == ("quota", 25, 0)
        assert stock(goods["free"].id) == ("quota", 8, 0)
        assert stock(goods["erp"].id) == ("erp", 50, 5)
        assert stock(goods["low"].id) == ("quota", 3, 0)
        reasons = {m.reason for m in StockMovement.select()}
    assert reasons == {"upload"}
    assert sorted(recorder.changes) == sorted(
        [(goods["quota"].id, 25), (goods["free"].id, 8), (goods["hidden"].id, 0)]
    )


def test_upload_reads_gbk_excel_files_and_multipart_forms(app, client, goods):
    admin = client.login("admin1")
    result = upload(admin, "货号,库存\r\nS-801,11\r\n", encoding="gbk")
    assert result.json["applied"] == 1
    boundary = "XyZ123"
    form = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="stock.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        "\ufeffS-801-CHR,1\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    result = admin.post(
        "admin/stock/upload", raw=form, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert result.status_code == 200, result.text
    assert result.json["applied"] == 1
    with app.ctx.activate():
        assert stock(goods["quota"].id) == ("quota", 11, 0)
        assert stock(goods["low"].id) == ("quota", 1, 0)


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b"", "text/csv", 400, "empty_file"),
        (b"code,quantity\n", "text/csv", 400, "empty_file"),
        (b"\xff\xfe\x00\x00\x01binary", "text/csv", 400, "invalid_file"),
        (b"S-801,1\n" * 20_001, "text/csv", 400, "too_many_rows"),
        (b"S-801," + b"9" * (2 * 1024 * 1024), "text/csv", 413, "payload_too_large"),
        (b"--b\r\nbroken", "multipart/form-data; boundary=b", 400, None),
        (  # part headers that are not UTF-8
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\xed\xa0\x80.csv"\r\n\r\n'
            b"S-801,1\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            400,
            "invalid_file",
        ),
        (
            b'--b\r\nContent-Disposition: form-data; name="fi\xffle"\r\n\r\nS-801,1\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
            400,
            "invalid_file",
        ),
        (
            b'--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
            400,
            "invalid_input",
        ),
    ],
)
def test_unreadable_uploads_are_rejected_and_change_nothing(
    app, client, goods, raw, content_type, status, code
):
    result = client.login("admin1").post(
        "admin/stock/upload", raw=raw, headers={"Content-Type": content_type}
    )
    assert result.status_code == status
    if code:
        assert result.json["error"]["code"] == code
    with app.ctx.activate():
        assert StockMovement.select().count() == 0
        assert StockItem.get_by_id(goods["quota"].id).quantity == 30


def test_demo_stock_matches_the_dataset(app, client):
    from core.demo import load_demo_data
    from demodata import build_dataset

    dataset = build_dataset()
    assert load_demo_data(app.ctx)
    with app.ctx.activate():
        stored = {i.product.code: (i.mode, i.quantity, i.reserved) for i in StockItem.select().join(Product)}
    expected = {
        p.code: (p.stock_mode, p.stock_qty, 0) for p in dataset.products if p.stock_mode != "unlimited"
    }
    assert stored == expected
    assert stored["S-801"] == ("quota", 30, 0) and stored["S-801-CHR"] == ("quota", 3, 0)
    dealer = client.login("dealer1", "demo1234")
    with app.ctx.activate():
        chr_id = Product.get(Product.code == "S-801-CHR").id
    assert dealer.get(f"stock/{chr_id}").json == {"product_id": chr_id, "mode": "quota", "available": 3}


def test_concurrent_first_time_stock_settings_all_succeed(app, client, goods):
    import threading

    admin = client.login("admin1")
    free = goods["free"]
    barrier = threading.Barrier(8)
    statuses = [None] * 8

    def put(i):
        barrier.wait()
        statuses[i] = admin.put(f"admin/stock/{free.id}", {"mode": "quota", "quantity": 10 + i}).status_code

    threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 8
    with app.ctx.activate():
        mode, quantity, _reserved = stock(free.id)
        moved = sum(m.delta for m in StockMovement.select().where(StockMovement.product == free.id))
    assert mode == "quota" and 10 <= quantity <= 17
    assert moved == quantity  # each setting's movement is relative to the one before it
