"""Stylised product illustrations for the demo catalogue (JPEG, Pillow only).

``render_product_image(product, index)`` draws a simple, clean illustration
of the product's furniture type: blocks with rounded corners, extruded in a
light oblique projection, on a soft background colour derived from the
product code, with the model code in the top-left corner. Index 0 is a front
view, index 1 a three-quarter view from the right, index 2 from the left;
each index also uses a different colour from the product's palette.

Only Pillow's built-in default font is used (no font files).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Color = tuple[int, int, int]

_SS = 2  # supersampling factor for smooth edges
_QUALITY = 70

# Material palettes ---------------------------------------------------------

_FABRIC: tuple[Color, ...] = (
    (168, 172, 178),  # light grey
    (214, 203, 186),  # beige
    (186, 170, 142),  # oatmeal
    (121, 143, 168),  # haze blue
    (88, 116, 96),  # forest green
    (176, 116, 74),  # caramel
    (152, 128, 108),  # mocha
    (96, 100, 108),  # charcoal
    (226, 218, 202),  # ivory
    (170, 94, 76),  # brick
)
_LEATHER: tuple[Color, ...] = (
    (230, 222, 208),
    (150, 98, 62),
    (132, 132, 134),
    (52, 52, 56),
    (196, 114, 60),
    (104, 112, 78),
)
_WOOD: tuple[Color, ...] = (
    (202, 158, 112),  # natural
    (124, 86, 58),  # walnut
    (156, 96, 66),  # cherry
    (232, 226, 214),  # white open-pore
    (92, 64, 46),  # dark walnut
)
_PANEL: tuple[Color, ...] = (
    (238, 233, 224),  # warm white
    (202, 198, 190),  # cream grey
    (128, 92, 64),  # walnut grain
    (200, 164, 120),  # oak
    (74, 98, 86),  # matt green
)
_STONE: tuple[Color, ...] = (
    (236, 234, 230),  # white slab
    (200, 196, 190),  # grey slab
    (60, 62, 66),  # dark slab
    (226, 214, 196),  # travertine
)
_METAL: tuple[Color, ...] = ((42, 42, 46), (196, 166, 108), (40, 40, 44))
_MATTRESS_BAND: tuple[Color, ...] = (
    (96, 112, 138),
    (150, 140, 128),
    (70, 84, 96),
    (176, 160, 134),
)


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def _pick(palette: tuple[Color, ...], h: int, index: int) -> Color:
    return palette[(h + index * 3) % len(palette)]


def _shade(c: Color, f: float) -> Color:
    if f <= 1:
        return (int(c[0] * f), int(c[1] * f), int(c[2] * f))
    t = f - 1
    return (
        int(c[0] + (255 - c[0]) * t),
        int(c[1] + (255 - c[1]) * t),
        int(c[2] + (255 - c[2]) * t),
    )


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )


def _background(h: int, index: int) -> Color:
    hue = ((h % 360) / 360.0 + index * 0.07) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.11 + (h >> 9) % 5 * 0.012, 0.95)
    return (int(r * 255), int(g * 255), int(b * 255))


def _outline(
    x0: float, y0: float, x1: float, y1: float, r: float
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Points of a rounded rectangle (screen coords) and of its upper arcs."""
    corners = (  # centre, start angle (degrees, screen orientation)
        ((x0 + r, y0 + r), 180),
        ((x1 - r, y0 + r), 270),
        ((x1 - r, y1 - r), 0),
        ((x0 + r, y1 - r), 90),
    )
    full: list[tuple[float, float]] = []
    for i, ((cx, cy), a0) in enumerate(corners):
        for k in range(5):
            a = math.radians(a0 + k * 22.5)
            full.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        if i == 1:
            cap = list(full)
    # The cap: upper arcs plus a band of height r below the top edge.
    cap = cap + [(x1, y0 + r * 1.4), (x0, y0 + r * 1.4)] if r else full[:10]
    return full, cap


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


# Projection ------------------------------------------------------------------


