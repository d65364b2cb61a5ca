"""The printable PDF (reportlab): an overview page, then 1 m × 1 m tiles at 1:10 when the wall is large.

Outlines and tints are one raster, stored once in the file as a form and reused by every page (clipped to
its tile); numbers, grid and legend are vector text and lines, sharp at any zoom. Every page carries the
legend, so a painter on a ladder needs only the page in hand. ``invariant`` output: the same plan gives
the same bytes.
"""

from __future__ import annotations

import io
import math
import string

import numpy as np
from PIL import Image
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from skimage.measure import label as connected

from app.sheets.plan import Plan
from app.sheets.regions import Spot, place_numbers
from app.sheets.render import grid_step, metres, plate, plate_scale, preview

PAPERS = {"A4": landscape(A4), "A3": landscape(A3)}
MARGIN = 10 * mm
LEGEND_W = 78 * mm
HEADER = 16 * mm
SCALES = (1, 2, 5, 10, 20, 25, 30, 40, 50, 60, 75, 80, 100, 150, 200, 250, 500, 1000)
TILE_M = 1.0  # a tile page shows 1 m × 1 m of the wall …
TILE_SCALE = 10  # … at 1:10
PX_PER_M_AT_TILE = 300  # plate resolution for tiled walls (≥ 76 dpi at 1:10: outlines, not photos)
INK = (0.16, 0.16, 0.16)
GRID = (0.16, 0.43, 0.82)


def _rgb(hex_color: str) -> tuple[float, float, float]:
    value = int(hex_color[1:], 16)
    return (value >> 16) / 255, ((value >> 8) & 0xFF) / 255, (value & 0xFF) / 255


