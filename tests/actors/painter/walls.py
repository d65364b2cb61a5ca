"""Synthetic walls for the painting-on-the-wall tests: shaded brick, windows, and the measures."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image


def brick_wall(width: int, height: int, shadow: float = 0.5, seed: int = 0) -> Image.Image:
    """A light brick wall (joints every 12 px rows / 24 px bricks, mild grain) whose left half lies in
    shadow at brightness ratio ``shadow`` to the right half."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    row = y // 12
    joint = ((y % 12) < 2) | (((x + (row % 2) * 12) % 24) < 2)
    base = np.full((height, width, 3), (222, 214, 205), np.float32)
    base[joint] *= 0.72
    base *= (1 + rng.normal(0, 0.03, (height, width, 1))).astype(np.float32)
    light = np.ones((height, width, 1), np.float32)
    light[:, : width // 2] = shadow
    return Image.fromarray(np.clip(base * light, 0, 255).astype(np.uint8), "RGB")


def halves(width: int, height: int, region: np.ndarray, margin: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The region's shadowed (left) and lit (right) parts, ``margin`` px away from the shadow's edge."""
    dark, lit = region.copy(), region.copy()
    dark[:, width // 2 - margin :] = False
    lit[:, : width // 2 + margin] = False
    return dark, lit


def mural(width: int, height: int, seed: int = 1) -> Image.Image:
    """A colourful, statistically even "mural": smooth random blobs (no shadow of its own)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 255, (height // 16 + 2, width // 16 + 2, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)


def far_from(mask: np.ndarray, distance: int) -> np.ndarray:
    """Pixels farther than ``distance`` (chessboard metric) from any non-zero pixel of ``mask``."""
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((2 * distance + 1, 2 * distance + 1), np.uint8))
    return grown == 0
