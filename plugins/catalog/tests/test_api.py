"""Catalog API: category tree, product list (filter, search, pages), product detail."""

import pytest

from plugins.catalog.media import THUMB_EXT
from plugins.catalog.models import Category, OptionGroup, OptionValue, Product, ProductImage
from plugins.catalog.tests.helpers import add_options, count_queries, make_product


def codes(result):
    return [item["code"] for item in result.json["items"]]


def test_category_tree_nests_active_categories_in_order(dealer, catalog):
    result = dealer.get("categories")
    assert result.status_code == 200
    assert [(c["code"], c["name"], c["icon"]) for c in result.json] == [
        ("SOFA", "沙发", "sofa"),  # icon guessed from the name
        ("BED", "床", "bed"),
    ]
    sofa = result.json[0]
    assert [c["name"] for c in sofa["children"]] == ["真皮沙发", "布艺沙发"]
    assert sofa["children"][0]["children"] == []
    assert sofa["children"][0]["id"] == catalog["leather"].id


def test_list_answers_published_products_with_the_catalog_fields(dealer, catalog):
    result = dealer.get("products")
    assert result.status_code == 200
    assert codes(result) == ["S-801", "S-820", "SB-1", "B-1201"]
    assert (result.json["total"], result.json["page"], result.json["per_page"]) == (4, 1, 20)
    first = result.json["items"][0]
    assert first["id"] == catalog["s801"].id
    assert first["name"] == "米兰模块沙发 L型组合"
    assert first["spec"] == "2800×1650×850mm"
    assert first["category_id"] == catalog["leather"].id
    assert first["unit"] == "套"
    assert first["image_url"] == f"/media/products/thumbs/S-801-first.{THUMB_EXT}"
    assert result.json["items"][1]["image_url"] is None


def test_category_filter_includes_sub_categories_and_linked_products(dealer, catalog):
    assert codes(dealer.get("products", params={"category_id": catalog["sofa"].id})) == [
        "S-801",
        "S-820",
        "SB-1",
    ]
    assert codes(dealer.get("products", params={"category_id": catalog["fabric"].id})) == ["S-820", "SB-1"]
    # The sofa bed is linked to 床 as well as to its main category.
    assert codes(dealer.get("products", params={"category_id": catalog["bed"].id})) == ["SB-1", "B-1201"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("s-80", ["S-801"]),  # code, case-insensitive
        ("SOFA", ["SB-1"]),  # name, case-insensitive
        ("沙发", ["S-801", "S-820", "SB-1"]),
        ("棉麻", ["S-820"]),  # spec
        ("  沙发   三人位 ", ["S-820"]),  # every word must match
        ("1800×2000", ["B-1201"]),
        ("%", ["S-820"]),  # a literal character (in "100%棉麻"), not a wildcard
        ("_", []),
        ("未发布", []),  # unpublished products are never found
        ("S-801\x00", ["S-801"]),  # control characters are spaces
        ("\x00\t\n", ["S-801", "S-820", "SB-1", "B-1201"]),  # nothing to search for
    ],
)
def test_search_matches_code_name_and_spec(dealer, catalog, q, expected):
    assert codes(dealer.get("products", params={"q": q})) == expected


def test_search_puts_the_model_number_and_names_first(app, dealer, catalog):
    with app.ctx.activate():
        make_product("CU-1", "抱枕", catalog["fabric"], spec="配 S-820 沙发用", sort=-1)
    assert codes(dealer.get("products", params={"q": "s-820"})) == ["S-820", "CU-1"]
    assert codes(dealer.get("products", params={"q": "沙发"})) == ["S-801", "S-820", "SB-1", "CU-1"]
    assert codes(dealer.get("products"))[0] == "CU-1"  # without a search: the catalog order


def test_search_and_category_combine(dealer, catalog):
    result = dealer.get("products", params={"q": "sofa", "category_id": catalog["bed"].id})
    assert codes(result) == ["SB-1"]
    assert result.json["total"] == 1


