"""The web shell: templates render with the documented context, macros
produce the markup app.css and app.js expect, assets stay small and local."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, StrictUndefined

from web import STATIC_DIR, TEMPLATE_DIR
from web.preview import EXAMPLES_DIR, PAGES, render_all

CATALOG = json.loads((TEMPLATE_DIR.parent / "i18n" / "zh-CN.json").read_text("utf-8"))


def mark(msgid: str, **params: object) -> str:
    """Stand-in for core's ``_`` that shows which text went through it."""
    return f"«{msgid.format(**params)}»"


def static_url(path: str, prefix: str = "web") -> str:
    return f"/static/{prefix}/{path}?v=1"


def make_env(*loaders) -> Environment:
    """The same settings as core.web.make_environment, but strict."""
    return Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(TEMPLATE_DIR))]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


NAV = [
    {"key": "home", "label": "Home", "url": "/", "icon": "home"},
    {"key": "category", "label": "Category", "url": "/categories", "icon": "category"},
    {"key": "cart", "label": "Cart", "url": "/cart", "icon": "cart"},
    {"key": "orders", "label": "Orders", "url": "/orders", "icon": "orders"},
    {"key": "me", "label": "Mine", "url": "/me", "icon": "user"},
]


@pytest.fixture
def env() -> Environment:
    pages = {
        "page.html": '{% extends "base.html" %}{% block content %}<p id="body">hi</p>{% endblock %}',
        "with_bar.html": (
            '{% extends "base.html" %}{% block bottom_bar %}<button id="buy">buy</button>{% endblock %}'
        ),
        "product.html": (
            '{% extends "base.html" %}{% set show_tabbar = false %}'
            '{% block bottom_bar %}<button id="buy">buy</button>{% endblock %}'
        ),
        "admin_page.html": (
            '{% extends "admin_base.html" %}{% block actions %}<a id="export">x</a>{% endblock %}'
            '{% block content %}<table class="table"></table>{% endblock %}'
        ),
    }
    return make_env(DictLoader(pages))


@pytest.fixture
def ctx() -> dict:
    return {
        "_": mark,
        "static_url": static_url,
        "lang": "zh-CN",
        "csrf_token": "tok-123",
        "nav_items": NAV,
        "active_nav": "orders",
        "cart_count": 7,
        "page_title": "我的订单",
    }


def macro(env: Environment, call: str, **values) -> str:
    """Render one macro call, e.g. macro(env, "m.price(v)", v="1.00")."""
    source = '{% import "macros.html" as m with context %}{{ ' + call + " }}"
    return env.from_string(source).render({"_": mark, "static_url": static_url, **values}).strip()


def test_base_carries_the_page_contract(env, ctx):
    html = env.get_template("page.html").render(ctx)
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover"' in html
    assert '<meta name="csrf-token" content="tok-123">' in html
    assert '<link rel="stylesheet" href="/static/web/app.css?v=1">' in html
    assert '<script src="/static/web/app.js?v=1" defer></script>' in html
    assert "<title>我的订单</title>" in html
    assert '<h1 class="navbar__title ellipsis">我的订单</h1>' in html
    assert '<p id="body">hi</p>' in html
    assert 'data-msg-network="«Network error, please check your connection and try again»"' in html


def test_tab_bar_has_five_tabs_active_one_and_cart_badge(env, ctx):
    html = env.get_template("page.html").render(ctx)
    tabs = re.findall(r'<a class="tabbar__item( is-active)?" href="([^"]+)"', html)
    assert [href for _, href in tabs] == ["/", "/categories", "/cart", "/orders", "/me"]
    assert [href for active, href in tabs if active] == ["/orders"]
    assert 'aria-current="page"' in html
    assert "<span>«Cart»</span>" in html
    assert '<span class="badge" data-cart-count="7">7</span>' in html
    assert 'href="/static/web/icons.svg?v=1#orders"' in html
    assert 'class="has-tabbar' in html


def test_cart_badge_caps_at_99_and_hides_at_zero(env, ctx):
    assert ">99+</span>" in env.get_template("page.html").render(ctx | {"cart_count": 150})
    html = env.get_template("page.html").render(ctx | {"cart_count": 0})
    assert '<span class="badge" data-cart-count="0"></span>' in html


def test_back_link_only_when_back_url(env, ctx):
    assert "navbar__left" not in env.get_template("page.html").render(ctx)
    html = env.get_template("page.html").render(ctx | {"back_url": "/orders"})
    assert '<a class="navbar__left" href="/orders" aria-label="«Back»">' in html


def test_bottom_bar_sits_above_tab_bar(env, ctx):
    html = env.get_template("with_bar.html").render(ctx)
    assert 'class="has-tabbar has-bar' in html
    dock = html[html.index('<div class="dock">') :]
    assert dock.index('<div class="bar"><button id="buy">') < dock.index('<nav class="tabbar"')


