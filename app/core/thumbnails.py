"""List and card thumbnails: one shape (4:3, centre-cropped), at most 640×480, WebP of at most 60 KB.

Made once per result (by the paint job, or lazily once for results older than thumbnails) and stored next
to it; the board copies the task's thumbnail with a post. Lists never load a full-size result.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

WIDTH, HEIGHT = 640, 480  # 4:3: the cards' shape (CSS aspect-ratio 4 / 3); 2× a phone card's width
MAX_BYTES = 60_000
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


def make_thumbnail(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """A WebP of the image centre-cropped to 4:3, downscaled to at most 640×480 (never upscaled), upright,
    without metadata, and at most ``max_bytes`` (lower quality, then smaller, until it fits).

    Runs in a worker thread (CPU-bound); raises on bytes that are not an image.
    """
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        rgb = upright.convert("RGB")
    rgb = rgb.crop(crop_box(rgb.width, rgb.height))
    if rgb.width > WIDTH:
        rgb = rgb.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS, reducing_gap=3.0)
    while True:
        for quality in QUALITIES:
            out = io.BytesIO()
            rgb.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= max_bytes:
                return out.getvalue()
        # noise-like pictures (the tiny test models paint noise) need fewer pixels, not only lower quality
        rgb = rgb.resize((max(4, rgb.width * 3 // 4), max(3, rgb.height * 3 // 4)), Image.Resampling.LANCZOS)
