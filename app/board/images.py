"""The board's own image copies: an upright, metadata-free "before" (the lists' thumbnail is the task's own,
copied: ``app.core.thumbnails``).

The task's photo may carry EXIF (GPS position, camera serial): a public post must not. Results are
painted upright already and carry no EXIF, so they are copied byte for byte.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

JPEG_QUALITY = 92


def kind_of(key: str) -> tuple[str, str]:
    """(extension, content type) of a stored image key."""
    ext = key.rsplit(".", 1)[-1].lower()
    if ext == "png":
        return "png", "image/png"
    if ext == "webp":
        return "webp", "image/webp"
    return "jpg", "image/jpeg"


def clean_before(photo: bytes, like_key: str) -> tuple[bytes, str, str]:
    """The photo upright, without metadata, encoded like the result (PNG stays lossless).

    Returns (bytes, extension, content type). Runs in a worker thread.
    """
    ext, content_type = kind_of(like_key)
    with Image.open(io.BytesIO(photo)) as img:
        img.load()
        icc = img.info.get("icc_profile")
        upright = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        extra = {"icc_profile": icc} if icc else {}
        if ext == "png":
            upright.save(out, "PNG", compress_level=3, **extra)
        else:
            ext, content_type = "jpg", "image/jpeg"
            upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, **extra)
    return out.getvalue(), ext, content_type
