"""Admin endpoints of the price file: customer prices and grade list prices."""

from decimal import Decimal

import pytest

from core.models import Customer
from plugins.pricing.models import CustomerPrice, GradePrice
from plugins.pricing.tests.helpers import customer_price, product


@pytest.fixture
def file(app, make_user):
    with app.ctx.activate():
        one = Customer.create(code="C0001", name="佛山顺德家居馆", discount_rate=Decimal("0.85"))
        sofa = product("S-801-LA", grades={"FA": 128000, "FB": 141000, "L2": 235000})
        plain = product("T-1", grades={"": 50000}, grade_values=())
        customer_price(one, sofa, "L2", 220000)
    make_user("dealer1", customer=one)
    for name, role in (("admin1", "admin"), ("finance1", "finance"), ("support1", "support")):
        make_user(name, role)
    return {"one": one, "sofa": sofa, "plain": plain}


def snapshot(app):
    with app.ctx.activate():
        return (
            [
                (r.product_id, r.grade, r.list_price, r.version)
                for r in GradePrice.select().order_by(GradePrice.id)
            ],
            [
                (r.product_id, r.grade, r.unit_price, r.version)
                for r in CustomerPrice.select().order_by(CustomerPrice.id)
            ],
        )


def test_finance_lists_a_customers_prices(client, file):
    result = client.login("finance1").get(f"admin/prices/customers/{file['one'].id}")
    assert result.status_code == 200
    body = result.json
    assert body["customer"] == {
        "id": file["one"].id,
        "code": "C0001",
        "name": "佛山顺德家居馆",
        "discount_rate": "0.85",
    }
    assert body["total"] == 1
    item = body["items"][0]
    assert {
        k: item[k] for k in ("product_code", "grade", "grade_name", "unit_price", "version", "source")
    } == {
        "product_code": "S-801-LA",
        "grade": "L2",
        "grade_name": "头层牛皮L2",
        "unit_price": "2200.00",
        "version": 1,
        "source": "price_file",
    }


def test_admin_sets_changes_and_removes_customer_prices(app, client, file):
    admin = client.login("admin1")
    sofa, plain = file["sofa"], file["plain"]
    body = {
        "prices": [
            {"product_id": sofa.id, "grade": "L2", "unit_price": "2150.00"},
            {"product_id": sofa.id, "grade": "FA", "unit_price": "1000"},
            {"product_id": plain.id, "unit_price": "399.90"},
        ]
    }
    result = admin.put(f"admin/prices/customers/{file['one'].id}", body)
    assert result.status_code == 200, result.text
    assert (result.json["saved"], result.json["removed"]) == (3, 0)
    got = {(i["product_code"], i["grade"]): (i["unit_price"], i["version"]) for i in result.json["items"]}
    assert got == {
        ("S-801-LA", "L2"): ("2150.00", 2),
        ("S-801-LA", "FA"): ("1000.00", 1),
        ("T-1", ""): ("399.90", 1),
    }
    # the same amount again is not a new version
    admin.put(f"admin/prices/customers/{file['one'].id}", {"prices": body["prices"][:1]})
    # and the dealer's quote follows at once
    dealer = client.login("dealer1")
    quote = dealer.post("quotes", {"product_id": sofa.id, "options": {"SOFA-COVER": "L2"}, "qty": 1}).json
    assert quote["unit_price"] == "2150.00"
    removed = admin.put(
        f"admin/prices/customers/{file['one'].id}",
        {"prices": [{"product_id": sofa.id, "grade": "L2", "unit_price": None}]},
    )
    assert (removed.json["saved"], removed.json["removed"], removed.json["items"]) == (0, 1, [])
    quote = dealer.post("quotes", {"product_id": sofa.id, "options": {"SOFA-COVER": "L2"}, "qty": 1}).json
    assert (quote["unit_price"], quote["source"]) == ("1997.50", "list_discount")
    with app.ctx.activate():
        versions = {(r.grade): r.version for r in CustomerPrice.select()}
    assert versions == {"FA": 1, "": 1}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"grade": "XX", "unit_price": "1.00"}, "grade"),
        ({"grade": "L2\x00", "unit_price": "1.00"}, "grade"),
        ({"grade": "L2", "unit_price": "0.00"}, "unit_price"),
        ({"grade": "L2", "unit_price": "-5.00"}, "unit_price"),
        ({"grade": "L2", "unit_price": 2200}, "unit_price"),
        ({"grade": "L2", "unit_price": 22.5}, "unit_price"),
        ({"grade": "L2", "unit_price": "22.555"}, "unit_price"),
        ({"grade": "L2", "unit_price": "1e5"}, "unit_price"),
        ({"grade": "L2", "unit_price": "9999999999999.00"}, "unit_price"),
        ({"grade": "L2"}, "unit_price"),
        ({"grade": "L2", "unit_price": "1.00", "note": "x"}, "note"),
    ],
)
def test_bad_customer_price_rows_are_400_and_nothing_changes(app, client, file, row, field):
    before = snapshot(app)
    good = {"product_id": file["sofa"].id, "grade": "FA", "unit_price": "900.00"}
    body = {"prices": [good, {"product_id": file["sofa"].id, **row}]}
    result = client.login("admin1").put(f"admin/prices/customers/{file['one'].id}", body)
    assert result.status_code == 400
    details = result.json["error"]["details"]["prices"]
    assert list(details) == ["1"]  # the good row 0 is not named
    assert list(details["1"]) == [field]
    assert snapshot(app) == before


