"""Sheets of a task's results: made once per (result, colours), stored beside the results, served signed.

The work itself (``sheet.make_sheet``) is CPU-bound and blocking: it runs in this service's own thread pool
of ``sheet_concurrency`` threads, never on the event loop, and concurrent requests for the same sheet in
one process share one computation. Files go under ``tasks/{id}/`` (so they leave with the task and its
retention), the JSON last: a sheet whose JSON is there is complete. The JSON records the settings it was
made with; a sheet made under other settings (or an older algorithm) is made again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec

from app.core.errors import AppError, Conflict, FieldError, InvalidInput, NotFound
from app.core.i18n import translate
from app.core.settings import Settings
from app.core.storage import ObjectNotFound, Storage
from app.sheets.schemas import Sheet, SheetColor, SheetMeta
from app.sheets.sheet import SheetFiles, SheetInputError, make_sheet, options_from_settings
from app.tasks.service import TaskService

log = logging.getLogger("saekdam.sheets")

VERSION = "1"  # bump when the algorithm's output changes: stored sheets are then made again


def _json(value: Any, empty: Any) -> Any:
    """A JSON column's value: decoded already (PostgreSQL) or as text (SQLite)."""
    if isinstance(value, str):
        return msgspec.json.decode(value) if value else empty
    return empty if value is None else value


def make_from(image: bytes, mask: bytes | None, box: list[int] | None, options: Any, paper: str) -> SheetFiles:
    """``make_sheet``, with the mask drawn from a box first (tasks painted before the painted mask was stored)."""
    if box is not None:
        from PIL import Image, ImageDraw

        size = Image.open(io.BytesIO(image)).size
        drawn = Image.new("L", size, 0)
        x, y, w, h = box
        ImageDraw.Draw(drawn).rectangle((x, y, x + w - 1, y + h - 1), fill=255)
        buffer = io.BytesIO()
        drawn.save(buffer, format="PNG", compress_level=1)
        mask = buffer.getvalue()
    return make_sheet(image, mask, options, paper)


class Source(msgspec.Struct, kw_only=True, frozen=True):
    """Where a sheet's mural comes from: a flat artwork, or a result and the mask of what was painted."""

    image_key: str
    mask_key: str | None = None
    box: list[int] | None = None  # old box tasks without a stored painted mask
    wall_size_m: tuple[float, float] | None = None


