"""``ydt catalog import``: messy spreadsheets, idempotency, prices through the hook."""

import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.plugins import hookimpl
from plugins.catalog.cli import catalog as catalog_cli
from plugins.catalog.importer import ImportFailed, ImportOptions, import_file, parse_mapping, parse_price
from plugins.catalog.models import Category, Product, ProductCategory

IKEA = Path("/work/shared/data/ikea-catalog/ikea.csv")
IKEA_MAP = [
    "code=item_id,name=name+short_description,spec=short_description,"
    "width_cm=width,depth_cm=depth,height_cm=height"
]
MAP = [
    "code=编码,name=名称,category=分类,price=价格,spec=规格,width_mm=宽,depth_mm=深,height_mm=高,unit=单位"
]
LONG_NAME = "超长名称" * 60  # 240 characters
MESSY_CSV = f"""编码,名称,分类,价格,规格,宽,深,高,单位,备注
S-801,米兰模块沙发,沙发 > 真皮沙发,"¥3,280.00",L型组合,2800,1650,850,套,
S-801,米兰模块沙发,转角沙发,"¥3,280.00",L型组合,,,,,same product, second category
S-820,  月白布艺沙发   三人位 ,沙发 > 布艺沙发,SR 1234,,约2200mm,970,abc,,
,没有编码的行,沙发,100,,,,,,
B-1201,,床,2000,,,,,,
T-1,岩板餐桌,DINING,abc,,,,,,
C-1,茶几,沙发,-5,,,,,,

L-1,{LONG_NAME},DINING,1234.5元,,,,,,
M-1,床垫,床垫,,,,,,,no price
"""


class PriceRecorder:
    """Stands in for the pricing plugin's side of the hook."""

    def __init__(self):
        self.calls = []
        self.stored = {}

    @hookimpl
    def catalog_list_price_imported(self, ctx, product, grade, list_price):
        self.calls.append((product.code, grade, list_price))
        changed = self.stored.get(product.id) != list_price
        self.stored[product.id] = list_price
        return changed


@pytest.fixture
def prices(app):
    recorder = PriceRecorder()
    app.ctx.pm.register(recorder, name="price-recorder")
    yield recorder
    app.ctx.pm.unregister(recorder)


@pytest.fixture
def dining(app):
    with app.ctx.activate():
        return Category.create(code="DINING", name="餐桌椅", sort=1)


def run(app, path, *maps, **options):
    with app.ctx.activate():
        return import_file(app.ctx, path, ImportOptions(mapping=parse_mapping(maps or MAP), **options))


