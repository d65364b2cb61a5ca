"""Blend "wall": the model's mural is paint (albedo); the wall keeps its light, shadow and texture.

A photo of a wall is, roughly, albedo × shading × (1 + texture): shading is the low-frequency light (sun,
shadows, gradients), texture the fine relief (cracks, brick joints, grain) at a few pixels' scale. Painting
a mural replaces the albedo and nothing else, so the result is ``mural × shading × (1 + texture)``. The
model paints on a *de-lit* photo (divided by its shading) so that it paints albedo, not the wall's shadows
twice. Near the seam the mural's colour is matched to the photo just outside the region, so that the
feathered edge shows no halo. Everything here runs on the crop (shading at low resolution), in float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np

SHADING_SIDE: Final = 192  # shading is estimated on the crop scaled to this long side (it is low-frequency)
SHADING_SIGMA: Final = 0.04  # of the long side: what counts as "light" rather than "paint"
TEXTURE_SIGMA: Final = 0.0025  # of the long side (≥ 1 px): finer than this is texture (joints, cracks, grain)
TEXTURE_GAIN: Final = 1.0
SHADING_RANGE: Final = (0.05, 2.5)
TEXTURE_RANGE: Final = (-0.75, 0.75)
_LUMA: Final = np.array([0.2126, 0.7152, 0.0722], np.float32)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luminance of uint8 or float RGB, as float32 in 0–1."""
    scale = 1 / 255 if rgb.dtype == np.uint8 else 1.0
    return (rgb[..., :3].astype(np.float32) @ (_LUMA * scale)).astype(np.float32)


