"""Synthetic murals for the sheet tests: flat paint patches (with a little noise), and PNG bytes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from app.sheets.palette import load_palette

# five RAL paints far apart, and the share of the mural each patch covers
PATCHES = (("RAL 3020", 0.375), ("RAL 5015", 0.25), ("RAL 6018", 0.1875), ("RAL 1023", 0.125), ("RAL 9016", 0.0625))


def patch_mural(width: int = 640, height: int = 320, noise: float = 3.0, shift: int = 2, seed: int = 0) -> np.ndarray:
    """Vertical bands of the PATCHES' paints (each nudged by ``shift`` levels), in their shares."""
    palette = load_palette()
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), dtype=np.float64)
    x = 0
    for i, (code, share) in enumerate(PATCHES):
        end = width if i == len(PATCHES) - 1 else x + round(share * width)
        image[:, x:end] = np.array(palette.find(code).rgb, dtype=np.float64) + shift * (1 if i % 2 else -1)
        x = end
    image += rng.normal(0, noise, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def patch_colors(image: np.ndarray) -> list[np.ndarray]:
    """The mean sRGB of each band of ``patch_mural`` (what the sheet should recover)."""
    width = image.shape[1]
    out, x = [], 0
    for i, (_, share) in enumerate(PATCHES):
        end = width if i == len(PATCHES) - 1 else x + round(share * width)
        out.append(image[:, x:end].reshape(-1, 3).mean(axis=0))
        x = end
    return out


def blobs(width: int = 512, height: int = 256, seed: int = 3) -> np.ndarray:
    """A busy, mural-like image: smooth colour fields, hard shapes and texture."""
    import cv2

    rng = np.random.default_rng(seed)
    field = rng.random((height // 24 + 1, width // 24 + 1, 3)).astype(np.float32)
    image = np.clip(cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC), 0, 1) * 255
    for _ in range(12):
        center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        cv2.circle(image, center, int(rng.integers(10, 60)), color, -1)
    image += rng.normal(0, 4, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()
