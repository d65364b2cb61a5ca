"""Messages in and out of the painter (msgspec, no torch): the contract the API, worker and CLI share."""

from __future__ import annotations

from typing import Literal

import msgspec

Blend = Literal["wall", "cover"]
Detail = Literal["standard", "high"]
Guide = Literal["none", "lines", "depth"]


class Region(msgspec.Struct, kw_only=True):
    """Where to paint: ``auto`` finds the wall, ``box`` is [x, y, w, h], ``mask`` uses the request's PNG mask,
    ``quad`` is the wall plane's corners [[x, y] × 4] (top-left, top-right, bottom-right, bottom-left)."""

    mode: Literal["auto", "box", "mask", "quad"]
    box: list[int] | None = None
    points: list[list[float]] | None = None


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
    blend: Blend = "wall"  # "wall": the mural as paint on the wall (light, shadow, texture kept); "cover": as painted
    protect: bool = True  # keep windows, doors, people, plants, … out of the painted region (not in mask mode)
    detail: Detail | None = None  # None: "high" on CUDA, "standard" on CPU
    guide: Guide = "none"  # ControlNet guidance from the photo: edges ("lines") or depth ("depth")
    wall_size_m: list[float] | None = None  # [width, height] of the wall in metres (quad: the artwork's aspect)


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
    mask_png: bytes  # the mask that was actually painted (keep-outs removed), photo-sized 0/255 PNG
    artworks: list[bytes] = []  # quad mode: each variation's flat (rectified) mural as PNG; else empty
    blend: Blend = "wall"
    protect: bool = True
    detail: Detail = "standard"  # the detail actually used
    guide: Guide = "none"
    steps_done: int = 0  # denoising steps painted, all passes together (the final progress)
    messages: list[str] = []
    timings: dict[str, float] = {}
    # the content filter's verdict per image: clean, flagged or unchecked (see safety.py)
    safety: list[str] = []


class PhotoInfo(msgspec.Struct):
    """A photo's upright size (after EXIF rotation) and its format: ``jpeg``, ``png`` or ``webp``."""

    width: int
    height: int
    format: str
