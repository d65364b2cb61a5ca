"""The task lifecycle: create → upload → submit → queued → running → succeeded | failed | canceled.

The database row is the truth; every change goes through a guarded transition (``UPDATE … WHERE status IN``)
so a late or repeated message can never move a task backwards. Every change is published on the task's
channel for SSE/WebSocket clients.
"""

from __future__ import annotations

import bisect
import logging
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import msgspec
from piccolo.columns.combination import Combinable
from piccolo.query.functions.aggregate import Count

from app.actors.painter.errors import PaintError
from app.actors.painter.image import check_region, inspect_photo
from app.actors.painter.schemas import Region
from app.core.cpu import run_cpu
from app.core.db import point_read
from app.core.errors import (
    AppError,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
)
from app.core.events import Event, EventBus
from app.core.i18n import MESSAGES, translate
from app.core.pagination import decode_cursor, encode_cursor
from app.core.queue import JobQueue
from app.core.settings import Settings
from app.core.storage import ObjectNotFound, Storage
from app.tasks import quota
from app.tasks import variants as task_variants
from app.tasks.schemas import (
    ACTIVE,
    EXTENSIONS,
    TERMINAL,
    MaskCreate,
    Progress,
    ProgressEvent,
    RegionIn,
    Task,
    TaskCreate,
    TaskError,
    TaskSubmit,
)
from app.tasks.tables import Task as TaskRow
from app.tasks.waiting import QUEUE_CHANNEL, QUEUE_EVENT, QueueView
from app.tasks.wall import Segmenter
from app.themes.service import get_theme
from app.web.etag import etag_of

log = logging.getLogger("saekdam.tasks")

_OWNED_SQL = f"SELECT * FROM {TaskRow._meta.tablename} WHERE id = {{}} AND owner = {{}}"

# painter error code → (HTTP status at submit, whether the photo itself is at fault)
PHOTO_ERRORS = {"unsupported_image": 415, "image_too_large": 413, "too_many_pixels": 413, "image_too_small": 400}


def channel(task_id: str) -> str:
    return f"task:{task_id}"


def error_detail(code: str, detail: str | None, lang: str | None) -> str:
    """A failure's text: translated when the code has a message and a client's language is known, else the
    painter's own (language-neutral) detail."""
    if lang is not None and code in MESSAGES:
        return translate(lang, code)
    return detail or code


def localize_event(event: Event, lang: str) -> Event:
    """A task event for one client: a status event's error text in the client's language (events on the bus
    carry codes only; the same Event object goes to every subscriber, so it is copied, never changed)."""
    if event.event not in ("task", "status") or not isinstance(event.data, dict):
        return event
    error = event.data.get("error")
    if not isinstance(error, dict) or error.get("code") not in MESSAGES:
        return event
    data = {**event.data, "error": {**error, "detail": translate(lang, error["code"])}}
    return msgspec.structs.replace(event, data=data)


def suggest_quad(mask_png: bytes) -> list[list[float]] | None:
    """A wall quad (TL, TR, BR, BL) fitted to a found wall's mask, or None when none fits."""
    from app.actors.painter.geometry import fit_quad

    return fit_quad(mask_png)


def mask_coverage(mask_png: bytes) -> float:
    """Share of non-zero pixels in a mask PNG."""
    import io

    import numpy as np
    from PIL import Image

    values = np.asarray(Image.open(io.BytesIO(mask_png)).convert("L"))
    return round(float((values > 0).mean()), 4)


def now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any, empty: Any) -> Any:
    """A JSON column's value: decoded already (PostgreSQL) or as text (SQLite)."""
    if isinstance(value, str):
        return msgspec.json.decode(value) if value else empty
    return empty if value is None else value


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def held_from_board(row: TaskRow, index: int) -> bool:
    """Whether result ``index`` may not be published: the content filter did not find it clean and no admin
    released it. Tasks painted before the filter existed have no verdicts and are not held."""
    verdicts: list[str] = _json(row.safety, [])
    return index < len(verdicts) and verdicts[index] != "clean" and not row.released


LAZY_VARIANTS_PER_CALL = 6  # older results get their small copies when listed, a few per page load
QUEUE_SNAPSHOT_S = 1.0  # queue positions may lag other processes' changes by this much (never this one's)
VIEW_CACHE_S = 60.0  # a presented task is reused this long at most while its row is unchanged
VIEW_CACHE_SIZE = 4096


class TaskView(msgspec.Struct, frozen=True):
    """A task as the API answers it: the JSON body and its ETag (a hash of the body)."""

    body: bytes
    etag: str


