"""Photo and mask bytes in, upright Pillow images out, and results back to bytes — without torch.

The API process validates uploads with ``inspect_photo``/``check_region`` before queueing a job, so this
module imports only Pillow and numpy. Sizes are always "after EXIF rotation": what a person sees.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import PaintError
from .schemas import PhotoInfo, Region

MIN_SIDE: Final = 64
MIN_BOX: Final = 64
MIN_QUAD_SIDE: Final = 64
JPEG_QUALITY: Final = 93
_FORMATS: Final = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
#: Pillow names phones' multi-picture JPEGs "MPO"; they are JPEGs to everyone else
_FORMAT_ALIASES: Final = {**_FORMATS, "MPO": "jpeg"}
_CONTENT_TYPES: Final = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
}
#: content types that say nothing about the format (then the bytes decide)
_UNSPECIFIED: Final = {"", "application/octet-stream"}
_ORIENTATION_TAG: Final = 0x0112
_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True)
class Photo:
    """A decoded, upright photo: ``image`` is RGB, or RGBA when the file had transparency."""

    image: Image.Image
    info: PhotoInfo
    icc_profile: bytes | None = None


def _open(data: bytes, content_type: str | None, max_bytes: int, max_pixels: int) -> tuple[Image.Image, PhotoInfo]:
    """Identify the format, refuse too-large files and pixel bombs from the header, return the lazy image."""
    if len(data) > max_bytes:
        raise PaintError(
            "image_too_large",
            f"the file has {len(data)} bytes; the limit is {max_bytes}",
            size=len(data),
            limit=max_bytes,
        )
    if not data:
        raise PaintError("unsupported_image", "the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=list(_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PaintError("too_many_pixels", f"the image has more than {max_pixels} pixels", limit=max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PaintError("unsupported_image", "the file is not a JPEG, PNG or WebP image") from None
    fmt = _FORMAT_ALIASES.get(img.format or "", "")
    if not fmt:
        raise PaintError("unsupported_image", "the file is not a JPEG, PNG or WebP image")
    claimed = (content_type or "").split(";")[0].strip().lower()
    if claimed not in _UNSPECIFIED and _CONTENT_TYPES.get(claimed) != fmt:
        raise PaintError("unsupported_image", f"the file is a {fmt.upper()} image but was sent as {claimed!r}")
    width, height = img.size
    if width * height > max_pixels:
        raise PaintError(
            "too_many_pixels",
            f"the image has {width}×{height} pixels; the limit is {max_pixels}",
            width=width,
            height=height,
            limit=max_pixels,
        )
    if _orientation(img) in (5, 6, 7, 8):
        width, height = height, width
    if min(width, height) < MIN_SIDE:
        raise PaintError(
            "image_too_small",
            f"the image is {width}×{height}; both sides must be at least {MIN_SIDE} px",
            width=width,
            height=height,
            min_side=MIN_SIDE,
        )
    return img, PhotoInfo(width, height, fmt)


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block is not worth refusing the photo for
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode(img: Image.Image) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PaintError("too_many_pixels", "the image has too many pixels") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PaintError("unsupported_image", f"the image is damaged or truncated ({exc})") from None


def inspect_photo(data: bytes, content_type: str | None, max_bytes: int, max_pixels: int) -> PhotoInfo:
    """Validate an upload fully (header limits, then a full decode) and return its upright size and format.

    ``content_type`` None, empty or ``application/octet-stream`` means "unknown"; any other must match.
    """
    img, info = _open(data, content_type, max_bytes, max_pixels)
    _decode(img)
    return info


def load_photo(data: bytes, content_type: str | None, max_bytes: int, max_pixels: int) -> Photo:
    """Decode, apply the EXIF orientation and normalise the mode to RGB or RGBA (alpha kept as is)."""
    img, info = _open(data, content_type, max_bytes, max_pixels)
    orientation = _orientation(img)
    _decode(img)
    icc = img.info.get("icc_profile")
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if img.mode.startswith("I") or img.mode == "F":  # 16-bit gray PNG
        img = Image.fromarray(np.clip(np.asarray(img, dtype=np.float32) / 256, 0, 255).astype(np.uint8), "L")
    mode = "RGBA" if has_alpha else "RGB"
    if img.mode != mode:
        img = img.convert(mode)
    if orientation in _TRANSPOSE:
        img = img.transpose(_TRANSPOSE[orientation])
    return Photo(img, info, icc if isinstance(icc, bytes) else None)


def load_mask(data: bytes, width: int, height: int) -> Image.Image:
    """A user's PNG mask as an "L" image of 0/255: non-zero paints (its alpha when it has transparency)."""
    try:
        img = Image.open(io.BytesIO(data), formats=["PNG"])
        if img.size != (width, height):
            raise PaintError(
                "invalid_mask",
                f"the mask is {img.size[0]}×{img.size[1]}; the photo is {width}×{height}",
                width=width,
                height=height,
            )
        img.load()
    except PaintError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError):
        raise PaintError("invalid_mask", "the mask must be a PNG image") from None
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        alpha = img.convert("RGBA").getchannel("A")
        # a canvas drawing: opaque strokes on transparency; a fully opaque PNG falls through to its colours
        opaque = alpha.getextrema()[0] == 255
        gray = img.convert("RGB").convert("L", (1, 1, 1, 0)) if opaque else alpha
    elif img.mode == "L":
        gray = img
    else:
        arr = np.asarray(img.convert("RGB"))
        gray = Image.fromarray((arr.max(axis=2) > 0).astype(np.uint8) * 255, "L")
    mask = gray.point(lambda v: 255 if v > 0 else 0)
    if mask.getbbox() is None:
        raise PaintError("invalid_mask", "the mask is empty: paint at least one non-zero pixel")
    return mask


