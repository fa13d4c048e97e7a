"""Demo dataset of a Guangdong furniture factory and its dealers.

``build_dataset(seed)`` returns a :class:`Dataset` of frozen dataclasses. The
structure (category tree, product codes and names, option groups, customers,
accounts, rep assignments) is fixed; the seed only drives the numbers (list
prices, sizes, weights, stock, phone numbers, explicit customer prices). The
same seed always gives the same dataset.

Money is in integer fen (1 yuan = 100 fen). List prices are per grade value:
``Product.list_prices`` maps a value code of the product's grade group (or
``''`` when the product has no grade group) to the list price in fen.

Option value codes are unique within their group; the same code in two grade
groups means the same material grade (e.g. ``L1`` = 头层牛皮L1).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

DEMO_PASSWORD = "demo1234"
FACTORY_NAME = "广东华锦家具制造有限公司"

GRADE = "grade"
SURCHARGE = "surcharge"


# ---------------------------------------------------------------------------
# Data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    parent_code: str | None
    sort: int


@dataclass(frozen=True)
class OptionValue:
    code: str
    name: str
    surcharge_fen: int = 0


@dataclass(frozen=True)
class OptionGroup:
    code: str
    name: str
    required: bool
    kind: str  # 'grade' (price zone) | 'surcharge' (adds surcharge_fen)
    values: tuple[OptionValue, ...]

    @property
    def default(self) -> OptionValue | None:
        """First value of a required group; optional groups default to none."""
        return self.values[0] if self.required else None

    def value(self, code: str) -> OptionValue:
        for v in self.values:
            if v.code == code:
                return v
        raise KeyError(f"{self.code}: no value {code!r}")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    category_code: str
    spec: str
    width_mm: int
    depth_mm: int
    height_mm: int
    unit: str  # 套 张 件 个 组
    description: str
    option_groups: tuple[OptionGroup, ...]
    grade_group_code: str | None
    list_prices: dict[str, int]  # grade value code ('' if no grade) -> fen
    custom_only: bool
    published: bool
    stock_mode: str  # 'unlimited' | 'quota' | 'erp'
    stock_qty: int | None
    image_keys: tuple[str, ...]
    packages: int  # cartons per unit, 1-4
    weight_kg: Decimal
    volume_m3: Decimal

    @property
    def grade_group(self) -> OptionGroup | None:
        for g in self.option_groups:
            if g.code == self.grade_group_code:
                return g
        return None

    @property
    def default_grade_code(self) -> str:
        g = self.grade_group
        return g.values[0].code if g else ""

    @property
    def default_price_fen(self) -> int:
        """List price of the default configuration (default grade, no extras
        beyond the defaults of required surcharge groups)."""
        price = self.list_prices[self.default_grade_code]
        for g in self.option_groups:
            if g.kind == SURCHARGE and g.required:
                price += g.values[0].surcharge_fen
        return price


@dataclass(frozen=True)
class Customer:
    code: str
    name: str
    province: str
    city: str
    address: str
    contact: str
    phone: str
    discount_rate: Decimal
    credit_limit_fen: int
    balance_fen: int
    auto_pay: bool


@dataclass(frozen=True)
class CustomerPrice:
    customer_code: str
    product_code: str
    grade_code: str  # '' if the product has no grade group
    unit_price_fen: int


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    role: str  # dealer | rep | support | finance | admin
    customer_code: str | None


@dataclass(frozen=True)
class RepAssignment:
    rep_username: str
    customer_code: str


@dataclass(frozen=True)
class Dataset:
    categories: tuple[Category, ...]
    products: tuple[Product, ...]
    customers: tuple[Customer, ...]
    customer_prices: tuple[CustomerPrice, ...]
    accounts: tuple[Account, ...]
    rep_assignments: tuple[RepAssignment, ...]
    factory_name: str

    @cached_property
    def _product_index(self) -> dict[str, Product]:
        return {p.code: p for p in self.products}

    @cached_property
    def _customer_index(self) -> dict[str, Customer]:
        return {c.code: c for c in self.customers}

    def product(self, code: str) -> Product:
        return self._product_index[code]

    def customer(self, code: str) -> Customer:
        return self._customer_index[code]

    def category(self, code: str) -> Category:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(code)

    def account(self, username: str) -> Account:
        for a in self.accounts:
            if a.username == username:
                return a
        raise KeyError(username)

    def option_groups(self) -> tuple[OptionGroup, ...]:
        """Distinct option groups used by the products (shared by code)."""
        seen: dict[str, OptionGroup] = {}
        for p in self.products:
            for g in p.option_groups:
                seen.setdefault(g.code, g)
        return tuple(seen.values())

    def customer_price(self, customer_code: str, product_code: str, grade_code: str = "") -> int | None:
        for cp in self.customer_prices:
            if (cp.customer_code, cp.product_code, cp.grade_code) == (
                customer_code,
                product_code,
                grade_code,
            ):
                return cp.unit_price_fen
        return None

    def rep_customers(self, rep_username: str) -> tuple[str, ...]:
        return tuple(a.customer_code for a in self.rep_assignments if a.rep_username == rep_username)


# ---------------------------------------------------------------------------
# Category tree
# ---------------------------------------------------------------------------

_CATEGORY_TREE: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "SOFA",
        "沙发",
        (
            ("SOFA-LEATHER", "真皮沙发"),
            ("SOFA-FABRIC", "布艺沙发"),
            ("SOFA-FUNC", "功能沙发"),
            ("SOFA-MODULAR", "转角沙发"),
        ),
    ),
    (
        "BED",
        "床",
        (("BED-UPH", "软包床"), ("BED-WOOD", "实木床"), ("BED-KIDS", "儿童床")),
    ),
    (
        "MATTRESS",
        "床垫",
        (
            ("MATTRESS-SPRING", "弹簧床垫"),
            ("MATTRESS-LATEX", "乳胶床垫"),
            ("MATTRESS-PALM", "棕垫"),
        ),
    ),
    (
        "DINING",
        "餐桌椅",
        (("DINING-TABLE", "餐桌"), ("DINING-CHAIR", "餐椅"), ("DINING-STOOL", "吧椅")),
    ),
    (
        "CABINET",
        "柜类",
        (
            ("CABINET-WARDROBE", "衣柜"),
            ("CABINET-SIDEBOARD", "餐边柜"),
            ("CABINET-NIGHT", "床头柜"),
            ("CABINET-SHOE", "鞋柜"),
        ),
    ),
    (
        "LIVING",
        "茶几/电视柜",
        (("LIVING-TV", "电视柜"), ("LIVING-COFFEE", "茶几"), ("LIVING-SIDE", "边几")),
    ),
    (
        "OFFICE",
        "办公家具",
        (
            ("OFFICE-DESK", "办公桌"),
            ("OFFICE-CHAIR", "办公椅"),
            ("OFFICE-FILE", "文件柜"),
        ),
    ),
)


def _categories() -> tuple[Category, ...]:
    out: list[Category] = []
    for i, (code, name, children) in enumerate(_CATEGORY_TREE, start=1):
        out.append(Category(code, name, None, i * 10))
        for j, (ccode, cname) in enumerate(children, start=1):
            out.append(Category(ccode, cname, code, i * 10 + j))
    return tuple(out)


# ---------------------------------------------------------------------------
# Option groups
# ---------------------------------------------------------------------------


def _group(code: str, name: str, kind: str, required: bool, *values) -> OptionGroup:
    return OptionGroup(code, name, required, kind, tuple(OptionValue(c, n, s) for c, n, s in values))


def _grade(code: str, name: str, *values: tuple[str, str]) -> OptionGroup:
    return _group(code, name, GRADE, True, *((c, n, 0) for c, n in values))


def _yuan(y: float) -> int:
    return round(y * 100)


# Grade groups (price zones). Order = ascending price.
G_SOFA_COVER = _grade(
    "SOFA-COVER",
    "面料等级",
    ("FA", "布A"),
    ("FB", "布B"),
    ("TF", "科技布"),
    ("L1", "头层牛皮L1"),
    ("L2", "头层牛皮L2"),
)
G_SOFA_FABRIC = _grade("FABRIC-GRADE", "面料等级", ("FA", "布A"), ("FB", "布B"), ("TF", "科技布"))
G_SOFA_LEATHER = _grade(
    "LEATHER-GRADE",
    "皮料等级",
    ("L1", "头层牛皮L1"),
    ("L2", "头层牛皮L2"),
    ("L3", "进口头层牛皮L3"),
)
G_BED_COVER = _grade("BED-COVER", "床体面料", ("TF", "科技布"), ("MF", "超纤皮"), ("L1", "头层牛皮L1"))
G_WOOD = _grade("WOOD", "木材", ("RW", "橡胶木"), ("ASH", "白蜡木"), ("WAL", "北美黑胡桃木"))
G_BOARD = _grade(
    "BOARD",
    "板材等级",
    ("E1", "E1级颗粒板"),
    ("E0", "E0级多层实木板"),
    ("ENF", "ENF级实木多层板"),
)
G_MAT_FIRM = _grade(
    "MAT-FIRM",
    "软硬度",
    ("MED", "标准适中"),
    ("FIRM", "偏硬护脊"),
    ("DUAL", "双面软硬"),
)
G_TABLE_TOP = _grade(
    "TABLE-TOP",
    "台面材质",
    ("SLB", "国产岩板"),
    ("SLB2", "进口岩板"),
    ("MRB", "天然大理石"),
)
G_CHAIR_COVER = _grade("CHAIR-COVER", "座面材质", ("TF", "科技布"), ("MF", "超纤皮"), ("L1", "头层牛皮L1"))
G_OFFICE_CHAIR = _grade("OFFICE-CHAIR", "材质", ("MESH", "透气网布"), ("PU", "PU皮"), ("L1", "头层牛皮L1"))

# Grade step ranges between successive grade values (relative increase).
_GRADE_STEPS: dict[str, tuple[tuple[float, float], ...]] = {
    "SOFA-COVER": ((0.09, 0.12), (0.11, 0.14), (0.22, 0.26), (0.15, 0.19)),
    "FABRIC-GRADE": ((0.10, 0.13), (0.12, 0.16)),
    "LEATHER-GRADE": ((0.14, 0.18), (0.18, 0.24)),
    "BED-COVER": ((0.10, 0.14), (0.18, 0.24)),
    "WOOD": ((0.12, 0.18), (0.20, 0.25)),
    "BOARD": ((0.10, 0.14), (0.15, 0.20)),
    "MAT-FIRM": ((0.10, 0.12), (0.10, 0.14)),
    "TABLE-TOP": ((0.14, 0.20), (0.18, 0.25)),
    "CHAIR-COVER": ((0.12, 0.18), (0.20, 0.25)),
    "OFFICE-CHAIR": ((0.12, 0.18), (0.20, 0.25)),
}

# Surcharge groups. The colour palettes deliberately have no NP-12 (the
# research worked example asks for NP-12 as a non-standard colour).
G_SOFA_COLOR = _group(
    "SOFA-COLOR",
    "颜色",
    SURCHARGE,
    True,
    ("NP-01", "浅灰", 0),
    ("NP-02", "米白", 0),
    ("NP-03", "燕麦色", 0),
    ("NP-04", "雾霾蓝", 0),
    ("NP-05", "墨绿", 0),
    ("NP-06", "焦糖棕", 0),
    ("NP-07", "奶咖", 0),
    ("NP-08", "深灰", 0),
    ("NP-09", "象牙白", 0),
    ("NP-10", "砖红", 0),
    ("NP-11", "孔雀蓝（特殊色）", _yuan(150)),
)
G_LEATHER_COLOR = _group(
    "LEATHER-COLOR",
    "皮色",
    SURCHARGE,
    True,
    ("LP-01", "象牙白", 0),
    ("LP-02", "太妃棕", 0),
    ("LP-03", "高级灰", 0),
    ("LP-04", "经典黑", 0),
    ("LP-05", "复古橘", 0),
    ("LP-06", "橄榄绿（特殊色）", _yuan(200)),
)
G_SOFA_LEG = _group(
    "SOFA-LEG",
    "脚架",
    SURCHARGE,
    True,
    ("LG-01", "黑色碳钢脚", 0),
    ("LG-02", "拉丝香槟金脚", _yuan(80)),
    ("LG-03", "实木脚", _yuan(80)),
)
G_SOFA_FUNC = _group(
    "SOFA-FUNC",
    "功能",
    SURCHARGE,
    True,
    ("FN-M", "手动功能", 0),
    ("FN-E", "电动功能", _yuan(800)),
    ("FN-EU", "电动+USB+电动头枕", _yuan(1200)),
)
G_CUSHION = _group(
    "CUSHION",
    "抱枕",
    SURCHARGE,
    False,
    ("CU-2", "加配抱枕2个", _yuan(160)),
    ("CU-4", "加配抱枕4个", _yuan(300)),
)
G_BED_COLOR = _group(
    "BED-COLOR",
    "床体颜色",
    SURCHARGE,
    True,
    ("BC-01", "浅灰", 0),
    ("BC-02", "奶白", 0),
    ("BC-03", "燕麦色", 0),
    ("BC-04", "雾霾蓝", 0),
    ("BC-05", "焦糖棕", 0),
    ("BC-06", "墨绿", 0),
)
G_BED_STORAGE = _group(
    "BED-STORAGE",
    "储物",
    SURCHARGE,
    True,
    ("ST-0", "排骨架（不储物）", 0),
    ("ST-DRW", "侧抽屉储物", _yuan(450)),
    ("ST-GAS", "气压高箱储物", _yuan(600)),
)
G_BED_LIGHT = _group("BED-LIGHT", "床头灯带", SURCHARGE, False, ("LT-B", "床头感应灯带", _yuan(180)))
G_WOOD_FINISH = _group(
    "WOOD-FINISH",
    "木色",
    SURCHARGE,
    True,
    ("WF-01", "原木色", 0),
    ("WF-02", "胡桃色", 0),
    ("WF-03", "樱桃色", 0),
    ("WF-04", "白色开放漆", _yuan(150)),
)
G_MAT_FABRIC = _group(
    "MAT-FABRIC",
    "面料升级",
    SURCHARGE,
    False,
    ("MU-1", "防螨抗菌面料", _yuan(200)),
    ("MU-2", "凉感冰丝面料", _yuan(350)),
)
G_CAB_COLOR = _group(
    "CAB-COLOR",
    "柜体颜色",
    SURCHARGE,
    True,
    ("CC-01", "暖白", 0),
    ("CC-02", "奶油灰", 0),
    ("CC-03", "胡桃木纹", 0),
    ("CC-04", "橡木纹", 0),
    ("CC-05", "哑光墨绿", _yuan(120)),
)
G_CAB_HANDLE = _group(
    "CAB-HANDLE",
    "拉手",
    SURCHARGE,
    True,
    ("HD-0", "隐形拉手", 0),
    ("HD-2", "黑色铝拉手", _yuan(30)),
    ("HD-1", "金色长拉手", _yuan(50)),
)
G_CAB_LIGHT = _group("CAB-LIGHT", "柜内灯", SURCHARGE, False, ("LT-C", "柜内感应灯带", _yuan(280)))
G_TABLE_LEG = _group(
    "TABLE-LEG",
    "桌腿",
    SURCHARGE,
    True,
    ("TL-01", "碳钢烤漆腿", 0),
    ("TL-02", "不锈钢镀金腿", _yuan(300)),
)
G_TURNTABLE = _group("TURNTABLE", "转盘", SURCHARGE, False, ("TT-1", "岩板电动转盘", _yuan(680)))
G_CHAIR_COLOR = _group(
    "CHAIR-COLOR",
    "颜色",
    SURCHARGE,
    True,
    ("CH-01", "浅灰", 0),
    ("CH-02", "奶白", 0),
    ("CH-03", "焦糖棕", 0),
    ("CH-04", "墨绿", 0),
    ("CH-05", "黑色", 0),
)
G_DESK_COLOR = _group(
    "DESK-COLOR",
    "桌面颜色",
    SURCHARGE,
    True,
    ("DC-01", "胡桃木纹", 0),
    ("DC-02", "白橡木纹", 0),
    ("DC-03", "暖白", 0),
)
G_CHAIR_ARM = _group(
    "CHAIR-ARM",
    "扶手",
    SURCHARGE,
    True,
    ("AR-0", "固定扶手", 0),
    ("AR-3D", "3D联动扶手", _yuan(120)),
)
G_HEADREST = _group("HEADREST", "头枕", SURCHARGE, False, ("HR-1", "加配可调头枕", _yuan(80)))


# ---------------------------------------------------------------------------
# Product lines (series definitions)
# ---------------------------------------------------------------------------

# fmt: off
_SERIES_NAMES = (
    "米兰", "佛罗伦萨", "维罗纳", "托斯卡纳", "威尼斯", "都灵", "云朵", "拾光",
    "栖居", "暖阳", "星河", "月白", "青禾", "素简", "木语", "山川", "禾风",
    "知行", "悦享", "雅致", "凯撒", "卡罗", "伯爵", "蒙特", "慕尼黑", "哥本哈根",
    "赫尔辛基", "奥斯陆", "京都", "清风", "明月", "松间", "竹影", "兰亭", "云栖",
    "锦时", "朗悦", "铂悦", "御景", "澜庭", "沐光", "晨曦", "半岛", "湖畔",
    "森语", "鹿鸣", "初见", "归田", "长安", "江南", "岭南", "徽州", "苏韵",
    "卡萨", "波尔多", "里昂", "塞纳", "罗马",
)
# fmt: on

_STYLES = ("意式极简", "轻奢", "现代简约", "奶油风", "中古风", "北欧", "新中式", "法式")


@dataclass(frozen=True)
class _Variant:
    suffix: str
    label: str
    w: tuple[int, int]
    d: tuple[int, int]
    h: tuple[int, int]
    factor: float
    packages: int
    unit: str
    spec_extra: str = ""


@dataclass(frozen=True)
class _Line:
    category: str
    prefix: str
    numbers: tuple[int, ...]
    noun: str
    variants: tuple[_Variant, ...]
    base_yuan: tuple[int, int]  # lowest grade, base variant
    grade: OptionGroup | None
    extras: tuple[OptionGroup, ...]
    density: float  # kg per m3 of the bounding box
    pack_ratio: float  # packed volume / bounding-box volume
    styled: bool = True
    description: str = ""


def _v(suffix, label, w, d, h, factor, packages, unit, spec_extra=""):
    return _Variant(suffix, label, w, d, h, factor, packages, unit, spec_extra)


_SOFA_VARIANTS = (
    _v("", "三人位", (2150, 2400), (950, 1050), (780, 880), 1.0, 2, "件"),
    _v("A", "双人位", (1650, 1900), (950, 1050), (780, 880), 0.74, 1, "件"),
    _v("B", "单人位", (980, 1150), (950, 1050), (780, 880), 0.5, 1, "件"),
    _v("C", "三人位+贵妃", (2950, 3300), (1650, 1750), (780, 880), 1.36, 3, "套"),
)

_SOFA_DESC = (
    "{style}风格，实木+多层板框架，坐垫采用高回弹海绵+羽绒包，坐感软硬适中。"
    "支持面料等级与颜色选择；非标尺寸、颜色一单一议。"
)

# fmt: off
_LINES: tuple[_Line, ...] = (
    _Line(
        "SOFA-LEATHER",
        "S",
        tuple(range(802, 808)),
        "真皮沙发",
        _SOFA_VARIANTS,
        (4800, 7400),
        G_SOFA_LEATHER,
        (G_LEATHER_COLOR, G_SOFA_LEG, G_CUSHION),
        38.0,
        0.95,
        description=_SOFA_DESC,
    ),
    _Line(
        "SOFA-FABRIC",
        "S",
        tuple(range(820, 826)),
        "布艺沙发",
        _SOFA_VARIANTS,
        (3800, 5600),
        G_SOFA_FABRIC,
        (G_SOFA_COLOR, G_SOFA_LEG, G_CUSHION),
        34.0,
        0.95,
        description=_SOFA_DESC,
    ),
    _Line(
        "SOFA-FUNC",
        "S",
        tuple(range(901, 906)),
        "功能沙发",
        (
            _v("", "三人位（两端功能）", (2100, 2350), (950, 1050), (980, 1050), 1.0, 2, "件"),
            _v("A", "单人功能椅", (900, 1000), (950, 1000), (980, 1050), 0.45, 1, "件"),
            _v("B", "双人位（两端功能）", (1600, 1800), (950, 1050), (980, 1050), 0.75, 2, "件"),
        ),
        (4500, 6500),
        G_SOFA_COVER,
        (G_SOFA_FUNC, G_SOFA_COLOR),
        45.0,
        1.0,
        description=(
            "{style}风格功能沙发，钢木结构框架，内置静音电机（电动款），"
            "靠背与脚踏可多角度调节，适合观影与午休。"
        ),
    ),
    _Line(
        "BED-UPH",
        "B",
        tuple(range(1201, 1209)),
        "软包床",
        (
            _v("", "1.8米", (1960, 2060), (2150, 2250), (1000, 1150), 1.0, 3, "张", "适用床垫1800×2000"),
            _v("A", "1.5米", (1660, 1760), (2150, 2250), (1000, 1150), 0.9, 3, "张", "适用床垫1500×2000"),
            _v("B", "2.0米", (2160, 2260), (2350, 2450), (1000, 1150), 1.15, 3, "张", "适用床垫2000×2200"),
        ),
        (2400, 4500),
        G_BED_COVER,
        (G_BED_COLOR, G_BED_STORAGE, G_BED_LIGHT),
        22.0,
        0.35,
        description=(
            "{style}风格软包床，松木实木排骨架，床头高回弹海绵软包，"
            "可选气压高箱或侧抽屉储物；不含床垫。"
        ),
    ),
    _Line(
        "BED-WOOD",
        "B",
        tuple(range(1301, 1307)),
        "实木床",
        (
            _v("", "1.8米", (1920, 2000), (2100, 2200), (950, 1100), 1.0, 3, "张", "适用床垫1800×2000"),
            _v("A", "1.5米", (1620, 1700), (2100, 2200), (950, 1100), 0.88, 3, "张", "适用床垫1500×2000"),
            _v("B", "2.0米", (2120, 2200), (2300, 2400), (950, 1100), 1.14, 3, "张", "适用床垫2000×2200"),
        ),
        (1800, 3200),
        G_WOOD,
        (G_WOOD_FINISH, G_BED_STORAGE),
        30.0,
        0.35,
        description=(
            "{style}风格实木床，榫卯结构，环保水性漆，床板加固横梁承重稳固；不含床垫。"
        ),
    ),
    _Line(
        "BED-KIDS",
        "B",
        tuple(range(1501, 1505)),
        "儿童床",
        (
            _v("", "1.2米", (1260, 1360), (2050, 2100), (900, 1000), 1.0, 2, "张", "适用床垫1200×2000"),
            _v("A", "1.5米", (1560, 1660), (2050, 2100), (900, 1000), 1.12, 2, "张", "适用床垫1500×2000"),
        ),
        (1500, 2200),
        G_WOOD,
        (G_WOOD_FINISH,),
        26.0,
        0.35,
        description="{style}风格儿童床，圆角防磕碰设计，可加配护栏，环保水性漆。",
    ),
    _Line(
        "MATTRESS-SPRING",
        "M",
        tuple(range(301, 307)),
        "独立袋装弹簧床垫",
        (
            _v("", "1.8×2.0米", (1800, 1800), (2000, 2000), (220, 300), 1.0, 1, "张"),
            _v("A", "1.5×2.0米", (1500, 1500), (2000, 2000), (220, 300), 0.88, 1, "张"),
            _v("B", "1.2×2.0米", (1200, 1200), (2000, 2000), (220, 300), 0.72, 1, "张"),
        ),
        (1800, 3800),
        G_MAT_FIRM,
        (G_MAT_FABRIC,),
        48.0,
        1.05,
        styled=False,
        description="独立袋装弹簧，七区分段支撑，静音抗干扰；面料可升级防螨或凉感款。",
    ),
    _Line(
        "MATTRESS-LATEX",
        "M",
        tuple(range(331, 336)),
        "天然乳胶床垫",
        (
            _v("", "1.8×2.0米", (1800, 1800), (2000, 2000), (240, 320), 1.0, 1, "张"),
            _v("A", "1.5×2.0米", (1500, 1500), (2000, 2000), (240, 320), 0.88, 1, "张"),
            _v("B", "1.2×2.0米", (1200, 1200), (2000, 2000), (240, 320), 0.72, 1, "张"),
        ),
        (2800, 4800),
        G_MAT_FIRM,
        (G_MAT_FABRIC,),
        55.0,
        1.05,
        styled=False,
        description="泰国进口天然乳胶层+袋装弹簧，透气抑菌，贴合承托。",
    ),
    _Line(
        "MATTRESS-PALM",
        "M",
        tuple(range(361, 364)),
        "椰棕床垫",
        (
            _v("", "1.8×2.0米", (1800, 1800), (2000, 2000), (80, 150), 1.0, 1, "张"),
            _v("A", "1.5×2.0米", (1500, 1500), (2000, 2000), (80, 150), 0.88, 1, "张"),
            _v("B", "1.2×2.0米", (1200, 1200), (2000, 2000), (80, 150), 0.72, 1, "张"),
        ),
        (1200, 1800),
        None,
        (),
        70.0,
        1.05,
        styled=False,
        description="3E椰梦维棕垫，偏硬护脊，适合青少年与老人。",
    ),
    _Line(
        "DINING-TABLE",
        "DT",
        tuple(range(601, 609)),
        "岩板餐桌",
        (
            _v("", "1.6米 6人位", (1600, 1600), (850, 900), (750, 760), 1.0, 2, "张"),
            _v("A", "1.4米 4人位", (1400, 1400), (800, 850), (750, 760), 0.88, 2, "张"),
            _v("B", "1.8米 8人位", (1800, 1800), (900, 950), (750, 760), 1.15, 2, "张"),
        ),
        (1800, 3600),
        G_TABLE_TOP,
        (G_TABLE_LEG,),
        55.0,
        0.45,
        description="{style}风格岩板餐桌，12mm岩板台面，耐高温防污，碳钢桌架稳固。",
    ),
    _Line(
        "DINING-TABLE",
        "DT",
        tuple(range(621, 625)),
        "实木餐桌",
        (
            _v("", "1.6米 6人位", (1600, 1600), (850, 900), (750, 760), 1.0, 2, "张"),
            _v("A", "1.4米 4人位", (1400, 1400), (800, 850), (750, 760), 0.88, 2, "张"),
            _v("B", "1.8米 8人位", (1800, 1800), (900, 950), (750, 760), 1.15, 2, "张"),
        ),
        (2000, 3400),
        G_WOOD,
        (G_WOOD_FINISH,),
        45.0,
        0.45,
        description="{style}风格实木餐桌，整板拼接桌面，木蜡油涂装，触感温润。",
    ),
    _Line(
        "DINING-TABLE",
        "DT",
        (641, 642),
        "圆形餐桌",
        (
            _v("", "直径1.3米", (1300, 1300), (1300, 1300), (750, 760), 1.0, 2, "张"),
            _v("A", "直径1.5米", (1500, 1500), (1500, 1500), (750, 760), 1.2, 2, "张"),
        ),
        (2600, 3800),
        G_TABLE_TOP,
        (G_TABLE_LEG, G_TURNTABLE),
        50.0,
        0.45,
        description="{style}风格圆形岩板餐桌，可加配电动转盘，团圆聚餐首选。",
    ),
    _Line(
        "DINING-CHAIR",
        "C",
        tuple(range(201, 209)),
        "软包餐椅",
        (
            _v("", "标准款", (450, 520), (520, 580), (800, 880), 1.0, 1, "张"),
            _v("A", "扶手款", (540, 600), (540, 600), (800, 880), 1.22, 1, "张"),
        ),
        (260, 620),
        G_CHAIR_COVER,
        (G_CHAIR_COLOR,),
        35.0,
        0.8,
        description="{style}风格餐椅，高密度海绵坐垫，碳钢或实木椅脚，久坐不累。",
    ),
    _Line(
        "DINING-CHAIR",
        "C",
        tuple(range(221, 223)),
        "实木餐椅",
        (
            _v("", "标准款", (450, 500), (500, 550), (780, 850), 1.0, 1, "张"),
            _v("A", "扶手款", (540, 600), (520, 580), (780, 850), 1.2, 1, "张"),
        ),
        (300, 650),
        G_WOOD,
        (G_WOOD_FINISH,),
        40.0,
        0.8,
        description="{style}风格实木餐椅，榫卯结构，弧形靠背贴合腰背。",
    ),
    _Line(
        "DINING-STOOL",
        "C",
        tuple(range(281, 285)),
        "吧椅",
        (
            _v("", "坐高650mm", (420, 460), (440, 480), (900, 960), 1.0, 1, "张"),
            _v("A", "坐高750mm", (420, 460), (440, 480), (1000, 1060), 1.08, 1, "张"),
        ),
        (280, 600),
        None,
        (G_CHAIR_COLOR,),
        40.0,
        0.8,
        description="{style}风格吧椅，带脚踏圈，适合中岛与吧台。",
    ),
    _Line(
        "CABINET-WARDROBE",
        "WD",
        tuple(range(1801, 1807)),
        "衣柜",
        (
            _v("", "三门", (1200, 1350), (580, 600), (2200, 2400), 1.0, 4, "组"),
            _v("A", "二门", (800, 900), (580, 600), (2200, 2400), 0.72, 3, "组"),
            _v("B", "四门", (1600, 1800), (580, 600), (2200, 2400), 1.3, 4, "组"),
        ),
        (2200, 3800),
        G_BOARD,
        (G_CAB_COLOR, G_CAB_HANDLE, G_CAB_LIGHT),
        55.0,
        0.3,
        description="{style}风格衣柜，板材封边防潮，阻尼铰链静音闭合，内部挂衣+分层收纳。",
    ),
    _Line(
        "CABINET-SIDEBOARD",
        "SB",
        tuple(range(1101, 1106)),
        "餐边柜",
        (
            _v("", "1.2米", (1200, 1200), (400, 420), (850, 900), 1.0, 2, "个"),
            _v("A", "1.5米", (1500, 1500), (400, 420), (850, 900), 1.18, 2, "个"),
        ),
        (1600, 3000),
        G_BOARD,
        (G_CAB_COLOR, G_CAB_HANDLE),
        60.0,
        0.5,
        description="{style}风格餐边柜，岩板台面，上层抽屉下层对开门，收纳餐具酒水。",
    ),
    _Line(
        "CABINET-NIGHT",
        "NS",
        tuple(range(501, 507)),
        "床头柜",
        (
            _v("", "二抽", (450, 500), (400, 420), (500, 550), 1.0, 1, "个"),
            _v("A", "三抽", (480, 520), (400, 420), (620, 680), 1.2, 1, "个"),
        ),
        (380, 800),
        G_BOARD,
        (G_CAB_COLOR, G_CAB_HANDLE),
        60.0,
        0.8,
        description="{style}风格床头柜，三节静音滑轨，抽屉内置收纳分格。",
    ),
    _Line(
        "CABINET-SHOE",
        "SC",
        tuple(range(701, 705)),
        "鞋柜",
        (
            _v("", "0.8米", (800, 800), (350, 380), (1100, 1200), 1.0, 2, "个"),
            _v("A", "1.0米", (1000, 1000), (350, 380), (1100, 1200), 1.2, 2, "个"),
        ),
        (800, 1500),
        None,
        (G_CAB_COLOR,),
        50.0,
        0.45,
        description="{style}风格鞋柜，翻斗超薄设计，透气孔防异味。",
    ),
    _Line(
        "LIVING-TV",
        "TV",
        tuple(range(113, 119)),
        "电视柜",
        (
            _v("", "2.0米", (2000, 2000), (400, 420), (450, 500), 1.0, 2, "个"),
            _v("A", "1.8米", (1800, 1800), (400, 420), (450, 500), 0.92, 2, "个"),
            _v("B", "2.4米", (2400, 2400), (400, 420), (450, 500), 1.15, 3, "个"),
        ),
        (1500, 3200),
        G_BOARD,
        (G_CAB_COLOR, G_CAB_HANDLE),
        55.0,
        0.5,
        description="{style}风格电视柜，悬浮或落地两用，抽屉与开放格组合收纳。",
    ),
    _Line(
        "LIVING-COFFEE",
        "CT",
        tuple(range(131, 139)),
        "茶几",
        (
            _v("", "1.2米", (1200, 1200), (600, 650), (400, 450), 1.0, 1, "张"),
            _v("A", "1.4米", (1400, 1400), (650, 700), (400, 450), 1.12, 2, "张"),
        ),
        (900, 2200),
        G_TABLE_TOP,
        (G_TABLE_LEG,),
        60.0,
        0.6,
        description="{style}风格岩板茶几，带抽屉收纳，圆角防撞。",
    ),
    _Line(
        "LIVING-SIDE",
        "ST",
        tuple(range(151, 156)),
        "边几",
        (_v("", "标准款", (450, 550), (450, 550), (500, 600), 1.0, 1, "个"),),
        (260, 700),
        None,
        (),
        50.0,
        0.8,
        description="{style}风格边几，小巧灵活，沙发旁、床头皆宜。",
    ),
    _Line(
        "OFFICE-DESK",
        "OD",
        tuple(range(401, 406)),
        "办公桌",
        (
            _v("", "1.4米", (1400, 1400), (700, 700), (750, 760), 1.0, 2, "张"),
            _v("A", "1.6米", (1600, 1600), (800, 800), (750, 760), 1.12, 2, "张"),
            _v(
                "B", "1.8米 主管桌", (1800, 1800), (900, 900), (750, 760), 1.35, 3, "张"
            ),
        ),
        (900, 2000),
        G_BOARD,
        (G_DESK_COLOR,),
        45.0,
        0.4,
        description="{style}风格办公桌，带走线孔与三抽活动柜，钢架稳固。",
    ),
    _Line(
        "OFFICE-CHAIR",
        "OC",
        tuple(range(451, 457)),
        "办公椅",
        (
            _v("", "中背", (600, 650), (600, 650), (1000, 1100), 1.0, 1, "张"),
            _v("A", "高背", (650, 700), (650, 700), (1150, 1250), 1.2, 1, "张"),
        ),
        (380, 900),
        G_OFFICE_CHAIR,
        (G_CHAIR_ARM, G_HEADREST),
        40.0,
        0.6,
        description="{style}风格人体工学办公椅，腰靠可调，SGS认证气杆，尼龙五星脚。",
    ),
    _Line(
        "OFFICE-FILE",
        "FC",
        tuple(range(481, 485)),
        "文件柜",
        (
            _v("", "二门", (800, 800), (400, 400), (1800, 2000), 1.0, 2, "个"),
            _v("A", "四门", (1600, 1600), (400, 400), (1800, 2000), 1.65, 3, "个"),
        ),
        (700, 1400),
        None,
        (G_DESK_COLOR,),
        50.0,
        0.35,
        description="{style}风格文件柜，上玻璃门下木门，带锁设计。",
    ),
)
# fmt: on


# Modular sofa lines. Modules: (suffix, label, width_mm, depth_mm, price factor
# relative to the armless unit). The set (base code) is the listed modules.
_MODULES = {
    "LA": ("左扶手位", 1000, 1000, 1.31),
    "RA": ("右扶手位", 1000, 1000, 1.31),
    "M": ("无扶手位", 800, 1000, 1.0),
    "CNR": ("转角位", 1000, 1000, 1.45),
    "CHL": ("左贵妃位", 1000, 1650, 1.71),
    "CHR": ("右贵妃位", 1000, 1650, 1.71),
    "OT": ("脚踏", 800, 700, 0.55),
}

# S-801 — the research worked example. Module list prices in yuan per grade
# (布A, 布B, 科技布, 头层牛皮L1, 头层牛皮L2). 布A and L2 are from the example.
_S801_MODULE_YUAN = {
    "LA": (1280, 1410, 1590, 2000, 2350),
    "RA": (1280, 1410, 1590, 2000, 2350),
    "M": (980, 1080, 1220, 1530, 1800),
    "CNR": (1420, 1560, 1760, 2210, 2600),
    "CHL": (1680, 1850, 2080, 2620, 3050),
    "CHR": (1680, 1850, 2080, 2620, 3050),
    "OT": (540, 590, 670, 840, 990),
}
_S801_SET = ("LA", "M", "CHR")  # L shape: left-arm + armless + right chaise

_MODULAR_SERIES = (
    # code number, series name, set modules, set label
    (851, "云朵", ("LA", "M", "M", "RA"), "四人位直排"),
    (852, "拾光", ("LA", "CNR", "M", "CHR"), "转角组合"),
    (853, "栖居", ("CHL", "M", "RA"), "L型组合"),
)


# ---------------------------------------------------------------------------
# Customers and accounts
# ---------------------------------------------------------------------------

# code, name, province, city, district/street, contact, discount, credit yuan,
# balance yuan, auto_pay
# fmt: off
_CUSTOMERS = (
    ("C0001", "佛山顺德家居馆", "广东", "佛山", "顺德区乐从镇家具大道", "陈志强",
     "0.85", 300000, 50000, True),
    ("C0002", "南宁青秀美居家具", "广西", "南宁", "青秀区民族大道", "黄丽萍",
     "0.78", 200000, 0, False),
    ("C0003", "长沙岳麓雅居家私", "湖南", "长沙", "岳麓区麓山南路", "刘建华",
     "0.82", 150000, 12000, False),
    ("C0004", "赣州南康木艺家具城", "江西", "赣州", "南康区家居小镇", "钟伟",
     "0.72", 500000, 80000, True),
    ("C0005", "厦门思明尚品家居", "福建", "厦门", "思明区湖滨南路", "林美玲",
     "0.88", 100000, 0, False),
    ("C0006", "成都武侯锦城家具", "四川", "成都", "武侯区佳灵路", "王磊",
     "0.80", 250000, 30000, False),
    ("C0007", "郑州金水中原家居", "河南", "郑州", "金水区花园路", "张海涛",
     "0.76", 200000, 0, True),
    ("C0008", "杭州余杭江南家居", "浙江", "杭州", "余杭区临平大道", "周晓燕",
     "0.83", 300000, 45000, False),
    ("C0009", "东莞厚街名家具馆", "广东", "东莞", "厚街镇家具大道", "李国栋",
     "0.70", 400000, 120000, True),
    ("C0010", "桂林七星家私城", "广西", "桂林", "七星区漓江路", "覃雪梅",
     "0.86", 80000, 5000, False),
    ("C0011", "株洲天元家居广场", "湖南", "株洲", "天元区泰山路", "谭勇",
     "0.90", 60000, 0, False),
    ("C0012", "南昌红谷滩家居", "江西", "南昌", "红谷滩区丰和中大道", "熊文静",
     "0.79", 150000, 20000, False),
    ("C0013", "泉州丰泽家具行", "福建", "泉州", "丰泽区刺桐路", "吴建明",
     "0.84", 120000, 0, False),
    ("C0014", "绵阳涪城家居", "四川", "绵阳", "涪城区临园路", "杨帆",
     "0.92", 50000, 0, False),
    ("C0015", "洛阳涧西家私", "河南", "洛阳", "涧西区南昌路", "郭红",
     "0.87", 80000, 8000, False),
    ("C0016", "温州鹿城家居馆", "浙江", "温州", "鹿城区车站大道", "潘志刚",
     "0.62", 600000, 150000, True),
)
# fmt: on

# Explicit price-file rows (一客一价): customer -> number of products to draw.
_PRICE_FILE_CUSTOMERS = (
    ("C0001", 9),
    ("C0002", 7),
    ("C0004", 5),
    ("C0009", 5),
    ("C0016", 4),
)

_STAFF = (
    ("rep1", "业务员-赵明", "rep", ("C0001", "C0003")),  # dealer1's customer and one other
    ("rep2", "业务员-孙丽", "rep", ("C0002", "C0010", "C0004", "C0012")),
    ("rep3", "业务员-何伟", "rep", ("C0006", "C0014", "C0007", "C0015", "C0011")),
    ("rep4", "业务员-许静", "rep", ("C0008", "C0016", "C0013", "C0009", "C0005")),
    ("support1", "客服-李娜", "support", ()),
    ("support2", "客服-梁晓", "support", ()),
    ("finance1", "财务-吴芳", "finance", ()),
    ("admin", "系统管理员", "admin", ()),
)


# ---------------------------------------------------------------------------
# Builder
# ---------------------------------------------------------------------------


def _round_yuan(fen: float, step_yuan: int = 10) -> int:
    """Round a fen amount to a whole number of ``step_yuan`` yuan."""
    step = step_yuan * 100
    return round(fen / step) * step


def _dims(rng: random.Random, var: _Variant, u: float) -> tuple[int, int, int]:
    def pick(r: tuple[int, int]) -> int:
        lo, hi = r
        return round((lo + (hi - lo) * u) / 10.0) * 10

    # Depth and height follow the series' size factor; width too, with a
    # little independent jitter for realism.
    w = pick(var.w)
    if var.w[0] != var.w[1]:
        w = max(var.w[0], min(var.w[1], w + rng.choice((-20, 0, 0, 20))))
    return w, pick(var.d), pick(var.h)


def _grade_multipliers(rng: random.Random, grade: OptionGroup | None) -> list[float]:
    if grade is None:
        return [1.0]
    mults = [1.0]
    for lo, hi in _GRADE_STEPS[grade.code]:
        mults.append(mults[-1] * (1 + rng.uniform(lo, hi)))
    return mults


def _list_prices(base_fen: float, grade: OptionGroup | None, mults: list[float]) -> dict[str, int]:
    if grade is None:
        return {"": _round_yuan(base_fen)}
    prices: dict[str, int] = {}
    last = 0
    for value, m in zip(grade.values, mults, strict=True):
        p = max(_round_yuan(base_fen * m), last + 1000)
        prices[value.code] = p
        last = p
    return prices


def _physical(
    rng: random.Random, w: int, d: int, h: int, density: float, pack_ratio: float
) -> tuple[Decimal, Decimal]:
    box = w * d * h / 1e9
    weight = box * density * rng.uniform(0.9, 1.1)
    volume = box * pack_ratio * rng.uniform(0.95, 1.05)
    return (
        Decimal(f"{max(weight, 1.0):.1f}"),
        Decimal(f"{max(volume, 0.01):.3f}"),
    )


def _image_keys(code: str, n: int) -> tuple[str, ...]:
    return tuple(f"{code}_{i}.jpg" for i in range(n))


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.products: list[Product] = []

    # -- helpers -----------------------------------------------------------

    def _add(self, **kw) -> None:
        kw.setdefault("custom_only", False)
        kw.setdefault("published", True)
        kw.setdefault("stock_mode", "unlimited")
        kw.setdefault("stock_qty", None)
        if "image_keys" not in kw:
            kw["image_keys"] = _image_keys(kw["code"], 2 + (self.rng.random() < 0.4))
        self.products.append(Product(**kw))

    # -- product lines -----------------------------------------------------

    def build_lines(self) -> None:
        for line in _LINES:
            names_offset = sum(ord(ch) for ch in line.category) % len(_SERIES_NAMES)
            for si, number in enumerate(line.numbers):
                series = _SERIES_NAMES[(names_offset + si * 7) % len(_SERIES_NAMES)]
                style = _STYLES[(number + si) % len(_STYLES)]
                u = self.rng.random()
                base_fen = self.rng.uniform(*line.base_yuan) * 100
                mults = _grade_multipliers(self.rng, line.grade)
                groups = ((line.grade,) if line.grade else ()) + line.extras
                for var in line.variants:
                    code = f"{line.prefix}-{number}{var.suffix}"
                    w, d, h = _dims(self.rng, var, u)
                    prefix = f"{series}{style}" if line.styled else series
                    name = f"{prefix}{line.noun} {var.label}"
                    spec = f"{w}×{d}×{h}mm {var.label}"
                    if var.spec_extra:
                        spec += f" {var.spec_extra}"
                    weight, volume = _physical(self.rng, w, d, h, line.density, line.pack_ratio)
                    self._add(
                        code=code,
                        name=name,
                        category_code=line.category,
                        spec=spec,
                        width_mm=w,
                        depth_mm=d,
                        height_mm=h,
                        unit=var.unit,
                        description=line.description.format(style=style),
                        option_groups=groups,
                        grade_group_code=line.grade.code if line.grade else None,
                        list_prices=_list_prices(base_fen * var.factor, line.grade, mults),
                        packages=var.packages,
                        weight_kg=weight,
                        volume_m3=volume,
                    )

    def _modular(
        self,
        number: int,
        series: str,
        set_modules: tuple[str, ...],
        set_label: str,
        module_prices: dict[str, list[int]],
        height: int,
        stock: dict[str, tuple[str, int | None]],
    ) -> None:
        groups = (G_SOFA_COVER, G_SOFA_COLOR, G_SOFA_LEG, G_CUSHION)
        grade_codes = [v.code for v in G_SOFA_COVER.values]
        desc = (
            f"{series}模块沙发，按模块自由组合（扶手位、无扶手位、转角位、贵妃位、脚踏），"
            "价格为所选模块之和。实木框架，坐垫高回弹海绵+羽绒包，面料可拆洗。"
        )
        base = f"S-{number}"
        # The set: sum of its modules at each grade.
        width = sum(_MODULES[m][1] for m in set_modules)
        depth = max(_MODULES[m][2] for m in set_modules)
        labels = "+".join(_MODULES[m][0].removesuffix("位") for m in set_modules)
        set_prices = {g: sum(module_prices[m][i] for m in set_modules) for i, g in enumerate(grade_codes)}
        weight, volume = _physical(self.rng, width, depth, height, 36.0, 0.95)
        mode, qty = stock.get("", ("unlimited", None))
        self._add(
            code=base,
            name=f"{series}模块沙发 {set_label}（{labels}）",
            category_code="SOFA-MODULAR",
            spec=f"{width}×{depth}×{height}mm {set_label} {labels}",
            width_mm=width,
            depth_mm=depth,
            height_mm=height,
            unit="套",
            description=desc,
            option_groups=groups,
            grade_group_code=G_SOFA_COVER.code,
            list_prices=set_prices,
            packages=min(4, len(set_modules)),
            weight_kg=weight,
            volume_m3=volume,
            stock_mode=mode,
            stock_qty=qty,
            image_keys=_image_keys(base, 3),
        )
        for m, (label, w, d, _factor) in _MODULES.items():
            h = 420 if m == "OT" else height
            weight, volume = _physical(self.rng, w, d, h, 36.0, 0.95)
            mode, qty = stock.get(m, ("unlimited", None))
            self._add(
                code=f"{base}-{m}",
                name=f"{series}模块沙发 {label}",
                category_code="SOFA-MODULAR",
                spec=f"{w}×{d}×{h}mm {label}",
                width_mm=w,
                depth_mm=d,
                height_mm=h,
                unit="件",
                description=desc,
                option_groups=groups,
                grade_group_code=G_SOFA_COVER.code,
                list_prices={g: module_prices[m][i] for i, g in enumerate(grade_codes)},
                packages=1,
                weight_kg=weight,
                volume_m3=volume,
                stock_mode=mode,
                stock_qty=qty,
            )

    def build_modular(self) -> None:
        s801 = {m: [y * 100 for y in ys] for m, ys in _S801_MODULE_YUAN.items()}
        self._modular(
            801,
            "米兰",
            _S801_SET,
            "L型组合",
            s801,
            850,
            {"": ("quota", 30), "CHR": ("quota", 3), "CHL": ("quota", 12)},
        )
        for number, series, modules, label in _MODULAR_SERIES:
            armless = self.rng.uniform(850, 1250) * 100
            mults = _grade_multipliers(self.rng, G_SOFA_COVER)
            prices = {
                m: list(_list_prices(armless * f, G_SOFA_COVER, mults).values())
                for m, (_l, _w, _d, f) in _MODULES.items()
            }
            self._modular(number, series, modules, label, prices, 820 + 10 * (number % 5), {})

    def build_custom(self) -> None:
        """A few custom-only (定制) products: always reviewed by support."""
        # fmt: off
        custom = (
            ("S-899", "SOFA-MODULAR", "米兰定制模块沙发（按尺寸定制）",
             (3600, 1800, 850), "套", G_SOFA_COVER, (G_SOFA_COLOR, G_SOFA_LEG), 8200, 3),
            ("B-1299", "BED-UPH", "澜庭定制软包床（尺寸/床头造型可定）",
             (2000, 2200, 1200), "张", G_BED_COVER, (G_BED_COLOR, G_BED_STORAGE), 5200, 3),
            ("WD-1899", "CABINET-WARDROBE", "全屋定制衣柜（按墙体尺寸）",
             (2400, 600, 2600), "组", G_BOARD, (G_CAB_COLOR, G_CAB_HANDLE, G_CAB_LIGHT), 8800, 4),
            ("DT-699", "DINING-TABLE", "御景定制岩板餐桌（尺寸可定）",
             (2000, 1000, 760), "张", G_TABLE_TOP, (G_TABLE_LEG,), 4800, 2),
            ("TV-199", "LIVING-TV", "定制电视背景柜（按墙体尺寸）",
             (3000, 400, 2400), "组", G_BOARD, (G_CAB_COLOR, G_CAB_HANDLE, G_CAB_LIGHT), 7600, 4),
        )
        # fmt: on
        for code, cat, name, dims, unit, grade, extras, base_yuan, packs in custom:
            w, d, h = dims
            mults = _grade_multipliers(self.rng, grade)
            weight, volume = _physical(self.rng, w, d, h, 40.0, 0.5)
            self._add(
                code=code,
                name=name,
                category_code=cat,
                spec=f"{w}×{d}×{h}mm 参考尺寸，按实际需求定制",
                width_mm=w,
                depth_mm=d,
                height_mm=h,
                unit=unit,
                description=(
                    "定制产品：尺寸、颜色、结构按需求定制，下单后由客服审核报价、"
                    "确认交期与付款方式（定金或全款）。列表价为参考尺寸价格。"
                ),
                option_groups=(grade,) + extras,
                grade_group_code=grade.code,
                list_prices=_list_prices(base_yuan * 100, grade, mults),
                custom_only=True,
                packages=packs,
                weight_kg=weight,
                volume_m3=volume,
                image_keys=_image_keys(code, 2),
            )

    # -- stock and publication --------------------------------------------

    def assign_stock(self) -> None:
        """Stock modes (~65% unlimited, ~25% quota, ~10% erp) and ~5% unpublished.

        The S-801 family and the custom-only products keep their fixed
        settings (always published)."""
        fixed = {p.code for p in self.products if p.code.startswith("S-801") or p.custom_only}
        eligible = [p.code for p in self.products if p.code not in fixed]
        unpublished = set(self.rng.sample(eligible, round(0.05 * len(self.products))))
        n_quota, n_erp = round(0.25 * len(eligible)), round(0.10 * len(eligible))
        modes = ["quota"] * n_quota + ["erp"] * n_erp
        modes += ["unlimited"] * (len(eligible) - len(modes))
        self.rng.shuffle(modes)
        mode_of = dict(zip(eligible, modes, strict=True))
        out: list[Product] = []
        n_low = 0
        for p in self.products:
            if p.code in fixed:
                out.append(p)
                continue
            mode = mode_of[p.code]
            qty: int | None = None
            if mode == "quota":
                q = self.rng.random()
                if q < 0.2 or (n_low < 6 and q < 0.35):
                    qty = self.rng.randint(1, 5)  # nearly sold out
                    n_low += 1
                elif q < 0.3:
                    qty = 0
                else:
                    qty = self.rng.randint(6, 200)
            elif mode == "erp":
                qty = self.rng.randint(0, 300)
            published = p.code not in unpublished
            out.append(replace(p, stock_mode=mode, stock_qty=qty, published=published))
        self.products = out


def _customers(rng: random.Random) -> tuple[Customer, ...]:
    out = []
    for (
        code,
        name,
        prov,
        city,
        street,
        contact,
        rate,
        credit,
        balance,
        auto,
    ) in _CUSTOMERS:
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        address = f"{prov}省{city}市{street}{rng.randint(1, 388)}号"
        if prov == "广西":
            address = f"广西壮族自治区{city}市{street}{rng.randint(1, 388)}号"
        out.append(
            Customer(
                code=code,
                name=name,
                province=prov,
                city=city,
                address=address,
                contact=contact,
                phone=phone,
                discount_rate=Decimal(rate),
                credit_limit_fen=credit * 100,
                balance_fen=balance * 100,
                auto_pay=auto,
            )
        )
    return tuple(out)


def _explicit_price(list_fen: int, rate: Decimal, rng: random.Random) -> int:
    """A negotiated price a little (2-7%) below rate × list, whole yuan."""
    rate_price = Decimal(list_fen) * rate
    target = rate_price * Decimal(str(round(rng.uniform(0.93, 0.98), 3)))
    fen = int(target // 100) * 100
    if fen >= rate_price:  # never at or above the rate price
        fen -= 100
    return fen


def _customer_prices(
    rng: random.Random, products: list[Product], customers: tuple[Customer, ...]
) -> tuple[CustomerPrice, ...]:
    rates = {c.code: c.discount_rate for c in customers}
    by_code = {p.code: p for p in products}
    rows: list[CustomerPrice] = []

    def add(cust: str, p: Product, grades: list[str]) -> None:
        for g in grades:
            fen = _explicit_price(p.list_prices[g], rates[cust], rng)
            rows.append(CustomerPrice(cust, p.code, g, fen))

    # The worked example: C0001 (a 华南 dealer) has S-801 at every grade and
    # the three L-shape modules at L2; C0002 has S-801 at two grades only
    # (with its own, lower prices).
    add("C0001", by_code["S-801"], list(by_code["S-801"].list_prices))
    for code in ("S-801-LA", "S-801-M", "S-801-CHR"):
        add("C0001", by_code[code], ["L2"])
    add("C0002", by_code["S-801"], ["FB", "L2"])

    candidates = [p for p in products if p.published and not p.custom_only and not p.code.startswith("S-801")]
    shared = rng.sample(candidates, 4)  # priced for both C0001 and C0002
    for p in shared:
        g = p.default_grade_code
        add("C0001", p, [g])
        add("C0002", p, [g])
    pool = [p for p in candidates if p not in shared]
    for cust, n in _PRICE_FILE_CUSTOMERS:
        for i, p in enumerate(rng.sample(pool, n)):
            grades = list(p.list_prices)
            # The first product at every grade, the others at one or two.
            k = len(grades) if i == 0 else rng.choice((1, 1, 2))
            add(cust, p, grades[:k])
    return tuple(rows)


def _accounts() -> tuple[tuple[Account, ...], tuple[RepAssignment, ...]]:
    accounts: list[Account] = []
    for i, c in enumerate(_CUSTOMERS, start=1):
        code, name, contact = c[0], c[1], c[5]
        accounts.append(Account(f"dealer{i}", DEMO_PASSWORD, f"{contact}（{name}）", "dealer", code))
    # A second login (shop assistant) for the first dealer.
    accounts.append(Account("dealer1b", DEMO_PASSWORD, "店员-小何（佛山顺德家居馆）", "dealer", "C0001"))
    assignments: list[RepAssignment] = []
    for username, display, role, custs in _STAFF:
        accounts.append(Account(username, DEMO_PASSWORD, display, role, None))
        assignments.extend(RepAssignment(username, c) for c in custs)
    return tuple(accounts), tuple(assignments)


def build_dataset(seed: int = 2026) -> Dataset:
    """Build the demo dataset; deterministic for a given seed."""
    b = _Builder(seed)
    b.build_modular()
    b.build_lines()
    b.build_custom()
    b.assign_stock()
    customers = _customers(b.rng)
    prices = _customer_prices(b.rng, b.products, customers)
    accounts, assignments = _accounts()
    return Dataset(
        categories=_categories(),
        products=tuple(b.products),
        customers=customers,
        customer_prices=prices,
        accounts=accounts,
        rep_assignments=assignments,
        factory_name=FACTORY_NAME,
    )