class _Scene:
    """World coordinates in mm: x to the right (0 = the product's left side),
    y up from the floor, z backwards from the product's front face."""

    def __init__(
        self,
        img: Image.Image,
        extent: tuple[float, float, float],
        dvec: tuple[float, float],
        box: tuple[float, float, float, float],
    ) -> None:
        self.img = img
        self.draw = ImageDraw.Draw(img)
        w, h, d = extent
        bx0, by0, bx1, by1 = box  # screen area available for the drawing
        dx, dy = dvec
        span_x = w + d * abs(dx)
        span_y = h + d * abs(dy)
        self.s = min((bx1 - bx0) / span_x, (by1 - by0) / span_y)
        self.dx, self.dy = dx * self.s, dy * self.s
        left_shift = d * self.dx if dx < 0 else 0.0
        self.ox = bx0 + ((bx1 - bx0) - span_x * self.s) / 2 - left_shift
        # Centre vertically (slightly low): floor line of the front face.
        self.fy = (by0 + by1) / 2 + span_y * self.s / 2 + (by1 - by0) * 0.04
        self.extent = extent

    def pt(self, x: float, y: float, z: float = 0.0) -> tuple[float, float]:
        return (self.ox + x * self.s + z * self.dx, self.fy - y * self.s + z * self.dy)

    def box(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        z: float,
        depth: float,
        color: Color,
        radius: float = 0.0,
        top: float = 1.1,
        side: float = 0.8,
    ) -> None:
        """Extruded rounded rectangle: front face at z, ``depth`` mm deep.

        The swept solid of a convex shape along a segment is the convex hull
        of its two end faces, so the sides are one polygon; the top bevel is
        the hull of the upper arcs of both faces."""
        d = self.draw
        r = max(0.0, min(radius * self.s, (x1 - x0) * self.s / 2, (y1 - y0) * self.s / 2))
        ax, ay = self.pt(x0, y1, z)
        bx, by = self.pt(x1, y0, z)
        if depth > 0 and (self.dx or self.dy):
            ox, oy = depth * self.dx, depth * self.dy
            full_f, cap_f = _outline(ax, ay, bx, by, r)
            full_b = [(x + ox, y + oy) for x, y in full_f]
            cap_b = [(x + ox, y + oy) for x, y in cap_f]
            d.polygon(_hull(full_f + full_b), fill=_shade(color, side))
            d.polygon(_hull(cap_f + cap_b), fill=_shade(color, top))
        d.rounded_rectangle((ax, ay, bx, by), r, fill=color)

    def ellipse_slab(
        self,
        cx: float,
        cz: float,
        rx: float,
        rz: float,
        y0: float,
        y1: float,
        color: Color,
    ) -> None:
        """A round/oval slab seen from slightly above (for round tables)."""
        d = self.draw
        tilt = max(0.18, abs(self.dy / self.s) * 1.2)
        ry = rz * tilt * self.s
        px, _ = self.pt(cx, 0, cz)
        _, py0 = self.pt(0, y0, cz)
        _, py1 = self.pt(0, y1, cz)
        rxs = rx * self.s
        steps = max(1, int((py0 - py1) / 1.5))
        for i in range(steps + 1):
            yy = py0 - (py0 - py1) * i / steps
            d.ellipse((px - rxs, yy - ry, px + rxs, yy + ry), fill=_shade(color, 0.8))
        d.ellipse((px - rxs, py1 - ry, px + rxs, py1 + ry), fill=_shade(color, 1.06))

    def line(
        self, a: tuple[float, float, float], b: tuple[float, float, float], color: Color, width: float = 1.0
    ) -> None:
        self.draw.line((self.pt(*a), self.pt(*b)), fill=color, width=max(1, int(width * _SS)))

    def front_line(
        self, x0: float, y0: float, x1: float, y1: float, z: float, color: Color, width: float = 1.0
    ) -> None:
        self.line((x0, y0, z), (x1, y1, z), color, width)

    def handle(self, x: float, y0: float, y1: float, z: float, color: Color) -> None:
        ax, ay = self.pt(x, y1, z)
        bx, by = self.pt(x, y0, z)
        w = max(2, int(2.2 * _SS))
        self.draw.rounded_rectangle((ax - w, ay, bx + w, by), w, fill=color)


# Furniture painters -----------------------------------------------------------


