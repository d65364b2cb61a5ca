"""Wall finding: component labelling, cleaning and the tiny SegFormer's "bright is wall" rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.actors.painter import PaintError
from app.actors.painter.segment import clean_wall, find_wall, label_components
from app.actors.painter.tiny import make_no_wall_photo, make_wall_photo, wall_box


def test_label_components() -> None:
    grid = np.zeros((12, 12), bool)
    grid[1:4, 1:4] = True
    grid[6:10, 2:11] = True
    grid[5, 10] = True
    labels, n = label_components(grid)
    assert n == 2
    assert len(np.unique(labels[grid])) == 2 and (labels[~grid] == 0).all()


def test_clean_wall_drops_specks_and_fills_small_holes() -> None:
    grid = np.zeros((128, 128), bool)
    grid[10:100, 10:120] = True
    grid[40:48, 40:48] = False  # a poster: filled
    grid[115:117, 5:7] = True  # a speck: dropped
    wall = clean_wall(grid)
    assert wall[44, 44] and not wall[116, 6] and wall[50, 50]


@pytest.fixture(scope="module")
def segformer(tiny_dir: Path) -> tuple[object, object]:
    from transformers import AutoImageProcessor, SegformerForSemanticSegmentation

    folder = tiny_dir / "segformer"
    return SegformerForSemanticSegmentation.from_pretrained(folder).eval(), AutoImageProcessor.from_pretrained(folder)


def test_tiny_segformer_sees_bright_walls(segformer: tuple[object, object]) -> None:
    model, processor = segformer
    photo = make_wall_photo(181, 135)
    mask = find_wall(model, processor, photo)
    assert mask.size == photo.size
    left, t, r, b = wall_box(181, 135)
    arr = np.asarray(mask) > 0
    assert arr[t + 8 : b - 8, left + 8 : r - 8].mean() > 0.95  # the wall's inside
    assert arr[b + 10 :, :].mean() < 0.05  # the dark floor


def test_tiny_segformer_finds_no_wall_in_dark_photos(segformer: tuple[object, object]) -> None:
    model, processor = segformer
    with pytest.raises(PaintError) as err:
        find_wall(model, processor, make_no_wall_photo(150, 100))
    assert err.value.code == "no_wall_found"
    with pytest.raises(PaintError):
        find_wall(model, processor, Image.new("RGB", (100, 100), (90, 90, 90)))
