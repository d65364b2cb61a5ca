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
            l, t, r, b = box
            x0, y0 = l * w, t * h
            sx, sy = (r - l) * w / size[0], (b - t) * h / size[1]
            m = np.float32([[sx, 0, x0 + 0.5 * sx - 0.5], [0, sy, y0 + 0.5 * sy - 0.5]])
            return cv2.warpAffine(src, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE)
        return cv2.resize(src, size, interpolation=cv2.INTER_LINEAR)


def texture(photo: np.ndarray, scale_side: int | None = None) -> np.ndarray:
    """The photo's fine relief as a relative deviation (0 = flat): L / blur(L) − 1, clipped."""
    lum = luminance(photo)
    side = scale_side or max(lum.shape)
    sigma = max(1.0, TEXTURE_SIGMA * side)
    local = cv2.GaussianBlur(lum, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return np.clip(lum / np.maximum(local, 0.02) - 1.0, *TEXTURE_RANGE).astype(np.float32)


def delight(image: np.ndarray, shading: Shading) -> np.ndarray:
    """The photo (uint8 RGB) divided by its shading: the wall as if evenly lit, for the model to paint on."""
    s = shading.at((image.shape[1], image.shape[0]))
    out = image[..., :3].astype(np.float32) / s[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blend_wall(photo: np.ndarray, mural: np.ndarray, shading: np.ndarray, relief: np.ndarray,
               outside: np.ndarray | None = None) -> np.ndarray:
    """``mural × shading × (1 + relief)`` as uint8 RGB, colour-matched to the photo where ``outside`` > 0.

    ``photo`` and ``mural`` are uint8 RGB of one size, ``shading``/``relief`` float32 of that size;
    ``outside`` (float 0–1) marks the feather band beyond the region, where the seam is matched.
    """
    light = (shading * (1.0 + TEXTURE_GAIN * relief))[..., None]
    out = mural[..., :3].astype(np.float32) * light
    if outside is not None and outside.any():
        out = match_seam(photo[..., :3].astype(np.float32), out, outside)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def match_seam(photo: np.ndarray, painted: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Pull the painting's low-frequency colour to the photo's in the band beyond the region.

    The correction (the photo minus the painting, smoothed over the band) is applied in the band only, so
    the mural inside keeps its colours and the feathered edge blends into matching pixels, not a halo.
    """
    h, w = outside.shape
    k = min(1.0, SHADING_SIDE / max(h, w))
    size = (max(2, round(w * k)), max(2, round(h * k)))
    band = cv2.resize(outside.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    diff = cv2.resize(photo - painted, size, interpolation=cv2.INTER_AREA)
    sigma = max(1.0, 0.02 * max(size))
    weight = (band > 0.05).astype(np.float32)
    correction = np.stack([_masked_blur(diff[..., c], weight, sigma) for c in range(3)], axis=-1)
    correction = cv2.resize(correction, (w, h), interpolation=cv2.INTER_LINEAR)
    return painted + correction * outside[..., None]


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