class SheetPdf:
    def __init__(self, plan: Plan, paper: str = "A4", base_plate: np.ndarray | None = None) -> None:
        self.plan = plan
        self.base_plate = base_plate
        self.page_w, self.page_h = PAPERS[paper]
        self.buffer = io.BytesIO()
        self.c = Canvas(self.buffer, pagesize=(self.page_w, self.page_h), invariant=1, pageCompression=1)
        self.c.setTitle("Saekdam painter's sheet")
        self.c.setCreator("Saekdam")
        self.area_w = self.page_w - 2 * MARGIN - LEGEND_W - 6 * mm
        self.area_h = self.page_h - 2 * MARGIN - HEADER

    # ------------------------------------------------------------ layout
    def fitting_scale(self) -> int | None:
        """The smallest standard 1:N at which the whole wall fits the drawing area (None: size unknown)."""
        if self.plan.wall_size_m is None:
            return None
        wm, hm = self.plan.wall_size_m
        need = max(wm * 1000 * mm / self.area_w, hm * 1000 * mm / self.area_h)
        return next((n for n in SCALES if n >= need), SCALES[-1])

    def tiled(self) -> bool:
        scale = self.fitting_scale()
        return scale is not None and scale > TILE_SCALE

    def make_plate(self) -> None:
        """The raster of tints and outlines, stored once as a form of the plate's pixel size."""
        h, w = self.plan.shape
        scale = plate_scale(self.plan)
        if self.tiled() and self.plan.wall_size_m is not None:
            scale = max(scale, math.ceil(PX_PER_M_AT_TILE * self.plan.wall_size_m[0] / w))
        base = self.base_plate
        image = Image.fromarray(base if base is not None and base.shape[0] == h * scale else plate(self.plan, scale))
        self.plate_px = image.size
        self.c.beginForm("plate", lowerx=0, lowery=0, upperx=image.size[0], uppery=image.size[1])
        self.c.drawImage(ImageReader(image), 0, 0, width=image.size[0], height=image.size[1])
        self.c.endForm()

    # ------------------------------------------------------------ pieces
    def header(self, title: str, detail: str) -> None:
        c = self.c
        c.setFillColorRGB(*INK)
        c.setFont("Helvetica-Bold", 13)
        c.drawString(MARGIN, self.page_h - MARGIN - 5 * mm, title)
        c.setFont("Helvetica", 8.5)
        c.drawString(MARGIN, self.page_h - MARGIN - 10 * mm, detail)

    def legend(self, top: float) -> float:
        """The legend in the right column from ``top`` down; returns where it ends."""
        c, plan = self.c, self.plan
        x = self.page_w - MARGIN - LEGEND_W
        c.setFont("Helvetica-Bold", 9)
        c.setFillColorRGB(*INK)
        c.drawString(x, top, "Legend")
        row = min(7 * mm, (top - MARGIN - 40 * mm) / max(1, len(plan.uses)))
        y = top - 3 * mm
        for use in plan.uses:
            y -= row
            c.setFillColorRGB(*_rgb(use.paint.hex))
            c.setStrokeColorRGB(0.3, 0.3, 0.3)
            c.setLineWidth(0.4)
            c.rect(x, y, 10 * mm, row - 1.2 * mm, fill=1, stroke=1)
            r, g, b = use.paint.rgb
            c.setFillColorRGB(*((0.1, 0.1, 0.1) if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (1, 1, 1)))
            c.setFont("Helvetica-Bold", 8)
            c.drawCentredString(x + 5 * mm, y + (row - 1.2 * mm) / 2 - 1.0 * mm, str(use.number))
            c.setFillColorRGB(*INK)
            c.setFont("Helvetica", 7.5)
            c.drawString(x + 12 * mm, y + row / 2, use.paint.label[:34])
            c.setFont("Helvetica", 6.5)
            detail = f"{use.paint.hex}   {use.share * 100:.1f} %"
            if use.area_m2 is not None:
                detail += f"   {use.area_m2:.2f} m²   {use.litres:.2f} L"
            c.drawString(x + 12 * mm, y + 0.6 * mm, detail)
        y -= 5 * mm
        c.setFont("Helvetica", 6.5)
        if plan.wall_size_m is not None:
            total = sum(u.litres or 0 for u in plan.uses)
            c.drawString(
                x, y, f"Litres for {plan.coats} coats at {plan.coverage_m2_per_l:g} m²/L a coat: {total:.1f} L in all"
            )
            y -= 3.5 * mm
        c.drawString(x, y, "Screen colours are approximate: match paints to a RAL fan deck.")
        return y - 3 * mm

    def numbers(
        self,
        spots: list[Spot],
        ids_to_number: np.ndarray,
        origin: tuple[float, float],
        mm_per_px: float,
        px_offset: tuple[int, int] = (0, 0),
    ) -> None:
        c = self.c
        c.setFillColorRGB(*INK)
        ox, oy = origin
        for spot in spots:
            size = min(14.0, max(3.5, spot.radius * mm_per_px * 3.6))
            x = ox + (spot.x + 0.5 - px_offset[0]) * mm_per_px * mm
            y = oy - (spot.y + 0.5 - px_offset[1]) * mm_per_px * mm - size * 0.35
            c.setFont("Helvetica", size)
            c.drawCentredString(x, y, str(int(ids_to_number[spot.region])))

    def grid(
        self,
        left: float,
        top: float,
        width_m: float,
        height_m: float,
        mm_per_m: float,
        step: float,
        start: tuple[float, float] = (0.0, 0.0),
        fine: float | None = None,
    ) -> None:
        """Lines every ``step`` m (and thin ones every ``fine`` m) over a drawing whose corner is ``start``."""
        c = self.c
        for spacing, width, alpha in ((fine, 0.25, 0.45), (step, 0.6, 0.9)):
            if spacing is None:
                continue
            c.setStrokeColorRGB(*GRID, alpha=alpha)
            c.setLineWidth(width)
            for axis, extent in ((0, width_m), (1, height_m)):
                first = math.ceil(start[axis] / spacing - 1e-9)
                for i in range(first, int((start[axis] + extent) / spacing + 1e-9) + 1):
                    at = (i * spacing - start[axis]) * mm_per_m * mm
                    if axis == 0:
                        c.line(left + at, top, left + at, top - height_m * mm_per_m * mm)
                    else:
                        c.line(left, top - at, left + width_m * mm_per_m * mm, top - at)
        c.setFillColorRGB(*GRID)
        c.setFont("Helvetica", 6)
        for axis, extent in ((0, width_m), (1, height_m)):
            first = math.ceil(start[axis] / step - 1e-9)
            for i in range(first, int((start[axis] + extent) / step + 1e-9) + 1):
                at = (i * step - start[axis]) * mm_per_m * mm
                label = metres(round(i * step, 3))
                if axis == 0:
                    c.drawCentredString(left + at, top + 1.5 * mm, label)
                else:
                    c.drawRightString(left - 1.2 * mm, top - at - 1 * mm, label)

    def draw_plate(
        self,
        left: float,
        top: float,
        width: float,
        height: float,
        clip: tuple[float, float, float, float] | None = None,
    ) -> None:
        """The plate form scaled to ``width`` × ``height`` points with its top-left corner at (left, top)."""
        c = self.c
        c.saveState()
        if clip is not None:
            path = c.beginPath()
            path.rect(*clip)
            c.clipPath(path, stroke=0, fill=0)
        c.translate(left, top - height)
        c.scale(width / self.plate_px[0], height / self.plate_px[1])
        c.doForm("plate")
        c.restoreState()

    # ------------------------------------------------------------ pages
    def overview(self) -> None:
        plan, c = self.plan, self.c
        h, w = plan.shape
        n = self.fitting_scale()
        if n is not None and plan.wall_size_m is not None:
            wm, hm = plan.wall_size_m
            width, height = wm * 1000 / n * mm, hm * 1000 / n * mm
            detail = (
                f"Wall {wm:.2f} m × {hm:.2f} m  ·  scale 1:{n} at 100 % print size  ·  grid "
                f"{metres(grid_step(max(wm, hm)))}  ·  painted {plan.painted_m2:.1f} m²"
            )
            if self.tiled():
                detail += f"  ·  tiles of 1 m at 1:{TILE_SCALE} on the next pages"
        else:
            fit = min(self.area_w / w, self.area_h / h)
            width, height = w * fit, h * fit
            detail = "Wall size unknown: shares only (give the wall size for areas, litres and a metric grid)"
        self.header(f"Saekdam painter's sheet  ·  {len(plan.uses)} colours  ·  {plan.palette_name}", detail)
        left, top = MARGIN + 4 * mm, self.page_h - MARGIN - HEADER
        self.draw_plate(left, top, width, height)
        c.setStrokeColorRGB(0.3, 0.3, 0.3)
        c.setLineWidth(0.5)
        c.rect(left, top - height, width, height, fill=0, stroke=1)
        if plan.wall_size_m is not None and n is not None:
            wm, hm = plan.wall_size_m
            self.grid(left, top, wm, hm, 1000 / n, grid_step(max(wm, hm)))
        self.numbers(list(plan.spots), plan.number_of, (left, top), width / w / mm)
        end = self.legend(self.page_h - MARGIN - HEADER)
        self.thumbnail(end)
        c.showPage()

    def thumbnail(self, top: float) -> None:
        """The mural in its paints, under the legend."""
        h, w = self.plan.shape
        room = top - MARGIN
        if room < 15 * mm:
            return
        fit = min(LEGEND_W / w, room / h)
        image = Image.fromarray(preview(self.plan)).resize((max(1, w // 2), max(1, h // 2)), Image.Resampling.NEAREST)
        self.c.drawImage(ImageReader(image), self.page_w - MARGIN - LEGEND_W, top - h * fit, w * fit, h * fit)

    def tiles(self) -> None:
        plan = self.plan
        assert plan.wall_size_m is not None
        wm, hm = plan.wall_size_m
        h, w = plan.shape
        cols, rows = math.ceil(wm / TILE_M - 1e-9), math.ceil(hm / TILE_M - 1e-9)
        mm_per_m = 1000 / TILE_SCALE
        full_w, full_h = wm * mm_per_m * mm, hm * mm_per_m * mm
        for row in range(rows):
            for col in range(cols):
                x0, y0 = col * TILE_M, row * TILE_M
                tw, th = min(TILE_M, wm - x0), min(TILE_M, hm - y0)
                name = f"{string.ascii_uppercase[row % 26]}{col + 1}"
                self.header(
                    f"Tile {name}  ·  row {row + 1} of {rows}, column {col + 1} of {cols}  ·  scale 1:{TILE_SCALE}",
                    f"x {x0:g}–{x0 + tw:g} m, y {y0:g}–{y0 + th:g} m from the wall's top-left corner  ·  "
                    "grid 10 cm (bold: 50 cm)",
                )
                left, top = MARGIN + 6 * mm, self.page_h - MARGIN - HEADER - 2 * mm
                width, height = tw * mm_per_m * mm, th * mm_per_m * mm
                self.draw_plate(
                    left - x0 * mm_per_m * mm,
                    top + y0 * mm_per_m * mm,
                    full_w,
                    full_h,
                    clip=(left, top - height, width, height),
                )
                self.c.setStrokeColorRGB(0.3, 0.3, 0.3)
                self.c.rect(left, top - height, width, height, fill=0, stroke=1)
                self.grid(left, top, tw, th, mm_per_m, 0.5, start=(x0, y0), fine=0.1)
                # numbers for the pieces of regions inside this tile (a region cut by the tile edge gets one each)
                px0, py0 = round(x0 * w / wm), round(y0 * h / hm)
                px1, py1 = round((x0 + tw) * w / wm), round((y0 + th) * h / hm)
                crop = plan.regions.ids[py0:py1, px0:px1]
                pieces = connected(crop, background=0, connectivity=1)
                spots = place_numbers(pieces)
                number = np.zeros(int(pieces.max()) + 1, dtype=np.int32)
                for spot in spots:
                    number[spot.region] = plan.number_of[crop[round(spot.y), round(spot.x)]]
                self.numbers(spots, number, (left, top), mm_per_m * wm / w, (0, 0))
                end = self.legend(self.page_h - MARGIN - HEADER)
                self.locator(end, col, row, cols, rows)
                self.c.showPage()

    def locator(self, top: float, col: int, row: int, cols: int, rows: int) -> None:
        """A small map of all tiles with this one filled."""
        c = self.c
        cell = min(LEGEND_W / cols, (top - MARGIN) / max(rows, 1), 8 * mm)
        if cell < 2 * mm:
            return
        x = self.page_w - MARGIN - LEGEND_W
        c.setLineWidth(0.3)
        for r in range(rows):
            for k in range(cols):
                here = (r, k) == (row, col)
                c.setFillColorRGB(*((0.16, 0.43, 0.82) if here else (0.93, 0.93, 0.93)))
                c.setStrokeColorRGB(0.5, 0.5, 0.5)
                c.rect(x + k * cell, top - (r + 1) * cell, cell, cell, fill=1, stroke=1)

    def build(self) -> bytes:
        self.make_plate()
        self.overview()
        if self.tiled():
            self.tiles()
        self.c.save()
        return self.buffer.getvalue()


def render_pdf(plan: Plan, paper: str = "A4", base_plate: np.ndarray | None = None) -> bytes:
    """The PDF; ``base_plate`` is the PNG's plate (``render.plate``), reused when the resolution fits."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}")
    return SheetPdf(plan, paper, base_plate).build()
