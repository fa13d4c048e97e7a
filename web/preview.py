"""Render the shell and the example pages with fake data, to look at them.

    python -m web.preview                       # writes /tmp/ydt-preview/*.html
    python -m web.preview --serve 8099          # and serves them
    python -m web.preview --screenshots /tmp    # shell-*.png via Playwright

The pages under ``web/examples/`` show plugin authors how a page uses the
shell. The shell's own text is translated by ``web/i18n/zh-CN.json`` (the
catalogue core loads); ``EXAMPLE_ZH`` covers the example pages' text.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from web import STATIC_DIR, TEMPLATE_DIR

EXAMPLES_DIR = Path(__file__).parent / "examples"
PAGES = ["home", "product", "cart", "orders", "order", "states", "error", "admin"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

EXAMPLE_ZH = {
    "{n} items, total": "共 {n} 件 合计",
    "{n} orders": "共 {n} 单",
    "Add to cart": "加入购物车",
    "Added to cart": "已加入购物车",
    "All": "全选",
    "Cart": "购物车",
    "Category": "分类",
    "Check out ({n})": "结算({n})",
    "Choose configuration": "选择配置",
    "Close": "关闭",
    "Code or name": "编码或名称",
    "Confirm receipt": "确认收货",
    "Confirm that every package has arrived?": "确认所有包件都已收到？",
    "Contact": "联系人",
    "Custom request": "定制要求",
    "Custom sizes": "可定制尺寸",
    "Customer": "客户",
    "Delivery": "发货",
    "Delivery notes": "发货单",
    "Details": "商品详情",
    "Edit": "管理",
    "Export": "导出",
    "from": "起",
    "Goods": "商品金额",
    "Lines": "行数",
    "List price": "零售价",
    "Loading…": "加载中…",
    "Mine": "我的",
    "move": "上下移动",
    "My orders": "我的订单",
    "No orders here yet": "还没有这类订单",
    "Non-standard": "非标",
    "Non-standard lines are priced by customer service": "非标商品由客服核价后付款",
    "optional, reviewed by customer service": "选填，客服审核",
    "Order": "订单",
    "Order details": "订单详情",
    "Order no.": "订单号",
    "Order now": "立即下单",
    "Orders": "订单",
    "Orders you place will show up here.": "下单后可以在这里查看进度。",
    "Paid from balance": "预存款支付",
    "Phone": "手机号",
    "Pick products from the catalogue and they will wait here.": "去挑选商品，加入购物车后会在这里等你。",
    "Placed": "下单时间",
    "Placed from": "下单日期",
    "Pending review": "待审核",
    "Price by grade": "等级价格",
    "Prices for your account": "您的专属价",
    "Print": "打印",
    "Progress": "生产进度",
    "Remark": "备注",
    "Anything the factory should know": "给工厂的留言",
    "Reset": "重置",
    "Review": "审核",
    "Review queue": "非标审核",
    "Search": "搜索",
    "search": "搜索",
    "Search name or model no.": "搜索商品名称或型号",
    "Select": "选择",
    "Select group": "选择整组",
    "Selected": "已选",
    "Service": "客服",
    "Shop": "店铺",
    "Size, colour outside the palette, structure…": "如尺寸、色卡外颜色、结构改动…",
    "Status": "状态",
    "Stock": "库存",
    "That is everything": "— 已经到底了 —",
    "Total": "合计",
    "Your cart is empty": "购物车还是空的",
    "required": "必选",
    "Statements": "对账单",
    "Awaiting payment": "待付款",
    "In production": "生产中",
    "To receive": "待收货",
    "All orders": "全部",
    "Completed": "已完成",
    "Cancel": "取消订单",
    "Pay now": "去付款",
    "Track": "查看物流",
    "Dashboard": "概览",
    "Products": "商品",
    "Customers": "客户",
    "Payments": "收款",
    "Sync": "ERP 同步",
    "Product details": "商品详情",
    "Order placed": "已下单",
    "Paid": "已付款",
    "Imported to ERP": "已转入 ERP",
    "Cutting and frame": "开料 · 框架",
    "Upholstery": "包覆软装",
    "Warehoused": "完工入库",
    "Shipped": "已发货",
}


ZH = json.loads((Path(__file__).parent / "i18n" / "zh-CN.json").read_text("utf-8")) | EXAMPLE_ZH


def translate(msgid: str, **params: object) -> str:
    """Stand-in for core's ``_``: zh-CN, ``{name}`` parameters, msgid when unknown."""
    text = ZH.get(msgid, msgid)
    return text.format(**params) if params else text


