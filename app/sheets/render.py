"""The PNG sheet: numbered, outlined regions on a light tint of their paint, a metric grid, the legend.

Drawn with numpy (regions, outlines, grid) and Pillow (text, in Pillow's built-in Aileron font so that
every machine draws the same pixels). The text is language-neutral (paint codes, numbers, units): the
same file serves Korean and English pages.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.sheets.plan import PaintUse, Plan

INK = (40, 40, 40)
OUTLINE = (60, 60, 60)
GRID = (40, 110, 210)
OUTSIDE = (236, 236, 236)
HATCH = (205, 205, 205)
TINT = 0.22  # how much of its paint a region shows on the sheet: enough to recognise, light enough to read
TARGET_SIDE = 2048  # the plate's long side in the PNG
GRID_STEPS = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0)


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)  # type: ignore[return-value]  # with a size Pillow loads its bundled FreeType font


def plate_scale(plan: Plan) -> int:
    return max(1, round(TARGET_SIDE / max(plan.shape)))


def grid_step(extent_m: float) -> float:
    """A round spacing giving at most ten lines across the longer side."""
    return next((s for s in GRID_STEPS if extent_m / s <= 10), GRID_STEPS[-1])


def metres(value: float) -> str:
    return f"{value:g} m" if value >= 1 or value == 0 else f"{round(value * 100):g} cm"


def paint_rgb(plan: Plan) -> np.ndarray:
    """(n + 1, 3) uint8: each region's paint (white outside)."""
    lut = np.array([(255, 255, 255)] + [u.paint.rgb for u in plan.uses], dtype=np.uint8)
    return lut[plan.number_of]


def preview(plan: Plan) -> np.ndarray:
    """The mural as it will look in the chosen paints (working resolution)."""
    return paint_rgb(plan)[plan.regions.ids]