class SheetService:
    def __init__(self, settings: Settings, storage: Storage, tasks: TaskService) -> None:
        self.settings = settings
        self.storage = storage
        self.tasks = tasks
        self._pool = ThreadPoolExecutor(max_workers=settings.sheet_concurrency, thread_name_prefix="saekdam-sheet")
        self._building: dict[str, asyncio.Task[SheetMeta]] = {}

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ reading a task
    def source(self, row: Any, result: int, lang: str) -> Source:
        """The mural of result ``result`` (1-based): 400 naming ``result`` when there is no such result."""
        keys: list[str] = _json(row.result_keys, [])
        if not 1 <= result <= len(keys):
            raise InvalidInput(
                errors=[FieldError(field="result", message=translate(lang, "sheet_no_such_result", n=len(keys)))]
            )
        size = _json(getattr(row, "wall_size_m", None), None)
        wall = (float(size[0]), float(size[1])) if size else None
        region = _json(row.region, None) or {}
        artworks: list[str] = _json(getattr(row, "artwork_keys", None), [])
        if region.get("mode") == "quad" and len(artworks) >= result:
            return Source(image_key=artworks[result - 1], wall_size_m=wall)  # the flat mural: all of it is painted
        painted = getattr(row, "painted_mask_key", None)
        if painted:
            return Source(image_key=keys[result - 1], mask_key=painted, wall_size_m=wall)
        if region.get("mode") == "mask" and row.mask_key:
            return Source(image_key=keys[result - 1], mask_key=row.mask_key, wall_size_m=wall)
        if region.get("mode") == "box" and region.get("box"):
            return Source(image_key=keys[result - 1], box=list(region["box"]), wall_size_m=wall)
        # an auto-region task from before painted masks were stored: which pixels were painted is unknown
        raise Conflict("sheet_source_missing")

    def fingerprint(self, source: Source) -> str:
        s = self.settings
        text = (
            f"v{VERSION}|{source.image_key}|{source.mask_key}|{source.box}|{source.wall_size_m}|"
            f"{s.sheet_coverage_m2_per_l}|{s.sheet_coats}|{s.sheet_min_region_cm2}|{s.sheet_min_region_px}|"
            f"{s.sheet_paper}"
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    # ------------------------------------------------------------ the sheet
    async def for_owner(self, owner_id: int, task_id: str, result: int, colors: int, lang: str) -> Sheet:
        """The caller's task's sheet: 404 for other users' tasks, 409 ``task_not_succeeded``."""
        row = await self.tasks.get_owned(task_id, owner_id)
        return await self.for_task(row, result, colors, lang)

    async def for_task(self, row: Any, result: int, colors: int, lang: str) -> Sheet:
        """The sheet of one result of a task the caller may see (authorization is the caller's)."""
        if row.status != "succeeded":
            raise Conflict("task_not_succeeded", detail=translate(lang, "sheet_task_not_succeeded"))
        source = self.source(row, result, lang)
        base = f"tasks/{row.id}/sheet-{result}-{colors}"
        meta = await self._stored(base, self.fingerprint(source))
        if meta is None:
            meta = await self._build_once(base, source, result, colors)
        return await self._present(str(row.id), base, meta)

    async def _stored(self, base: str, fingerprint: str) -> SheetMeta | None:
        try:
            meta = msgspec.json.decode(await self.storage.get(f"{base}.json"), type=SheetMeta)
        except (ObjectNotFound, msgspec.DecodeError, msgspec.ValidationError):
            return None
        return meta if meta.fingerprint == fingerprint else None

    async def _build_once(self, base: str, source: Source, result: int, colors: int) -> SheetMeta:
        """One computation per sheet in this process, however many ask at once; a caller that goes away
        (a closed connection) does not cancel it for the others, and the files are stored all the same."""
        task = self._building.get(base)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._build(base, source, result, colors))
            self._building[base] = task

            def done(t: asyncio.Task[SheetMeta]) -> None:
                self._building.pop(base, None)
                if not t.cancelled():
                    t.exception()  # retrieved, also when every caller has gone

            task.add_done_callback(done)
        return await asyncio.shield(task)

    async def _load(self, key: str) -> bytes:
        try:
            return await self.storage.get(key)
        except ObjectNotFound:
            raise Conflict("sheet_source_missing") from None

    async def _build(self, base: str, source: Source, result: int, colors: int) -> SheetMeta:
        image = await self._load(source.image_key)
        mask = await self._load(source.mask_key) if source.mask_key else None
        options = options_from_settings(self.settings, colors, source.wall_size_m)
        loop = asyncio.get_running_loop()
        try:
            files: SheetFiles = await loop.run_in_executor(
                self._pool, make_from, image, mask, source.box, options, self.settings.sheet_paper
            )
        except SheetInputError as exc:
            log.warning("sheet %s: %s", base, exc)
            raise AppError("sheet_unprocessable", status=422) from None
        plan = files.plan
        meta = SheetMeta(
            fingerprint=self.fingerprint(source),
            result=result,
            requested_colors=colors,
            colors=[
                SheetColor(
                    number=u.number,
                    hex=u.paint.hex,
                    name=u.paint.name,
                    code=u.paint.code,
                    share=float(u.share),
                    area_m2=None if u.area_m2 is None else float(u.area_m2),
                    litres=None if u.litres is None else float(u.litres),
                )
                for u in plan.uses
            ],
            width_m=source.wall_size_m[0] if source.wall_size_m else None,
            height_m=source.wall_size_m[1] if source.wall_size_m else None,
            palette=plan.palette_name,
            painted_m2=plan.painted_m2,
            coats=plan.coats,
            coverage_m2_per_l=plan.coverage_m2_per_l,
        )
        await self.storage.put(f"{base}.png", files.png, "image/png")
        await self.storage.put(f"{base}.pdf", files.pdf, "application/pdf")
        await self.storage.put(f"{base}.json", msgspec.json.encode(meta), "application/json")
        log.info("sheet %s: %d paints, %d regions", base, len(plan.uses), plan.regions.count)
        return meta

    async def _present(self, task_id: str, base: str, meta: SheetMeta) -> Sheet:
        ttl = self.settings.download_url_ttl_s
        name = f"saekdam-{task_id[:8]}-sheet-{meta.result}-{meta.requested_colors}"
        return Sheet(
            result=meta.result,
            colors=meta.colors,
            width_m=meta.width_m,
            height_m=meta.height_m,
            image_url=await self.storage.download_url(f"{base}.png", ttl, f"{name}.png"),
            pdf_url=await self.storage.download_url(f"{base}.pdf", ttl, f"{name}.pdf"),
            palette=meta.palette,
            painted_m2=meta.painted_m2,
            coats=meta.coats,
            coverage_m2_per_l=meta.coverage_m2_per_l,
            colors_requested=meta.requested_colors,
        )

    async def for_post(self, task_id: str, result: int, colors: int, lang: str) -> Sheet:
        """A published post's sheet (the board decided the viewer may see it): 404 when the task is gone."""
        try:
            row = await self.tasks.get(task_id)
        except ValueError:
            row = None
        if row is None:
            raise NotFound()
        return await self.for_task(row, result, colors, lang)