def write(tmp_path, text, name="products.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def links(app):
    with app.ctx.activate():
        query = (
            ProductCategory.select(Product.code, Category.name)
            .join(Product)
            .switch(ProductCategory)
            .join(Category)
        )
        return sorted((row.product.code, row.category.name) for row in query)


def test_a_messy_file_reports_every_row(app, tmp_path, dining, prices):
    report = run(app, write(tmp_path, MESSY_CSV))
    assert report.lines()[-1] == "imported 4, updated 0, unchanged 0, rejected 4"
    assert (report.rows, report.merged) == (9, 1)
    assert [(n.row, n.text) for n in report.rejected] == [
        (5, "missing code"),
        (7, "price 'abc' is not an amount"),
        (8, "price '-5' is not an amount"),
        (6, "new product 'B-1201' has no name"),
    ]
    assert "row 7: rejected: price 'abc' is not an amount" in report.lines()
    assert [(n.row, n.text) for n in report.warnings] == [
        (4, "height_mm 'abc' is not a size, ignored"),
        (10, "name longer than 200 characters, shortened"),
    ]
    assert report.categories_created == ["沙发", "沙发 > 真皮沙发", "转角沙发", "沙发 > 布艺沙发", "床垫"]
    with app.ctx.activate():
        s801 = Product.get(Product.code == "S-801")
        assert (s801.name, s801.spec, s801.unit, s801.published) == ("米兰模块沙发", "L型组合", "套", True)
        assert (s801.width_mm, s801.depth_mm, s801.height_mm) == (2800, 1650, 850)
        assert s801.category.name == "真皮沙发" and s801.category.parent.name == "沙发"
        s820 = Product.get(Product.code == "S-820")
        assert s820.name == "月白布艺沙发 三人位"  # spaces collapsed
        assert (s820.width_mm, s820.depth_mm, s820.height_mm) == (2200, 970, None)
        assert s820.spec == "2200×970×-mm"  # no spec column value: made from the sizes
        long = Product.get(Product.code == "L-1")
        assert len(long.name) == 200 and long.name.endswith("…")
        assert long.category_id == dining.id  # an existing category code
        assert Product.get(Product.code == "M-1").unit == "件"
        assert Product.select().count() == 4
    assert links(app) == [
        ("L-1", "餐桌椅"),
        ("M-1", "床垫"),
        ("S-801", "真皮沙发"),
        ("S-801", "转角沙发"),
        ("S-820", "布艺沙发"),
    ]
    assert prices.calls == [("S-801", "", 328000), ("S-820", "", 123400), ("L-1", "", 123450)]


def test_the_same_file_again_changes_nothing(app, tmp_path, dining, prices):
    path = write(tmp_path, MESSY_CSV)
    run(app, path)
    with app.ctx.activate():
        before = {p.code: p.updated_at for p in Product.select()}
    report = run(app, path)
    assert report.lines()[-1] == "imported 0, updated 0, unchanged 5, rejected 4"
    assert (report.merged, report.categories_created) == (0, [])
    with app.ctx.activate():
        assert {p.code: p.updated_at for p in Product.select()} == before


def test_changed_rows_update_their_product(app, tmp_path, dining, prices):
    run(app, write(tmp_path, MESSY_CSV))
    changed = MESSY_CSV.replace("米兰模块沙发,沙发 > 真皮沙发", "米兰模块沙发 新款,沙发 > 真皮沙发").replace(
        "SR 1234", "SR 1300"
    )
    report = run(app, write(tmp_path, changed, "v2.csv"))
    assert report.lines()[-1] == "imported 0, updated 2, unchanged 2, rejected 4"
    assert report.merged == 1  # S-801's second row, part of an updated product
    with app.ctx.activate():
        s801 = Product.get(Product.code == "S-801")
        assert s801.name == "米兰模块沙发 新款"
        assert "新款" in s801.search_text
    assert prices.stored[s801.id] == 328000


def test_category_links_follow_the_file(app, tmp_path, dining):
    run(app, write(tmp_path, MESSY_CSV))
    moved = MESSY_CSV.replace("S-801,米兰模块沙发,转角沙发", "S-801,米兰模块沙发,DINING")
    report = run(app, write(tmp_path, moved, "v2.csv"))
    assert report.updated == 1
    assert [link for link in links(app) if link[0] == "S-801"] == [("S-801", "真皮沙发"), ("S-801", "餐桌椅")]


def test_a_dry_run_reports_the_same_and_saves_nothing(app, tmp_path, dining):
    path = write(tmp_path, MESSY_CSV)
    report = run(app, path, dry_run=True)
    assert report.lines()[-2:] == [
        "dry run: nothing was saved",
        "imported 4, updated 0, unchanged 0, rejected 4",
    ]
    with app.ctx.activate():
        assert Product.select().count() == 0
        assert [c.code for c in Category.select()] == ["DINING"]
    assert run(app, path).summary() == "imported 4, updated 0, unchanged 0, rejected 4"


def test_unpublished_import_creates_hidden_products_and_leaves_existing_ones(app, tmp_path, dining):
    path = write(tmp_path, MESSY_CSV)
    run(app, path, publish=False)
    with app.ctx.activate():
        assert {p.published for p in Product.select()} == {False}
        Product.update(published=True).where(Product.code == "S-801").execute()
    run(app, path)
    with app.ctx.activate():
        assert Product.get(Product.code == "S-801").published is True
        assert Product.get(Product.code == "M-1").published is False


def test_xlsx_cells_are_read_as_people_see_them(app, tmp_path, prices):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "商品"
    sheet.append(["item_id", "name", "category", "price", "width"])
    sheet.append([90420332.0, "FREKVENS", "Bar furniture", 265.0, 51])
    sheet.append([None, None, None, None, None])  # blank row
    sheet.append([368814, "NORDVIKEN", "Bar furniture", "SR 1,995", 80.5])
    sheet.append([368814, "NORDVIKEN", "Tables & desks", "SR 1,995", 80.5])
    path = tmp_path / "items.xlsx"
    book.save(path)
    report = run(app, path, "code=item_id,width_cm=width", sheet="商品", currency_rate=Decimal("1.9"))
    assert report.lines()[-1] == "imported 2, updated 0, unchanged 0, rejected 0"
    assert report.merged == 1
    assert report.categories_created == ["Bar furniture", "Tables & desks"]
    with app.ctx.activate():
        assert {(p.code, p.width_mm) for p in Product.select()} == {("90420332", 510), ("368814", 805)}
        assert {c.code for c in Category.select()} == {"BAR-FURNITURE", "TABLES-DESKS"}
    assert sorted(prices.calls) == [("368814", "", 379050), ("90420332", "", 50350)]


def test_gbk_and_semicolons_are_understood(app, tmp_path):
    text = "code;name;category;price\nA-1;真皮沙发;沙发;3280\n"
    report = run(app, write(tmp_path, text, encoding="gb18030"), "code=code")
    assert report.summary() == "imported 1, updated 0, unchanged 0, rejected 0"
    with app.ctx.activate():
        assert Product.get(Product.code == "A-1").name == "真皮沙发"


@pytest.mark.parametrize(
    ("maps", "message"),
    [
        (["colour=名称"], "unknown field 'colour'"),
        (["code"], "bad --map entry 'code'"),
        (["code=货号"], "column '货号' (for code) is not in the file"),
    ],
)
def test_a_bad_mapping_stops_before_anything_is_read(app, tmp_path, maps, message):
    path = write(tmp_path, MESSY_CSV)
    with pytest.raises(ImportFailed, match=re.escape(message)), app.ctx.activate():
        import_file(app.ctx, path, ImportOptions(mapping=parse_mapping(maps)))
    with app.ctx.activate():
        assert Product.select().count() == 0


def test_a_file_without_a_code_column_is_refused(app, tmp_path):
    with pytest.raises(ImportFailed, match="no code column"):
        run(app, write(tmp_path, "名称,价格\n沙发,1\n"), "name=名称")


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("3280", 328000),
        ("¥3,280.00", 328000),
        ("SR 1,234", 123400),
        ("12.345", 1235),
        ("1234.5元", 123450),
        ("RMB 99", 9900),
        (" 88 CNY ", 8800),
    ],
)
def test_prices_as_found_in_spreadsheets(text, fen):
    assert parse_price(text, Decimal(1)) == fen


