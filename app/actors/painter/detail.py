"""Detail "high": refine a painting that will be shown larger than the model painted it, in tiles.

When the photo shows the painted area at more than 1.5× the model's resolution, the painting is upscaled
(up to 4× the model's native size on its long side) and refined with the same model in overlapping
native-size tiles (img2img at strength ~0.35, the same seed), whose results are blended with feathered
(raised-cosine) weights, so that no tile edge shows. The plan is made before painting, so progress knows
the steps of both passes from the start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image

TRIGGER: Final = 1.5  # refine when the photo shows the painting at more than this × its resolution
MAX_FACTOR: Final = 4  # … up to this × the native size on the long side (2048 px for SD 1.5)
STRENGTH: Final = 0.35
TILE_BATCH: Final = 4  # tiles painted per pipeline call (one batch)


def pass_steps(steps: int, strength: float) -> int:
    """How many denoising steps diffusers runs for ``steps`` at ``strength`` (its get_timesteps)."""
    return max(1, min(int(steps * strength), steps))


def refine_steps(steps: int) -> int:
    """Denoising steps per tile: about a quarter of the first pass's share at STRENGTH, at least 2.

    A low-strength refinement needs few steps; with 25 steps and up to 12 tiles the detail pass then costs
    about as much as the first pass (bench/painter.py measures it).
    """
    return max(2, round(steps * STRENGTH / 4))


def refine_inference_steps(steps: int) -> int:
    """The schedule length whose STRENGTH share is ``refine_steps(steps)`` (diffusers runs int(n × strength))."""
    want = refine_steps(steps)
    n = max(1, math.floor(want / STRENGTH))
    while pass_steps(n, STRENGTH) < want:
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class DetailPlan:
    size: tuple[int, int]  # the refined painting's size (W, H)
    tile: tuple[int, int]  # one tile's size (≤ native, multiples of 8)
    tiles: tuple[tuple[int, int], ...]  # top-left corners of the tiles that have something to refine
    overlap: int
    inference_steps: int
    steps_per_call: int
    calls: int  # pipeline calls in all (variations × batches)

    @property
    def total_steps(self) -> int:
        return self.steps_per_call * self.calls


def _round8(v: float) -> int:
    return max(8, int(round(v / 8)) * 8)


def _starts(length: int, tile: int, overlap: int) -> list[int]:
    if length <= tile:
        return [0]
    n = math.ceil((length - overlap) / (tile - overlap))
    return [round(i * (length - tile) / (n - 1)) // 8 * 8 for i in range(n)]


def plan_detail(
    painted: tuple[int, int],
    shown: tuple[float, float],
    native: int,
    steps: int,
    variations: int,
    mask: Image.Image | None = None,
) -> DetailPlan | None:
    """The refinement of a ``painted``-size painting shown at ``shown`` photo pixels, or None when not needed.

    ``mask`` (L, any size) limits the tiles to those with something painted in them.
    """
    factor = max(shown) / max(painted)
    if factor <= TRIGGER:
        return None
    overlap = max(16, native // 8) // 8 * 8
    # long side up to MAX_FACTOR tiles that overlap (a little under MAX_FACTOR × native): no sliver tiles
    factor = min(factor, (MAX_FACTOR * (native - overlap) + overlap) / max(painted))
    size = (_round8(painted[0] * factor), _round8(painted[1] * factor))
    tile = (min(native, size[0]), min(native, size[1]))
    corners = [(x, y) for y in _starts(size[1], tile[1], overlap) for x in _starts(size[0], tile[0], overlap)]
    if mask is not None:
        big = np.asarray(mask.resize(size, Image.Resampling.BILINEAR)) > 0
        corners = [(x, y) for x, y in corners if big[y : y + tile[1], x : x + tile[0]].any()]
    if not corners:
        return None
    inference = refine_inference_steps(steps)
    calls = variations * math.ceil(len(corners) / TILE_BATCH)
    return DetailPlan(size, tile, tuple(corners), overlap, inference, pass_steps(inference, STRENGTH), calls)


def tile_weight(tile: tuple[int, int], overlap: int, corner: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """A tile's blending weight: 1 inside, a raised-cosine ramp over the overlap on sides that meet a neighbour."""
    w, h = tile

    def ramp(n: int, start: bool, end: bool) -> np.ndarray:
        out = np.ones(n, np.float32)
        k = min(overlap, n // 2)
        edge = 0.5 - 0.5 * np.cos(np.pi * (np.arange(k, dtype=np.float32) + 0.5) / k)
        if start:
            out[:k] = np.minimum(out[:k], edge)
        if end:
            out[n - k :] = np.minimum(out[n - k :], edge[::-1])
        return out

    x, y = corner
    wx = ramp(w, x > 0, x + w < size[0])
    wy = ramp(h, y > 0, y + h < size[1])
    return np.outer(wy, wx) + 1e-4


def blend_tiles(base: Image.Image, tiles: list[Image.Image], plan: DetailPlan) -> Image.Image:
    """The refined tiles laid over ``base`` (the upscaled painting) with their feathered weights."""
    acc = np.zeros((plan.size[1], plan.size[0], 3), np.float32)
    weight = np.zeros((plan.size[1], plan.size[0]), np.float32)
    for (x, y), tile in zip(plan.tiles, tiles, strict=True):
        w = tile_weight(plan.tile, plan.overlap, (x, y), plan.size)
        acc[y : y + plan.tile[1], x : x + plan.tile[0]] += np.asarray(tile, np.float32) * w[..., None]
        weight[y : y + plan.tile[1], x : x + plan.tile[0]] += w
    out = np.asarray(base.convert("RGB"), np.float32).copy()
    covered = weight > 0
    out[covered] = acc[covered] / weight[covered][:, None]
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")
