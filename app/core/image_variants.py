"""The smaller copies pages show instead of full-size photos and results, made once each and stored next to
the original:

- a **thumbnail** for lists and cards: one shape (4:3, centre-cropped), at most 640×480, WebP ≤ 60 KB;
- a **display** copy for the before/after view: the whole picture, at most 1024 px on its long side,
  WebP ≤ 130 KB (a phone on a slow connection shows before and after in about a second; downloads stay
  full size).

Both are upright and carry no metadata (no EXIF position or camera serial). Neither is ever enlarged.
A picture that will not fit its byte budget at any quality (the tiny test models paint noise) is
encoded smaller until it does.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

WIDTH, HEIGHT = 640, 480  # thumbnails: 4:3, the cards' shape (CSS aspect-ratio 4 / 3); 2× a phone card's width
MAX_BYTES = 60_000
DISPLAY_LONG_SIDE = 1024  # sharp in the pages' before/after view (≤ 860 CSS px) and on phones (~720 px)
DISPLAY_MAX_BYTES = 130_000
CONTENT_TYPE = "image/webp"
EXTENSION = "webp"
QUALITIES = (80, 70, 60, 50, 40)


def crop_box(width: int, height: int, ratio: float = WIDTH / HEIGHT) -> tuple[int, int, int, int]:
    """The largest centred box of ``ratio`` inside a ``width``×``height`` image."""
    if width / height > ratio:
        w = max(1, round(height * ratio))
        left = (width - w) // 2
        return left, 0, left + w, height
    h = max(1, round(width / ratio))
    top = (height - h) // 2
    return 0, top, width, top + h


def _upright_rgb(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return ImageOps.exif_transpose(img).convert("RGB")


def _webp_within(rgb: Image.Image, max_bytes: int) -> bytes:
    """WebP at the best quality that fits ``max_bytes``; fewer pixels when no quality does."""
    while True:
        for quality in QUALITIES:
            out = io.BytesIO()
            rgb.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= max_bytes:
                return out.getvalue()
        rgb = rgb.resize((max(4, rgb.width * 3 // 4), max(3, rgb.height * 3 // 4)), Image.Resampling.LANCZOS)


def make_thumbnail(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """The picture centre-cropped to 4:3, at most 640×480, as WebP of at most ``max_bytes``.

    CPU-bound: run it in a worker thread. Raises on bytes that are not an image.
    """
    rgb = _upright_rgb(data)
    rgb = rgb.crop(crop_box(rgb.width, rgb.height))
    if rgb.width > WIDTH:
        rgb = rgb.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _webp_within(rgb, max_bytes)


def make_display(data: bytes, max_bytes: int = DISPLAY_MAX_BYTES) -> bytes:
    """The whole picture with its long side at most 1024 px, as WebP of at most ``max_bytes``."""
    rgb = _upright_rgb(data)
    scale = DISPLAY_LONG_SIDE / max(rgb.size)
    if scale < 1:
        rgb = rgb.resize(
            (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
            Image.Resampling.LANCZOS,
            reducing_gap=3.0,
        )
    return _webp_within(rgb, max_bytes)