def test_bottom_bar_replaces_tab_bar_when_page_says_so(env, ctx):
    html = env.get_template("product.html").render(ctx)
    assert '<div class="bar"><button id="buy">' in html
    assert "tabbar" not in html
    assert '<body class=" has-bar' in html


def test_base_renders_with_only_gettext_and_static_url(env):
    html = env.get_template("page.html").render({"_": mark, "static_url": static_url})
    assert '<html lang="zh-CN">' in html
    assert '<meta name="csrf-token" content="">' in html
    assert "dock" not in html


def test_flash_message_becomes_a_toast(env, ctx):
    html = env.get_template("page.html").render(ctx | {"flash": "已加入购物车"})
    assert 'data-toast="已加入购物车"' in html


def test_admin_shell_has_sidebar_user_and_logout(env, ctx):
    admin_nav = [{"key": "review", "label": "Review queue", "url": "/admin/review", "icon": "check"}]
    html = env.get_template("admin_page.html").render(
        ctx
        | {
            "nav_items": admin_nav,
            "active_nav": "review",
            "user": {"display_name": "李婷", "role": "support"},
        }
    )
    assert '<body class="admin ' in html
    assert '<link rel="stylesheet" href="/static/web/admin.css?v=1">' in html
    assert '<script src="/static/web/admin.js?v=1" defer></script>' in html
    assert '<a href="/admin/review" class="is-active" aria-current="page">' in html
    assert "«Review queue»" in html
    assert "李婷" in html and "«support»" in html
    assert '<form data-api="/auth/logout" data-redirect="/login">' in html
    assert '<h1>我的订单</h1><a id="export">x</a>' in html
    assert "<title>我的订单 - «Back office»</title>" in html


@pytest.mark.parametrize(
    ("value", "sign", "integer", "decimals"),
    [
        ("3280.00", "", "3280", ".00"),
        ("3280", "", "3280", ".00"),
        (328050, "", "3280", ".50"),
        (5, "", "0", ".05"),
        (Decimal("12.5"), "", "12", ".50"),
        ("-12.50", "-", "12", ".50"),
        (-1250, "-", "12", ".50"),
    ],
)
def test_price_renders_yuan_sign_big_integer_small_decimals(env, value, sign, integer, decimals):
    html = macro(env, "m.price(v)", v=value)
    assert html == (
        f'<span class="price">{sign}<span class="price__sym">¥</span>'
        f'<span class="price__int">{integer}</span><span class="price__dec">{decimals}</span></span>'
    )


def test_price_without_a_value_shows_a_dash(env):
    assert macro(env, "m.price(v)", v=None) == '<span class="price">--</span>'
    assert 'class="price price--lg"' in macro(env, "m.price(v, 'price--lg')", v="1.00")


def product(**overrides) -> dict:
    p = {
        "id": 42,
        "code": "S-801",
        "name": "意式沙发 <b>",
        "spec": "三人位",
        "image_url": "/media/s801.webp",
        "price": "3280.00",
        "stock": {"mode": "quota", "available": 23},
    }
    return p | overrides


def test_product_card_links_shows_price_and_escapes_names(env):
    html = macro(env, "m.product_card(p)", p=product())
    assert '<a class="pcard" href="/products/42">' in html
    # The picture waits for app.js to see it near the screen; the name follows it.
    assert '<img class="pcard__img" data-src="/media/s801.webp" alt="" decoding="async"' in html
    assert " src=" not in html
    assert '<div class="pcard__name clamp2">意式沙发 &lt;b&gt;</div>' in html
    assert "S-801 · 三人位" in html
    assert '<span class="price__int">3280</span>' in html
    assert "«Stock 23»" in html


@pytest.mark.parametrize(
    ("stock", "expected", "soldout"),
    [
        ({"mode": "quota", "available": 0}, '<span class="tag">«Out of stock»</span>', True),
        ({"mode": "erp", "available": 3}, '<span class="tag tag--warn">«Only 3 left»</span>', False),
        ({"mode": "unlimited", "available": None}, '<div class="pcard__foot"><span class="price">', False),
    ],
)
def test_product_card_stock_hint(env, stock, expected, soldout):
    html = macro(env, "m.product_card(p)", p=product(stock=stock))
    assert expected in html
    assert ("is-soldout" in html) is soldout


def test_the_first_cards_of_a_page_load_their_picture_at_once(env):
    html = macro(env, "m.product_card(p, lazy=False)", p=product())
    assert '<img class="pcard__img" src="/media/s801.webp" alt=""' in html
    assert "data-src" not in html and 'width="256" height="256"' in html


