"""Photos the tiny SegFormer understands (see ``tiny``): a bright wall, a near-black window, no wall at all."""

from __future__ import annotations

import numpy as np
from PIL import Image


def make_wall_photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """An RGB photo with a bright "wall" (RGB ≈ 215–235) over most of the upper part and a dark floor.

    The wall spans x ∈ [10 %, 90 %) and y ∈ [8 %, 70 %) of the photo; everything else is dark (≤ 80).
    """
    rng = np.random.default_rng(seed)
    pixels = rng.integers(20, 80, size=(height, width, 3), dtype=np.uint8)
    x0, x1 = int(width * 0.10), int(width * 0.90)
    y0, y1 = int(height * 0.08), int(height * 0.70)
    pixels[y0:y1, x0:x1] = rng.integers(215, 236, size=(y1 - y0, x1 - x0, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def wall_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The (left, top, right, bottom) of the wall that ``make_wall_photo(width, height)`` draws."""
    return int(width * 0.10), int(height * 0.08), int(width * 0.90), int(height * 0.70)


def make_window_wall_photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """``make_wall_photo`` with a near-black window (RGB 5–30) in the wall: see ``window_box``."""
    image = make_wall_photo(width, height, seed)
    left, t, r, b = window_box(width, height)
    rng = np.random.default_rng(seed + 1)
    pixels = np.asarray(image).copy()
    pixels[t:b, left:r] = rng.integers(5, 31, size=(b - t, r - left, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def window_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The (left, top, right, bottom) of ``make_window_wall_photo``'s window: 18 % × 22 % of the photo,
    centred in the wall (under 5 % of the photo, so without keep-outs the wall finder fills it)."""
    cx, cy = width * 0.5, height * 0.39
    w, h = width * 0.18, height * 0.22
    return int(cx - w / 2), int(cy - h / 2), int(cx + w / 2), int(cy + h / 2)


def make_no_wall_photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """An RGB photo with no wall for the tiny SegFormer: every pixel is dark (≤ 110)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(10, 110, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")