def static_url(path: str, prefix: str = "web") -> str:
    return f"/static/{path}"


@functools.cache
def fake_image(kind: str, hue: int) -> str:
    """A small inline SVG of a piece of furniture, so no file is needed."""
    bg, main, dark = f"hsl({hue},30%,93%)", f"hsl({hue},28%,62%)", f"hsl({hue},26%,45%)"
    shapes = {
        "sofa": f'<rect x="62" y="110" width="176" height="70" rx="16" fill="{main}"/>'
        f'<rect x="52" y="165" width="196" height="42" rx="10" fill="{dark}"/>'
        f'<rect x="38" y="138" width="34" height="78" rx="14" fill="{main}"/>'
        f'<rect x="228" y="138" width="34" height="78" rx="14" fill="{main}"/>'
        '<rect x="58" y="214" width="8" height="16" fill="#6b5b4b"/>'
        '<rect x="234" y="214" width="8" height="16" fill="#6b5b4b"/>',
        "bed": f'<rect x="60" y="84" width="180" height="100" rx="12" fill="{dark}"/>'
        '<rect x="46" y="160" width="208" height="48" rx="8" fill="#fbfaf7"/>'
        f'<rect x="46" y="190" width="208" height="26" rx="6" fill="{main}"/>'
        '<rect x="74" y="142" width="66" height="24" rx="10" fill="#fff"/>'
        '<rect x="160" y="142" width="66" height="24" rx="10" fill="#fff"/>',
        "table": f'<rect x="44" y="128" width="212" height="16" rx="4" fill="{dark}"/>'
        f'<rect x="62" y="144" width="12" height="86" fill="{main}"/>'
        f'<rect x="226" y="144" width="12" height="86" fill="{main}"/>'
        f'<rect x="100" y="112" width="36" height="16" rx="3" fill="{main}"/>',
        "chair": f'<rect x="104" y="70" width="92" height="96" rx="14" fill="{main}"/>'
        f'<rect x="94" y="158" width="112" height="26" rx="8" fill="{dark}"/>'
        '<rect x="104" y="184" width="8" height="52" fill="#6b5b4b"/>'
        '<rect x="188" y="184" width="8" height="52" fill="#6b5b4b"/>',
    }
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300">'
        f'<rect width="300" height="300" fill="{bg}"/>'
        f'<ellipse cx="150" cy="236" rx="120" ry="10" fill="rgba(0,0,0,.06)"/>{shapes[kind]}</svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def sample_context() -> dict:
    """Fake data in the shapes the API documents (prices as strings)."""
    products = [
        (1, "S-801", "意式极简真皮沙发", "三人位 2380×960×820mm", "sofa", 20, "3280.00", "quota", 23),
        (2, "B-1203", "北欧实木软包双人床", "1.8m 框架床", "bed", 200, "2650.00", "erp", 3),
        (3, "T-306", "岩板伸缩餐桌", "1.4–1.8m 可伸缩", "table", 30, "1980.00", "unlimited", None),
        (4, "C-120", "布艺休闲单椅", "680×720×780mm 科技布", "chair", 150, "680.00", "quota", 0),
        (5, "S-805", "科技布模块组合沙发 贵妃位", "四人位+贵妃", "sofa", 100, "4560.00", "erp", 12),
        (6, "B-1207", "轻奢皮艺床 带储物", "1.5m / 1.8m", "bed", 330, "3120.50", "unlimited", None),
    ]
    items = [
        {
            "id": pid,
            "code": code,
            "name": name,
            "spec": spec,
            "image_url": fake_image(kind, hue),
            "price": price,
            "stock": {"mode": mode, "available": available},
        }
        for pid, code, name, spec, kind, hue, price, mode, available in products
    ]
    nav_items = [
        {"key": "home", "label": "Home", "url": "/", "icon": "home"},
        {"key": "category", "label": "Category", "url": "/categories", "icon": "category"},
        {"key": "cart", "label": "Cart", "url": "/cart", "icon": "cart"},
        {"key": "orders", "label": "Orders", "url": "/orders", "icon": "orders"},
        {"key": "me", "label": "Mine", "url": "/me", "icon": "user"},
    ]
    sofa = fake_image("sofa", 20)
    lines_std = [
        {
            "id": 11,
            "name": "意式极简真皮沙发 S-801",
            "config": "头层牛皮 / 奶咖色 / 三人位",
            "image_url": sofa,
            "unit_price": "3280.00",
            "qty": 2,
        },
        {
            "id": 12,
            "name": "岩板伸缩餐桌 T-306",
            "config": "雪山白岩板 / 1.4–1.8m",
            "image_url": fake_image("table", 30),
            "unit_price": "1980.00",
            "qty": 1,
        },
    ]
    lines_custom = [
        {
            "id": 13,
            "name": "北欧实木软包双人床 B-1203",
            "config": "A级布 / 燕麦色 / 1.8m",
            "custom_request": "床头加高到 1.3m",
            "image_url": fake_image("bed", 200),
            "unit_price": "2650.00",
            "qty": 1,
        },
    ]
    progress = [
        {
            "title": "Order placed",
            "stage": "placed",
            "status": "done",
            "at": "2026-12-01 09:12",
            "note": "经销商 陈伟 下单",
        },
        {
            "title": "Paid",
            "stage": "paid",
            "status": "done",
            "at": "2026-12-01 09:13",
            "note": "预存款支付 ¥8,540.00",
        },
        {
            "title": "Imported to ERP",
            "stage": "erp",
            "status": "done",
            "at": "2026-12-01 09:15",
            "note": "一点通单号 XS2612010031",
        },
        {
            "title": "Cutting and frame",
            "stage": "frame",
            "status": "done",
            "at": "2026-12-03 16:40",
            "note": "实木框架完成",
        },
        {
            "title": "Upholstery",
            "stage": "upholstery",
            "status": "current",
            "at": "2026-12-05 10:02",
            "note": "包覆车间 · 预计 12月8日完成",
        },
        {"title": "Warehoused", "stage": "ready", "status": "pending"},
        {"title": "Shipped", "stage": "shipped", "status": "pending"},
    ]
    return {
        "lang": "zh-CN",
        "csrf_token": "preview-token",
        "site_name": "雅居家具 · 经销商订货",
        "nav_items": nav_items,
        "active_nav": "home",
        "cart_count": 3,
        "customer": {"id": 7, "code": "FS-0231", "name": "佛山禅城美家家居"},
        "products": items,
        "shortcuts": [
            {"label": "Category", "icon": "category", "url": "/categories"},
            {
                "label": "Awaiting payment",
                "icon": "wallet",
                "url": "/orders?status=awaiting_payment",
                "badge": 1,
            },
            {"label": "In production", "icon": "factory", "url": "/orders?status=in_production", "badge": 3},
            {"label": "To receive", "icon": "truck", "url": "/orders?status=shipped"},
            {"label": "Statements", "icon": "file", "url": "/statement"},
        ],
        "categories": [
            {"key": "all", "label": "推荐", "url": "/"},
            {"key": "sofa", "label": "沙发", "url": "/?c=sofa"},
            {"key": "bed", "label": "床", "url": "/?c=bed"},
            {"key": "table", "label": "餐桌", "url": "/?c=table"},
            {"key": "chair", "label": "休闲椅", "url": "/?c=chair"},
            {"key": "cab", "label": "柜类", "url": "/?c=cab"},
        ],
        "product": {
            "id": 1,
            "code": "S-801",
            "name": "意式极简真皮沙发 S-801 三人位 奶咖色",
            "spec": "2380×960×820mm",
            "price": "3280.00",
            "list_price": "6980.00",
            "images": [sofa, fake_image("sofa", 35), fake_image("sofa", 200), fake_image("chair", 20)],
            "stock": {"mode": "quota", "available": 23},
            "custom_allowed": True,
            "lead_time": "下单后约 15 天生产，佛山仓发货",
            "description": "进口头层牛皮，实木框架，高回弹海绵坐垫。"
            "支持定制尺寸与色卡外颜色，非标需客服审核报价。",
            "grades": [
                {"grade": "A", "name": "A级科技布", "price": "3280.00"},
                {"grade": "B", "name": "B级棉麻布", "price": "3560.00"},
                {"grade": "C", "name": "头层牛皮", "price": "4980.00"},
                {"grade": "D", "name": "意大利进口真皮", "price": "6350.00"},
            ],
            "option_groups": [
                {
                    "code": "grade",
                    "name": "面料等级",
                    "required": True,
                    "selected": "A",
                    "values": [
                        {"code": "A", "name": "A级科技布"},
                        {"code": "B", "name": "B级棉麻布"},
                        {"code": "C", "name": "头层牛皮"},
                        {"code": "D", "name": "进口真皮", "disabled": True},
                    ],
                },
                {
                    "code": "colour",
                    "name": "颜色",
                    "required": True,
                    "selected": "latte",
                    "values": [
                        {"code": "latte", "name": "奶咖色"},
                        {"code": "grey", "name": "浅灰"},
                        {"code": "white", "name": "米白"},
                        {"code": "navy", "name": "深海蓝"},
                        {"code": "green", "name": "墨绿"},
                    ],
                },
                {
                    "code": "size",
                    "name": "规格",
                    "required": True,
                    "selected": "3",
                    "values": [
                        {"code": "2", "name": "双人位 1980mm"},
                        {"code": "3", "name": "三人位 2380mm"},
                        {"code": "3L", "name": "三人位+贵妃"},
                    ],
                },
            ],
        },
        "selected_text": "A级科技布 / 奶咖色 / 三人位 2380mm / 1件",
        "groups": [
            {"title": "标准商品", "hint": "", "lines": lines_std},
            {"title": "非标定制", "hint": "需客服审核报价", "lines": lines_custom},
        ],
        "price_notice": "S-801 的价格已按最新价目表更新",
        "total": "11190.00",
        "line_count": 4,
        "status_tabs": [
            {"key": "all", "label": "All orders", "url": "/orders"},
            {"key": "pending_review", "label": "Pending review", "url": "?s=pending_review", "count": 1},
            {
                "key": "awaiting_payment",
                "label": "Awaiting payment",
                "url": "?s=awaiting_payment",
                "count": 1,
            },
            {"key": "in_production", "label": "In production", "url": "?s=in_production", "count": 3},
            {"key": "shipped", "label": "To receive", "url": "?s=shipped", "count": 0},
            {"key": "completed", "label": "Completed", "url": "?s=completed"},
        ],
        "active_status": "all",
        "orders": [
            {
                "no": "SO2612050012",
                "status": "awaiting_payment",
                "status_label": "Awaiting payment",
                "qty": 3,
                "total": "8540.00",
                "lines": lines_std,
                "actions": [{"label": "Cancel", "primary": False}, {"label": "Pay now", "primary": True}],
            },
            {
                "no": "SO2612040007",
                "status": "pending_review",
                "status_label": "Pending review",
                "qty": 1,
                "total": "2650.00",
                "lines": lines_custom,
                "actions": [],
            },
            {
                "no": "SO2611280031",
                "status": "shipped",
                "status_label": "To receive",
                "qty": 1,
                "total": "680.00",
                "lines": [
                    {
                        "name": "布艺休闲单椅 C-120",
                        "config": "科技布 / 燕麦色",
                        "image_url": fake_image("chair", 150),
                        "unit_price": "680.00",
                        "qty": 1,
                    }
                ],
                "actions": [
                    {"label": "Track", "primary": False},
                    {"label": "Confirm receipt", "primary": True},
                ],
            },
        ],
        "order": {
            "no": "SO2612010003",
            "status_label": "In production",
            "status_hint": "包覆车间生产中，预计 12月10日 完工入库",
            "progress": progress,
            "total": "8540.00",
            "lines": lines_std,
            "delivery": {
                "contact": "陈伟",
                "phone": "138****0213",
                "address": "广东省佛山市禅城区季华五路 22 号 美家家居展厅",
            },
        },
        "status": 404,
        "request_id": "7f3a9c1e",
        "back_url": "/",
        "home_url": "/",
        "user": {"display_name": "客服 李婷", "role": "support"},
        "queue": [
            {
                "no": "SO2612040007",
                "customer": "FS-0231 佛山禅城美家家居",
                "lines": 1,
                "request": "床头加高到 1.3m",
                "total": "2650.00",
                "status": "pending_review",
                "status_label": "Pending review",
                "placed": "12-04 14:22",
            },
            {
                "no": "SO2612040011",
                "customer": "GZ-0107 广州番禺尚品家私",
                "lines": 3,
                "request": "沙发加长 200mm，颜色按客户色卡 Pantone 7527C",
                "total": "12860.00",
                "status": "pending_review",
                "status_label": "Pending review",
                "placed": "12-04 16:05",
            },
            {
                "no": "SO2612050002",
                "customer": "ZS-0044 中山古镇雅舍",
                "lines": 2,
                "request": "餐桌改 2.0m",
                "total": "4380.00",
                "status": "pending_review",
                "status_label": "Pending review",
                "placed": "12-05 08:47",
            },
        ],
    }


