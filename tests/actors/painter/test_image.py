"""Upload validation without torch: formats, limits, EXIF orientation, regions and masks."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image

from app.actors.painter import PaintError, PhotoInfo, Region, check_region, inspect_photo, load_photo
from app.actors.painter.image import encode_result, load_mask
from app.actors.painter.tiny import make_wall_photo
from tests.actors.painter.helpers import decode, encode

MB = 1024 * 1024
LIMITS = {"max_bytes": 25 * MB, "max_pixels": 40_000_000}


def code_of(data: bytes, content_type: str | None = None) -> str:
    with pytest.raises(PaintError) as info:
        inspect_photo(data, content_type, **LIMITS)
    return info.value.code


def png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width×height, with a tiny IDAT: a decompression-bomb probe."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def rotated_jpeg(width: int, height: int, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(make_wall_photo(width, height), "JPEG", quality=95, exif=exif)


def test_valid_formats_report_upright_size() -> None:
    photo = make_wall_photo(161, 97)
    assert inspect_photo(encode(photo, "JPEG"), "image/jpeg", **LIMITS) == PhotoInfo(161, 97, "jpeg")
    assert inspect_photo(encode(photo, "PNG"), "image/png", **LIMITS) == PhotoInfo(161, 97, "png")
    assert inspect_photo(encode(photo, "WEBP"), None, **LIMITS) == PhotoInfo(161, 97, "webp")
    assert inspect_photo(rotated_jpeg(200, 120, 6), "image/jpeg", **LIMITS) == PhotoInfo(120, 200, "jpeg")
    mpo = encode(photo, "MPO", save_all=True, append_images=[photo])  # phones' multi-picture JPEG
    assert inspect_photo(mpo, "image/jpeg", **LIMITS) == PhotoInfo(161, 97, "jpeg")


def test_clear_errors_for_bad_files() -> None:
    good = encode(make_wall_photo(160, 120), "JPEG")
    assert code_of(good[: len(good) // 2]) == "unsupported_image"  # truncated
    assert code_of(b"%PDF-1.7 not an image at all" * 10) == "unsupported_image"
    assert code_of(b"") == "unsupported_image"
    assert code_of(encode(Image.new("RGB", (1, 1)), "PNG")) == "image_too_small"
    assert code_of(encode(Image.new("RGB", (300, 40)), "PNG")) == "image_too_small"
    assert code_of(encode(Image.new("RGB", (80, 80)), "GIF")) == "unsupported_image"
    assert code_of(png_header(30000, 30000)) == "too_many_pixels"
    assert code_of(good + b"\0" * (50 * MB)) == "image_too_large"
    assert code_of(good, "image/png") == "unsupported_image"  # the claimed type must match the bytes


def test_bomb_refused_before_decoding() -> None:
    with pytest.raises(PaintError) as info:
        load_photo(png_header(30000, 30000), "image/png", **LIMITS)
    assert info.value.code == "too_many_pixels"


def test_load_photo_applies_exif_and_keeps_alpha() -> None:
    photo = load_photo(rotated_jpeg(200, 120, 6), None, **LIMITS)
    assert photo.image.size == (120, 200) and photo.image.mode == "RGB"
    rgba = Image.new("RGBA", (99, 77), (10, 200, 30, 128))
    loaded = load_photo(encode(rgba, "PNG"), "image/png", **LIMITS)
    assert loaded.image.mode == "RGBA" and loaded.image.size == (99, 77)
    assert decode(encode_result(loaded.image, loaded)).getpixel((5, 5)) == (10, 200, 30, 128)


def test_box_regions() -> None:
    info = PhotoInfo(200, 150, "jpeg")
    check_region(Region(mode="box", box=[10, 10, 100, 100]), info, None)
    check_region(Region(mode="auto"), info, None)
    for box in ([150, 10, 100, 100], [0, 0, 63, 100], [-1, 0, 100, 100], [0, 0, 100]):
        with pytest.raises(PaintError) as err:
            check_region(Region(mode="box", box=box), info, None)
        assert err.value.code == "invalid_region"


def test_masks() -> None:
    info = PhotoInfo(120, 90, "png")
    drawn = Image.new("RGBA", (120, 90), (0, 0, 0, 0))
    drawn.paste((255, 255, 255, 255), (10, 10, 50, 40))
    check_region(Region(mode="mask"), info, encode(drawn))
    mask = load_mask(encode(drawn), 120, 90)
    assert mask.getbbox() == (10, 10, 50, 40)
    bad = {
        "missing": None,
        "wrong size": encode(Image.new("L", (90, 120), 255)),
        "empty": encode(Image.new("L", (120, 90), 0)),
        "not png": encode(Image.new("L", (120, 90), 255), "JPEG"),
    }
    for name, data in bad.items():
        with pytest.raises(PaintError) as err:
            check_region(Region(mode="mask"), info, data)
        assert err.value.code == "invalid_mask", name


def test_validation_modules_do_not_import_torch() -> None:
    code = (
        "import sys; import app.actors.painter as p; import app.actors.painter.image, app.actors.painter.schemas;"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