def test_unknown_product_duplicate_rows_and_grade_on_gradeless_product_are_400(app, client, file):
    before = snapshot(app)
    admin = client.login("admin1")
    sofa, plain = file["sofa"], file["plain"]
    rows = [
        {"product_id": 999999, "grade": "", "unit_price": "1.00"},
        {"product_id": sofa.id, "grade": "FA", "unit_price": "1.00"},
        {"product_id": sofa.id, "grade": "FA", "unit_price": "2.00"},
        {"product_id": plain.id, "grade": "FA", "unit_price": "2.00"},
        {"product_id": sofa.id, "grade": "", "unit_price": "2.00"},
    ]
    result = admin.put(f"admin/prices/customers/{file['one'].id}", {"prices": rows})
    assert result.status_code == 400
    details = result.json["error"]["details"]["prices"]
    assert details == {
        "0": {"product_id": ["产品不存在。"]},
        "2": {"grade": ["同一产品和等级重复出现。"]},
        "3": {"grade": ["该产品不分等级，等级请留空。"]},
        "4": {"grade": ["不是该产品的等级。"]},
    }
    assert snapshot(app) == before
    assert admin.put(f"admin/prices/customers/{file['one'].id}", {"prices": []}).status_code == 400
    too_many = [{"product_id": sofa.id, "grade": "FA", "unit_price": "1.00"}] * 501
    assert admin.put(f"admin/prices/customers/{file['one'].id}", {"prices": too_many}).status_code == 400


def test_price_admin_needs_admin_or_finance_and_an_existing_customer(client, file):
    path = f"admin/prices/customers/{file['one'].id}"
    assert client.login("dealer1").get(path).status_code == 403
    assert client.login("support1").get(path).status_code == 403
    assert client.get(path).status_code == 401
    admin = client.login("admin1")
    assert admin.get("admin/prices/customers/999999").status_code == 404
    assert admin.get("admin/prices/customers/99999999999999").status_code == 404
    assert admin.get("admin/prices/customers/abc").status_code == 404
    assert admin.get(path, params={"per_page": "500"}).status_code == 400