def outlines(ids: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower neighbour lies in another region (or outside): one-pixel borders."""
    edge = np.zeros(ids.shape, dtype=bool)
    edge[:, :-1] |= ids[:, 1:] != ids[:, :-1]
    edge[:-1, :] |= ids[1:, :] != ids[:-1, :]
    return edge


def plate(plan: Plan, scale: int) -> np.ndarray:
    """Tinted regions with their outlines, ``scale`` times the working resolution, no text.

    Drawn at the working resolution and enlarged: outlines come out ``scale`` pixels wide.
    """
    h, w = plan.shape
    ids = plan.regions.ids
    tints = (paint_rgb(plan).astype(np.float32) * TINT + 255 * (1 - TINT)).astype(np.uint8)
    small = tints[ids]
    outside = ids == 0
    small[outside] = OUTSIDE
    small[outlines(ids)] = OUTLINE
    image = cv2.resize(small, (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
    if outside.any():  # hatch what is not to be painted
        big = cv2.resize(outside.astype(np.uint8), (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
        yy, xx = np.indices(big.shape, sparse=True)
        hatch = (big == 1) & (((xx + yy) % (6 * scale)) == 0) & (image[:, :, 0] == OUTSIDE[0])
        image[hatch] = HATCH
    return image


def grid_positions(plan: Plan, size_px: tuple[int, int]) -> tuple[float, list[float], list[float]]:
    """Grid step (m) and the line positions in plate pixels along x and y."""
    assert plan.wall_size_m is not None
    wm, hm = plan.wall_size_m
    step = grid_step(max(wm, hm))
    xs = [i * step * size_px[0] / wm for i in range(int(wm / step + 1e-9) + 1)]
    ys = [i * step * size_px[1] / hm for i in range(int(hm / step + 1e-9) + 1)]
    return step, xs, ys


def draw_grid(image: np.ndarray, plan: Plan) -> None:
    h, w = image.shape[:2]
    _, xs, ys = grid_positions(plan, (w, h))
    for x in xs:
        col = min(w - 1, round(x))
        image[:, col] = (image[:, col] * 0.35 + np.array(GRID) * 0.65).astype(np.uint8)
    for y in ys:
        row = min(h - 1, round(y))
        image[row, :] = (image[row, :] * 0.35 + np.array(GRID) * 0.65).astype(np.uint8)


def number_size(radius_px: float) -> int:
    return int(min(34, max(11, radius_px * 1.25)))


def draw_numbers(draw: ImageDraw.ImageDraw, plan: Plan, scale: int, origin: tuple[int, int]) -> None:
    ox, oy = origin
    for spot in plan.spots:
        number = int(plan.number_of[spot.region])
        x, y = ox + (spot.x + 0.5) * scale, oy + (spot.y + 0.5) * scale
        draw.text((x, y), str(number), fill=INK, font=font(number_size(spot.radius * scale)), anchor="mm")


def text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    value: str,
    size: int,
    fill: tuple[int, int, int] = INK,
    anchor: str = "ls",
) -> None:
    """Text with "²" drawn as a raised 2 (the built-in font has no superscript glyph); left or right anchored."""
    parts = value.split("²")
    small = font(max(8, size * 6 // 10))
    widths = [draw.textlength(p, font=font(size)) for p in parts]
    total = sum(widths) + (len(parts) - 1) * (draw.textlength("2", font=small) + 1)
    x = xy[0] - total if anchor.startswith("r") else xy[0]
    for i, part in enumerate(parts):
        draw.text((x, xy[1]), part, fill=fill, font=font(size), anchor="ls")
        x += widths[i]
        if i < len(parts) - 1:
            draw.text((x + 1, xy[1] - size * 0.45), "2", fill=fill, font=small, anchor="ls")
            x += draw.textlength("2", font=small) + 1


def legend_row(draw: ImageDraw.ImageDraw, use: PaintUse, x: int, y: int, width: int, size: int) -> None:
    chip = size * 2
    r, g, b = use.paint.rgb
    draw.rectangle((x, y, x + chip * 2, y + chip), fill=(r, g, b), outline=OUTLINE)
    light = (0.299 * r + 0.587 * g + 0.114 * b) > 150
    draw.text(
        (x + chip, y + chip / 2),
        str(use.number),
        fill=INK if light else (255, 255, 255),
        font=font(size + 2),
        anchor="mm",
    )
    base = y + chip * 0.72
    tx = x + chip * 2 + size
    draw.text((tx, base), use.paint.label, fill=INK, font=font(size), anchor="ls")
    draw.text(
        (tx, base + size * 1.25),
        f"{use.paint.hex}   {use.share * 100:.1f} %",
        fill=(90, 90, 90),
        font=font(size - 2),
        anchor="ls",
    )
    if use.area_m2 is not None and use.litres is not None:
        right = x + width - size
        draw.text((right, base + size * 1.25), f"{use.litres:.2f} L", fill=INK, font=font(size), anchor="rs")
        text(draw, (right - size * 5, base + size * 1.25), f"{use.area_m2:.2f} m²", size, anchor="rs")


@dataclass(frozen=True)
class Layout:
    scale: int
    margin: int
    plate_at: tuple[int, int]
    plate_size: tuple[int, int]
    legend_at: int
    columns: int
    column_width: int
    row_height: int
    size: tuple[int, int]


def layout(plan: Plan) -> Layout:
    scale = plate_scale(plan)
    h, w = plan.shape
    pw, ph = w * scale, h * scale
    margin = 48 if plan.wall_size_m else 24
    width = max(pw + 2 * margin, 1400)
    header = 96
    column_width = 560
    columns = max(1, (width - 2 * 24) // column_width)
    rows = math.ceil(len(plan.uses) / columns)
    row_height = 72
    legend_at = header + ph + margin + 40
    height = legend_at + 48 + rows * row_height + 32
    return Layout(
        scale=scale,
        margin=margin,
        plate_at=((width - pw) // 2, header + margin // 2),
        plate_size=(pw, ph),
        legend_at=legend_at,
        columns=columns,
        column_width=column_width,
        row_height=row_height,
        size=(width, height),
    )


def title_lines(plan: Plan) -> tuple[str, str]:
    first = f"Painter's sheet  ·  {len(plan.uses)} colours  ·  {plan.palette_name}"
    if plan.wall_size_m is None:
        return first, "Wall size unknown: shares only  ·  numbers = paint numbers in the legend"
    wm, hm = plan.wall_size_m
    step = grid_step(max(wm, hm))
    total = sum(u.litres or 0 for u in plan.uses)
    return first, (
        f"Wall {wm:.2f} m wide, {hm:.2f} m high  ·  grid {metres(step)}  ·  painted {plan.painted_m2:.1f} m²"
        f"  ·  {plan.coats} coats at {plan.coverage_m2_per_l:g} m²/L per coat: {total:.1f} L in all"
    )


def render_png(plan: Plan, base_plate: np.ndarray | None = None) -> bytes:
    """The PNG; ``base_plate`` is ``plate(plan, plate_scale(plan))`` when the caller already has it."""
    lay = layout(plan)
    canvas = np.full((lay.size[1], lay.size[0], 3), 255, dtype=np.uint8)
    image = (base_plate if base_plate is not None else plate(plan, lay.scale)).copy()
    if plan.wall_size_m is not None:
        draw_grid(image, plan)
    px, py = lay.plate_at
    pw, ph = lay.plate_size
    canvas[py : py + ph, px : px + pw] = image
    out = Image.fromarray(canvas)
    draw = ImageDraw.Draw(out)
    first, second = title_lines(plan)
    draw.text((24, 44), first, fill=INK, font=font(30), anchor="ls")
    text(draw, (24, 78), second, 20, fill=(80, 80, 80))
    draw.rectangle((px - 1, py - 1, px + pw, py + ph), outline=OUTLINE)
    if plan.wall_size_m is not None:
        step, xs, ys = grid_positions(plan, (pw, ph))
        for i, x in enumerate(xs):
            draw.text((px + x, py - 8), metres(i * step), fill=GRID, font=font(16), anchor="ms")
        for i, y in enumerate(ys):
            draw.text((px - 6, py + y), metres(i * step), fill=GRID, font=font(16), anchor="rm")
    draw_numbers(draw, plan, lay.scale, (px, py))
    draw.text(
        (24, lay.legend_at + 20),
        "Legend  (number · paint · share" + (" · area · litres for all coats)" if plan.wall_size_m else ")"),
        fill=INK,
        font=font(22),
        anchor="ls",
    )
    rows = math.ceil(len(plan.uses) / lay.columns)
    free = lay.size[0] - 24 - lay.columns * lay.column_width - 24
    if free >= 160:  # the mural in its paints, beside the legend
        thumb = Image.fromarray(preview(plan))
        fit = min(free / thumb.width, rows * lay.row_height / thumb.height)
        thumb = thumb.resize(
            (max(1, int(thumb.width * fit)), max(1, int(thumb.height * fit))), Image.Resampling.NEAREST
        )
        at = (lay.size[0] - 24 - thumb.width, lay.legend_at + 40)
        out.paste(thumb, at)
        draw.rectangle((at[0] - 1, at[1] - 1, at[0] + thumb.width, at[1] + thumb.height), outline=OUTLINE)
    for i, use in enumerate(plan.uses):
        col, row = divmod(i, rows)
        legend_row(
            draw, use, 24 + col * lay.column_width, lay.legend_at + 40 + row * lay.row_height, lay.column_width, 18
        )
    return encode_png(out)


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