def test_product_card_without_image_shows_placeholder_icon(env):
    html = macro(env, "m.product_card(p)", p=product(image_url=None))
    assert '<div class="pcard__img"><svg class="icon"' in html
    assert "#package" in html


def test_empty_state_with_and_without_action(env):
    html = macro(env, "m.empty('cart', 'Your cart is empty', 'Go pick something', '/', 'Go shopping')")
    assert 'href="/static/web/icons.svg?v=1#cart"' in html
    assert '<p class="empty__title">«Your cart is empty»</p>' in html
    assert '<p class="empty__hint">«Go pick something»</p>' in html
    assert '<a class="btn btn--primary btn--round" href="/">«Go shopping»</a>' in html
    assert "btn" not in macro(env, "m.empty('orders', 'Nothing', None)")


def test_stepper_bounds_and_disabled_buttons(env):
    html = macro(env, "m.stepper('qty', 1, max=5)")
    assert '<input type="number" name="qty" value="1" min="1" max="5"' in html
    assert 'data-step="-1" aria-label="«Decrease»" disabled>' in html
    assert 'data-step="1" aria-label="«Increase»">' in html
    html = macro(env, "m.stepper('qty', 5, max=5, api='/cart/items/9')")
    assert '<span class="stepper" data-api="/cart/items/9">' in html
    assert 'data-step="1" aria-label="«Increase»" disabled>' in html
    assert "max=" not in macro(env, "m.stepper('qty', 2)")


@pytest.mark.parametrize(
    ("status", "css"),
    [("pending_review", "tag tag--warn"), ("awaiting_payment", "tag tag--primary"), ("cancelled", "tag")],
)
def test_status_tag_tone(env, status, css):
    html = macro(env, "m.status_tag(s, 'Label')", s=status)
    assert html == f'<span class="{css}" data-status="{status}">«Label»</span>'


def test_tabs_mark_the_active_one_and_show_counts(env):
    items = [
        {"key": "all", "label": "All", "url": "/orders"},
        {"key": "awaiting_payment", "label": "To pay", "url": "/orders?status=awaiting_payment", "count": 2},
        {"key": "shipped", "label": "To receive", "url": "/orders?status=shipped", "count": 0},
    ]
    html = macro(env, "m.tabs(items, 'awaiting_payment')", items=items)
    assert html.count('class="tabs__item is-active"') == 1
    assert (
        'is-active" href="/orders?status=awaiting_payment" role="tab" aria-selected="true">«To pay»' in html
    )
    assert '<span class="tabs__count">2</span>' in html
    assert html.count("tabs__count") == 1


def test_timeline_states_and_optional_fields(env):
    entries = [
        {"title": "Paid", "status": "done", "at": "2026-12-01 09:13", "note": "预存款支付"},
        {"stage": "upholstery", "status": "current"},
        {"title": "Shipped", "status": "pending"},
    ]
    html = macro(env, "m.timeline(e)", e=entries)
    assert re.findall(r"timeline__item is-(\w+)", html) == ["done", "current", "pending"]
    assert "«Paid»" in html and "«upholstery»" in html
    assert '<div class="timeline__note">预存款支付</div>' in html
    assert html.count("timeline__at") == 1


def test_chips_check_the_selected_value_and_disable_others(env):
    values = [{"code": "A", "name": "A级布"}, {"code": "B", "name": "B级布", "disabled": True}]
    html = macro(env, "m.chips('options.grade', v, selected='A')", v=values)
    assert '<input type="radio" name="options.grade" value="A" checked><span>A级布</span>' in html
    assert '<input type="radio" name="options.grade" value="B" disabled><span>B级布</span>' in html


def test_grade_table_highlights_current_grade(env):
    rows = [{"grade": "A", "name": "科技布", "price": "3280.00"}, {"grade": "B", "price": "3560.00"}]
    html = macro(env, "m.grade_table(rows, current='B')", rows=rows)
    assert html.count('class="is-current"') == 1
    assert '<tr class="is-current"><td>B</td>' in html


def test_field_has_an_error_slot_for_the_api(env):
    html = macro(env, "m.field('delivery.phone', 'Phone', type='tel', required=True)")
    assert '<span class="field__label req">«Phone»</span>' in html
    assert '<input class="input" type="tel" name="delivery.phone" value="" placeholder="" required>' in html
    assert '<span class="field__error" role="alert"></span>' in html


@pytest.mark.parametrize(
    ("status", "title", "action"),
    [
        (404, "«This page does not exist, or it is not yours»", 'href="/">«Home»'),
        (401, "«Please log in first»", 'href="/login">«Log in»'),
        (409, "«This record has just changed»", 'href="">«Reload»'),
        (500, "«The server had a problem»", 'href="">«Reload»'),
    ],
)
def test_error_page_says_what_happened_and_what_to_do(env, ctx, status, title, action):
    html = env.get_template("error.html").render(
        ctx | {"status": status, "request_id": "7f3a", "message": "<x>"}
    )
    assert f'<p class="empty__title">{title}</p>' in html
    assert action in html
    assert "&lt;x&gt;" in html
    assert "«Error reference: 7f3a»" in html


