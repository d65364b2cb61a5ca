"""Plane geometry for walls photographed at an angle: quads, their flat size, homographies (OpenCV).

No torch here: the API process fits a suggested quad to a found wall with ``fit_quad``. Points are
[x, y] photo pixels; a quad is ordered top-left, top-right, bottom-right, bottom-left.
"""

from __future__ import annotations

import io
import math
from typing import Final

import cv2
import numpy as np
from PIL import Image

from .image import quad_problem

FIT_SIDE: Final = 512  # masks are fitted at this long side: the same cost for any photo size


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (by x+y and y−x, like a document scan)."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    s, d = pts.sum(axis=1), pts[:, 1] - pts[:, 0]
    ordered = np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])
    if len({tuple(p) for p in ordered.tolist()}) < 4:  # degenerate (a diamond): order by angle instead
        centre = pts.mean(axis=0)
        angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
        ordered = pts[np.argsort(angles)]  # clockwise on screen, starting at the left-up-most
        start = int(np.argmin(ordered.sum(axis=1)))
        ordered = np.roll(ordered, -start, axis=0)
    return ordered


def fit_quad_to_mask(mask: np.ndarray) -> list[list[float]] | None:
    """A quad fitted to the largest part of a boolean mask (polygon approximation, else its min-area box)."""
    h, w = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    part = (labels == biggest).astype(np.uint8)
    contours, _ = cv2.findContours(part, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.01, 0.02, 0.04, 0.06, 0.1):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float64)
            break
    if quad is None:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float64)
    quad[:, 0] = np.clip(quad[:, 0], 0, w)
    quad[:, 1] = np.clip(quad[:, 1], 0, h)
    return [[float(x), float(y)] for x, y in order_corners(quad)]


def fit_quad(mask_png: bytes) -> list[list[float]] | None:
    """A suggested wall quad for a found wall's mask PNG, in photo pixels; None when no valid quad fits."""
    mask = Image.open(io.BytesIO(mask_png)).convert("L")
    width, height = mask.size
    scale = min(1.0, FIT_SIDE / max(width, height))
    small = mask.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.NEAREST)
    quad = fit_quad_to_mask(np.asarray(small) > 127)
    if quad is None:
        return None
    sx, sy = width / small.width, height / small.height
    points = [[round(min(width, x * sx), 1), round(min(height, y * sy), 1)] for x, y in quad]
    return points if quad_problem(points, width, height) is None else None


def side_lengths(points: list[list[float]]) -> tuple[float, float]:
    """The quad's mean width (top and bottom sides) and mean height (left and right sides), in pixels."""
    p = np.asarray(points, dtype=np.float64)
    top, bottom = np.linalg.norm(p[1] - p[0]), np.linalg.norm(p[2] - p[3])
    left, right = np.linalg.norm(p[3] - p[0]), np.linalg.norm(p[2] - p[1])
    return float(top + bottom) / 2, float(left + right) / 2


def flat_size(
    points: list[list[float]],
    wall_size_m: list[float] | None,
    native: int,
    multiple: int = 8,
) -> tuple[int, int]:
    """The flat mural's size (W, H): aspect from ``wall_size_m`` or the quad's sides, area ≈ native².

    Both sides are multiples of ``multiple`` (the VAE's 8) and the long side is at least ``native``.
    """
    if wall_size_m:
        aspect = float(wall_size_m[0]) / float(wall_size_m[1])
    else:
        w, h = side_lengths(points)
        aspect = w / h
    aspect = min(max(aspect, 1 / 8), 8)
    width, height = native * math.sqrt(aspect), native / math.sqrt(aspect)
    long = max(width, height)
    if long < native:  # never here (area native² means long ≥ native); kept for clarity
        width, height = width * native / long, height * native / long
    if max(width, height) > 2 * native:  # very long walls: cap the long side, keep the aspect
        k = 2 * native / max(width, height)
        width, height = width * k, height * k
        if max(width, height) < native:
            k = native / max(width, height)
            width, height = width * k, height * k
    rw, rh = (max(multiple, int(round(v / multiple)) * multiple) for v in (width, height))
    return rw, rh


def homography(
    points: list[list[float]], size: tuple[int, int], offset: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """The 3×3 homography from the flat mural (``size`` W×H) onto the quad, optionally shifted by −offset."""
    w, h = size
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array(points, np.float32) - np.array(offset, np.float32)
    return cv2.getPerspectiveTransform(src, dst)