@pytest.mark.parametrize("text", ["abc", "No old price", "-5", "0", "1.2.3", "12 34", "¥", "1e5"])
def test_prices_that_are_not_amounts(text):
    with pytest.raises(ValueError):
        parse_price(text, Decimal(1))


class CliState:
    def __init__(self, app):
        self._app = app

    def app(self):
        return self._app


def test_the_command_prints_each_problem_and_the_summary_last(app, tmp_path, dining):
    path = write(tmp_path, MESSY_CSV)
    result = CliRunner().invoke(catalog_cli, ["import", str(path), "--map", MAP[0]], obj=CliState(app))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "imported 4, updated 0, unchanged 0, rejected 4"
    assert "row 5: rejected: missing code" in lines
    assert any(line.startswith("merged 1 rows") for line in lines)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--currency-rate", "abc"], "--currency-rate"),
        (["--currency-rate", "-1"], "--currency-rate"),
        (["--map", "code=nope"], "column 'nope' (for code) is not in the file"),
    ],
)
def test_the_command_refuses_bad_options(app, tmp_path, args, error):
    path = write(tmp_path, MESSY_CSV)
    result = CliRunner().invoke(catalog_cli, ["import", str(path), *args], obj=CliState(app))
    assert result.exit_code != 0
    assert error in result.output
    with app.ctx.activate():
        assert Product.select().count() == 0


def test_two_imports_at_once_make_each_product_once(app, tmp_path):
    rows = "\n".join(f"P-{n:04d},产品{n},沙发 > 布艺沙发,{100 + n}" for n in range(300))
    path = write(tmp_path, "code,name,category,price\n" + rows + "\n")
    reports, errors = [], []

    def worker():
        try:
            reports.append(run(app, path, "code=code"))
        except Exception as ex:  # surfaced by the assertion below
            errors.append(ex)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.summary() for r in reports) == [
        "imported 0, updated 0, unchanged 300, rejected 0",
        "imported 300, updated 0, unchanged 0, rejected 0",
    ]
    with app.ctx.activate():
        assert Product.select().count() == 300
        assert Category.select().count() == 2


@pytest.mark.skipif(not IKEA.exists(), reason="the IKEA sample catalogue is not on this machine")
def test_the_ikea_catalogue_imports_completely_and_idempotently(app):
    first = run(app, IKEA, *IKEA_MAP, currency_rate=Decimal("1.9"))
    assert first.rows == 3694
    assert first.imported + first.updated + first.unchanged + first.merged + len(first.rejected) == 3694
    assert (first.imported, first.merged, len(first.rejected)) == (2962, 732, 0)
    assert len(first.categories_created) == 17
    with app.ctx.activate():
        assert Product.select().count() == 2962
        assert ProductCategory.select().count() == 3694  # every row is a (product, category) link
        frekvens = Product.get(Product.code == "90420332")
        assert frekvens.name == "FREKVENS Bar table, in/outdoor, 51x51 cm"
        assert (frekvens.width_mm, frekvens.depth_mm, frekvens.height_mm) == (510, None, 990)
    second = run(app, IKEA, *IKEA_MAP, currency_rate=Decimal("1.9"))
    assert second.summary() == "imported 0, updated 0, unchanged 3694, rejected 0"


def test_shoppers_read_the_catalog_while_an_import_runs(app, tmp_path, client, make_user):
    make_user("dealer5")
    dealer = client.login("dealer5")
    rows = "\n".join(f"P-{n:04d},产品{n},沙发,{100 + n}" for n in range(300))
    path = write(tmp_path, "code,name,category,price\n" + rows + "\n")
    seen, stop = [], threading.Event()

    def shopper():
        while not stop.is_set():
            result = dealer.get("products", params={"per_page": 5})
            seen.append((result.status_code, result.json.get("total")))

    shoppers = [threading.Thread(target=shopper) for _ in range(3)]
    for thread in shoppers:
        thread.start()
    try:
        report = run(app, path, "code=code")
    finally:
        stop.set()
        for thread in shoppers:
            thread.join()
    assert report.imported == 300
    assert seen and {status for status, _ in seen} == {200}
    assert {total for _, total in seen} <= {0, 300}  # all of the import or nothing of it
    assert dealer.get("products").json["total"] == 300