def test_admin_sets_grade_list_prices(app, client, file):
    admin = client.login("admin1")
    sofa = file["sofa"]
    result = admin.put(
        f"admin/prices/list/{sofa.id}",
        {"prices": [{"grade": "FA", "list_price": "1300.00"}, {"grade": "FB", "list_price": "1410.00"}]},
    )
    assert result.status_code == 200, result.text
    assert [(p["grade"], p["name"], p["list_price"], p["version"]) for p in result.json["prices"]] == [
        ("FA", "布A", "1300.00", 2),
        ("FB", "布B", "1410.00", 1),  # unchanged amount: same version
        ("L2", "头层牛皮L2", "2350.00", 1),
    ]
    assert admin.get(f"admin/prices/list/{sofa.id}").json == result.json
    two = client.login("dealer1").post("quotes", {"product_id": sofa.id, "options": {}, "qty": 1}).json
    assert two["unit_price"] == "1105.00"  # 1300 × 0.85


def test_bad_list_prices_are_400_and_change_nothing(app, client, file):
    before = snapshot(app)
    admin = client.login("admin1")
    sofa = file["sofa"]
    for body in (
        {"prices": [{"grade": "FA", "list_price": "1.00"}, {"grade": "ZZ", "list_price": "1.00"}]},
        {"prices": [{"grade": "FA", "list_price": None}]},
        {"prices": [{"grade": "FA", "list_price": "0"}]},
        {"prices": [{"grade": "FA", "list_price": "1.00"}, {"grade": "FA", "list_price": "2.00"}]},
        {"prices": "FA"},
        {},
    ):
        result = admin.put(f"admin/prices/list/{sofa.id}", body)
        assert result.status_code == 400, body
    assert (
        admin.put("admin/prices/list/999999", {"prices": [{"grade": "FA", "list_price": "1.00"}]}).status_code
        == 404
    )
    assert (
        client.login("dealer1")
        .put(f"admin/prices/list/{sofa.id}", {"prices": [{"grade": "FA", "list_price": "1.00"}]})
        .status_code
        == 403
    )
    assert snapshot(app) == before


def test_bulk_price_file_sync_bumps_versions_only_where_prices_changed(app, db):
    from plugins.pricing.price_file import upsert_customer_prices

    customers = [
        Customer.create(code=f"B{i:03d}", name=f"批量{i}", discount_rate=Decimal("0.9")) for i in range(40)
    ]
    items = [product(f"BK-{i}", grades={"": 10000 + i}, grade_values=()) for i in range(30)]
    rows = [(c.id, p.id, "", 5000 + c.id + p.id) for c in customers for p in items]
    assert upsert_customer_prices(rows, source="erp") == 1200
    changed = [(c, p, g, fen + (1 if (c + p) % 7 == 0 else 0)) for c, p, g, fen in rows]
    upsert_customer_prices(changed, source="erp")
    stored = {
        (r.customer_id, r.product_id): (r.unit_price, r.version, r.source) for r in CustomerPrice.select()
    }
    assert len(stored) == 1200
    for c, p, _g, fen in changed:
        assert stored[(c, p)] == (fen, 2 if (c + p) % 7 == 0 else 1, "erp")


def test_concurrent_admin_writes_of_one_price_all_succeed_and_count_versions(app, client, file):
    import threading

    admin = client.login("admin1")
    plain = file["plain"]
    path = f"admin/prices/customers/{file['one'].id}"
    barrier = threading.Barrier(10)
    statuses = [None] * 10

    def put(i):
        barrier.wait()
        body = {"prices": [{"product_id": plain.id, "grade": "", "unit_price": f"{300 + i}.00"}]}
        statuses[i] = admin.put(path, body).status_code

    threads = [threading.Thread(target=put, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 10
    with app.ctx.activate():
        rows = list(CustomerPrice.select().where(CustomerPrice.product == plain.id))
    assert len(rows) == 1
    assert rows[0].version == 10  # the first write created it, nine changed it
    assert 30000 <= rows[0].unit_price <= 30900
