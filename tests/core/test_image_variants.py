"""Small copies: list thumbnails in one shape (4:3, WebP ≤ 60 KB) and display copies (whole picture, long side
≤ 1024 px, WebP ≤ 130 KB); never enlarged, upright, whatever the picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

from app.core.image_variants import (
    DISPLAY_LONG_SIDE,
    DISPLAY_MAX_BYTES,
    HEIGHT,
    MAX_BYTES,
    WIDTH,
    crop_box,
    make_display,
    make_thumbnail,
)


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ((800, 600), (0, 0, 800, 600)),
        ((1600, 900), (200, 0, 1400, 900)),
        ((900, 1600), (0, 462, 900, 1137)),
        ((3, 2), (0, 0, 3, 2)),
    ],
)
def test_crop_box_is_the_largest_centred_4_3(size: tuple[int, int], box: tuple[int, int, int, int]) -> None:
    assert crop_box(*size) == box


@pytest.mark.parametrize("size", [(4000, 3000), (3000, 4000), (1920, 1080), (1024, 1024)])
def test_big_noisy_pictures_fit_the_shape_and_the_byte_budget(size: tuple[int, int]) -> None:
    thumb = make_thumbnail(encoded(noise(*size)))
    assert len(thumb) <= MAX_BYTES
    with Image.open(io.BytesIO(thumb)) as img:
        assert img.format == "WEBP"
        assert abs(img.width * 3 - img.height * 4) <= 4 and img.width <= WIDTH and img.height <= HEIGHT
        assert not img.info.get("exif")


def test_smooth_pictures_keep_the_full_size_and_small_ones_are_not_upscaled() -> None:
    gradient = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    with Image.open(io.BytesIO(make_thumbnail(encoded(gradient)))) as img:
        assert img.size == (WIDTH, HEIGHT)
    with Image.open(io.BytesIO(make_thumbnail(encoded(Image.new("RGB", (320, 200), (10, 120, 200)))))) as img:
        assert img.size == (267, 200)  # cropped to 4:3, not enlarged


def test_exif_orientation_is_applied() -> None:
    stored = Image.new("RGB", (800, 400), (255, 0, 0))
    stored.paste((0, 0, 255), (0, 0, 400, 400))  # the stored left half is blue
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90° clockwise: upright it is 400×800 with the blue half on top
    thumb = make_thumbnail(encoded(stored, "JPEG", exif=exif.tobytes()))
    with Image.open(io.BytesIO(thumb)) as img:
        rgb = img.convert("RGB")
        top, bottom = (
            rgb.getpixel((rgb.width // 2, rgb.height // 10)),
            rgb.getpixel((rgb.width // 2, rgb.height * 9 // 10)),
        )
    assert top[2] > 200 and top[0] < 60, top  # blue above
    assert bottom[0] > 200 and bottom[2] < 60, bottom  # red below


@pytest.mark.parametrize(
    ("size", "shown"),
    [((4000, 3000), (1024, 768)), ((3000, 4000), (768, 1024)), ((1920, 1080), (1024, 576)), ((800, 600), (800, 600))],
)
def test_display_copies_keep_the_whole_picture(size: tuple[int, int], shown: tuple[int, int]) -> None:
    smooth = Image.linear_gradient("L").resize(size).convert("RGB")
    display = make_display(encoded(smooth))
    assert len(display) <= DISPLAY_MAX_BYTES
    with Image.open(io.BytesIO(display)) as img:
        assert img.format == "WEBP" and img.size == shown


def test_noisy_display_copies_fit_the_byte_budget() -> None:
    display = make_display(encoded(noise(4000, 3000)))
    assert len(display) <= DISPLAY_MAX_BYTES
    with Image.open(io.BytesIO(display)) as img:
        assert max(img.size) <= DISPLAY_LONG_SIDE and abs(img.width * 3 - img.height * 4) <= 4


def test_not_an_image_raises() -> None:
    for make in (make_thumbnail, make_display):
        with pytest.raises(UnidentifiedImageError):
            make(b"definitely not an image")
