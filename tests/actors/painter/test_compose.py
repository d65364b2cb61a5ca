"""Crop planning and paste-back: sizes for the model, and every pixel far from the mask untouched."""

from __future__ import annotations

import numpy as np
from PIL import Image

from app.actors.painter.compose import MAX_GROW, compose, mural_patch, plan_crop, prepare_region
from app.actors.painter.image import box_mask


def far_from(mask: Image.Image, distance: int) -> np.ndarray:
    """Pixels farther than ``distance`` (box metric) from any mask pixel."""
    left, t, r, b = mask.getbbox()
    out = np.ones((mask.height, mask.width), bool)
    out[max(0, t - distance) : b + distance, max(0, left - distance) : r + distance] = False
    return out


def test_plan_sizes_are_multiples_of_8_near_native() -> None:
    for bbox, size in [
        ((10, 10, 60, 40), (97, 61)),
        ((0, 0, 4000, 300), (4000, 3000)),
        ((5, 5, 90, 1500), (100, 1600)),
    ]:
        plan = plan_crop(bbox, size, 512)
        w, h = plan.model_size
        assert w % 8 == 0 and h % 8 == 0
        assert 0.5 <= (w * h) / 512**2 <= 1.6
        left, t, r, b = plan.box
        assert 0 <= left < r <= size[0] and 0 <= t < b <= size[1]
        assert left <= bbox[0] and t <= bbox[1] and r >= min(bbox[2], size[0]) and b >= min(bbox[3], size[1])


def test_compose_keeps_everything_outside_the_grown_mask() -> None:
    rng = np.random.default_rng(0)
    for mode in ("RGB", "RGBA"):
        channels = 4 if mode == "RGBA" else 3
        photo = Image.fromarray(rng.integers(0, 256, (203, 157, channels), dtype=np.uint8), mode)
        mask = box_mask([40, 50, 70, 64], 157, 203)
        prepared = prepare_region(photo, mask, 128)
        assert prepared.image.size == prepared.plan.model_size == prepared.mask.size
        painted = Image.new("RGB", prepared.plan.model_size, (255, 0, 255))
        out = compose(photo, mural_patch(painted, prepared), prepared)
        assert out.size == photo.size and out.mode == photo.mode
        before, after = np.asarray(photo), np.asarray(out)
        outside = far_from(mask, MAX_GROW)
        assert np.array_equal(before[outside], after[outside])
        inside = np.asarray(mask) > 0
        assert (after[inside][:, :3] == (255, 0, 255)).all()  # fully painted inside the mask
        if mode == "RGBA":
            assert np.array_equal(before[..., 3], after[..., 3])  # alpha never changes
