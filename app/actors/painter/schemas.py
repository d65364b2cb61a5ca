"""Messages in and out of the painter (msgspec, no torch): the contract the API, worker and CLI share."""

from __future__ import annotations

from typing import Literal

import msgspec


class Region(msgspec.Struct, kw_only=True):
    """Where to paint: ``auto`` finds the wall, ``box`` is [x, y, w, h], ``mask`` uses the request's PNG mask."""

    mode: Literal["auto", "box", "mask"]
    box: list[int] | None = None


class ThemeStyle(msgspec.Struct, kw_only=True):
    """A theme's look: prompt template with ``{wish}``, negative prompt and its optional LoRA."""

    slug: str
    prompt_template: str
    negative_prompt: str
    lora_path: str | None = None
    lora_weight: float = 0.8
    default_steps: int = 25


class PaintRequest(msgspec.Struct, kw_only=True):
    """One painting job: the photo's bytes, where to paint, in which theme, with the user's wish."""

    job_id: str
    photo: bytes
    region: Region
    mask: bytes | None = None
    theme: ThemeStyle
    prompt: str
    seed: int
    variations: int = 1
    steps: int | None = None
    strength: float = 1.0
    fast: bool = False


class PaintProgress(msgspec.Struct, kw_only=True):
    """One denoising step done (1-based ``step`` of ``total``), with a small JPEG preview every few steps."""

    job_id: str
    step: int
    total: int
    elapsed_s: float
    preview_jpeg: bytes | None = None


class PaintResult(msgspec.Struct, kw_only=True):
    """Final images (same size and kind as the photo), the mask painted and notes for the user."""

    images: list[bytes]
    content_type: str
    ext: str
    width: int
    height: int
    seed: int
    prompt_en: str
    mask_png: bytes
    messages: list[str] = []
    timings: dict[str, float] = {}


class PhotoInfo(msgspec.Struct):
    """A photo's upright size (after EXIF rotation) and its format: ``jpeg``, ``png`` or ``webp``."""

    width: int
    height: int
    format: str
