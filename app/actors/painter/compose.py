"""Geometry around the model call: crop the photo around the mask, size it for the model, paste it back.

All heavy work happens on the crop (Pillow's and OpenCV's C code): a 12-megapixel photo is never converted
to float. Every pixel farther than ``grow + feather`` (≤ 48 px) from the mask, and every kept-out pixel
(a window, a door, …), is copied from the photo unchanged. ``compose`` lays the mural on the photo as paint
(blend "wall", see ``blend``) or as painted (blend "cover").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageFilter

from .blend import Shading, blend_wall, light_field
from .errors import PaintError

MAX_GROW: Final = 48
PAD_FRACTION: Final = 0.15
MIN_PAD: Final = 16
MAX_ASPECT: Final = 2.0
PREVIEW_SIDE: Final = 256


@dataclass(frozen=True, slots=True)
class CropPlan:
    """Where the model paints: ``box`` (left, top, right, bottom) in photo pixels, at ``model_size`` (W, H)."""

    box: tuple[int, int, int, int]
    model_size: tuple[int, int]
    edge: int  # grow and feather width in photo pixels

    @property
    def size(self) -> tuple[int, int]:
        return self.box[2] - self.box[0], self.box[3] - self.box[1]


@dataclass(frozen=True, slots=True)
class Prepared:
    """The model's inputs and what compose needs: the crop plan and the soft alpha over the crop."""

    plan: CropPlan
    image: Image.Image  # RGB at model size
    mask: Image.Image  # L 0/255 at model size: where the model repaints
    alpha: Image.Image  # L at crop size: how much of the painting shows
    alpha_box: tuple[int, int, int, int]  # the alpha's non-zero bounding box, in crop pixels
    region: Image.Image  # L 0/255 at crop size: the mask that is painted (keep-outs removed)