class TaskService:
    def __init__(
        self, settings: Settings, storage: Storage, bus: EventBus, queue: JobQueue, segmenter: Segmenter | None = None
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.bus = bus
        self.queue = queue
        self.segmenter = segmenter  # finds the wall only (painter in-process, or a worker job)
        self._durations: tuple[float, float | None] = (0.0, None)  # (fetched at, mean seconds)
        # (fetched at, queued_at of every queued task in order, how many run): positions without a count
        self._queue: tuple[float, list[datetime], int] = (-1e9, [], 0)
        # task id → (the row's values, lang, position, eta, kept until, view): GET /api/tasks/{id} by poll
        self._views: OrderedDict[str, tuple[tuple[Any, ...], str, Any, Any, float, TaskView]] = OrderedDict()
        self.queue_view = QueueView(self)  # the waiting line, read once per queue move for all streams
        # called once when a task ends succeeded or failed (the completion mail, set by app.wiring)
        self.on_finished: Callable[[TaskRow], Awaitable[None]] | None = None
        self._last_orphan_sweep = float("-inf")  # monotonic time of the last orphan sweep (once per interval)

    # ---------------------------------------------------------------- reading
    async def get_owned(self, task_id: str, owner_id: int) -> TaskRow:
        """The caller's task, or 404 (also for other users' tasks: never reveal they exist)."""
        try:
            tid = uuid.UUID(task_id)
        except ValueError:
            raise NotFound() from None
        # the hottest read of the app (clients poll it): a plain query, cheaper to build than Piccolo's
        rows = await TaskRow.raw(_OWNED_SQL, tid, owner_id)
        if not rows:
            raise NotFound()
        return TaskRow(**rows[0], _exists_in_db=True)

    async def get(self, task_id: str) -> TaskRow | None:
        return await TaskRow.objects().where(TaskRow.id == uuid.UUID(task_id)).first()

    async def running_on(self, worker: str) -> str | None:
        """The id of the task this worker is painting, if any (the ops page)."""
        row = await (
            TaskRow.select(TaskRow.id)
            .where((TaskRow.status == "running") & (TaskRow.worker == worker))
            .order_by(TaskRow.started_at, ascending=False)
            .first()
        )
        return str(row["id"]) if row else None

    async def finished_by(self, worker: str) -> int:
        """How many tasks this worker has finished, all of them (the ops page; no window, no cap)."""
        return int(await TaskRow.count().where(TaskRow.status.is_in(list(TERMINAL)) & (TaskRow.worker == worker)))

    async def recent_failures(self, limit: int) -> list[TaskRow]:
        """The latest failed tasks, newest first (the ops page)."""
        return await (
            TaskRow.objects()
            .where(TaskRow.status == "failed")
            .order_by(TaskRow.finished_at, ascending=False)
            .limit(limit)
        )

    async def count_by_status(self) -> dict[str, int]:
        """How many tasks are in each state (every state present, zeros included), for monitoring."""
        counts = dict.fromkeys(["created", *sorted(ACTIVE), *sorted(TERMINAL)], 0)
        for row in await TaskRow.select(TaskRow.status, Count(TaskRow.id, alias="n")).group_by(TaskRow.status):
            counts[row["status"]] = row["n"]
        return counts

    async def list_owned(
        self,
        owner_id: int,
        limit: int,
        cursor: str | None,
        status: str | None,
        lang: str,
        statuses: tuple[str, ...] | None = None,
        only_ids: set[str] | None = None,
        except_ids: set[str] | None = None,
    ) -> tuple[list[TaskRow], str | None]:
        """The owner's tasks, newest first; ``statuses``/``only_ids``/``except_ids`` are the "my murals"
        filters (by state, and published or not: the ids of the owner's published tasks)."""
        where: Combinable = TaskRow.owner == owner_id
        if status is not None:
            where &= TaskRow.status == status
        if statuses:
            where &= TaskRow.status.is_in(list(statuses))
        if only_ids is not None:
            if not only_ids:
                return [], None
            where &= TaskRow.id.is_in([uuid.UUID(i) for i in only_ids])
        if except_ids:
            where &= TaskRow.id.not_in([uuid.UUID(i) for i in except_ids])
        after = decode_cursor(cursor, 2, lang)
        if after is not None:
            try:
                at, tid = datetime.fromisoformat(after[0]), uuid.UUID(after[1])
            except (TypeError, ValueError):
                raise InvalidInput(
                    errors=[FieldError(field="cursor", message=translate(lang, "field_invalid"))]
                ) from None
            where &= (TaskRow.created_at < at) | ((TaskRow.created_at == at) & (TaskRow.id < tid))
        rows = (
            await TaskRow.objects()
            .where(where)
            .order_by(TaskRow.created_at, TaskRow.id, ascending=False)
            .limit(limit + 1)
        )
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1].created_at.isoformat(), str(rows[-1].id))
        return rows, next_cursor

    async def mean_duration(self) -> float | None:
        """Mean paint time of recent jobs (cached 10 s): the basis of queue ETAs."""
        fetched, mean = self._durations
        if time.monotonic() - fetched < 10:
            return mean
        rows = await (
            TaskRow.select(TaskRow.started_at, TaskRow.finished_at)
            .where((TaskRow.status == "succeeded") & TaskRow.started_at.is_not_null())
            .order_by(TaskRow.finished_at, ascending=False)
            .limit(20)
        )
        spans = [(r["finished_at"] - r["started_at"]).total_seconds() for r in rows if r["finished_at"]]
        mean = sum(spans) / len(spans) if spans else None
        self._durations = (time.monotonic(), mean)
        return mean

    def queue_changed(self) -> None:
        """A task entered, left or moved in the queue here: the next read takes a fresh snapshot."""
        self._queue = (-1e9, [], 0)

    async def _queue_snapshot(self) -> tuple[list[datetime], int]:
        """Every queued task's ``queued_at`` (sorted) and the number running, read at most once a second:
        a position is a bisection, not a count of the queue per read."""
        fetched, queued, running = self._queue
        if time.monotonic() - fetched < QUEUE_SNAPSHOT_S:
            return queued, running
        rows = await TaskRow.select(TaskRow.status, TaskRow.queued_at).where(
            TaskRow.status.is_in(["queued", "running"])
        )
        queued = sorted(r["queued_at"] for r in rows if r["status"] == "queued" and r["queued_at"] is not None)
        running = sum(1 for r in rows if r["status"] == "running")
        self._queue = (time.monotonic(), queued, running)
        return queued, running

    async def queue_position(self, row: TaskRow) -> int | None:
        """How many queued tasks were queued before this one."""
        if row.status != "queued" or row.queued_at is None:
            return None
        queued, _ = await self._queue_snapshot()
        return bisect.bisect_left(queued, row.queued_at)

    async def eta(self, row: TaskRow, position: int | None) -> float | None:
        if row.status == "running" and row.started_at is not None and row.progress_step > 0:
            elapsed = (now() - row.started_at).total_seconds()
            per_step = elapsed / row.progress_step
            return round(max(0.0, per_step * (row.progress_total - row.progress_step)), 1)
        if row.status not in ("running", "queued"):
            return None
        mean = await self.mean_duration()
        if mean is None:
            return None
        if row.status == "running":
            return round(mean, 1)
        _, running = await self._queue_snapshot()
        return round(mean * ((position or 0) + max(1, running)), 1)

    async def view(self, task_id: str, owner_id: int, lang: str) -> TaskView:
        """``GET /api/tasks/{id}``: the caller's task as JSON with its ETag (404 for others' tasks).

        One query for the row; the presented body is reused while the row, the position and the ETA are
        unchanged (the signed URLs it holds are at most ``VIEW_CACHE_S`` older than fresh ones).
        """
        try:
            tid = uuid.UUID(task_id)
        except ValueError:
            raise NotFound() from None
        rows = await point_read(TaskRow, _OWNED_SQL, tid, owner_id)
        if not rows:
            raise NotFound()
        values = rows[0]
        fields = SimpleNamespace(**values)  # what position and ETA read; a Table row is built on a miss only
        position = await self.queue_position(fields)  # type: ignore[arg-type]  # the namespace has the fields it reads
        eta = await self.eta(fields, position)  # type: ignore[arg-type]  # the namespace has the fields it reads
        key = str(tid)
        state = tuple(values.values())
        hit = self._views.get(key)
        if (
            hit is not None
            and hit[0] == state
            and hit[1] == lang
            and hit[2] == position
            and hit[3] == eta
            and hit[4] > time.monotonic()
        ):
            return hit[5]
        row = TaskRow(**values, _exists_in_db=True)
        body = msgspec.json.encode(await self.present(row, lang, position=position, eta=eta))
        view = TaskView(body=body, etag=etag_of(body))
        if row.status != "created":  # a created task's answer also depends on whether its photo arrived
            self._views[key] = (state, lang, position, eta, time.monotonic() + VIEW_CACHE_S, view)
            self._views.move_to_end(key)
            if len(self._views) > VIEW_CACHE_SIZE:
                self._views.popitem(last=False)
        return view

    async def present(self, row: TaskRow, lang: str | None, *, position: Any = ..., eta: Any = ...) -> Task:
        """The API's Task for a row, with signed URLs (reused while half their lifetime is left); ``lang=None``
        for events (see ``localize_event``)."""
        ttl = self.settings.download_url_ttl_s
        url = self.storage.download_url
        if position is ...:
            position = await self.queue_position(row)
        if eta is ...:
            eta = await self.eta(row, position)
        total = row.progress_total or 0
        error = None
        if row.error_code:
            error = TaskError(code=row.error_code, detail=error_detail(row.error_code, row.error_detail, lang))
        keys: list[str] = _json(row.result_keys, [])
        artworks: list[str] = _json(row.artwork_keys, [])
        region_raw = _json(row.region, None)
        mask_key = row.painted_mask_key or row.mask_key  # what was painted (keep-outs removed), else the upload
        small = task_variants.decode(row.variants)
        if not small.complete(len(keys)):
            small = task_variants.Variants()  # until made: the pages show the originals
        # aligned to 10 minutes: the small copies keep their URLs (and the browser's cache) between loads
        small_ttl = ttl + (600 - int(time.time()) % 600)
        has_input = row.message != "files_expired" and (row.status != "created" or await self._exists(row.input_key))
        return Task(
            id=str(row.id),
            status=row.status,  # type: ignore[arg-type]  # Piccolo reads the choices column as str
            theme=row.theme or None,
            prompt=row.prompt or None,
            prompt_en=row.prompt_en or None,
            region=msgspec.convert(region_raw, RegionIn) if region_raw else None,
            seed=row.seed,
            variations=row.variations,
            steps=row.steps,
            strength=row.strength,
            fast=row.fast,
            blend=row.blend or "wall",  # type: ignore[arg-type]  # Piccolo reads the choices column as str
            protect=bool(row.protect),
            detail=row.detail or None,  # type: ignore[arg-type]  # Piccolo reads the choices column as str
            guide=row.guide or None,  # type: ignore[arg-type]  # Piccolo reads the choices column as str
            wall_size_m=_json(row.wall_size_m, None),
            created_at=row.created_at,
            queued_at=row.queued_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            queue_position=position,
            progress=Progress(
                step=row.progress_step,
                total=total,
                fraction=round(row.progress_step / total, 4) if total else (1.0 if row.status == "succeeded" else 0.0),
            ),
            eta_seconds=eta,
            message=row.message,
            error=error,
            input_url=await url(row.input_key, ttl) if has_input else None,
            mask_url=await url(mask_key, ttl) if mask_key and row.status != "created" else None,
            preview_url=await url(row.preview_key, ttl) if row.preview_key else None,
            result_urls=[
                await url(k, ttl, f"saekdam-{str(row.id)[:8]}-{i + 1}.{k.rsplit('.', 1)[-1]}")
                for i, k in enumerate(keys)
            ],
            artwork_urls=[
                await url(k, ttl, f"saekdam-{str(row.id)[:8]}-artwork-{i + 1}.png") for i, k in enumerate(artworks)
            ],
            thumbnail_urls=[await url(k, small_ttl) for k in small.thumbs],
            display_urls=[await url(k, small_ttl) for k in small.displays],
            input_display_url=await url(small.input, small_ttl) if small.input and has_input else None,
            content_type=row.content_type,
            width=row.width,
            height=row.height,
            retry_of=str(row.retry_of) if row.retry_of else None,
            held_results=[held_from_board(row, i) for i in range(len(keys))],
        )

    async def _exists(self, key: str) -> bool:
        return await self.storage.exists(key)

    # ---------------------------------------------------------------- smaller copies
    async def make_variants(
        self, row: TaskRow, result_keys: list[str], results: list[bytes] | None = None, photo: bytes | None = None
    ) -> str:
        """Make and store the task's thumbnails and display copies; returns the ``variants`` column's value."""
        made = await task_variants.make(self.storage, row.input_key, result_keys, results, photo)
        return made.encode()

    async def ensure_variants(self, rows: list[TaskRow]) -> None:
        """Lazily, once: the small copies of results painted before they existed (a few per call)."""
        budget = LAZY_VARIANTS_PER_CALL
        for row in rows:
            results = _json(row.result_keys, [])
            if (
                row.status != "succeeded"
                or not results
                or budget <= 0
                or task_variants.decode(row.variants).complete(len(results))
            ):
                continue
            budget -= len(results)
            try:
                encoded = await self.make_variants(row, results)
            except Exception:  # the pages show the originals instead; the next view tries again
                log.warning("task %s: could not make its small copies", row.id, exc_info=True)
                continue
            await TaskRow.update({TaskRow.variants: encoded}).where(
                (TaskRow.id == row.id) & (TaskRow.status == "succeeded")
            )
            row.variants = encoded

    async def result_copies(self, row: TaskRow, index: int) -> tuple[bytes, bytes, bytes]:
        """(thumbnail, display copy of the result, display copy of the photo) of one result, made now when
        missing: what a board post copies."""
        await self.ensure_variants([row])
        made = task_variants.decode(row.variants)
        if not made.complete(len(_json(row.result_keys, []))):
            raise ObjectNotFound(row.input_key)
        get = self.storage.get
        return await get(made.thumbs[index]), await get(made.displays[index]), await get(made.input)  # type: ignore[arg-type]  # complete() checked that the input is there

    # ---------------------------------------------------------------- creating
    async def create(self, owner_id: int, data: TaskCreate) -> tuple[TaskRow, Any]:
        if data.size_bytes > self.settings.max_upload_bytes:
            raise TooLarge(params={"max": self.settings.max_upload_bytes})
        tid = uuid.uuid4()
        key = f"tasks/{tid}/input.{EXTENSIONS[data.content_type]}"
        row = TaskRow(
            id=tid,
            owner=owner_id,
            status="created",
            content_type=data.content_type,
            size_bytes=data.size_bytes,
            input_key=key,
        )
        await row.save()
        # counted with the new row in: parallel creates (any API process) may all be refused, never all let in
        try:
            await self._check_open(owner_id)
        except RateLimited:
            await TaskRow.delete().where(TaskRow.id == tid)
            raise
        upload = await self.storage.upload_url(key, data.content_type, data.size_bytes, self.settings.upload_url_ttl_s)
        return row, upload

    async def _check_open(self, owner_id: int, extra_bytes: int = 0) -> None:
        """429 when the user's tasks waiting for a photo are too many or declare too many bytes (storage
        exhaustion: each one holds an upload URL for up to ``max_upload_bytes``)."""
        s = self.settings
        rows = await TaskRow.select(TaskRow.size_bytes, TaskRow.mask_size_bytes).where(
            (TaskRow.owner == owner_id) & (TaskRow.status == "created")
        )
        if len(rows) > s.max_open_tasks:
            raise RateLimited("too_many_open_tasks", retry_after=60, params={"max": s.max_open_tasks})
        declared = extra_bytes + sum((r["size_bytes"] or 0) + (r["mask_size_bytes"] or 0) for r in rows)
        if declared > s.max_open_upload_bytes:
            raise RateLimited(
                "upload_quota_exceeded", retry_after=60, params={"max_mb": round(s.max_open_upload_bytes / 1_000_000)}
            )

    async def check_upload(self, key: str) -> None:
        """An upload through the app's own file endpoint lands only in a task that still waits for it:
        404 when the task is gone, 409 when it left ``created`` or the key is no longer its photo's or mask's."""
        parts = key.split("/")
        if len(parts) < 3 or parts[0] != "tasks":
            return
        try:
            tid = uuid.UUID(parts[1])
        except ValueError:
            raise NotFound() from None
        row = await TaskRow.select(TaskRow.status, TaskRow.input_key, TaskRow.mask_key).where(TaskRow.id == tid).first()
        if row is None:
            raise NotFound()
        if row["status"] != "created" or key not in (row["input_key"], row["mask_key"]):
            raise Conflict("invalid_state", params={"status": row["status"]})

    async def create_mask_upload(self, row: TaskRow, data: MaskCreate) -> Any:
        if row.status != "created":
            raise Conflict("invalid_state")
        if data.size_bytes > self.settings.max_upload_bytes:
            raise TooLarge()
        await self._check_open(row.owner, data.size_bytes - (row.mask_size_bytes or 0))
        key = f"tasks/{row.id}/mask-{uuid.uuid4().hex[:8]}.png"  # a new key per upload: never overwritten
        await TaskRow.update({TaskRow.mask_key: key, TaskRow.mask_size_bytes: data.size_bytes}).where(
            TaskRow.id == row.id
        )
        if row.mask_key:  # the mask it replaces is stored no more (its URL is refused from now on)
            await self.storage.delete(row.mask_key)
        return await self.storage.upload_url(key, "image/png", data.size_bytes, self.settings.upload_url_ttl_s)

    async def find_wall(self, row: TaskRow) -> tuple[str, float, list[list[float]] | None]:
        """Run only the wall finding on the uploaded photo (for the create page's overlay).

        Returns the stored mask's key, the share of the photo it covers and a quad fitted to the wall
        (or None); 422 ``no_wall_found``.
        """
        if self.segmenter is None:
            raise AppError("model_unavailable", status=503)
        await self._check_upload(row)
        try:
            mask = await self.segmenter(row.input_key, row.content_type)  # where the model is: it checks the photo
        except PaintError as exc:
            status = 422 if exc.code == "no_wall_found" else PHOTO_ERRORS.get(exc.code, 400)
            raise AppError(exc.code, status=status) from None
        key = f"tasks/{row.id}/wall.png"
        await self.storage.put(key, mask, "image/png")
        return key, await run_cpu(mask_coverage, mask), await run_cpu(suggest_quad, mask)

    # ---------------------------------------------------------------- submitting
    @staticmethod
    def _replays(row: TaskRow, idempotency_key: str | None) -> bool:
        """Whether this submit repeats the one that queued the task (same key within 24 h)."""
        return (
            bool(idempotency_key)
            and row.idempotency_key == idempotency_key
            and row.queued_at is not None
            and now() - row.queued_at < timedelta(hours=24)
        )

    async def _check_upload(self, row: TaskRow) -> None:
        size = await self.storage.size(row.input_key)
        if size is None:
            raise Conflict("photo_missing")
        if size != row.size_bytes:
            raise InvalidInput("size_mismatch")

    async def _load_photo(self, row: TaskRow) -> bytes:
        await self._check_upload(row)
        return await self.storage.get(row.input_key)

    async def validate_submission(self, row: TaskRow, data: TaskSubmit, lang: str = "ko") -> tuple[int, int]:
        """Every check that can be made before queuing; returns the photo's upright size."""
        photo = await self._load_photo(row)
        s = self.settings
        try:  # a full decode: up to 40 megapixels, most of a second of CPU
            info = await run_cpu(inspect_photo, photo, row.content_type, s.max_upload_bytes, s.max_pixels)
        except PaintError as exc:
            status = PHOTO_ERRORS.get(exc.code, 400)
            raise AppError(exc.code, status=status, detail=None) from None
        mask: bytes | None = None
        if data.region.mode == "mask":
            if not row.mask_key or await self.storage.size(row.mask_key) is None:
                raise Conflict("mask_missing")
            if await self.storage.size(row.mask_key) != row.mask_size_bytes:
                raise InvalidInput("size_mismatch")
            mask = await self.storage.get(row.mask_key)
        try:  # decodes the mask when there is one
            region = Region(mode=data.region.mode, box=data.region.box, points=data.region.points)
            await run_cpu(check_region, region, info, mask) if mask is not None else check_region(region, info, mask)
        except PaintError as exc:
            field = "region" if exc.code == "invalid_region" else "mask"
            text = "invalid_quad" if exc.params.get("reason") == "quad" else exc.code
            # the field message in the request's language (str(exc) is the painter's English, for logs)
            raise InvalidInput(exc.code, errors=[FieldError(field=field, message=translate(lang, text))]) from None
        return info.width, info.height

    async def submit(
        self, owner_id: int, task_id: str, data: TaskSubmit, idempotency_key: str | None, lang: str
    ) -> TaskRow:
        """Queue a ``created`` task. The quota check, the state change and the usage record happen in one
        transaction under the owner's lock; a submit that lost a race with the same ``Idempotency-Key``
        re-reads the task there and answers as the winner did."""
        row = await self.get_owned(task_id, owner_id)
        if self._replays(row, idempotency_key):
            return row  # the same submit again: the first answer
        if row.status != "created":
            raise Conflict("invalid_state", params={"status": row.status})
        if (data.region.mode == "box" and data.region.box is None) or (
            data.region.mode == "quad" and data.region.points is None
        ):
            raise InvalidInput(errors=[FieldError(field="region", message=translate(lang, "field_required"))])
        theme = await get_theme(data.theme)
        if theme is None:
            raise InvalidInput(errors=[FieldError(field="theme", message=translate(lang, "unknown_theme"))])
        units = quota.work_units(data.variations, data.steps or (0 if data.fast else theme.default_steps))
        await quota.check(self.settings, owner_id, units)  # early and cheap; decided again under the lock
        width, height = await self.validate_submission(row, data, lang)
        seed = data.seed if data.seed is not None else random.randrange(0, 2**32)
        values = {
            getattr(TaskRow, k): v
            for k, v in dict(
                status="queued",
                theme=data.theme,
                prompt=data.prompt,
                region=msgspec.json.encode(data.region).decode(),
                seed=seed,
                variations=data.variations,
                steps=data.steps,
                strength=data.strength,
                fast=data.fast,
                blend=data.blend,
                protect=data.protect,
                detail=data.detail,
                guide=data.guide or theme.default_guide or "none",
                wall_size_m=msgspec.json.encode(data.wall_size_m).decode(),
                width=width,
                height=height,
                queued_at=now(),
                idempotency_key=idempotency_key,
                mask_key=row.mask_key if data.region.mode == "mask" else None,
            ).items()
        }
        async with quota.owner_lock(owner_id):
            current = await TaskRow.objects().where(TaskRow.id == row.id).first()
            if current is None:
                raise NotFound()
            if self._replays(current, idempotency_key):  # a parallel submit with this key won
                return current
            if current.status != "created":
                raise Conflict("invalid_state", params={"status": current.status})
            await quota.check(self.settings, owner_id, units)
            done = (
                await TaskRow.update(values)
                .where((TaskRow.id == row.id) & (TaskRow.status == "created"))
                .returning(TaskRow.id)
            )
            if not done:
                raise Conflict("invalid_state")
            await quota.record(owner_id, row.id, units)
        changed = await TaskRow.objects().where(TaskRow.id == row.id).first()
        if changed is None:  # deleted right after
            raise NotFound()
        await self.publish_status(changed)
        await self.publish_queue_move(str(row.id), "queued")
        await self.queue.enqueue(str(row.id))
        return changed

    # ---------------------------------------------------------------- transitions
    async def transition(
        self, task_id: uuid.UUID | str, from_states: tuple[str, ...], to: str, held_by: str | None = None, **fields: Any
    ) -> TaskRow | None:
        """Move a task from one of ``from_states`` to ``to`` atomically; None when it was not in them.

        ``held_by`` also requires the task to be held by that worker (a job taken over by another
        worker after a lost heartbeat can no longer write).
        """
        tid = uuid.UUID(str(task_id))
        values = {getattr(TaskRow, k): v for k, v in fields.items()}
        values[TaskRow.status] = to
        where = (TaskRow.id == tid) & TaskRow.status.is_in(list(from_states))
        if held_by is not None:
            where &= TaskRow.worker == held_by
        done = await TaskRow.update(values).where(where).returning(TaskRow.id)
        if not done:
            return None
        self.queue_changed()
        row = await TaskRow.objects().where(TaskRow.id == tid).first()
        if row is not None:
            await self.publish_status(row)
            if to in ("succeeded", "failed") and row.notify_email and self.on_finished is not None:
                try:
                    await self.on_finished(row)
                except Exception:  # a mail never fails the task
                    log.exception("completion notice of task %s failed", row.id)
        if to == "queued" or "queued" in from_states or "running" in from_states:
            await self.publish_queue_move(str(tid), to)
        return row

    async def set_notify_email(self, owner_id: int, task_id: str, lang: str | None) -> TaskRow:
        """Turn the completion mail on (in ``lang``) or off (None) for the owner's unfinished task."""
        row = await self.get_owned(task_id, owner_id)
        if row.status in TERMINAL:
            raise Conflict("invalid_state", params={"status": row.status})
        await TaskRow.update({TaskRow.notify_email: lang}).where(TaskRow.id == row.id)
        row.notify_email = lang
        return row

    async def publish_queue_move(self, task_id: str, status: str) -> None:
        """One broadcast per queue change; each waiting stream works out its own position (tasks.waiting)."""
        try:
            await self.bus.publish(QUEUE_CHANNEL, QUEUE_EVENT, {"task": task_id, "status": status})
        except Exception:  # positions catch up with the next move or the next snapshot
            log.exception("could not publish the queue move of task %s", task_id)

    async def publish_status(self, row: TaskRow) -> None:
        """One language-neutral event for every client; each stream puts the text in its client's language."""
        try:
            await self.bus.publish(channel(str(row.id)), "status", await self.present(row, None))
        except Exception:  # the DB holds the truth: a client that missed this gets it from the snapshot
            log.exception("could not publish status of task %s", row.id)

    async def publish_progress(self, task_id: str, event: ProgressEvent) -> None:
        await self.bus.publish(channel(task_id), "progress", event)

    async def cancel(self, owner_id: int, task_id: str) -> TaskRow:
        row = await self.get_owned(task_id, owner_id)
        changed = await self.transition(
            row.id, tuple(ACTIVE), "canceled", finished_at=now(), error_code=None, message=None
        )
        if changed is None:
            raise Conflict("invalid_state", params={"status": row.status})
        return changed

    async def fail(
        self,
        task_id: str,
        code: str,
        detail: str | None = None,
        from_states: tuple[str, ...] = tuple(ACTIVE),
        held_by: str | None = None,
    ) -> TaskRow | None:
        return await self.transition(
            task_id, from_states, "failed", held_by=held_by, finished_at=now(), error_code=code, error_detail=detail
        )

    async def retry(self, owner_id: int, task_id: str, seed: int | None, lang: str) -> TaskRow:
        """A new task with the same photo and options (copied: the new task owns its files). It is counted
        against the quota like a submit, under the owner's lock."""
        old = await self.get_owned(task_id, owner_id)
        if old.status not in TERMINAL:
            raise Conflict("invalid_state", params={"status": old.status})
        theme = await get_theme(old.theme)
        steps = old.steps or (0 if old.fast else (theme.default_steps if theme else quota.UNIT_STEPS))
        units = quota.work_units(old.variations, steps)
        await quota.check(self.settings, owner_id, units)  # early; decided again under the lock
        photo = await self._load_photo(old)
        new_id = uuid.uuid4()
        input_key = f"tasks/{new_id}/input.{old.input_key.rsplit('.', 1)[-1]}"
        try:
            await self.storage.put(input_key, photo, old.content_type)
            mask_key = None
            if old.mask_key:
                mask_key = f"tasks/{new_id}/mask.png"
                await self.storage.put(mask_key, await self.storage.get(old.mask_key), "image/png")
            row = TaskRow(
                id=new_id,
                owner=owner_id,
                status="queued",
                content_type=old.content_type,
                size_bytes=old.size_bytes,
                input_key=input_key,
                mask_key=mask_key,
                mask_size_bytes=old.mask_size_bytes,
                theme=old.theme,
                prompt=old.prompt,
                region=old.region,
                seed=old.seed if seed is None else seed,
                variations=old.variations,
                steps=old.steps,
                strength=old.strength,
                fast=old.fast,
                width=old.width,
                height=old.height,
                queued_at=now(),
                retry_of=old.id,
                blend=old.blend,
                protect=old.protect,
                detail=old.detail,
                guide=old.guide,
                wall_size_m=msgspec.json.encode(_json(old.wall_size_m, None)).decode(),
            )
            async with quota.owner_lock(owner_id):
                await quota.check(self.settings, owner_id, units)
                await row.save()
                await quota.record(owner_id, new_id, units)
        except BaseException:  # refused (or failed): the copies go again
            await self.delete_files(str(new_id))
            raise
        self.queue_changed()
        await self.publish_status(row)
        await self.queue.enqueue(str(new_id))
        return row

    async def delete(self, owner_id: int, task_id: str) -> None:
        """Cancel if active, then remove the files and the row; its URLs stop working at once."""
        row = await self.get_owned(task_id, owner_id)
        if row.status in ACTIVE:
            await self.transition(row.id, tuple(ACTIVE), "canceled", finished_at=now())
        await self.delete_files(str(row.id))
        await TaskRow.delete().where(TaskRow.id == row.id)

    async def all_owned(self, owner_id: int) -> list[TaskRow]:
        """Every task of a user, oldest first (data export)."""
        return await TaskRow.objects().where(TaskRow.owner == owner_id).order_by(TaskRow.created_at, TaskRow.id)

    async def delete_all_owned(self, owner_id: int) -> int:
        """Delete every task of a user with its files (account deletion); returns how many."""
        rows = await TaskRow.select(TaskRow.id).where(TaskRow.owner == owner_id)
        for r in rows:
            await self.delete(owner_id, str(r["id"]))
        return len(rows)

    async def delete_files(self, task_id: str) -> int:
        keys = await self.storage.list_keys(f"tasks/{task_id}/")
        for key in keys:
            await self.storage.delete(key)
        return len(keys)

    async def cleanup_expired(self) -> int:
        """Delete the files of finished tasks older than the retention (published posts keep copies)."""
        cutoff = now() - timedelta(days=self.settings.file_retention_days)
        rows = await TaskRow.select(TaskRow.id).where(
            TaskRow.status.is_in(list(TERMINAL) + ["created"]) & (TaskRow.created_at < cutoff)
        )
        removed = 0
        for r in rows:
            removed += await self.delete_files(str(r["id"]))
            await TaskRow.update(
                {
                    TaskRow.result_keys: "[]",
                    TaskRow.variants: "{}",
                    TaskRow.preview_key: None,
                    TaskRow.message: "files_expired",
                }
            ).where(TaskRow.id == r["id"])
        return removed

    async def sweep_orphans(self, force: bool = False) -> int:
        """Remove what no task accounts for (at most once per ``orphan_sweep_interval_s`` unless ``force``):
        objects under ``tasks/<id>/`` whose task is gone (an upload to a deleted task's URL, a half-made retry)
        and ``created`` tasks whose upload URL expired without a photo, each once older than ``orphan_grace_s``.
        Returns how many objects and rows went."""
        s = self.settings
        if not force and time.monotonic() - self._last_orphan_sweep < s.orphan_sweep_interval_s:
            return 0
        self._last_orphan_sweep = time.monotonic()
        cutoff = now() - timedelta(seconds=s.orphan_grace_s)
        removed = 0
        # tasks that never got their photo: nothing can upload it any more (the URL expired)
        never = await TaskRow.select(TaskRow.id, TaskRow.input_key).where(
            (TaskRow.status == "created") & (TaskRow.created_at < cutoff - timedelta(seconds=s.upload_url_ttl_s))
        )
        for r in never:
            if not await self.storage.exists(r["input_key"]):
                removed += await self.delete_files(str(r["id"]))
                await TaskRow.delete().where((TaskRow.id == r["id"]) & (TaskRow.status == "created"))
                removed += 1
        by_task: dict[str, list[str]] = {}
        for key in await self.storage.list_keys("tasks/"):
            by_task.setdefault(key.split("/")[1], []).append(key)
        ids = list(by_task)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            known = {uuid.UUID(i) for i in chunk if _is_uuid(i)}
            if known:
                rows = await TaskRow.select(TaskRow.id).where(TaskRow.id.is_in(list(known)))
                present = {str(r["id"]) for r in rows}
            else:
                present = set()
            for tid in chunk:
                if tid in present:
                    continue
                for key in by_task[tid]:
                    written = await self.storage.modified_at(key)
                    if written is not None and written < cutoff:
                        await self.storage.delete(key)
                        removed += 1
        if removed:
            log.info("orphan sweep removed %d objects and rows", removed)
        return removed

    async def stale_running(self, stale_after_s: float) -> list[TaskRow]:
        """Running tasks whose worker stopped sending heartbeats (killed, frozen, cut off)."""
        cutoff = now() - timedelta(seconds=stale_after_s)
        return await TaskRow.objects().where((TaskRow.status == "running") & (TaskRow.heartbeat_at < cutoff))

    async def requeue_orphans(self, stale_after_s: float) -> int:
        """After a restart or a lost worker: queued tasks go back in line, stale running ones retry or fail."""
        count = 0
        for row in await TaskRow.objects().where(TaskRow.status == "queued"):
            if await self.queue.enqueue(str(row.id)):
                count += 1
        cutoff = now() - timedelta(seconds=stale_after_s)
        stale = await TaskRow.objects().where(
            (TaskRow.status == "running") & ((TaskRow.heartbeat_at < cutoff) | TaskRow.heartbeat_at.is_null())
        )
        for row in stale:
            if row.heartbeat_at is None and row.started_at and row.started_at > cutoff:
                continue
            if row.attempts < self.settings.job_max_tries:
                if await self.transition(row.id, ("running",), "queued", message="retrying_after_worker_loss"):
                    await self.queue.enqueue(str(row.id))
                    count += 1
            else:
                await self.fail(str(row.id), "worker_lost", from_states=("running",))
        return count
