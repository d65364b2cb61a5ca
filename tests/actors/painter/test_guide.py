"""Geometry guides: control images, the ControlNet pipeline sharing the loaded components, end to end."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.actors.painter import Painter, PaintError, Region
from app.actors.painter.guide import lines_image
from tests.actors.painter.helpers import decode, encode, request
from tests.actors.painter.walls import brick_wall

BOX = Region(mode="box", box=[16, 16, 224, 160])


def test_lines_are_the_walls_edges() -> None:
    edges = np.asarray(lines_image(brick_wall(256, 192)))
    assert edges.shape == (192, 256, 3) and set(np.unique(edges)) <= {0, 255}
    assert 0.02 < (edges[..., 0] > 0).mean() < 0.5  # brick joints are edges, brick faces are not
    assert not np.asarray(lines_image(Image.new("RGB", (64, 64), (200, 200, 200)))).any()


async def test_guides_run_end_to_end_and_change_the_result(painter: Painter) -> None:
    photo = encode(brick_wall(256, 192))
    results = {}
    for guide in ("none", "lines", "depth"):
        result = await painter.paint(request(photo, region=BOX, guide=guide, steps=3))
        assert result.guide == guide and result.steps_done == 3
        results[guide] = np.asarray(decode(result.images[0])).astype(int)
    region = (slice(16, 176), slice(16, 240))
    assert np.abs(results["none"][region] - results["lines"][region]).mean() > 1
    assert np.abs(results["none"][region] - results["depth"][region]).mean() > 1
    assert np.abs(results["lines"][region] - results["depth"][region]).mean() > 1
    again = await painter.paint(request(photo, region=BOX, guide="lines", steps=3))
    assert np.array_equal(np.asarray(decode(again.images[0])).astype(int), results["lines"])  # deterministic
    models = painter._models  # the shared components: no second UNet, VAE or text encoder in memory
    control = models.guides["lines"]
    assert control.unet is models.pipe.unet and control.vae is models.pipe.vae
    assert control.text_encoder is models.pipe.text_encoder


async def test_a_guide_without_its_model_fails_clearly(painter: Painter) -> None:
    models = painter._models
    saved = models.config
    models.config = type(saved)(**{**{f: getattr(saved, f) for f in saved.__struct_fields__}, "controlnet_depth": None})
    cached = models.guides.pop("depth", None)
    try:
        with pytest.raises(PaintError) as err:
            await painter.paint(request(encode(brick_wall(256, 192)), region=BOX, guide="depth", steps=2))
        assert err.value.code == "guide_unavailable"
    finally:
        models.config = saved
        if cached is not None:
            models.guides["depth"] = cached