class _Style:
    def __init__(self, product, index: int) -> None:
        h = _hash(product.code)
        self.h = h
        cat = product.category_code
        name = product.name
        fabric_like = _LEATHER if ("皮" in name and "SOFA" in cat) else _FABRIC
        self.fabric = _pick(fabric_like, h, index)
        self.wood = _pick(_WOOD, h >> 3, index)
        self.panel = _pick(_PANEL, h >> 5, index)
        self.stone = _pick(_STONE, h >> 7, index)
        self.metal = _pick(_METAL, h >> 2, index)
        self.band = _pick(_MATTRESS_BAND, h >> 4, index)
        self.line = (0, 0, 0)


def _order(n: int, sc: _Scene) -> range:
    """Left-to-right indices, reversed when seen from the left."""
    return range(n) if sc.dx >= 0 else range(n - 1, -1, -1)


def _legs(
    sc: _Scene, w: float, d: float, h: float, color: Color, inset: float, size: float, z0: float = 0.0
) -> list[Callable[[], None]]:
    """Four legs; returns painters for the back pair and the front pair."""
    back = lambda: (  # noqa: E731
        sc.box(inset, 0, inset + size, h, z0 + d - inset - size, size, color, size / 3),
        sc.box(w - inset - size, 0, w - inset, h, z0 + d - inset - size, size, color, size / 3),
    )
    front = lambda: (  # noqa: E731
        sc.box(inset, 0, inset + size, h, z0 + inset, size, color, size / 3),
        sc.box(w - inset - size, 0, w - inset, h, z0 + inset, size, color, size / 3),
    )
    return [back, front]


