"""Quads: paint the wall flat, then lay the mural back onto the photo with the plane's perspective (OpenCV).

``rectify`` warps the quad's part of the photo crop to a flat rectangle at the model's native size (aspect
from ``wall_size_m`` or the quad's sides); the model paints that; ``unwarp`` maps the flat painting back
into photo pixels over the alpha's box, where compose blends it like any other mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from .blend import Shading, delight
from .compose import Prepared
from .geometry import flat_size, homography, side_lengths


@dataclass(frozen=True, slots=True)
class Flat:
    """The rectified wall: what the model paints on, and how to get back to the photo."""

    points: list[list[float]]
    size: tuple[int, int]  # (W, H) the model paints at
    to_crop: np.ndarray  # 3×3: flat pixels → crop pixels (photo resolution)
    image: Image.Image  # RGB (W, H): the wall as seen straight on
    mask: Image.Image  # L 0/255 (W, H): what the model paints (keep-outs removed)
    artwork_size: tuple[int, int]  # the flat mural's stored size: exactly the promised aspect
    footprint: tuple[float, float]  # the quad's mean width and height in photo pixels


def artwork_size(points: list[list[float]], wall_size_m: list[float] | None, long_side: int) -> tuple[int, int]:
    """The artwork's size: long side ``long_side``, aspect exactly ``wall_size_m``'s or the quad's sides'."""
    if wall_size_m:
        aspect = float(wall_size_m[0]) / float(wall_size_m[1])
    else:
        w, h = side_lengths(points)
        aspect = w / h
    if aspect >= 1:
        return long_side, max(1, round(long_side / aspect))
    return max(1, round(long_side * aspect)), long_side


def rectify(
    photo: Image.Image,
    prepared: Prepared,
    points: list[list[float]],
    wall_size_m: list[float] | None,
    native: int,
    keep_out: Image.Image | None,
    shading: Shading | None,
) -> Flat:
    """Warp the quad flat. The crop is first reduced to about the flat's resolution (no aliasing)."""
    size = flat_size(points, wall_size_m, native)
    bx, by, br, bb = prepared.plan.box
    cw, ch = br - bx, bb - by
    to_crop = homography(points, size, offset=(bx, by))
    footprint = side_lengths(points)
    k = min(1.0, 1.25 * math.sqrt(size[0] * size[1] / max(footprint[0] * footprint[1], 1.0)))
    src_size = (max(1, round(cw * k)), max(1, round(ch * k)))
    # reducing_gap 1: an integer box reduce first (cheap at 12 MP), then an antialiased bilinear over ≥ 1 px;
    # the 1.25 oversampling above keeps the warp below from aliasing
    src = photo.resize(src_size, Image.Resampling.BILINEAR, box=prepared.plan.box, reducing_gap=1.0)
    src_np = np.asarray(src if src.mode == "RGB" else src.convert("RGB"))
    if shading is not None:  # blend "wall": the model paints on the evenly lit wall
        src_np = delight(src_np, shading)
    to_src = np.diag([src_size[0] / cw, src_size[1] / ch, 1.0]) @ to_crop
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    flat = cv2.warpPerspective(src_np, to_src, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    mask = np.full((size[1], size[0]), 255, np.uint8)
    if keep_out is not None:
        keep = np.asarray(keep_out.resize(src_size, Image.Resampling.BILINEAR, box=prepared.plan.box, reducing_gap=1.5))
        keep_flat = cv2.warpPerspective(keep, to_src, size, flags=flags, borderMode=cv2.BORDER_CONSTANT)
        mask[keep_flat > 0] = 0
    return Flat(
        points,
        size,
        to_crop,
        Image.fromarray(flat, "RGB"),
        Image.fromarray(mask, "L"),
        artwork_size(points, wall_size_m, max(size)),
        footprint,
    )


def unwarp_array(painted: Image.Image, flat: Flat, prepared: Prepared) -> np.ndarray:
    """The flat painting (any resolution of the flat's aspect) in photo pixels over the alpha's box, uint8 RGB.

    Only the alpha's box is warped (the homography shifted onto it), straight from the painting's pixels.
    """
    left, t, r, b = prepared.alpha_box
    fw, fh = painted.size
    scale = np.diag([flat.size[0] / fw, flat.size[1] / fh, 1.0])
    shift = np.array([[1.0, 0, -left], [0, 1.0, -t], [0, 0, 1.0]])
    to_patch = shift @ flat.to_crop @ scale
    src = np.asarray(painted if painted.mode == "RGB" else painted.convert("RGB"))
    footprint_long = max(flat.footprint)
    if footprint_long < max(fw, fh) / 1.5:  # shrinking a lot: pre-reduce so that the warp does not alias
        k = footprint_long / max(fw, fh)
        small = (max(8, round(fw * k)), max(8, round(fh * k)))
        src = cv2.resize(src, small, interpolation=cv2.INTER_AREA)
        to_patch = to_patch @ np.diag([fw / small[0], fh / small[1], 1.0])
    return cv2.warpPerspective(
        src, to_patch, (r - left, b - t), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def unwarp(painted: Image.Image, flat: Flat, prepared: Prepared) -> Image.Image:
    """``unwarp_array`` as an RGB image."""
    return Image.fromarray(unwarp_array(painted, flat, prepared), "RGB")
