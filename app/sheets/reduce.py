"""Colour reduction: the mural's pixels → at most ``k`` paint colours of a palette.

k-means in CIELAB (scipy's ``kmeans2`` with k-means++ seeding from a fixed seed, so the same mural always
gives the same colours), then each cluster is named by its nearest palette colour (ΔE2000); clusters that
name the same paint become one colour. Work is done per distinct sRGB value, not per pixel: a mural has far
fewer distinct values than pixels, and flat artwork has only a handful.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2
from skimage.color import deltaE_ciede2000

from app.sheets.palette import PaintColor, Palette, srgb_to_lab

SAMPLE = 20_000  # pixels the clusters are fitted on (all of them when fewer)
ITERATIONS = 20
# clusters this close are the same paint to the eye (ΔE2000 ≈ 2.3 is a just-noticeable difference)
MERGE_DELTA_E = 5.0


class EmptyMural(ValueError):
    """No pixel of the image belongs to the mural."""


@dataclass(frozen=True)
class Reduction:
    labels: np.ndarray  # (H, W) int16: index into ``colors`` per pixel, -1 outside the mural
    colors: tuple[PaintColor, ...]
    delta_e: tuple[float, ...]  # ΔE2000 between each cluster's mean colour and the paint that names it


def reduce_colors(rgb: np.ndarray, valid: np.ndarray, k: int, palette: Palette, seed: int = 0) -> Reduction:
    """Label every valid pixel of ``rgb`` (H, W, 3 uint8) with one of at most ``k`` palette colours."""
    pixels = rgb[valid]
    if len(pixels) == 0:
        raise EmptyMural("the mural has no pixels")
    # 6 bits a channel: a bin is at most ΔE ≈ 1 wide, and a noisy mural has far fewer bins than pixels
    bins = pixels.astype(np.int32) >> 2
    values, inverse = np.unique((bins[:, 0] << 12) | (bins[:, 1] << 6) | bins[:, 2], return_inverse=True)
    centres = np.stack([values >> 12, (values >> 6) & 0x3F, values & 0x3F], axis=1) * 4 + 2
    unique_lab = srgb_to_lab(np.minimum(centres, 255).astype(np.uint8))

    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(pixels), size=SAMPLE, replace=False)) if len(pixels) > SAMPLE else None
    sample = inverse if picked is None else inverse[picked]
    k_eff = min(k, len(np.unique(sample)))
    if k_eff <= 1:
        centroids = unique_lab[sample[:1]]
    else:
        with warnings.catch_warnings():  # an empty cluster is dropped below, not an error
            warnings.simplefilter("ignore")
            centroids, _ = kmeans2(unique_lab[sample], k_eff, iter=ITERATIONS, minit="++", rng=rng)

    # every distinct value goes to its nearest centroid (Lab distance, as k-means itself measures)
    distances = (centroids**2).sum(axis=1)[None, :] - 2 * unique_lab @ centroids.T
    cluster_of_value = np.argmin(distances, axis=1)
    weight = np.bincount(inverse, minlength=len(values))
    counts = np.bincount(cluster_of_value, weights=weight, minlength=len(centroids))
    used = np.flatnonzero(counts)
    # the mean colour of each cluster, recomputed on every pixel
    sums = np.zeros((len(centroids), 3))
    np.add.at(sums, cluster_of_value, unique_lab * weight[:, None])
    group = _merge_close(sums[used] / counts[used, None], counts[used])
    # groups, then paints: clusters named by the same paint are one colour
    means = np.array(
        [(sums[used][group == g]).sum(axis=0) / counts[used][group == g].sum() for g in range(group.max() + 1)]
    )
    paint_index, delta = palette.nearest(means)
    slots: dict[int, int] = {}
    slot_delta: list[float] = []
    slot_of_group = np.empty(len(means), dtype=np.int16)
    for g, (paint, d) in enumerate(zip(paint_index, delta, strict=True)):
        if int(paint) not in slots:
            slots[int(paint)] = len(slots)
            slot_delta.append(float(d))
        slot_of_group[g] = slots[int(paint)]
    slot_of_cluster = np.full(len(centroids), -1, dtype=np.int16)
    slot_of_cluster[used] = slot_of_group[group]
    labels = np.full(valid.shape, -1, dtype=np.int16)
    labels[valid] = slot_of_cluster[cluster_of_value[inverse]]
    colors = tuple(palette.colors[p] for p in slots)
    return Reduction(labels=labels, colors=colors, delta_e=tuple(slot_delta))


def _merge_close(means: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Group clusters closer than ``MERGE_DELTA_E`` (nearest pair first): one paint, not two that match."""
    group = np.arange(len(means))
    current = [(means[i] * counts[i], float(counts[i])) for i in range(len(means))]
    alive = list(range(len(means)))
    while len(alive) > 1:
        lab = np.array([current[i][0] / current[i][1] for i in alive])
        d = deltaE_ciede2000(lab[:, None, :], lab[None, :, :])
        np.fill_diagonal(d, np.inf)
        i, j = np.unravel_index(np.argmin(d), d.shape)
        if d[i, j] >= MERGE_DELTA_E:
            break
        keep, gone = alive[min(i, j)], alive[max(i, j)]
        current[keep] = (current[keep][0] + current[gone][0], current[keep][1] + current[gone][1])
        group[group == gone] = keep
        alive.remove(gone)
    return np.unique(group, return_inverse=True)[1]
