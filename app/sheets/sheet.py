"""One call from image bytes to the finished sheet (PNG, PDF and its legend): what the service and the CLI run.

Pure and blocking (numpy, OpenCV, Pillow, reportlab; no model, no torch, no I/O): callers run it in a
worker thread. The mural is the image's pixels inside the mask (the painted region of a result), cropped
to the mask's bounds; without a mask, every opaque pixel of the image (a flat artwork).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from app.core.settings import Settings
from app.sheets.palette import load_palette
from app.sheets.pdf import render_pdf
from app.sheets.plan import Plan, SheetOptions, plan_sheet
from app.sheets.reduce import EmptyMural
from app.sheets.render import plate, plate_scale, render_png

# the largest image a sheet is made from (a 12-megapixel photo's painted region is well below it)
MAX_PIXELS = 40_000_000
DEFAULT_OPTIONS = SheetOptions()  # frozen: one shared default is safe


class SheetInputError(ValueError):
    """The image or the mask cannot be used (unreadable, empty, too large)."""


@dataclass(frozen=True)
class SheetFiles:
    plan: Plan
    png: bytes
    pdf: bytes


def _open(data: bytes, what: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise SheetInputError(f"the {what} has too many pixels")
            image.load()
    except SheetInputError:
        raise
    except Exception as exc:  # Pillow raises many kinds for bad bytes
        raise SheetInputError(f"the {what} is not a readable image ({type(exc).__name__})") from None
    return image


def mural_pixels(image_bytes: bytes, mask_bytes: bytes | None = None) -> tuple[np.ndarray, np.ndarray]:
    """RGB pixels and the mural mask, cropped to the mural's bounding box."""
    image = _open(image_bytes, "image")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = np.asarray(image.convert("RGBA"))
        rgb, valid = np.ascontiguousarray(rgba[:, :, :3]), rgba[:, :, 3] >= 128
    else:
        rgb = np.asarray(image.convert("RGB"))
        valid = np.ones(rgb.shape[:2], dtype=bool)
    if mask_bytes is not None:
        mask = _open(mask_bytes, "mask").convert("L")
        if mask.size != image.size:
            mask = mask.resize(image.size, Image.Resampling.NEAREST)
        valid &= np.asarray(mask) >= 128
    rows, cols = np.flatnonzero(valid.any(axis=1)), np.flatnonzero(valid.any(axis=0))
    if len(rows) == 0:
        raise SheetInputError("the mural has no pixels (the mask is empty)")
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return np.ascontiguousarray(rgb[box]), np.ascontiguousarray(valid[box])


def options_from_settings(settings: Settings, colors: int, wall_size_m: tuple[float, float] | None) -> SheetOptions:
    return SheetOptions(
        colors=colors,
        wall_size_m=wall_size_m,
        min_region_cm2=settings.sheet_min_region_cm2,
        min_region_px=settings.sheet_min_region_px,
        coverage_m2_per_l=settings.sheet_coverage_m2_per_l,
        coats=settings.sheet_coats,
    )


def make_sheet(
    image_bytes: bytes, mask_bytes: bytes | None = None, options: SheetOptions = DEFAULT_OPTIONS, paper: str = "A4"
) -> SheetFiles:
    rgb, valid = mural_pixels(image_bytes, mask_bytes)
    try:
        plan = plan_sheet(rgb, valid, options, load_palette())
    except EmptyMural as exc:
        raise SheetInputError(str(exc)) from None
    base = plate(plan, plate_scale(plan))
    return SheetFiles(plan=plan, png=render_png(plan, base), pdf=render_pdf(plan, paper, base))