def _masked_blur(values: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of ``values`` counting only where ``weight`` > 0 (normalised convolution)."""
    num = cv2.GaussianBlur(values * weight, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    den = cv2.GaussianBlur(weight, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    fallback = float((values * weight).sum() / max(float(weight.sum()), 1e-6)) if weight.any() else float(values.mean())
    return np.where(den > 1e-3, num / np.maximum(den, 1e-6), fallback).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Shading:
    """The wall's light over a crop, at low resolution: 1 = the wall's typical brightness."""

    small: np.ndarray  # float32 (h, w)

    @classmethod
    def estimate(cls, photo: np.ndarray, region: np.ndarray) -> Shading:
        """From a photo crop (uint8 RGB, any size) and its region (bool/uint8, same size)."""
        h, w = region.shape[:2]
        k = min(1.0, SHADING_SIDE / max(h, w))
        size = (max(2, round(w * k)), max(2, round(h * k)))
        lum = cv2.resize(luminance(photo), size, interpolation=cv2.INTER_AREA)
        weight = cv2.resize((region > 0).astype(np.float32), size, interpolation=cv2.INTER_AREA)
        if not (weight > 0.5).any():
            return cls(np.ones(size[::-1], np.float32))
        low = _masked_blur(lum, (weight > 0.5).astype(np.float32), SHADING_SIGMA * max(size))
        reference = float(np.median(low[weight > 0.5]))
        return cls(np.clip(low / max(reference, 1e-3), *SHADING_RANGE).astype(np.float32))

    def at(self, size: tuple[int, int], box: tuple[float, float, float, float] | None = None) -> np.ndarray:
        """The shading resampled to ``size`` (W, H), of the part ``box`` (l, t, r, b as 0–1 fractions)."""
        src = self.small
        if box is not None:
            h, w = src.shape
            left, t, r, b = box
            x0, y0 = left * w, t * h
            sx, sy = (r - left) * w / size[0], (b - t) * h / size[1]
            m = np.array([[sx, 0, x0 + 0.5 * sx - 0.5], [0, sy, y0 + 0.5 * sy - 0.5]], np.float32)
            return cv2.warpAffine(
                src, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
            )
        return cv2.resize(src, size, interpolation=cv2.INTER_LINEAR)


def gray(image: np.ndarray) -> np.ndarray:
    """uint8 luminance of uint8 RGB (OpenCV's SIMD conversion)."""
    return cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)


def relief(photo: np.ndarray, scale_side: int | None = None) -> np.ndarray:
    """The photo's fine relief as a ratio to its local mean (1 = flat; joints and cracks < 1), clipped.

    The local mean is a blur at ``TEXTURE_SIGMA`` of ``scale_side`` (the crop's long side), computed at a
    quarter of the resolution when that is coarse enough: the same result for a fraction of the time.
    """
    lum = gray(photo)
    h, w = lum.shape
    sigma = max(1.0, TEXTURE_SIGMA * (scale_side or max(h, w)))
    k = max(1, min(4, int(sigma // 2)))
    if k > 1:
        small = cv2.resize(lum, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
        local = cv2.resize(cv2.GaussianBlur(small, (0, 0), sigma / k), (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        local = cv2.GaussianBlur(lum, (0, 0), sigma)
    ratio = cv2.divide(lum, np.maximum(local, 5), dtype=cv2.CV_32F)
    lo, hi = 1 + TEXTURE_RANGE[0], 1 + TEXTURE_RANGE[1]
    return np.clip(ratio, lo, hi, out=ratio)


def texture(photo: np.ndarray, scale_side: int | None = None) -> np.ndarray:
    """The photo's fine relief as a relative deviation (0 = flat)."""
    return relief(photo, scale_side) - 1.0


def light_field(photo: np.ndarray, shading: np.ndarray, scale_side: int | None = None) -> np.ndarray:
    """What multiplies the paint: the wall's shading × its relief, float32 (h, w)."""
    out = relief(photo, scale_side)
    if TEXTURE_GAIN != 1.0:
        out = 1.0 + TEXTURE_GAIN * (out - 1.0)
    return cv2.multiply(out, shading, dtype=cv2.CV_32F)


def delight(image: np.ndarray, shading: Shading) -> np.ndarray:
    """The photo (uint8 RGB) divided by its shading: the wall as if evenly lit, for the model to paint on."""
    s = shading.at((image.shape[1], image.shape[0]))
    out = image[..., :3].astype(np.float32) / s[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blend_wall(photo: np.ndarray, mural: np.ndarray, light: np.ndarray, band: np.ndarray | None = None) -> np.ndarray:
    """``mural × light`` as uint8 RGB (light = shading × relief), colour-matched to the photo in ``band``.

    ``photo`` and ``mural`` are uint8 RGB of one size, ``light`` float32 of that size; ``band`` (uint8 0–255)
    weighs the feather band beyond the region, where the seam is matched.
    """
    # per channel, so the light is never tripled into a 3-channel float image (same products, same rounding)
    channels = cv2.split(np.ascontiguousarray(mural[..., :3]))
    out = cv2.merge([cv2.multiply(c, light, dtype=cv2.CV_8U) for c in channels])
    if band is not None:
        match_seam(photo[..., :3], out, band)
    return out


def match_seam(photo: np.ndarray, painted: np.ndarray, band: np.ndarray) -> None:
    """Pull the painting's low-frequency colour to the photo's in the band beyond the region (in place).

    The correction (the photo minus the painting, smoothed over the band at low resolution) is sampled and
    applied at the band's pixels only, so the mural inside keeps its colours and the feathered edge blends
    into matching pixels, not a halo.
    """
    points = cv2.findNonZero(band)  # x, y pairs: the band is a thin ring, a fraction of the patch
    if points is None:
        return
    h, w = band.shape
    points = points.reshape(-1, 2)
    xs, ys = points[:, 0], points[:, 1]
    flat = ys.astype(np.int64) * w + xs  # gather and scatter by flat index: far cheaper than (ys, xs) pairs
    pixels = np.ascontiguousarray(photo).reshape(-1, 3)
    out = painted.reshape(-1, 3)  # a view: painted is the contiguous result being built
    before = np.take(out, flat, axis=0).astype(np.float32)
    k = min(1.0, SHADING_SIDE / max(h, w))
    size = (max(2, round(w * k)), max(2, round(h * k)))
    # the band's colour difference, averaged onto a small grid from the band's own pixels (no full-size pass)
    row_cell = np.minimum((np.arange(h) * k).astype(np.int64), size[1] - 1) * size[0]  # per row/column tables:
    col_cell = np.minimum((np.arange(w) * k).astype(np.int64), size[0] - 1)  # the same values, looked up
    cells = row_cell[ys] + col_cell[xs]
    delta = np.take(pixels, flat, axis=0).astype(np.float32) - before
    count = np.bincount(cells, minlength=size[0] * size[1]).astype(np.float32)
    sums = np.stack([np.bincount(cells, delta[:, c], minlength=size[0] * size[1]) for c in range(3)], axis=-1)
    diff = (sums / np.maximum(count, 1)[:, None]).astype(np.float32).reshape(size[1], size[0], 3)
    weight = (count > 0).astype(np.float32).reshape(size[1], size[0])
    sigma = max(1.0, 0.02 * max(size))
    correction = np.stack([_masked_blur(diff[..., c], weight, sigma) for c in range(3)], axis=-1)
    n, cols = flat.size, 1024  # remap takes maps of under 32767 rows: lay the points out in rows of 1024
    rows = -(-n // cols)
    mx = np.zeros(rows * cols, np.float32)
    my = np.zeros(rows * cols, np.float32)
    mx[:n] = ((np.arange(w, dtype=np.float32) + 0.5) * (size[0] / w) - 0.5)[xs]
    my[:n] = ((np.arange(h, dtype=np.float32) + 0.5) * (size[1] / h) - 0.5)[ys]
    sampled = cv2.remap(
        correction, mx.reshape(rows, cols), my.reshape(rows, cols), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).reshape(-1, 3)[:n]
    amount = np.take(band.reshape(-1), flat).astype(np.float32)[:, None] / 255.0
    values = before + sampled * amount
    out[flat] = np.clip(values + 0.5, 0, 255).astype(np.uint8)
    if not np.shares_memory(out, painted):  # painted was not contiguous: reshape copied it
        painted[...] = out.reshape(painted.shape)


def brightness_ratio(image: np.ndarray, dark: np.ndarray, lit: np.ndarray) -> float:
    """Mean luminance over ``dark`` divided by that over ``lit`` (both boolean masks): for tests and benches."""
    lum = luminance(image)
    return float(lum[dark].mean() / max(float(lum[lit].mean()), 1e-6))


def highpass_correlation(a: np.ndarray, b: np.ndarray, region: np.ndarray, sigma: float = 2.0) -> float:
    """Pearson correlation of two images' high-pass luminance inside ``region`` (bool)."""
    la, lb = luminance(a), luminance(b)
    ha = la - cv2.GaussianBlur(la, (0, 0), sigma)
    hb = lb - cv2.GaussianBlur(lb, (0, 0), sigma)
    x, y = ha[region], hb[region]
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / max(float(np.sqrt((x * x).sum() * (y * y).sum())), 1e-9))