ADMIN_NAV = [
    {"key": "dashboard", "label": "Dashboard", "url": "/admin", "icon": "home"},
    {"key": "review", "label": "Review queue", "url": "/admin/review", "icon": "check"},
    {"key": "orders", "label": "Orders", "url": "/admin/orders", "icon": "orders"},
    {"key": "products", "label": "Products", "url": "/admin/products", "icon": "package"},
    {"key": "customers", "label": "Customers", "url": "/admin/customers", "icon": "user"},
    {"key": "payments", "label": "Payments", "url": "/admin/payments", "icon": "wallet"},
    {"key": "sync", "label": "Sync", "url": "/admin/sync", "icon": "factory"},
]


def make_env() -> Environment:
    return Environment(
        loader=FileSystemLoader([str(TEMPLATE_DIR), str(EXAMPLES_DIR)]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,  # as core.web.make_environment
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def render_all(out_dir: Path) -> list[Path]:
    """Render every example page (and error.html) into out_dir, with static/."""
    env = make_env()
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STATIC_DIR, out_dir / "static", dirs_exist_ok=True)
    base = sample_context() | {"_": translate, "static_url": static_url}
    per_page = {
        "home": {"active_nav": "home", "back_url": ""},
        "product": {"active_nav": "home"},
        "cart": {"active_nav": "cart", "back_url": ""},
        "orders": {"active_nav": "orders", "back_url": ""},
        "order": {"active_nav": "orders", "back_url": "/orders"},
        "states": {"active_nav": "cart", "cart_count": 0, "back_url": ""},
        "error": {"active_nav": ""},
        "admin": {"active_nav": "review", "nav_items": ADMIN_NAV, "site_name": "雅居家具 工厂后台"},
    }
    written = []
    for name in PAGES:
        html = env.get_template(f"{name}.html").render(base | per_page[name])
        path = out_dir / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


def screenshot(out_dir: Path, shots_dir: Path, chromium: str) -> list[Path]:
    """Screenshot the pages at phone size (admin at desktop size)."""
    from playwright.sync_api import sync_playwright

    origin = "http://preview.local"

    def serve(route):
        path = route.request.url.removeprefix(origin).split("?")[0].lstrip("/") or "home.html"
        file = out_dir / path
        if not file.is_file():
            return route.fulfill(status=404, body="")
        types = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".html": "text/html"}
        route.fulfill(body=file.read_bytes(), content_type=types.get(file.suffix, "application/octet-stream"))

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        desk = browser.new_context(viewport={"width": 1280, "height": 720})
        for name in PAGES:
            page = (desk if name == "admin" else phone).new_page()
            page.route(f"{origin}/**", serve)
            page.goto(f"{origin}/{name}.html")
            page.wait_for_load_state("networkidle")
            shot = shots_dir / f"shell-{name}.png"
            page.screenshot(path=str(shot))
            shots.append(shot)
            if name == "product":
                page.click(".bar .btn--warn")
                page.wait_for_timeout(400)
                shot = shots_dir / "shell-product-sheet.png"
                page.screenshot(path=str(shot))
                shots.append(shot)
            if name in ("home", "orders"):
                shot = shots_dir / f"shell-{name}-full.png"
                page.screenshot(path=str(shot), full_page=True)
                shots.append(shot)
            page.close()
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "ydt-preview")
    parser.add_argument("--serve", type=int, metavar="PORT", help="serve the pages on 127.0.0.1:PORT")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="write shell-*.png there")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    for path in render_all(args.out):
        print(path)
    if args.screenshots:
        for shot in screenshot(args.out, args.screenshots, args.chromium):
            print(shot)
    if args.serve:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(args.out))
        with http.server.ThreadingHTTPServer(("127.0.0.1", args.serve), handler) as server:
            print(f"http://127.0.0.1:{args.serve}/home.html")
            server.serve_forever()


if __name__ == "__main__":
    main()