def test_error_page_renders_without_a_logged_in_context(env):
    html = env.get_template("error.html").render({"_": mark, "static_url": static_url, "status": 404})
    assert "«This page does not exist, or it is not yours»" in html


def test_every_example_page_renders(tmp_path):
    written = render_all(tmp_path)
    assert [p.stem for p in written] == PAGES
    for path in written:
        html = path.read_text(encoding="utf-8")
        assert html.startswith("<!doctype html>")
        assert "<main" in html
    assert "立即下单" in (tmp_path / "product.html").read_text(encoding="utf-8")
    assert (tmp_path / "static" / "app.css").is_file()


def test_examples_do_not_use_inline_styles():
    for path in EXAMPLES_DIR.glob("*.html"):
        assert "style=" not in path.read_text(encoding="utf-8"), path.name


def test_pages_and_assets_load_nothing_from_outside(tmp_path):
    render_all(tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.html")]
    texts += [p.read_text(encoding="utf-8") for p in STATIC_DIR.iterdir()]
    for text in texts:
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
        assert "@import" not in text and "@font-face" not in text
        assert not re.search(r"url\((?!\"?data:)", text)


def test_assets_stay_within_budget():
    assert (STATIC_DIR / "app.css").stat().st_size < 14 * 1024
    # 8.5 KiB since app.js loads list pictures near the screen (DESIGN §7 page weight).
    assert (STATIC_DIR / "app.js").stat().st_size < 8.5 * 1024
    assert (STATIC_DIR / "icons.svg").stat().st_size < 6_000


def test_css_font_stack_is_system_fonts_for_chinese():
    css = (STATIC_DIR / "app.css").read_text(encoding="utf-8")
    assert '"PingFang SC"' in css and '"Microsoft YaHei"' in css
    assert "env(safe-area-inset-bottom" in css
    assert "scroll-snap-type" in css


def test_every_icon_used_is_in_the_sprite():
    sprite = ET.parse(STATIC_DIR / "icons.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    symbols = {s.get("id"): s for s in sprite.iter(f"{ns}symbol")}
    for symbol in symbols.values():
        assert symbol.get("viewBox") == "0 0 24 24"
    required = "home category cart orders user search back plus minus close check truck package factory"
    required += " wallet qr chevron-right empty-box"
    assert set(required.split()) <= set(symbols)
    sources = [
        p.read_text(encoding="utf-8") for p in [*TEMPLATE_DIR.glob("*.html"), *EXAMPLES_DIR.glob("*.html")]
    ]
    used = set()
    for text in sources:
        used |= set(re.findall(r"""(?:icon|empty)\(\s*["']([\w-]+)["']""", text))
    used |= {item["icon"] for item in NAV}
    assert used and used <= set(symbols), used - set(symbols)


def test_every_shell_text_has_a_chinese_translation():
    msgids = {"Go shopping"}  # the default label of empty()'s button
    for path in TEMPLATE_DIR.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for double, single in re.findall(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""", text):
            msgids.add(double or single)
        # error.html keeps its titles and hints in dictionaries
        msgids |= set(re.findall(r"""\d{3}: "([^"]+)",""", text))
        msgids |= set(re.findall(r"""get\(code, "([^"]+)"\)""", text))
    assert len(msgids) > 30
    assert sorted(msgids - set(CATALOG)) == []


def test_pager_says_which_page_and_links_its_neighbours(env):
    listing = {"total": 120, "page": 2, "per_page": 50}
    html = macro(env, 'm.pager(l, "共 120 个账号", "role=dealer&q=%E9%99%88")', l=listing)
    assert '<span class="pager__total">共 120 个账号</span>' in html
    assert "«Page 2 of 3»" in html
    assert 'href="?role=dealer&amp;q=%E9%99%88&amp;page=1" rel="prev"' in html
    assert 'href="?role=dealer&amp;q=%E9%99%88&amp;page=3" rel="next"' in html


def test_a_single_page_shows_disabled_neighbours(env):
    html = macro(env, 'm.pager(l, "共 25 个账号")', l={"total": 25, "page": 1, "per_page": 50})
    assert "«Page 1 of 1»" in html and "href=" not in html
    assert html.count('aria-disabled="true"') == 2
    empty = macro(env, 'm.pager(l, "")', l={"total": 0, "page": 1, "per_page": 50})
    assert "«Page 1 of 1»" in empty


def test_the_erp_connector_nav_label_is_translated():
    assert CATALOG["ERP connector"] == "ERP 对接"
