"""Regions of a colour-labelled mural: denoise, merge what is too small to paint, place the numbers.

All of it works on the label image (one paint index per pixel, -1 outside the mural) with array operations:
a majority filter removes speckle without inventing colours (a per-channel RGB median would), then
regions below the minimum area take the colour of the neighbour they share the longest border with,
until none is left. A small piece with no neighbour at all (a crumb of the painted region) is not part
of the mural.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage
from skimage.measure import label as connected

MAX_ROUNDS = 50


@dataclass(frozen=True)
class Regions:
    ids: np.ndarray  # (H, W) int32: region id per pixel, 0 outside the mural
    color: np.ndarray  # (n + 1,) int16: colour index of each region id (-1 for 0)

    @property
    def count(self) -> int:
        return len(self.color) - 1


def majority_filter(labels: np.ndarray, n_colors: int, size: int) -> np.ndarray:
    """Each mural pixel takes the most frequent colour in its ``size``×``size`` window (ties: lower index)."""
    if size < 2 or n_colors < 2:
        return labels
    inside = labels >= 0
    votes = np.empty((n_colors,) + labels.shape, dtype=np.uint8)  # a 7×7 window counts at most 49
    for c in range(n_colors):
        votes[c] = cv2.boxFilter(
            (labels == c).view(np.uint8), -1, (size, size), normalize=False, borderType=cv2.BORDER_REPLICATE
        )
    out = np.argmax(votes, axis=0).astype(labels.dtype)
    out[~inside] = -1
    return out


def find_regions(labels: np.ndarray) -> Regions:
    ids = connected(labels.astype(np.int32) + 1, background=0, connectivity=1).astype(np.int32)
    n = int(ids.max())
    color = np.full(n + 1, -1, dtype=np.int16)
    flat_ids = ids.ravel()
    flat_labels = labels.ravel()
    inside = flat_ids > 0
    color[flat_ids[inside]] = flat_labels[inside]
    return Regions(ids=ids, color=color)


def _neighbour_pairs(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) for every 4-connected pixel pair of two different regions, both directions."""
    pairs_a, pairs_b = [], []
    for x, y in ((ids[:, :-1], ids[:, 1:]), (ids[:-1, :], ids[1:, :])):
        differ = (x != y) & (x > 0) & (y > 0)
        a, b = x[differ], y[differ]
        pairs_a += [a, b]
        pairs_b += [b, a]
    return np.concatenate(pairs_a), np.concatenate(pairs_b)


def merge_small(labels: np.ndarray, min_px: int) -> tuple[np.ndarray, Regions]:
    """Recolour regions smaller than ``min_px`` pixels into their best neighbour until none is left."""
    labels = labels.copy()
    for _ in range(MAX_ROUNDS):
        regions = find_regions(labels)
        n = regions.count
        area = np.bincount(regions.ids.ravel(), minlength=n + 1)
        small = area < min_px
        small[0] = False
        if not small.any():
            return labels, regions
        a, b = _neighbour_pairs(regions.ids)
        keep = small[a]
        a, b = a[keep], b[keep]
        has_neighbour = np.zeros(n + 1, dtype=bool)
        has_neighbour[a] = True
        isolated = small & ~has_neighbour
        if isolated.any():  # crumbs with no neighbour leave the mural
            labels[isolated[regions.ids]] = -1
        if len(a):
            key, shared = np.unique(a.astype(np.int64) * (n + 1) + b, return_counts=True)
            pa, pb = key // (n + 1), key % (n + 1)
            # per small region: the longest shared border, then the larger neighbour, then the lower id
            order = np.lexsort((pb, -area[pb], -shared, pa))
            pa, pb = pa[order], pb[order]
            first = np.ones(len(pa), dtype=bool)
            first[1:] = pa[1:] != pa[:-1]
            src, dst = pa[first], pb[first]
            # two small regions pointing at each other: only the smaller one (by area, then id) moves
            ok = ~small[dst] | (area[dst] > area[src]) | ((area[dst] == area[src]) & (dst > src))
            src, dst = src[ok], dst[ok]
            new_color = regions.color.copy()
            new_color[src] = regions.color[dst]
            moved = np.zeros(n + 1, dtype=bool)
            moved[src] = True
            where = moved[regions.ids]
            labels[where] = new_color[regions.ids[where]]
    raise RuntimeError("small regions did not converge")  # pragma: no cover - each round merges the smallest


@dataclass(frozen=True)
class Spot:
    """Where a region's number goes: the point farthest from its border, and that distance (pixels)."""

    region: int
    x: float
    y: float
    radius: float


def place_numbers(ids: np.ndarray) -> list[Spot]:
    """One spot per region id present in ``ids``, inside the region, as far from its outline as possible."""
    n = int(ids.max())
    if n == 0:
        return []
    border = np.zeros(ids.shape, dtype=bool)
    horizontal = ids[:, 1:] != ids[:, :-1]
    vertical = ids[1:, :] != ids[:-1, :]
    border[:, 1:] |= horizontal
    border[:, :-1] |= horizontal
    border[1:, :] |= vertical
    border[:-1, :] |= vertical
    free = np.pad(~border & (ids > 0), 1)  # the image edge is a border too
    distance = np.round(ndimage.distance_transform_edt(free)[1:-1, 1:-1], 3)
    present = np.flatnonzero(np.bincount(ids.ravel(), minlength=n + 1))
    present = present[present > 0]
    best = np.zeros(n + 1)
    best[present] = ndimage.maximum(distance, ids, present)
    # the first pixel (in reading order) at the region's largest distance: ties broken the same way every time
    flat = ids.ravel()
    at = np.flatnonzero((distance.ravel() == best[flat]) & (flat > 0))
    regions, first = np.unique(flat[at], return_index=True)
    y, x = np.divmod(at[first], ids.shape[1])
    return [
        Spot(region=int(r), x=float(px), y=float(py), radius=float(best[r]))
        for r, px, py in zip(regions, x, y, strict=True)
    ]