def edge_width(width: int, height: int) -> int:
    """Grow and feather width: ~0.8 % of the long side, 3–16 px, so the blend is visible but ≤ 32 px wide."""
    return max(3, min(MAX_GROW // 3, round(0.008 * max(width, height))))


def _round8(value: float) -> int:
    return max(64, int(round(value / 8)) * 8)


def _widen(lo: int, hi: int, want: int, limit: int) -> tuple[int, int]:
    """Grow [lo, hi) to length ``want`` around its centre, kept inside [0, limit)."""
    want = min(want, limit)
    extra = want - (hi - lo)
    if extra <= 0:
        return lo, hi
    lo = max(0, lo - extra // 2)
    hi = min(limit, lo + want)
    return hi - want, hi


def plan_crop(bbox: tuple[int, int, int, int], photo_size: tuple[int, int], native: int) -> CropPlan:
    """Pad the mask's bounding box with context, bound its aspect ratio, and size it to ~native² pixels."""
    width, height = photo_size
    edge = edge_width(width, height)
    left, top, right, bottom = bbox
    pad = max(MIN_PAD, int(PAD_FRACTION * max(right - left, bottom - top))) + 2 * edge
    left, top = max(0, left - pad), max(0, top - pad)
    right, bottom = min(width, right + pad), min(height, bottom + pad)
    w, h = right - left, bottom - top
    if w > MAX_ASPECT * h:
        top, bottom = _widen(top, bottom, math.ceil(w / MAX_ASPECT), height)
    elif h > MAX_ASPECT * w:
        left, right = _widen(left, right, math.ceil(h / MAX_ASPECT), width)
    w, h = right - left, bottom - top
    scale = native / math.sqrt(w * h)
    return CropPlan((left, top, right, bottom), (_round8(w * scale), _round8(h * scale)), edge)


def dilate(mask: Image.Image, radius: int) -> Image.Image:
    """Grow a 0/255 mask by ``radius`` px (box neighbourhood) in O(pixels): box blur, then any > 0."""
    if radius <= 0:
        return mask
    return mask.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v > 0 else 0)


def prepare_region(
    photo: Image.Image,
    mask: Image.Image,
    native: int,
    keep_out: Image.Image | None = None,
    plan: CropPlan | None = None,
) -> Prepared:
    """Crop photo and mask around the mask and scale them to the model's size; build the feathered alpha.

    The mask work runs at 1/f of the crop's resolution (f = edge/4, so 1 on small photos, 4 on 12 MP) and
    only the alpha is scaled back up: the soft edge then reaches at most 2·edge + 2·f ≤ 40 px past the mask.
    ``keep_out`` (L 0/255, photo-sized) is never painted: the alpha is zero there.
    """
    bbox = mask.getbbox()
    if bbox is None:
        raise PaintError("invalid_mask", "the region to paint is empty")
    plan = plan or plan_crop(bbox, photo.size, native)
    w, h = plan.size
    f = max(1, plan.edge // 4)
    radius = max(1, plan.edge // f)
    region = mask.crop(plan.box)
    small = region
    if f > 1:
        small = small.reduce(f).point(lambda v: 255 if v > 0 else 0)  # any painted pixel marks its block
    grown = dilate(small, radius)
    soft = np.asarray(grown.filter(ImageFilter.BoxBlur(radius)))  # ramps over [edge, 2·edge] outside the mask
    if f > 1:  # pixel centres map as (x + ½)/f − ½, as Pillow's resize with box=(0, 0, w/f, h/f) maps them
        alpha = np.ascontiguousarray(cv2.resize(soft, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR)[:h, :w])
    else:
        alpha = soft.copy()
    model_mask = dilate(grown, radius).resize(plan.model_size, Image.Resampling.BILINEAR)
    keep = np.asarray(keep_out.crop(plan.box)) if keep_out is not None else None
    if keep_out is not None and keep is not None and cv2.countNonZero(keep):
        cv2.multiply(alpha, cv2.bitwise_not(keep), dst=alpha, scale=1 / 255)  # windows, doors …: never painted
        model_keep = keep_out.resize(plan.model_size, Image.Resampling.BILINEAR, box=plan.box, reducing_gap=2.0)
        model_mask = ImageChops.multiply(model_mask, ImageChops.invert(model_keep))  # … the model sees them
    model_mask = model_mask.point(lambda v: 255 if v > 0 else 0)  # the model repaints all the alpha covers
    image = photo.resize(plan.model_size, Image.Resampling.BILINEAR, box=plan.box, reducing_gap=2.0)
    if image.mode != "RGB":
        image = image.convert("RGB")
    x, y, bw, bh = cv2.boundingRect(alpha)
    return Prepared(plan, image, model_mask, Image.fromarray(alpha, "L"), (x, y, x + bw, y + bh), region)


def mural_array(painted: Image.Image, prepared: Prepared) -> np.ndarray:
    """The painting (the crop at any resolution) resampled to the alpha's box in photo pixels, uint8 RGB.

    Enlarging (the usual case: the model paints the crop smaller than the photo shows it) is OpenCV's bicubic
    over the whole crop, then the box: the same pixel centres as resizing the box alone, for a fraction of
    Pillow's time. Shrinking keeps Pillow's antialiased bicubic.
    """
    left, t, r, b = prepared.alpha_box
    (cw, ch), (mw, mh) = prepared.plan.size, painted.size
    rgb = painted if painted.mode == "RGB" else painted.convert("RGB")
    if mw <= cw and mh <= ch:
        big = cv2.resize(np.asarray(rgb), (cw, ch), interpolation=cv2.INTER_CUBIC)
        return np.ascontiguousarray(big[t:b, left:r])
    sx, sy = mw / cw, mh / ch
    return np.asarray(rgb.resize((r - left, b - t), Image.Resampling.BICUBIC, box=(left * sx, t * sy, r * sx, b * sy)))


def mural_patch(painted: Image.Image, prepared: Prepared) -> Image.Image:
    """``mural_array`` as an RGB image."""
    return Image.fromarray(mural_array(painted, prepared), "RGB")


def wall_shading(prepared: Prepared) -> Shading:
    """The wall's light over the crop, estimated on the model-size crop (cheap; it is low-frequency)."""
    region = prepared.region.resize(prepared.plan.model_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return Shading.estimate(np.asarray(prepared.image), np.asarray(region) > 127)


def compose(
    photo: Image.Image,
    patch: Image.Image | np.ndarray,
    prepared: Prepared,
    *,
    blend: str = "cover",
    shading: Shading | None = None,
    in_place: bool = False,
) -> Image.Image:
    """Lay ``patch`` (the mural over the alpha's box, see ``mural_patch``/``mural_array``) on the photo
    through the alpha.

    ``blend="wall"`` puts it on as paint (the photo's light and texture kept, the seam colour-matched);
    ``"cover"`` as painted. The photo's alpha channel stays as it was; ``in_place`` paints into ``photo``
    itself (saves a full-size copy for the last variation).
    """
    out = photo if in_place else photo.copy()
    left, t, r, b = prepared.alpha_box
    if r <= left or b <= t:
        return out
    x, y = prepared.plan.box[0] + left, prepared.plan.box[1] + t
    box = (x, y, x + r - left, y + b - t)
    if blend == "wall":
        patch = wall_patch(photo.crop(box), patch, prepared, shading or wall_shading(prepared))
    elif isinstance(patch, np.ndarray):
        patch = Image.fromarray(patch, "RGB")
    if photo.mode == "RGBA":
        patch = patch.convert("RGBA")
        patch.putalpha(photo.crop(box).getchannel("A"))
    out.paste(patch, (x, y), prepared.alpha.crop(prepared.alpha_box))
    return out


def wall_patch(
    photo_patch: Image.Image, mural: Image.Image | np.ndarray, prepared: Prepared, shading: Shading
) -> Image.Image:
    """The mural as paint on this part of the wall: × the wall's light and relief, seam matched outside."""
    left, t, r, b = prepared.alpha_box
    cw, ch = prepared.plan.size
    size = (r - left, b - t)
    photo_np = np.asarray(photo_patch if photo_patch.mode == "RGB" else photo_patch.convert("RGB"))
    light = light_field(photo_np, shading.at(size, box=(left / cw, t / ch, r / cw, b / ch)), scale_side=max(cw, ch))
    region = np.asarray(prepared.region.crop(prepared.alpha_box))
    k = 2 * max(1, prepared.plan.edge // 3) + 1
    soft = cv2.blur(region, (k, k))  # the band fades in over a few pixels at the region's edge
    alpha = np.asarray(prepared.alpha.crop(prepared.alpha_box))
    band = np.zeros_like(soft)
    cv2.bitwise_not(soft, dst=band, mask=alpha)  # 255 − soft where the alpha shows anything, else 0
    if not isinstance(mural, np.ndarray):
        mural = np.asarray(mural if mural.mode == "RGB" else mural.convert("RGB"))
    out = blend_wall(photo_np, mural, light, band)
    return Image.fromarray(out, "RGB")


@dataclass(frozen=True, slots=True)
class PreviewCanvas:
    """A small copy of the photo onto which step previews of the crop are pasted (cheap, ≤ 256 px).

    For quads the preview is of the flat wall: ``flat`` (its size and its flat → crop homography) warps it
    back into the photo's perspective.
    """

    thumb: Image.Image
    box: tuple[int, int, int, int]
    alpha: Image.Image
    flat: tuple[tuple[int, int], np.ndarray, tuple[int, int]] | None = None  # (flat size, flat → crop, crop size)

    @classmethod
    def build(
        cls,
        photo: Image.Image,
        prepared: Prepared,
        flat_size: tuple[int, int] | None = None,
        to_crop: np.ndarray | None = None,
    ) -> PreviewCanvas:
        scale = min(1.0, PREVIEW_SIDE / max(photo.size))
        size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
        rgb = photo if photo.mode == "RGB" else photo.convert("RGB")  # no full-size copy of an RGB photo
        thumb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        left, t, r, b = (round(v * scale) for v in prepared.plan.box)
        r, b = max(r, left + 1), max(b, t + 1)
        alpha = prepared.alpha.resize((r - left, b - t), Image.Resampling.BILINEAR)
        flat = (flat_size, to_crop, prepared.plan.size) if flat_size is not None and to_crop is not None else None
        return cls(thumb, (left, t, r, b), alpha, flat)

    def render(self, crop_preview: Image.Image) -> Image.Image:
        out = self.thumb.copy()
        left, t, r, b = self.box
        if self.flat is None:
            patch = crop_preview.resize((r - left, b - t), Image.Resampling.BILINEAR)
        else:  # flat preview pixels → flat pixels → crop pixels → thumbnail box pixels
            (fw, fh), to_crop, (cw, ch) = self.flat
            pw, ph = crop_preview.size
            m = np.diag([(r - left) / cw, (b - t) / ch, 1.0]) @ to_crop @ np.diag([fw / pw, fh / ph, 1.0])
            warped = cv2.warpPerspective(
                np.asarray(crop_preview.convert("RGB")),
                m,
                (r - left, b - t),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )
            patch = Image.fromarray(warped, "RGB")
        out.paste(patch, (left, t), self.alpha)
        return out