def _sofa(sc: _Scene, p, st: _Style) -> None:
    w, d, h = sc.extent[0], sc.extent[2], sc.extent[1]
    code, name = p.code, p.name
    suffix = code.rsplit("-", 1)[-1] if code.count("-") >= 2 else ""
    c = st.fabric
    legc = st.metal if st.h % 3 else st.wood
    if suffix == "OT":
        back_leg, front_leg = _legs(sc, w, d, 100, legc, 60, 40)
        back_leg()
        sc.box(0, 90, w, 330, 0, d, _shade(c, 0.92), 50)
        sc.box(20, 300, w - 20, 420, 10, d - 20, c, 60)
        front_leg()
        return
    functional = p.category_code == "SOFA-FUNC"
    arm_w = 230 if functional else 170
    # Arms: modules by suffix; sets by their name; plain sofas have two.
    if suffix:
        left = suffix in ("LA", "CHL", "CNR")  # a corner's side back reads as an arm
        right = suffix in ("RA", "CHR")
    elif "左扶手" in name or "右扶手" in name:
        left, right = "左扶手" in name, "右扶手" in name
    else:
        left = right = True
    chaise = None  # 'r' or 'l'
    if suffix == "CHR" or (not suffix and ("右贵妃" in name or "三人位+贵妃" in name)):
        chaise = "r"
    elif suffix == "CHL" or (not suffix and "左贵妃" in name):
        chaise = "l"
    seat_d = min(d, 1000)
    main_front = d - seat_d
    chaise_w = 1000 if chaise and w > 1500 else (w if chaise else 0)
    arm_h, seat_top, base_top, leg_h = (640 if functional else 620), 450, 300, 100
    back_z = d - 230

    xs0 = arm_w if left else 0
    xs1 = w - (arm_w if right else 0)
    # Seat sections: (x0, x1, front z, has back)
    sections = []
    if chaise == "r" and chaise_w < w:
        sections.append((xs0, w - chaise_w, main_front, True))
        sections.append((w - chaise_w, xs1, 0, False))
    elif chaise == "l" and chaise_w < w:
        sections.append((xs0, chaise_w, 0, False))
        sections.append((chaise_w, xs1, main_front, True))
    else:
        sections.append((xs0, xs1, 0 if chaise else main_front, not chaise))
    if chaise and chaise_w >= w:
        sections = [(xs0, xs1, 0, False)]

    # Back legs, then the back frame behind the sections that have a back
    for x in (40, w - 80):
        sc.box(x, 0, x + 40, leg_h, d - 100, 40, legc, 12)
    for x0, x1, _zf, has_back in sections:
        if has_back:
            bx0 = 0 if x0 <= arm_w else x0
            bx1 = w if x1 >= w - arm_w else x1
            sc.box(bx0, leg_h, bx1, h - 80, d - 130, 130, _shade(c, 0.9), 70)
    # Back cushions
    for x0, x1, _zf, has_back in sections:
        if not has_back:
            continue
        n = max(1, round((x1 - x0) / 700))
        cw = (x1 - x0) / n
        for i in _order(n, sc):
            cx0 = x0 + i * cw + 12
            if functional:
                sc.box(cx0, seat_top - 40, cx0 + cw - 24, h - 220, back_z, 200, c, 60)
                sc.box(cx0 + 10, h - 240, cx0 + cw - 34, h - 20, back_z + 20, 180, _shade(c, 1.04), 70)
            else:
                sc.box(cx0, seat_top - 40, cx0 + cw - 24, h - 20, back_z, 210, c, 90)
    painters: list[tuple[float, Callable[[], None]]] = []
    if left:
        painters.append(
            (
                0,
                lambda: sc.box(
                    0,
                    leg_h,
                    arm_w,
                    arm_h,
                    main_front if chaise != "l" else 0,
                    seat_d if chaise != "l" else d,
                    _shade(c, 0.96),
                    70,
                ),
            )
        )
    for x0, x1, zf, _hb in sections:
        depth = d - zf

        def seat(x0=x0, x1=x1, zf=zf, depth=depth) -> None:
            sc.box(x0, leg_h, x1, base_top, zf, depth - 130, _shade(c, 0.9), 40)
            n = max(1, round((x1 - x0) / 700))
            cw = (x1 - x0) / n
            for i in _order(n, sc):
                cx0 = x0 + i * cw + 8
                sc.box(cx0, base_top - 10, cx0 + cw - 16, seat_top, zf + 10, depth - 260, _shade(c, 1.05), 45)
            if functional:
                for i in range(n):
                    cx0 = x0 + i * cw + 60
                    sc.front_line(cx0, leg_h + 60, cx0 + cw - 120, leg_h + 60, zf, _shade(c, 0.7), 1.5)

        painters.append(((x0 + x1) / 2, seat))
    if right:
        painters.append(
            (
                w,
                lambda: sc.box(
                    w - arm_w,
                    leg_h,
                    w,
                    arm_h,
                    main_front if chaise != "r" else 0,
                    seat_d if chaise != "r" else d,
                    _shade(c, 0.96),
                    70,
                ),
            )
        )
    # Painter's order: things further from the viewer first.
    painters.sort(key=lambda t: t[0] if sc.dx >= 0 else -t[0])
    for _k, fn in painters:
        fn()
    # Front legs at the front of the leftmost and rightmost sections
    lz, rz = sections[0][2], sections[-1][2]
    sc.box(40, 0, 80, leg_h, lz + 40, 40, legc, 12)
    sc.box(w - 80, 0, w - 40, leg_h, rz + 40, 40, legc, 12)


