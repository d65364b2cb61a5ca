"""Find the wall: SegFormer (ADE20K) labels at low resolution, cleaned, then scaled to the photo.

Cleaning happens on the model's small label map (e.g. 128×128), so it costs the same for any photo size:
morphological open/close, keep the meaningful connected parts, fill small holes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
from PIL import Image, ImageFilter

from .errors import PaintError

if TYPE_CHECKING:
    import torch

MIN_WALL_FRACTION: Final = 0.02  # of the photo; smaller finds are noise, not a wall worth painting
KEEP_FRACTION: Final = 0.15  # a part is kept when at least this share of the largest part
MAX_HOLE_FRACTION: Final = 0.05  # holes up to this share of the photo are filled (posters, stains, signs)


def wall_label_id(id2label: dict[Any, str]) -> int:
    """The "wall" class id in a model's labels (0 in ADE20K)."""
    for key, name in id2label.items():
        if str(name).strip().lower() == "wall":
            return int(key)
    return 0


def label_components(binary: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected components of a small boolean map by vectorised min-label propagation (no scipy).

    Returns labels (0 = background, 1..n) and n.
    """
    h, w = binary.shape
    big = np.iinfo(np.int32).max
    labels = np.where(binary, np.arange(1, h * w + 1, dtype=np.int32).reshape(h, w), big)
    while True:
        padded = np.pad(labels, 1, constant_values=big)
        neighbours = np.minimum.reduce([
            padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:], labels,
        ])
        updated = np.where(binary, neighbours, big)
        # pointer jumping: follow each label to its own current label (labels are flat indices + 1)
        flat = updated.ravel()
        inside = flat != big
        flat[inside] = np.minimum(flat[inside], flat[flat[inside] - 1])
        if np.array_equal(updated, labels):
            break
        labels = updated
    uniques, dense = np.unique(labels, return_inverse=True)
    dense = dense.reshape(h, w).astype(np.int32) + 1
    if uniques[-1] == big:
        dense[labels == big] = 0
        return dense, len(uniques) - 1
    return dense, len(uniques)


def clean_wall(binary: np.ndarray) -> np.ndarray:
    """Open/close away speckles and gaps, keep big parts, fill small holes; boolean map in and out."""
    img = Image.fromarray(binary.astype(np.uint8) * 255, "L")
    img = img.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))  # open
    img = img.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.MinFilter(3))  # close
    wall = np.asarray(img) > 127
    total = wall.size
    labels, n = label_components(wall)
    if n:
        areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
        keep = (areas >= KEEP_FRACTION * areas.max()) & (areas >= MIN_WALL_FRACTION * total)
        wall = keep[labels - 1] & (labels > 0)
    holes, m = label_components(~wall)
    if m:
        border = np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]]))
        areas = np.bincount(holes.ravel(), minlength=m + 1)
        fill = areas <= MAX_HOLE_FRACTION * total
        fill[border] = False
        fill[0] = False
        wall |= fill[holes]
    return wall


def preprocess(image: Image.Image, size: tuple[int, int], mean: list[float], std: list[float]) -> np.ndarray:
    """The processor's resize + rescale + normalise, done once with Pillow's reducing resize (fast at 12 MP)."""
    small = image.convert("RGB").resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    arr = np.asarray(small, dtype=np.float32) / 255.0
    arr = (arr - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(arr.transpose(2, 0, 1)[None])


def find_wall(model: Any, processor: Any, image: Image.Image, device: torch.device | str = "cpu") -> Image.Image:
    """The wall as an "L" 0/255 mask of the photo's size; ``no_wall_found`` when nothing big enough is wall."""
    import torch

    size = processor.size
    hw = (int(size.get("width", 512)), int(size.get("height", 512))) if isinstance(size, dict) else (512, 512)
    pixels = torch.from_numpy(preprocess(image, hw, processor.image_mean, processor.image_std))
    dtype = next(model.parameters()).dtype
    with torch.inference_mode():
        logits = model(pixel_values=pixels.to(device=device, dtype=dtype)).logits
    labels = logits[0].argmax(0).cpu().numpy()
    wall = clean_wall(labels == wall_label_id(model.config.id2label))
    if wall.mean() < MIN_WALL_FRACTION:
        raise PaintError("no_wall_found", "no wall was found in the photo; draw a box or a mask instead")
    small = Image.fromarray(wall.astype(np.uint8) * 255, "L")
    return small.resize(image.size, Image.Resampling.BILINEAR).point(lambda v: 255 if v >= 128 else 0)
