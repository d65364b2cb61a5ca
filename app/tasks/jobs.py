"""The paint job: load task → fetch bytes → paint → store results → publish events.

Jobs may run more than once (a worker dies, arq retries), so each run first checks the task's state and
writes results under deterministic keys; a result is never painted twice into one finished task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

import msgspec

from app.actors.painter.actor import Painter
from app.actors.painter.errors import PaintError
from app.actors.painter.schemas import PaintProgress, PaintRequest, Region
from app.core.storage import Storage
from app.metrics.registry import JOB_DURATION, JOBS, StepTimer
from app.tasks import variants as task_variants
from app.tasks.job_timings import LOG_MARK, JobTimings
from app.tasks.schemas import TERMINAL, ProgressEvent
from app.tasks.service import TaskService, channel, now
from app.tasks.tables import Task as TaskRow
from app.themes.service import get_theme, style_of
from app.themes.tables import Theme

log = logging.getLogger("saekdam.jobs")

HEARTBEAT_S = 2.0
# the row's progress (what a task read or a resumed stream's snapshot shows) is written at most this often;
# every step still goes out live as a progress event
PROGRESS_WRITE_S = 1.0


def paint_options(row: TaskRow) -> dict[str, Any]:
    """The v1.1 painting options of a task row, as PaintRequest fields (api.md "Painting on the wall")."""
    size = msgspec.json.decode(row.wall_size_m) if isinstance(row.wall_size_m, str) else row.wall_size_m
    return {
        "blend": row.blend or "wall",
        "protect": bool(row.protect),
        "detail": row.detail or None,
        "guide": row.guide or "none",
        "wall_size_m": [float(v) for v in size] if size else None,
    }


async def _none() -> None:
    return None


class PaintJobRunner:
    """Runs one task at a time on this process's painter."""

    def __init__(
        self,
        tasks: TaskService,
        painter: Painter,
        storage: Storage,
        worker_name: str,
        lora_dirs: list[Path],
        cache_dir: Path,
    ) -> None:
        self.tasks = tasks
        self.painter = painter
        self.storage = storage
        self.worker_name = worker_name
        self.lora_dirs = lora_dirs
        self.cache_dir = cache_dir
        self.max_tries = tasks.settings.job_max_tries
        self._steps: dict[str, StepTimer] = {}
        self._timings: dict[str, JobTimings] = {}
        self._written: dict[str, float] = {}  # task → when its progress was last written to the row

    async def run(self, task_id: str) -> str:
        """Paint the task if it still wants painting; returns the status it ended in."""
        row = await self.tasks.get(task_id)
        if row is None:
            return "deleted"
        if row.status in TERMINAL or row.status == "created":
            return row.status
        if row.status == "running":
            beat = row.heartbeat_at or row.started_at
            if beat is not None and (now() - beat).total_seconds() < self.tasks.settings.heartbeat_timeout_s:
                return "skipped"  # another worker is still painting it
            if row.attempts >= self.max_tries:
                await self.tasks.fail(task_id, "worker_lost", from_states=("running",))
                return "failed"
        timings = JobTimings()
        claim_began = time.perf_counter()
        started = await self.tasks.transition(
            task_id,
            ("queued", "running"),
            "running",
            started_at=now(),
            attempts=row.attempts + 1,
            worker=self.worker_name,
            heartbeat_at=now(),
            progress_step=0,
            progress_total=0,
            message=None,
        )
        if started is None:
            return "skipped"
        timings.add("claim", time.perf_counter() - claim_began)
        self._timings[task_id] = timings
        log.info("task %s: painting (attempt %d) on %s", task_id, started.attempts, self.worker_name)
        watcher = asyncio.create_task(self._watch(task_id))
        self._steps[task_id] = StepTimer()
        began = time.monotonic()
        status = "failed"
        try:
            status = await asyncio.wait_for(self._paint(started), timeout=self.tasks.settings.job_timeout_s)
            return status
        except TimeoutError:
            self.painter.cancel(task_id)
            log.error("task %s: no result within %ss", task_id, self.tasks.settings.job_timeout_s)
            await self.tasks.fail(task_id, "job_timeout", from_states=("running",), held_by=self.worker_name)
            return status
        except asyncio.CancelledError:
            # the worker is shutting down: hand the task back so the next worker paints it
            status = "interrupted"
            self.painter.cancel(task_id)
            await asyncio.shield(
                self.tasks.transition(task_id, ("running",), "queued", held_by=self.worker_name, message="interrupted")
            )
            raise
        finally:
            JOBS.labels(status).inc()
            JOB_DURATION.observe(time.monotonic() - began)
            self._steps.pop(task_id, None)
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher
            self._timings.pop(task_id, None)
            self._written.pop(task_id, None)
            log.info("task %s: %s%s", task_id, LOG_MARK, timings.encode(task_id, status))

    async def _paint(self, row: TaskRow) -> str:
        task_id = str(row.id)
        timings = self._timings.get(task_id) or JobTimings()
        inputs_began = time.perf_counter()
        theme = await get_theme(row.theme)
        if theme is None:
            await self.tasks.fail(task_id, "unknown_theme", held_by=self.worker_name)
            return "failed"
        try:
            photo, mask, lora = await asyncio.gather(  # one round trip's wait, not three
                self.storage.get(row.input_key),
                self.storage.get(row.mask_key) if row.mask_key else _none(),
                self._lora_path(theme),
            )
            request = PaintRequest(
                job_id=task_id,
                photo=photo,
                region=msgspec.convert(
                    msgspec.json.decode(row.region) if isinstance(row.region, str) else row.region, Region
                ),
                mask=mask,
                theme=style_of(theme, lora),
                prompt=row.prompt,
                seed=int(row.seed or 0),
                variations=row.variations,
                steps=row.steps,
                strength=row.strength,
                fast=row.fast,
                **paint_options(row),
            )
        except Exception as exc:
            log.exception("task %s: inputs unavailable", task_id)
            await self.tasks.fail(task_id, "storage_error", f"{type(exc).__name__}", held_by=self.worker_name)
            return "failed"
        timings.add("inputs", time.perf_counter() - inputs_began)
        try:
            with timings.phase("paint_call"):
                result = await self.painter.paint(request, lambda p: self._progress(task_id, p))
            timings.painter_s = result.timings.get("total_s")
        except PaintError as exc:
            if exc.code == "canceled":
                await self.tasks.transition(
                    task_id, ("running",), "canceled", held_by=self.worker_name, finished_at=now()
                )
                return "canceled"
            await self.tasks.fail(task_id, exc.code, exc.message, held_by=self.worker_name)
            return "failed"
        except Exception as exc:
            log.exception("task %s: painter crashed", task_id)
            await self.tasks.fail(task_id, "internal_error", type(exc).__name__, held_by=self.worker_name)
            return "failed"
        keys = [f"tasks/{task_id}/result-{i + 1}.{result.ext}" for i in range(len(result.images))]
        artwork_keys = [f"tasks/{task_id}/artwork-{i + 1}.png" for i in range(len(result.artworks))]
        painted_mask_key = f"tasks/{task_id}/painted-mask.png"
        upload_began = time.perf_counter()
        try:  # side by side: the store's latency is paid once, not once per file
            await task_variants.gather_all(
                [
                    *(
                        self.storage.put(key, image, result.content_type)
                        for key, image in zip(keys, result.images, strict=True)
                    ),
                    *(
                        self.storage.put(key, image, "image/png")
                        for key, image in zip(artwork_keys, result.artworks, strict=True)
                    ),
                    self.storage.put(painted_mask_key, result.mask_png, "image/png"),
                ]
            )
        except Exception as exc:
            log.exception("task %s: storing results failed", task_id)
            await self.tasks.fail(task_id, "storage_error", type(exc).__name__, held_by=self.worker_name)
            return "failed"
        timings.add("upload", time.perf_counter() - upload_began)
        try:  # the pages' small copies, made once here; a failure only costs the pages their small images
            with timings.phase("variants"):
                small = await self.tasks.make_variants(row, keys, result.images, request.photo)
        except Exception:
            log.warning("task %s: could not make its small copies", task_id, exc_info=True)
            small = "{}"
        finish_began = time.perf_counter()
        done = await self.tasks.transition(
            task_id,
            ("running",),
            "succeeded",
            held_by=self.worker_name,
            finished_at=now(),
            result_keys=msgspec.json.encode(keys).decode(),
            artwork_keys=msgspec.json.encode(artwork_keys).decode(),
            painted_mask_key=painted_mask_key,
            detail=result.detail,
            guide=result.guide,
            variants=small,
            prompt_en=result.prompt_en,
            message="; ".join(result.messages) or None,
            safety=msgspec.json.encode(result.safety).decode(),
            held=any(v != "clean" for v in result.safety),
            progress_step=result.steps_done or 1,
            progress_total=result.steps_done or 1,
        )
        timings.add("finish", time.perf_counter() - finish_began)
        if done is None:  # canceled or deleted while the last step ran: nothing half-finished stays
            made = task_variants.decode(small)
            small_keys = [*made.thumbs, *made.displays, *([made.input] if made.input else [])]
            for key in [*keys, *artwork_keys, painted_mask_key, *small_keys]:
                await self.storage.delete(key)
            return "canceled"
        return "succeeded"

    async def _progress(self, task_id: str, p: PaintProgress) -> None:
        if timer := self._steps.get(task_id):
            timer.report(p.step, p.elapsed_s)
        timings = self._timings.get(task_id) or JobTimings()
        preview_key = None
        preview_url = None
        if p.preview_jpeg:
            with timings.phase("preview_upload"):
                preview_key = f"tasks/{task_id}/preview.jpg"
                await self.storage.put(preview_key, p.preview_jpeg, "image/jpeg")
                preview_url = await self.storage.download_url(preview_key, self.tasks.settings.download_url_ttl_s)
        clock = time.monotonic()
        if preview_key or clock - self._written.get(task_id, 0.0) >= PROGRESS_WRITE_S:
            self._written[task_id] = clock
            values: dict[Any, Any] = {
                TaskRow.progress_step: p.step,
                TaskRow.progress_total: p.total,
                TaskRow.heartbeat_at: now(),
            }
            if preview_key:
                values[TaskRow.preview_key] = preview_key
            with timings.phase("progress_write"):
                await TaskRow.update(values).where(
                    (TaskRow.id == task_id) & (TaskRow.status == "running") & (TaskRow.worker == self.worker_name)
                )
        eta = round(p.elapsed_s / p.step * (p.total - p.step), 1) if p.step else None
        with timings.phase("progress_publish"):
            await self.tasks.publish_progress(
                task_id,
                ProgressEvent(
                    step=p.step,
                    total=p.total,
                    fraction=round(p.step / p.total, 4) if p.total else 0.0,
                    eta_seconds=eta,
                    preview_url=preview_url,
                ),
            )

    async def _watch(self, task_id: str) -> None:
        """Cancel the painting as soon as the task is canceled (from any API process), and keep a heartbeat."""
        async with self.tasks.bus.subscribe(channel(task_id)) as events:
            row = await self.tasks.get(task_id)
            if row is None or row.status != "running":
                self.painter.cancel(task_id)
                return
            iterator = events.__aiter__()
            while True:
                try:
                    event = await asyncio.wait_for(iterator.__anext__(), timeout=HEARTBEAT_S)
                except TimeoutError:
                    await TaskRow.update({TaskRow.heartbeat_at: now()}).where(
                        (TaskRow.id == task_id) & (TaskRow.status == "running") & (TaskRow.worker == self.worker_name)
                    )
                    row = await self.tasks.get(task_id)
                    if row is None or row.status != "running" or row.worker != self.worker_name:
                        # missed the event (e.g. Redis restart), or the task was handed to another worker
                        self.painter.cancel(task_id)
                        return
                    continue
                except StopAsyncIteration:
                    return
                if event.event == "status" and isinstance(event.data, dict) and event.data.get("status") != "running":
                    self.painter.cancel(task_id)
                    return

    async def _lora_path(self, theme: Theme) -> str | None:
        """A local file for the theme's LoRA: the registered one (cached from storage) or a bundled one."""
        if theme.lora_key:
            target = self.cache_dir / Path(theme.lora_key).name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                data = await self.storage.get(theme.lora_key)
                tmp = target.with_suffix(".part")
                tmp.write_bytes(data)
                tmp.replace(target)
            return str(target)
        for directory in self.lora_dirs:
            candidate = directory / f"{theme.slug}.safetensors"
            if candidate.exists():
                return str(candidate)
        return None
