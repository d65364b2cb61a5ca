"""Task shapes, exactly as api.md names them (Task, TaskCreate, TaskSubmit, …)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from app.core.storage import SignedUpload

Status = Literal["created", "queued", "running", "succeeded", "failed", "canceled"]
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "canceled"})
ACTIVE: frozenset[str] = frozenset({"queued", "running"})
PhotoType = Literal["image/jpeg", "image/png", "image/webp"]
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class Progress(msgspec.Struct, kw_only=True):
    step: int
    total: int
    fraction: float


class TaskError(msgspec.Struct, kw_only=True):
    code: str
    detail: str


Point = Annotated[list[float], msgspec.Meta(min_length=2, max_length=2)]
Blend = Literal["wall", "cover"]
Detail = Literal["standard", "high"]
Guide = Literal["none", "lines", "depth"]
Metres = Annotated[float, msgspec.Meta(ge=0.3, le=200)]


class RegionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """``auto`` | ``box`` with [x, y, w, h] | ``mask`` | ``quad`` with 4 [x, y] corners (TL, TR, BR, BL)."""

    mode: Literal["auto", "box", "mask", "quad"]
    box: Annotated[list[int], msgspec.Meta(min_length=4, max_length=4)] | None = None
    points: Annotated[list[Point], msgspec.Meta(min_length=4, max_length=4)] | None = None


class Task(msgspec.Struct, kw_only=True):
    id: str
    status: Status
    theme: str | None
    prompt: str | None
    prompt_en: str | None
    region: RegionIn | None
    seed: int | None
    variations: int
    steps: int | None
    strength: float
    fast: bool
    blend: Blend
    protect: bool
    detail: Detail | None  # the detail used (null while the server has not chosen yet)
    guide: Guide | None
    wall_size_m: list[float] | None
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    queue_position: int | None
    progress: Progress
    eta_seconds: float | None
    message: str | None
    error: TaskError | None
    input_url: str | None
    mask_url: str | None
    preview_url: str | None
    result_urls: list[str]
    artwork_urls: list[str]  # quad tasks: each variation's flat mural (PNG); [] otherwise
    # v1.1 additions, smaller copies made once per task ([] / null until made; then one per result):
    thumbnail_urls: list[str] = []  # 4:3 centre crop, ≤ 640×480, WebP ≤ 60 KB: lists and cards
    display_urls: list[str] = []  # the whole result, long side ≤ 1024 px, WebP ≤ 130 KB: viewing
    input_display_url: str | None = None  # the photo the same way (the "before")
    content_type: str
    width: int | None
    height: int | None
    retry_of: str | None
    # the content filter, per result: true = held from the public board until an admin's review
    held_results: list[bool] = []


class TaskCreate(msgspec.Struct, kw_only=True):
    content_type: PhotoType
    size_bytes: Annotated[int, msgspec.Meta(ge=1)]


class MaskCreate(msgspec.Struct, kw_only=True):
    content_type: Literal["image/png"]
    size_bytes: Annotated[int, msgspec.Meta(ge=1)]


class TaskCreated(msgspec.Struct, kw_only=True):
    task: Task
    upload: SignedUpload


class MaskCreated(msgspec.Struct, kw_only=True):
    upload: SignedUpload


class TaskSubmit(msgspec.Struct, kw_only=True):
    theme: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    region: RegionIn
    seed: Annotated[int, msgspec.Meta(ge=0, le=4294967295)] | None = None
    variations: Annotated[int, msgspec.Meta(ge=1, le=4)] = 1
    steps: Annotated[int, msgspec.Meta(ge=1, le=50)] | None = None
    strength: Annotated[float, msgspec.Meta(ge=0.1, le=1.0)] = 1.0
    fast: bool = False
    blend: Blend = "wall"
    protect: bool = True
    detail: Detail | None = None  # null: the server's choice for its device
    guide: Guide | None = None  # null: the theme's default
    wall_size_m: Annotated[list[Metres], msgspec.Meta(min_length=2, max_length=2)] | None = None


class WallFound(msgspec.Struct, kw_only=True):
    mask_url: str
    coverage: float
    quad: list[list[float]] | None  # a suggested quad fitted to the found wall (TL, TR, BR, BL), or null


class TaskRetry(msgspec.Struct, kw_only=True):
    seed: Annotated[int, msgspec.Meta(ge=0, le=4294967295)] | None = None


class TaskList(msgspec.Struct, kw_only=True):
    items: list[Task]
    next_cursor: str | None


class ProgressEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    step: int
    total: int
    fraction: float
    eta_seconds: float | None = None
    preview_url: str | None = None
    queue_position: int | None = None  # only in the events sent while the task waits (tasks.waiting)
