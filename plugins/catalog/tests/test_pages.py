"""Shop pages: who may see them, and what they show."""

import pytest
from falcon.testing import TestClient

HTML = {"Accept": "text/html"}


def page(app, path, client=None, **params):
    """GET a page as a browser would (with the client's session cookie)."""
    headers = dict(HTML)
    if client is not None:
        headers["Cookie"] = f"ydt_session={client.token}"
    return TestClient(app).simulate_get(path, headers=headers, params=params or None)


@pytest.mark.parametrize("path", ["/", "/categories", "/products", "/products/1"])
def test_anonymous_visitors_are_sent_to_the_login_page(app, catalog, path):
    result = page(app, path)
    assert result.status_code == 303
    assert result.headers["location"] == "/login?next=" + path.replace("/", "%2F")


def test_staff_are_sent_to_the_back_office(app, client, make_user, catalog):
    make_user("support9", "support")
    result = page(app, "/", client.login("support9"))
    assert (result.status_code, result.headers["location"]) == (303, "/admin")


def test_a_rep_without_a_customer_is_sent_to_choose_one(app, client, make_user, catalog):
    make_user("rep9", "rep")
    result = page(app, "/products", client.login("rep9"))
    assert (result.status_code, result.headers["location"]) == (303, "/me")


def test_home_shows_categories_new_arrivals_and_products(app, dealer, catalog):
    result = page(app, "/", dealer)
    assert result.status_code == 200
    html = result.text
    assert "dealer9 家居" in html  # the customer
    assert f'href="/categories?category_id={catalog["sofa"].id}"' in html
    assert "旧款" not in html  # inactive category
    assert "米兰模块沙发 L型组合" in html and "江南软包床 1.8米" in html
    assert "未发布沙发" not in html
    assert "新品上架" in html and "为你推荐" in html
    assert 'class="tabbar__item is-active"' in html


def test_a_rep_sees_whom_they_order_for(app, client, make_user, catalog):
    dealer = make_user("dealer7")
    make_user("rep7", "rep", customers=[dealer.customer])
    html = page(app, "/", client.login("rep7")).text
    assert "dealer7 家居" in html and "代客下单" in html and 'href="/me"' in html


def test_the_category_page_lists_the_chosen_category(app, dealer, catalog):
    html = page(app, "/categories", dealer, category_id=str(catalog["fabric"].id)).text
    assert 'class="rail__item is-active"' in html
    assert "月白布艺沙发 三人位" in html and "Sofa Bed 沙发床" in html
    assert "米兰模块沙发" not in html  # 真皮沙发, a sibling
    assert "共 2 件商品" in html
    # Nonsense ids fall back to the first category instead of failing.
    assert "米兰模块沙发" in page(app, "/categories", dealer, category_id="abc").text


def test_search_results_page_in_a_grid(app, dealer, catalog):
    html = page(app, "/products", dealer, q="沙发").text
    assert html.count('<a class="pcard') == 3
    assert "找到 3 件“沙发”相关商品" in html
    empty = page(app, "/products", dealer, q="不存在的东西").text
    assert "没有找到相关商品" in empty


def test_more_products_arrive_as_a_fragment(app, dealer, catalog):
    from plugins.catalog.models import Category, ProductImage
    from plugins.catalog.tests.helpers import make_product

    with app.ctx.activate():
        bulk = Category.create(code="BULK", name="批量")
        for n in range(25):
            product = make_product(f"N-{n:02d}", f"批量产品{n:02d}", bulk, sort=100 + n)
            ProductImage.create(product=product, filename=f"N-{n:02d}.jpg", sort=0)
    first = page(app, "/products", dealer, category_id=str(bulk.id)).text
    # Ten cards on first load (the page weight budget), the first four
    # pictures at once and the rest when they near the screen.
    assert first.count('<a class="pcard') == 10
    assert first.count('<img class="pcard__img" src=') == 4
    assert first.count('<img class="pcard__img" data-src=') == 6
    assert f'data-more="/products?category_id={bulk.id}&amp;page=2&amp;partial=1"' in first
    more = page(app, "/products", dealer, category_id=str(bulk.id), page="2", partial="1").text
    assert "<html" not in more
    assert more.count('<a class="pcard') == 10 and "批量产品19" in more
    assert f'data-more="/products?category_id={bulk.id}&amp;page=3&amp;partial=1"' in more
    last = page(app, "/products", dealer, category_id=str(bulk.id), page="3", partial="1").text
    assert last.count('<a class="pcard') == 5 and "批量产品24" in last
    assert "data-more" not in last and "没有更多了" in last


def test_the_product_page_offers_the_configuration(app, dealer, catalog):
    html = page(app, f"/products/{catalog['s801'].id}", dealer).text
    assert "米兰模块沙发 L型组合" in html
    assert 'name="options.COVER" value="FA" checked' in html
    assert 'name="options.CUSHION" value="CU-2"' in html and "data-optional" in html
    assert "面料: 布A / 颜色: 米白" in html
    assert 'data-live="/quotes"' in html
    assert "2800 × 1650 × 850 mm" in html
    assert "/media/products/S-801-first.jpg" in html
    assert "加入购物车" in html and "立即下单" in html


def test_an_unpublished_product_page_is_not_found(app, dealer, catalog):
    result = page(app, f"/products/{catalog['hidden'].id}", dealer)
    assert result.status_code == 404
    assert "<html" in result.text


def test_pages_speak_english_on_request(app, dealer, catalog):
    html = page(app, "/", dealer, lang="en").text
    assert "New arrivals" in html and "新品上架" not in html


def test_a_sold_out_product_cannot_be_ordered(app, dealer, catalog):
    from plugins.inventory.models import StockItem

    with app.ctx.activate():
        StockItem.create(product=catalog["b1"].id, mode="quota", quantity=0)
        StockItem.create(product=catalog["s820"].id, mode="quota", quantity=3)
    sold_out = page(app, f"/products/{catalog['b1'].id}", dealer).text
    assert "已售罄" in sold_out and "暂时缺货" in sold_out
    assert 'data-sheet-open="config" data-intent' not in sold_out
    low = page(app, f"/products/{catalog['s820'].id}", dealer).text
    assert "仅剩 3 件" in low and 'max="3"' in low and "已售罄" not in low


def test_an_empty_catalog_says_so(app, dealer):
    assert "还没有上架商品" in page(app, "/", dealer).text
    assert "还没有商品分类" in page(app, "/categories", dealer).text
    assert "这里还没有商品" in page(app, "/products", dealer).text
