"""Find the wall and what must not be painted: SegFormer (ADE20K) labels at low resolution, cleaned, scaled.

One segmentation serves both: the wall ("wall") and the keep-outs, things in front of or set into a wall
that a painter leaves alone (windows, doors, people, plants, cars, signs, poles, railings, …). Cleaning
happens on the model's small label map (e.g. 128×128), so it costs the same for any photo size:
morphological open/close, keep the meaningful connected parts (OpenCV), fill small holes — but never a
hole that is a keep-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import cv2
import numpy as np
from PIL import Image

from .errors import PaintError

if TYPE_CHECKING:
    import torch

MIN_WALL_FRACTION: Final = 0.02  # of the photo; smaller finds are noise, not a wall worth painting
KEEP_FRACTION: Final = 0.15  # a part is kept when at least this share of the largest part
MAX_HOLE_FRACTION: Final = 0.05  # holes up to this share of the photo are filled (posters, stains) unless kept out

#: ADE20K classes a mural never covers (by name, so any ADE20K-labelled model works)
KEEP_OUT: Final = frozenset(
    {
        "windowpane",
        "door",
        "screen door",
        "double door",
        "person",
        "tree",
        "palm",
        "plant",
        "flower",
        "car",
        "bus",
        "truck",
        "van",
        "bicycle",
        "minibike",
        "boat",
        "signboard",
        "trade name",
        "pole",
        "streetlight",
        "traffic light",
        "railing",
        "bannister",
        "fence",
        "awning",
        "canopy",
        "curtain",
        "blind",
        "sconce",
        "lamp",
        "light",
        "clock",
        "flag",
        "animal",
        "bench",
        "ashcan",
        "sculpture",
        "mirror",
        "television receiver",
        "screen",
        "crt screen",
        "monitor",
        "fan",
    }
)


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The model's label map (small) and what its ids mean."""

    labels: np.ndarray  # int, model resolution
    id2label: dict[int, str]

    def ids(self, names: frozenset[str] | set[str]) -> list[int]:
        return [i for i, n in self.id2label.items() if str(n).strip().lower() in names]

    @property
    def wall(self) -> np.ndarray:
        return np.isin(self.labels, self.ids({"wall"}) or [0])

    @property
    def keep_out(self) -> np.ndarray:
        return np.isin(self.labels, self.ids(KEEP_OUT))


def wall_label_id(id2label: dict[Any, str]) -> int:
    """The "wall" class id in a model's labels (0 in ADE20K)."""
    for key, name in id2label.items():
        if str(name).strip().lower() == "wall":
            return int(key)
    return 0


def label_components(binary: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected components of a boolean map (OpenCV). Returns labels (0 = background, 1..n) and n."""
    count, labels = cv2.connectedComponents(binary.astype(np.uint8), connectivity=4, ltype=cv2.CV_32S)
    return labels, int(count) - 1


def clean_wall(binary: np.ndarray, keep_out: np.ndarray | None = None) -> np.ndarray:
    """Open/close away speckles and gaps, keep big parts, fill small holes that are not keep-outs.

    Boolean maps in and out; with ``keep_out`` its pixels are never wall (a window stays a hole).
    """
    kernel = np.ones((3, 3), np.uint8)
    img: np.ndarray = binary.astype(np.uint8)  # OpenCV's stubs type its results as a wider array
    img = cv2.morphologyEx(img, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_REPLICATE)
    img = cv2.morphologyEx(img, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    wall = img > 0
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
    if keep_out is not None:
        wall &= ~keep_out
    return wall


def preprocess(image: Image.Image, size: tuple[int, int], mean: list[float], std: list[float]) -> np.ndarray:
    """The processor's resize + rescale + normalise, done once with Pillow's reducing resize (fast at 12 MP)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")  # no full-size copy of an RGB photo
    small = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    arr: np.ndarray = np.asarray(small, dtype=np.float32) / 255.0
    arr = (arr - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(arr.transpose(2, 0, 1)[None])


def segment(model: Any, processor: Any, image: Image.Image, device: torch.device | str = "cpu") -> Segmentation:
    """Run the segmentation model once: the label map at the model's output resolution."""
    import torch

    size = processor.size
    hw = (int(size.get("width", 512)), int(size.get("height", 512))) if isinstance(size, dict) else (512, 512)
    pixels = torch.from_numpy(preprocess(image, hw, processor.image_mean, processor.image_std))
    dtype = next(model.parameters()).dtype
    with torch.inference_mode():
        logits = model(pixel_values=pixels.to(device=device, dtype=dtype)).logits
    labels = logits[0].argmax(0).cpu().numpy().astype(np.int32)
    return Segmentation(labels, {int(k): str(v) for k, v in model.config.id2label.items()})


def _to_photo(small: np.ndarray, size: tuple[int, int], threshold: int = 128) -> Image.Image:
    """A boolean label-resolution map at photo ``size``: bilinear upscale, then ≥ ``threshold`` (OpenCV, in
    place: a 12 MP mask costs a few ms, and the "L" image shares the array's memory)."""
    up = cv2.resize(small.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR)
    cv2.threshold(up, threshold - 1, 255, cv2.THRESH_BINARY, dst=up)
    return Image.fromarray(up, "L")


def wall_mask(seg: Segmentation, size: tuple[int, int], protect: bool = True) -> Image.Image:
    """The wall as an "L" 0/255 mask of ``size``; with ``protect`` its keep-outs are left out.

    ``no_wall_found`` when nothing big enough is wall.
    """
    keep = seg.keep_out if protect else None
    wall = clean_wall(seg.wall, keep)
    if clean_wall(seg.wall).mean() < MIN_WALL_FRACTION or wall.mean() < MIN_WALL_FRACTION / 2:
        raise PaintError("no_wall_found", "no wall was found in the photo; draw a box or a mask instead")
    return _to_photo(wall, size)


def keep_out_mask(seg: Segmentation, size: tuple[int, int]) -> Image.Image | None:
    """Keep-outs as an "L" 0/255 mask of ``size``, grown by one label cell (labels are coarse); None if none."""
    keep = seg.keep_out
    if not keep.any():
        return None
    grown = cv2.dilate(keep.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return _to_photo(grown, size, threshold=64)


def find_wall(
    model: Any, processor: Any, image: Image.Image, device: torch.device | str = "cpu", protect: bool = True
) -> Image.Image:
    """The wall as an "L" 0/255 mask of the photo's size (keep-outs left out with ``protect``)."""
    return wall_mask(segment(model, processor, image, device), image.size, protect)