def test_pages_cover_the_list_once(dealer, catalog):
    pages = [dealer.get("products", params={"page": page, "per_page": 3}).json for page in (1, 2, 3)]
    assert [codes_ for codes_ in ([i["code"] for i in p["items"]] for p in pages)] == [
        ["S-801", "S-820", "SB-1"],
        ["B-1201"],
        [],
    ]
    assert [p["total"] for p in pages] == [4, 4, 4]
    assert pages[1]["page"] == 2 and pages[1]["per_page"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "1000"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "x"}, "page"),
        ({"category_id": "abc"}, "category_id"),
        ({"category_id": "1.5"}, "category_id"),
        ({"category_id": "99999999999999999999"}, "category_id"),
        ({"category_id": "0"}, "category_id"),
        ({"q": "x" * 101}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_list_parameters_answer_400_naming_the_field(dealer, catalog, params, field):
    result = dealer.get("products", params=params)
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_input"
    assert field in result.json["error"]["details"]
    assert result.json["error"]["message"]


def test_unknown_or_inactive_category_is_a_bad_parameter(dealer, catalog):
    for category_id in (987654, catalog["old"].id):
        result = dealer.get("products", params={"category_id": category_id})
        assert result.status_code == 400
        assert result.json["error"]["details"] == {"category_id": ["没有这个商品分类。"]}


def test_product_detail_has_options_images_and_facts(dealer, catalog):
    result = dealer.get(f"products/{catalog['s801'].id}")
    assert result.status_code == 200
    product = result.json
    assert product["code"] == "S-801"
    assert product["images"] == ["/media/products/S-801-first.jpg", "/media/products/S-801-second.jpg"]
    assert product["image_url"] == f"/media/products/thumbs/S-801-first.{THUMB_EXT}"
    assert product["description"] == "实木框架"
    assert (product["width_mm"], product["depth_mm"], product["height_mm"]) == (2800, 1650, 850)
    assert product["unit"] == "套"
    assert product["custom_allowed"] is True
    assert product["custom_only"] is False
    assert product["category_ids"] == [catalog["leather"].id]
    assert product["breadcrumb"] == [
        {"id": catalog["sofa"].id, "name": "沙发"},
        {"id": catalog["leather"].id, "name": "真皮沙发"},
    ]
    assert product["option_groups"] == [
        {
            "code": "COVER",
            "name": "面料",
            "required": True,
            "kind": "grade",
            "values": [
                {"code": "FA", "name": "布A"},
                {"code": "FB", "name": "布B"},
                {"code": "L1", "name": "头层牛皮L1"},
            ],
        },
        {
            "code": "COLOR",
            "name": "颜色",
            "required": True,
            "kind": "surcharge",
            "values": [{"code": "NP-02", "name": "米白"}, {"code": "NP-11", "name": "孔雀蓝"}],
        },
        {
            "code": "CUSHION",
            "name": "抱枕",
            "required": False,
            "kind": "surcharge",
            "values": [{"code": "CU-2", "name": "加配抱枕2个"}],
        },
    ]
    assert product["default_options"] == {"COVER": "FA", "COLOR": "NP-02"}
    assert product["default_options_label"] == "面料: 布A / 颜色: 米白"


def test_sofa_bed_lists_all_its_categories_main_first(dealer, catalog):
    product = dealer.get(f"products/{catalog['sofa_bed'].id}").json
    assert product["category_ids"] == [catalog["fabric"].id, catalog["bed"].id]
    assert product["option_groups"] == []
    assert product["default_options"] == {}


@pytest.mark.parametrize(
    "path",
    [
        "products/{hidden}",
        "products/987654",
        "products/0",
        "products/-3",
        "products/99999999999999999999",
        "products/abc",
    ],
)
def test_unpublished_or_unknown_products_answer_404(dealer, catalog, path):
    result = dealer.get(path.format(hidden=catalog["hidden"].id))
    assert result.status_code == 404
    assert result.json["error"]["code"] == "not_found"


def test_unpublishing_hides_a_product_from_list_and_detail(app, dealer, catalog):
    assert dealer.get(f"products/{catalog['b1'].id}").status_code == 200
    with app.ctx.activate():
        Product.update(published=False).where(Product.id == catalog["b1"].id).execute()
    assert dealer.get(f"products/{catalog['b1'].id}").status_code == 404
    assert "B-1201" not in codes(dealer.get("products"))
    assert codes(dealer.get("products", params={"category_id": catalog["bed"].id})) == ["SB-1"]


def test_catalog_is_for_customers_only(client, make_user, catalog):
    assert client.get("products").status_code == 401
    assert client.get("categories").json["error"]["code"] == "not_authenticated"
    make_user("support9", "support")
    assert client.login("support9").get("products").status_code == 403
    make_user("rep9", "rep")  # no customer assigned
    result = client.login("rep9").get("products")
    assert result.status_code == 403
    assert result.json["error"]["code"] == "no_acting_customer"


def test_a_rep_browses_for_the_customer_they_act_for(client, make_user, catalog):
    dealer = make_user("dealer8")
    make_user("rep8", "rep", customers=[dealer.customer])
    rep = client.login("rep8")
    assert codes(rep.get("products", params={"category_id": catalog["bed"].id})) == ["SB-1", "B-1201"]
    assert rep.get(f"products/{catalog['s801'].id}").json["code"] == "S-801"


def test_a_page_of_products_costs_the_same_queries_whatever_its_size(app, dealer, catalog):
    with app.ctx.activate():
        bulk = Category.create(code="BULK", name="批量", parent=catalog["sofa"])
        for n in range(30):
            product = add_options(make_product(f"N-{n:03d}", f"批量沙发 {n}", bulk, sort=100 + n))
            ProductImage.create(product=product, filename=f"N-{n:03d}-a.jpg")
            ProductImage.create(product=product, filename=f"N-{n:03d}-b.jpg", sort=1)
    dealer.get("products")  # warm up caches of other plugins
    counts = {}
    for per_page in (2, 20):
        with count_queries() as counter:
            result = dealer.get("products", params={"per_page": per_page, "category_id": bulk.id})
        assert len(result.json["items"]) == per_page
        counts[per_page] = len(counter.statements)
    assert counts[2] == counts[20], counts
    assert counts[20] <= 20, counts


def test_options_of_inactive_values_are_not_offered(app, dealer, catalog):
    with app.ctx.activate():
        group = OptionGroup.get((OptionGroup.product == catalog["s801"].id) & (OptionGroup.code == "COVER"))
        OptionValue.update(active=False).where(
            (OptionValue.group == group) & (OptionValue.code == "FA")
        ).execute()
    product = dealer.get(f"products/{catalog['s801'].id}").json
    assert [v["code"] for v in product["option_groups"][0]["values"]] == ["FB", "L1"]
    assert product["default_options"]["COVER"] == "FB"


def test_openapi_documents_the_catalog_endpoints(client):
    doc = client.get("openapi.json").json
    assert {"/api/v1/categories", "/api/v1/products", "/api/v1/products/{product_id}"} <= set(doc["paths"])
    params = doc["paths"]["/api/v1/products"]["get"]["parameters"]
    assert params, "the list query schema is published"


def test_a_product_whose_required_group_has_no_value_left_is_still_shown(app, dealer, catalog):
    with app.ctx.activate():
        group = OptionGroup.get((OptionGroup.product == catalog["s801"].id) & (OptionGroup.code == "COLOR"))
        OptionValue.update(active=False).where(OptionValue.group == group).execute()
    result = dealer.get(f"products/{catalog['s801'].id}")
    assert result.status_code == 200
    assert result.json["default_options"] == {"COVER": "FA"}
    assert result.json["option_groups"][1]["values"] == []