def _bed(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    wood = p.category_code != "BED-UPH"
    frame_c = st.wood if wood else st.fabric
    head_c = frame_c
    # Headboard
    head_r = 60 if wood else 140
    sc.box(0, 80, w, h, d - 110, 110, head_c, head_r)
    if wood:
        for i in range(1, 6):
            x = w * i / 6
            sc.front_line(x, 420, x, h - 100, d - 110, _shade(head_c, 0.82), 1.5)
    else:
        n = 7
        for i in range(1, n):
            x = w * i / n
            sc.front_line(x, 520, x, h - 90, d - 110, _shade(head_c, 0.84), 1.5)
    # Frame
    sc.box(0, 80, w, 330, 0, d - 110, _shade(frame_c, 0.95), 40)
    # Mattress
    mat = (246, 244, 240)
    sc.box(50, 300, w - 50, 520, 20, d - 180, mat, 60, top=1.0, side=0.9)
    # Pillows
    pw = (w - 200) / 2
    for i in range(2):
        x0 = 80 + i * (pw + 40)
        sc.box(x0, 500, x0 + pw, 640, d - 600, 420, (252, 252, 250), 70, top=1.0, side=0.92)
    # Duvet (throw) across the foot of the bed
    throw = _shade(st.fabric if wood else st.band, 1.0)
    sc.box(20, 290, w - 20, 545, 0, min(700, d * 0.35), throw, 40)
    for x in (30, w - 90):
        sc.box(x, 0, x + 60, 80, 40, 60, _shade(frame_c, 0.7), 10)


def _mattress(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    top = (247, 246, 242)
    band = st.band
    sc.box(0, 0, w, h, 0, d, top, 50, top=1.0, side=0.9)
    # Side band and its stripes on the front face
    sc.box(0, h * 0.18, w, h * 0.72, 0, 0, band, 10)
    for f in (0.3, 0.45, 0.6):
        sc.front_line(20, h * f, w - 20, h * f, 0, _shade(band, 1.25), 1.0)
    # Quilting on the top face
    q = _shade(top, 0.86)
    n = 6
    for i in range(1, n):
        x = w * i / n
        sc.line((x, h, 0), (x, h, d), q, 1.0)
    m = 8
    for j in range(1, m):
        z = d * j / m
        sc.line((0, h, z), (w, h, z), q, 1.0)


def _table(sc: _Scene, p, st: _Style, top_y: float | None = None, shelf: bool = False) -> None:
    w, h, d = sc.extent
    thick = 45
    top_c = st.wood if p.grade_group_code == "WOOD" else st.stone
    leg_c = st.wood if p.grade_group_code == "WOOD" else st.metal
    round_top = "圆" in p.name or p.category_code == "LIVING-SIDE"
    if round_top:
        r = min(w, d) / 2
        sc.box(w / 2 - 60, 0, w / 2 + 60, h - thick, d / 2 - 60, 120, leg_c, 30)
        sc.box(w / 2 - r * 0.35, 0, w / 2 + r * 0.35, 30, d / 2 - r * 0.3, r * 0.6, leg_c, 15)
        sc.ellipse_slab(w / 2, d / 2, r, r, h - thick, h, top_c)
        return
    inset, size = 80, 60
    back_leg, front_leg = _legs(sc, w, d, h - thick, leg_c, inset, size)
    back_leg()
    if shelf:
        sc.box(inset, 120, w - inset, 150, inset, d - 2 * inset, _shade(top_c, 0.95), 10)
    sc.box(0, h - thick, w, h, 0, d, top_c, 16)
    front_leg()


def _chair(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    wood = p.grade_group_code == "WOOD"
    c = st.wood if wood else st.fabric
    leg_c = st.wood if wood else st.metal
    seat_h = 460
    back_leg, front_leg = _legs(sc, w, d, seat_h - 40, leg_c, 30, 32)
    back_leg()
    sc.box(20, seat_h, w - 20, h, d - 70, 50, c, 120 if not wood else 40)
    if wood:
        for i in range(1, 4):
            x = w * i / 4
            sc.front_line(x, seat_h + 80, x, h - 120, d - 70, _shade(c, 0.75), 1.2)
    sc.box(0, seat_h - 50, w, seat_h + 20, 0, d - 60, _shade(c, 1.04), 40)
    if "扶手" in p.name:
        for x in (0, w - 50):
            sc.box(x, seat_h + 20, x + 50, seat_h + 230, 40, d - 120, _shade(c, 0.92), 20)
    front_leg()


def _stool(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    c, leg_c = st.fabric, st.metal
    seat = h - 260
    back_leg, front_leg = _legs(sc, w, d, seat - 30, leg_c, 40, 26)
    back_leg()
    sc.box(20, seat + 40, w - 20, h, d - 80, 60, c, 90)
    sc.box(0, seat - 40, w, seat + 40, 0, d - 40, _shade(c, 1.04), 60)
    sc.box(40, 300, w - 40, 320, 40, 0, leg_c, 4)
    front_leg()


def _office_chair(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    c = st.fabric if st.h % 2 else (60, 64, 70)
    base_c = (50, 50, 54)
    cx = w / 2
    # Star base and castors
    for x0, x1 in ((40, w / 2), (w / 2, w - 40)):
        sc.box(x0, 60, x1, 100, d / 2 - 30, 60, base_c, 15)
    for x in (40, w - 90):
        sc.box(x, 0, x + 50, 60, d / 2 - 25, 50, base_c, 25)
    sc.box(cx - 30, 100, cx + 30, 430, d / 2 - 30, 60, (140, 140, 146), 12)
    # Back
    sc.box(60, 520, w - 60, h - 40, d - 90, 60, c, 110)
    if "高背" in p.name:
        sc.box(w * 0.3, h - 40, w * 0.7, h + 0, d - 80, 50, _shade(c, 0.9), 40)
    sc.box(20, 430, w - 20, 520, 20, d - 120, _shade(c, 1.05), 50)
    for x in (10, w - 60):
        sc.box(x, 520, x + 50, 700, 60, d - 260, base_c, 18)


def _case(sc: _Scene, p, st: _Style) -> None:
    """Cabinets: wardrobe, sideboard, nightstand, shoe, TV, file cabinet."""
    w, h, d = sc.extent
    cat = p.category_code
    c = st.panel
    accent = st.metal
    edge = _shade(c, 0.78)
    on_legs = cat in ("CABINET-SIDEBOARD", "LIVING-TV", "CABINET-NIGHT") and st.h % 3 != 0
    base = 150 if on_legs else 60
    if on_legs:
        back_leg, front_leg = _legs(sc, w, d, base, accent, 50, 30)
        back_leg()
        front_leg()
    else:
        sc.box(30, 0, w - 30, base, 30, d - 40, _shade(c, 0.6), 4)
    sc.box(0, base, w, h, 0, d, c, 14)
    inner_top, inner_bot = h - 25, base + 25
    if cat == "CABINET-WARDROBE" or cat == "OFFICE-FILE":
        doors = 3
        for key, n in (("二门", 2), ("三门", 3), ("四门", 4)):
            if key in p.name:
                doors = n
        if "定制" in p.name:
            doors = 5
        dw = (w - 50) / doors
        for i in range(1, doors):
            x = 25 + dw * i
            sc.front_line(x, inner_bot, x, inner_top, 0, edge, 1.2)
        if cat == "OFFICE-FILE":
            mid = base + (h - base) * 0.45
            sc.front_line(25, mid, w - 25, mid, 0, edge, 1.2)
            # Glass upper doors
            for i in range(doors):
                x0 = 25 + dw * i + 30
                sc.box(x0, mid + 40, x0 + dw - 60, inner_top - 30, 0, 0, _mix(c, (190, 214, 226), 0.6), 6)
        for i in range(doors):
            centre = 25 + dw * (i + 0.5)
            x = 25 + dw * i + (dw - 60 if centre < w / 2 - 1 else 60)
            yc = base + (h - base) * 0.5
            sc.handle(x, yc - 180, yc + 180, 0, accent)
        return
    if cat == "CABINET-NIGHT":
        n = 3 if "三抽" in p.name else 2
        dh = (h - base - 50) / n
        for i in range(1, n):
            y = inner_bot + dh * i
            sc.front_line(25, y, w - 25, y, 0, edge, 1.2)
        for i in range(n):
            y = inner_bot + dh * (i + 0.5)
            a, b = sc.pt(w / 2 - 60, y, 0), sc.pt(w / 2 + 60, y, 0)
            sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=accent)
        return
    if cat == "CABINET-SHOE":
        n = 2 if w < 900 else 3
        dw = (w - 50) / n
        mid = base + (h - base) * 0.5
        for i in range(1, n):
            x = 25 + dw * i
            sc.front_line(x, inner_bot, x, inner_top, 0, edge, 1.2)
        sc.front_line(25, mid, w - 25, mid, 0, edge, 1.2)
        for i in range(n):
            for y in (mid + 60, inner_bot + 60):
                a, b = sc.pt(25 + dw * i + 50, y, 0), sc.pt(25 + dw * (i + 1) - 50, y, 0)
                sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=accent)
        return
    # Sideboard / TV stand: drawers across the top band, doors or open niche below
    n = 3 if w < 1700 else 4
    dw = (w - 50) / n
    drawer_y = inner_top - (h - base) * 0.32 if cat == "CABINET-SIDEBOARD" else inner_bot
    for i in range(1, n):
        x = 25 + dw * i
        sc.front_line(x, inner_bot, x, inner_top, 0, edge, 1.2)
    if cat == "CABINET-SIDEBOARD":
        sc.front_line(25, drawer_y, w - 25, drawer_y, 0, edge, 1.2)
        sc.box(-20, h, w + 20, h + 25, -10, d + 20, st.stone, 6)
        for i in range(n):
            yc = (drawer_y + inner_top) / 2
            a, b = sc.pt(25 + dw * i + dw / 2 - 60, yc, 0), sc.pt(25 + dw * i + dw / 2 + 60, yc, 0)
            sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=accent)
    else:
        # TV stand: one open niche in the middle
        if n >= 3:
            x0 = 25 + dw
            x1 = 25 + dw * 2
            a, b = sc.pt(x0 + 8, inner_top - 8, 0), sc.pt(x1 - 8, inner_bot + 8, 0)
            sc.draw.rounded_rectangle((a[0], a[1], b[0], b[1]), 4 * _SS, fill=_shade(c, 0.62))
        for i in range(n):
            if n >= 3 and i == 1:
                continue
            yc = (inner_bot + inner_top) / 2
            a, b = sc.pt(25 + dw * i + dw / 2 - 70, yc, 0), sc.pt(25 + dw * i + dw / 2 + 70, yc, 0)
            sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=accent)


def _desk(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    c = st.panel if st.h % 2 else st.wood
    leg_c = st.metal
    thick = 40
    # Side frame (left)
    sc.box(40, 0, 100, h - thick, 60, d - 120, leg_c, 12)
    # Modesty panel
    sc.box(120, h - 360, w - 120, h - thick, d - 140, 20, _shade(c, 0.85), 6)
    # Drawer pedestal (right)
    pw = min(420, w * 0.3)
    px0 = w - pw - 60
    sc.box(px0, 20, w - 60, h - thick - 20, 60, d - 180, _shade(c, 0.96), 12)
    dh = (h - thick - 40) / 3
    for i in range(1, 3):
        y = 20 + dh * i
        sc.front_line(px0 + 15, y, w - 75, y, 60, _shade(c, 0.75), 1.2)
    for i in range(3):
        y = 20 + dh * (i + 0.7)
        a, b = sc.pt(px0 + pw / 2 - 50, y, 60), sc.pt(px0 + pw / 2 + 50, y, 60)
        sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=leg_c)
    sc.box(0, h - thick, w, h, 0, d, c, 12)


def _coffee(sc: _Scene, p, st: _Style) -> None:
    w, h, d = sc.extent
    if st.h % 2:
        _table(sc, p, st, shelf=True)
        return
    c = st.panel
    sc.box(60, 0, w - 60, h - 60, 50, d - 100, _shade(c, 0.95), 20)
    sc.front_line(w / 2, 30, w / 2, h - 90, 50, _shade(c, 0.75), 1.2)
    for x in (w / 4, 3 * w / 4):
        a, b = sc.pt(x - 50, (h - 60) / 2, 50), sc.pt(x + 50, (h - 60) / 2, 50)
        sc.draw.rounded_rectangle((a[0], a[1] - 2 * _SS, b[0], b[1] + 2 * _SS), 2 * _SS, fill=st.metal)
    sc.box(0, h - 60, w, h, 0, d, st.stone, 20)


_PAINTERS: dict[str, Callable[[_Scene, object, _Style], None]] = {
    "SOFA": _sofa,
    "BED": _bed,
    "MATTRESS": _mattress,
    "DINING-TABLE": _table,
    "DINING-CHAIR": _chair,
    "DINING-STOOL": _stool,
    "OFFICE-CHAIR": _office_chair,
    "OFFICE-DESK": _desk,
    "LIVING-COFFEE": _coffee,
    "LIVING-SIDE": _table,
}


def _painter(category_code: str) -> Callable[[_Scene, object, _Style], None]:
    if category_code in _PAINTERS:
        return _PAINTERS[category_code]
    top = category_code.split("-", 1)[0]
    return _PAINTERS.get(top, _case)


def _extent(p) -> tuple[float, float, float]:
    """(width, height, depth) in mm used for drawing, clamped to sane values."""
    w = max(300, min(int(p.width_mm or 1000), 4000))
    h = max(60, min(int(p.height_mm or 800), 2800))
    d = max(300, min(int(p.depth_mm or 600), 2600))
    return float(w), float(h), float(d)


def _views(category_code: str) -> tuple[tuple[float, float], ...]:
    if category_code.startswith("MATTRESS"):
        return ((0.22, -0.36), (0.5, -0.32), (-0.5, -0.32))
    if category_code.startswith("BED"):
        return ((0.0, -0.22), (0.42, -0.26), (-0.42, -0.26))
    return ((0.0, -0.16), (0.45, -0.24), (-0.45, -0.24))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def image_index(key: str) -> int:
    """Image index of an image key such as ``"S-801_2.jpg"`` (-> 2)."""
    stem = key.rsplit(".", 1)[0]
    try:
        return int(stem.rsplit("_", 1)[1])
    except (IndexError, ValueError):
        return 0


def render_product_image(product, index: int = 0, size: tuple[int, int] = (600, 600)) -> bytes:
    """Render a JPEG illustration of ``product`` (any object with the
    :class:`demodata.dataset.Product` fields code, name, category_code,
    width_mm, depth_mm, height_mm, grade_group_code, list_prices)."""
    out_w, out_h = size
    big_w, big_h = out_w * _SS, out_h * _SS
    h = _hash(product.code)
    bg = _background(h, index)
    floor_c = _shade(bg, 0.93)
    img = Image.new("RGB", (big_w, big_h), bg)
    extent = _extent(product)
    views = _views(product.category_code)
    dvec = views[index % len(views)]
    area = (big_w * 0.1, big_h * 0.16, big_w * 0.9, big_h * 0.84)
    sc = _Scene(img, extent, dvec, area)

    # Floor: the horizon sits a little above the back of the product's base.
    back_y = sc.pt(0, 0, extent[2])[1]
    horizon = int(max(big_h * 0.35, min(big_h * 0.78, back_y - extent[1] * sc.s * 0.3)))
    ImageDraw.Draw(img).rectangle((0, horizon, big_w, big_h), fill=floor_c)

    # Soft floor shadow
    q = 4 * _SS  # the shadow is drawn and blurred at low resolution
    shadow = Image.new("L", (big_w // q, big_h // q), 0)
    sd = ImageDraw.Draw(shadow)
    w, _hh, d = extent
    (x0, y0), (x1, _y) = sc.pt(0, 0, d * 0.5), sc.pt(w, 0, d * 0.5)
    half_h = max(10 * _SS, abs(sc.dy) * d * 0.6 + 12 * _SS)
    sd.ellipse(((x0 - 20 * _SS) / q, (y0 - half_h) / q, (x1 + 20 * _SS) / q, (y0 + half_h) / q), fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(18 * _SS / q)).resize((big_w, big_h), Image.BILINEAR)
    img.paste(_shade(bg, 0.55), (0, 0), shadow)

    st = _Style(product, index)
    _painter(product.category_code)(sc, product, st)

    img = img.reduce(_SS) if _SS > 1 else img
    draw = ImageDraw.Draw(img)
    # Model code badge (top-left)
    font = _font(max(12, out_h // 22))
    text = product.code
    tb = draw.textbbox((0, 0), text, font=font)
    tw, th = tb[2] - tb[0], tb[3] - tb[1]
    pad = max(6, out_h // 60)
    m = max(10, out_h // 30)
    draw.rounded_rectangle((m, m, m + tw + 2 * pad, m + th + 2 * pad), radius=pad, fill=(255, 255, 255))
    draw.text((m + pad - tb[0], m + pad - tb[1]), text, font=font, fill=(60, 60, 66))
    # Dimensions (bottom-right)
    small = _font(max(10, out_h // 40))
    dims = f"{product.width_mm} x {product.depth_mm} x {product.height_mm} mm"
    sb = draw.textbbox((0, 0), dims, font=small)
    draw.text(
        (out_w - m - (sb[2] - sb[0]), out_h - m - (sb[3] - sb[1])), dims, font=small, fill=_shade(bg, 0.5)
    )

    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=_QUALITY, optimize=True)
    return buf.getvalue()
