"""From a mural image to a paint plan: regions, their colour numbers and the quantities of each paint.

Pure and deterministic (no model, no I/O, no clock): the same pixels and options always give the same
plan, which the renderers turn into the PNG and the PDF. Everything is computed at a working resolution
(``work_side`` on the long side): 1,024 pixels across a 6 m wall is 6 mm a pixel, finer than any brush.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import msgspec
import numpy as np

from app.sheets.palette import PaintColor, Palette
from app.sheets.reduce import EmptyMural, reduce_colors
from app.sheets.regions import Regions, Spot, majority_filter, merge_small, place_numbers
from app.sheets.schemas import MAX_COLORS, MIN_COLORS


class SheetOptions(msgspec.Struct, frozen=True, kw_only=True):
    colors: int = 12
    wall_size_m: tuple[float, float] | None = None  # width, height of the mural's extent
    min_region_cm2: float = 50.0  # smallest paintable region when the wall size is known
    min_region_px: int = 150  # … otherwise, in pixels at ``work_side``
    coverage_m2_per_l: float = 10.0  # per coat
    coats: int = 2
    work_side: int = 1024
    seed: int = 0


@dataclass(frozen=True)
class PaintUse:
    number: int  # 1-based, by share (largest first)
    paint: PaintColor
    pixels: int
    share: float
    area_m2: float | None
    litres: float | None


@dataclass(frozen=True)
class Plan:
    regions: Regions  # ids at working resolution; ``number_of[id]`` is the region's colour number
    number_of: np.ndarray  # (n + 1,) int: colour number per region id (0 for the outside)
    uses: tuple[PaintUse, ...]
    spots: tuple[Spot, ...]
    wall_size_m: tuple[float, float] | None
    painted_m2: float | None
    min_region_px: int
    coats: int
    coverage_m2_per_l: float
    palette_name: str

    @property
    def shape(self) -> tuple[int, int]:
        return self.regions.ids.shape


def working_size(width: int, height: int, side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def to_working(rgb: np.ndarray, valid: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Downscale the image (area averaging) and its mural mask (a pixel is mural when mostly covered)."""
    h, w = valid.shape
    tw, th = working_size(w, h, side)
    if (tw, th) == (w, h):
        return rgb, valid
    small = cv2.resize(rgb, (tw, th), interpolation=cv2.INTER_AREA)
    cover = cv2.resize(valid.astype(np.float32), (tw, th), interpolation=cv2.INTER_AREA)
    return small, cover >= 0.5


def min_region_pixels(options: SheetOptions, shape: tuple[int, int]) -> int:
    """The smallest region to keep, in working pixels: from cm² when the size is known, else from pixels."""
    h, w = shape
    if options.wall_size_m is not None:
        cm2_per_px = (options.wall_size_m[0] * 100 / w) * (options.wall_size_m[1] * 100 / h)
        return max(4, math.ceil(options.min_region_cm2 / cm2_per_px))
    scale = (max(h, w) / options.work_side) ** 2  # a smaller image than the working size: same share of it
    return max(4, round(options.min_region_px * scale))


def check_options(options: SheetOptions) -> None:
    if not MIN_COLORS <= options.colors <= MAX_COLORS:
        raise ValueError(f"colors must be between {MIN_COLORS} and {MAX_COLORS}")
    if options.wall_size_m is not None and min(options.wall_size_m) <= 0:
        raise ValueError("wall_size_m must be positive")
    if options.coverage_m2_per_l <= 0 or options.coats < 1:
        raise ValueError("coverage and coats must be positive")


def plan_sheet(rgb: np.ndarray, valid: np.ndarray, options: SheetOptions, palette: Palette) -> Plan:
    """The whole reduction: colours, denoising, small-region merging, numbering and quantities."""
    check_options(options)
    rgb, valid = to_working(rgb, valid, options.work_side)
    min_px = min_region_pixels(options, valid.shape)
    reduction = reduce_colors(rgb, valid, options.colors, palette, seed=options.seed)
    # speckle: a majority window about a third of the smallest region's side
    window = max(1, min(7, int(math.sqrt(min_px) / 3)) | 1)
    labels = majority_filter(reduction.labels, len(reduction.colors), window)
    labels, regions = merge_small(labels, min_px)
    if not (labels >= 0).any():
        raise EmptyMural("the mural is smaller than one paintable region")

    counts = np.bincount(labels[labels >= 0].ravel(), minlength=len(reduction.colors))
    total = int(counts.sum())
    # numbers by share, largest first (ties: the palette order the reduction gave)
    order = [int(i) for i in np.lexsort((np.arange(len(counts)), -counts)) if counts[i] > 0]
    number_of_color = np.zeros(len(reduction.colors), dtype=np.int32)
    painted_m2 = None
    if options.wall_size_m is not None:
        h, w = valid.shape
        painted_m2 = total * options.wall_size_m[0] * options.wall_size_m[1] / (w * h)
    uses = []
    for number, color in enumerate(order, start=1):
        number_of_color[color] = number
        share = counts[color] / total
        area = share * painted_m2 if painted_m2 is not None else None
        uses.append(
            PaintUse(
                number=number,
                paint=reduction.colors[color],
                pixels=int(counts[color]),
                share=round(share, 4),
                area_m2=round(area, 2) if area is not None else None,
                litres=round(area * options.coats / options.coverage_m2_per_l, 2) if area is not None else None,
            )
        )
    number_of = np.zeros(regions.count + 1, dtype=np.int32)
    number_of[1:] = number_of_color[regions.color[1:]]
    return Plan(
        regions=regions,
        number_of=number_of,
        uses=tuple(uses),
        spots=tuple(place_numbers(regions.ids)),
        wall_size_m=options.wall_size_m,
        painted_m2=round(painted_m2, 3) if painted_m2 else None,
        min_region_px=min_px,
        coats=options.coats,
        coverage_m2_per_l=options.coverage_m2_per_l,
        palette_name=palette.name,
    )