def quad_problem(points: object, width: int, height: int) -> str | None:
    """Why ``points`` is not a usable wall quad in a ``width``×``height`` photo, or None when it is.

    A quad is 4 [x, y] corners in order top-left, top-right, bottom-right, bottom-left: inside the photo,
    strictly convex in that (clockwise on screen) order, each side at least ``MIN_QUAD_SIDE`` px long.
    """
    if not isinstance(points, (list, tuple)) or len(points) != 4:
        return "a quad needs exactly 4 [x, y] corners"
    pts: list[tuple[float, float]] = []
    for p in points:
        if (
            not isinstance(p, (list, tuple))
            or len(p) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p)
        ):
            return "each corner must be an [x, y] pair of numbers"
        pts.append((float(p[0]), float(p[1])))
    for x, y in pts:
        if not (0 <= x <= width and 0 <= y <= height):
            return f"corner ({x:g}, {y:g}) lies outside the {width}×{height} photo"
    for i in range(4):
        (x0, y0), (x1, y1), (x2, y2) = pts[i], pts[(i + 1) % 4], pts[(i + 2) % 4]
        if math.hypot(x1 - x0, y1 - y0) < MIN_QUAD_SIDE:
            return f"each side must be at least {MIN_QUAD_SIDE} px long"
        if (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1) <= 0:
            return "the corners must form a convex quad in the order top-left, top-right, bottom-right, bottom-left"
    return None


def check_region(region: Region, info: PhotoInfo, mask: bytes | None) -> None:
    """Refuse a region that cannot be painted: a box outside the photo or under 64×64, a quad that is not
    convex, leaves the photo or has a side under 64 px, a bad or empty mask."""
    if region.mode == "box":
        box = region.box
        if box is None or len(box) != 4:
            raise PaintError("invalid_region", "a box region needs [x, y, w, h]")
        x, y, w, h = box
        if x < 0 or y < 0 or w < MIN_BOX or h < MIN_BOX or x + w > info.width or y + h > info.height:
            raise PaintError(
                "invalid_region",
                f"the box {box} must lie inside the {info.width}×{info.height} photo and be at least "
                f"{MIN_BOX}×{MIN_BOX}",
                box=list(box),
                width=info.width,
                height=info.height,
            )
    elif region.mode == "quad":
        problem = quad_problem(region.points, info.width, info.height)
        if problem is not None:
            raise PaintError(
                "invalid_region",
                f"the quad {region.points}: {problem}",
                reason="quad",
                width=info.width,
                height=info.height,
            )
    elif region.mode == "mask":
        if not mask:
            raise PaintError("invalid_mask", "a mask region needs a PNG mask")
        load_mask(mask, info.width, info.height)


def box_mask(box: list[int], width: int, height: int) -> Image.Image:
    """The "L" mask of a checked [x, y, w, h] box."""
    x, y, w, h = box
    mask = Image.new("L", (width, height), 0)
    mask.paste(255, (x, y, x + w, y + h))
    return mask


def quad_mask(points: list[list[float]], width: int, height: int) -> Image.Image:
    """The "L" 0/255 mask of a checked quad (its inside, edges included)."""
    from PIL import ImageDraw

    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).polygon([(float(x), float(y)) for x, y in points], fill=255, outline=255)
    return mask


def result_kind(photo_format: str) -> tuple[str, str]:
    """(content type, extension) of results: PNG stays PNG (lossless outside the mural); others become JPEG."""
    return ("image/png", "png") if photo_format == "png" else ("image/jpeg", "jpg")


def encode_result(image: Image.Image, photo: Photo) -> bytes:
    """Encode a composed image in the photo's kind; EXIF is dropped (already applied; no GPS leaks)."""
    out = io.BytesIO()
    icc = {"icc_profile": photo.icc_profile} if photo.icc_profile else {}
    if photo.info.format == "png":
        image.save(out, "PNG", compress_level=1, **icc)
    else:
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(out, "JPEG", quality=JPEG_QUALITY, **icc)
    return out.getvalue()


def encode_png(image: Image.Image) -> bytes:
    """A lossless PNG (flat murals: what the painter's sheet and print shops work from)."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def encode_mask(mask: Image.Image) -> bytes:
    """A mask as a small 1-bit-looking PNG (0/255) for the UI overlay."""
    out = io.BytesIO()
    mask.convert("1", dither=Image.Dither.NONE).save(out, "PNG", compress_level=1)
    return out.getvalue()


def encode_preview(image: Image.Image, quality: int = 70) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()
