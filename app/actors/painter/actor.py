"""The painter actor: one per process, owning the models of its device and one inference thread.

Jobs arrive in a mailbox (a thread-safe queue) and run one at a time on the dedicated thread, so the event
loop never blocks on torch. Progress crosses back with ``loop.call_soon_threadsafe`` into a per-job queue
that an asyncio task drains in order, awaiting the caller's ``on_progress``. Models load lazily on the first
job (or ``load()``); the state says loading / ready / unavailable (with the reason).
The same class runs embedded in the API process or inside each arq worker; it knows nothing of HTTP, DB or Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .compose import PreviewCanvas
from .config import PainterConfig, painter_config_from_settings
from .errors import PaintError
from .schemas import PaintProgress, PaintRequest, PaintResult, Region, ThemeStyle

log = logging.getLogger(__name__)

State = Literal["idle", "loading", "ready", "unavailable"]
OnProgress = Callable[[PaintProgress], Awaitable[None]]

__all__ = ["OnProgress", "Painter", "PainterConfig", "State", "painter_config_from_settings"]


@dataclass(eq=False)
class _Work:
    """One mailbox item: what to do, the caller's loop and future, and its cancel flag."""

    kind: Literal["paint", "load"]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    request: PaintRequest | None = None
    progress: asyncio.Queue[PaintProgress | None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    started: bool = False

    def resolve(self, result: Any = None, error: BaseException | None = None) -> None:
        """Complete the caller's future from any thread (a no-op when it is already done)."""

        def settle() -> None:
            if self.future.done():
                return
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(result)

        with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody is waiting any more
            self.loop.call_soon_threadsafe(settle)


def _canceled(job_id: str) -> PaintError:
    return PaintError("canceled", f"job {job_id} was canceled", job_id=job_id)


class Painter:
    """Paint requests in, progress and results out; one job at a time on a dedicated thread."""

    def __init__(self, config: PainterConfig) -> None:
        self.config = config
        self._state: State = "idle"
        self._reason: str | None = None
        self._models: Any = None
        self._mailbox: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._jobs: dict[str, _Work] = {}
        self._lock = threading.Lock()
        self._loading = threading.Lock()  # the paint thread and a segmenting thread may both ask for the models
        self._segmenting = threading.BoundedSemaphore(2)  # wall findings at once, beside the paint thread
        self._thread: threading.Thread | None = None
        self._closed = False

    # ------------------------------------------------------------ state

    @property
    def state(self) -> State:
        return self._state

    @property
    def reason(self) -> str | None:
        """Why the models are unavailable (None otherwise)."""
        return self._reason

    @property
    def using_tiny_models(self) -> bool:
        return self.config.tiny

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._jobs)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the inference thread; models load on the first job (or ``load()``)."""
        if self._closed:
            raise PaintError("model_unavailable", "the painter was closed")
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="painter", daemon=True)
            self._thread.start()

    async def load(self) -> None:
        """Load the models now; ``model_unavailable`` (and state "unavailable") when they cannot load."""
        await self._submit(_Work("load", asyncio.get_running_loop(), asyncio.get_running_loop().create_future()))

    async def warm_up(self) -> None:
        """One small job through every model (wall finding, translation, inpainting), so that the first
        user's job does not pay for first-call set-up (allocations, kernels, lazy imports): seconds even on
        the tiny models."""
        import io

        from .tiny import make_wall_photo

        buf = io.BytesIO()
        make_wall_photo(256, 192).save(buf, "PNG")
        photo = buf.getvalue()
        try:
            await self.segment(photo, "image/png")
        except PaintError as exc:
            if exc.code != "no_wall_found":  # random tiny weights may see no wall: that still warmed it up
                raise
        style = ThemeStyle(slug="warm-up", prompt_template="a mural of {wish}", negative_prompt="")
        await self.paint(
            PaintRequest(
                job_id="warm-up",
                photo=photo,
                region=Region(mode="box", box=[32, 16, 192, 128]),
                theme=style,
                prompt="푸른 바다",
                seed=0,
                steps=2,
            )
        )

    async def close(self) -> None:
        """Drop queued jobs, stop the running one within a step, and end the thread."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            jobs = list(self._jobs.values())
        for work in jobs:
            self._cancel_work(work)
        if self._thread is not None:
            self._mailbox.put(None)
            await asyncio.to_thread(self._thread.join)
            self._thread = None
        self._models = None

    # ------------------------------------------------------------ jobs

    async def paint(self, request: PaintRequest, on_progress: OnProgress | None = None) -> PaintResult:
        """Paint one request; ``on_progress`` is awaited on this loop for every step, in order."""
        loop = asyncio.get_running_loop()
        work = _Work("paint", loop, loop.create_future(), request=request)
        with self._lock:
            if request.job_id in self._jobs:
                raise PaintError("invalid_request", f"job {request.job_id} is already queued or painting")
            self._jobs[request.job_id] = work
        pump: asyncio.Task[None] | None = None
        if on_progress is not None:
            work.progress = asyncio.Queue()
            pump = asyncio.create_task(
                self._pump(work.progress, on_progress), name=f"painter-progress-{request.job_id}"
            )
        try:
            return await self._submit(work)
        except asyncio.CancelledError:
            self.cancel(request.job_id)
            raise
        finally:
            with self._lock:
                if self._jobs.get(request.job_id) is work:
                    del self._jobs[request.job_id]
            if pump is not None and work.progress is not None:
                work.progress.put_nowait(None)  # after every progress item already queued by the thread
                await pump

    async def segment(self, photo: bytes, content_type: str | None = None) -> bytes:
        """Only find the wall: a PNG mask (0/255) of the photo's upright size; ``no_wall_found`` when none.

        Not a job in the mailbox: it runs on a worker thread beside the paint thread (a SegFormer forward pass
        keeps no state, so the two may share the model), and the create page's overlay never waits for the
        mural being painted."""
        if self._closed:
            raise PaintError("model_unavailable", "the painter was closed")
        return await asyncio.to_thread(self._segment_now, photo, content_type)

    def _segment_now(self, photo: bytes, content_type: str | None) -> bytes:
        try:
            with self._segmenting:
                return self._segment(self._ensure_models(), photo, content_type)
        except PaintError:
            raise
        except Exception as exc:
            log.exception("wall finding failed")
            raise PaintError("painting_failed", f"finding the wall failed: {type(exc).__name__}: {exc}") from exc

    def cancel(self, job_id: str) -> bool:
        """Thread-safe: drop a queued job at once, stop a running one within one step. False if unknown."""
        with self._lock:
            work = self._jobs.get(job_id)
        if work is None:
            return False
        self._cancel_work(work)
        return True

    def _cancel_work(self, work: _Work) -> None:
        with self._lock:
            work.cancel.set()
            queued = not work.started
        if queued and work.request is not None:
            work.resolve(error=_canceled(work.request.job_id))

    async def _submit(self, work: _Work) -> Any:
        await self.start()
        self._mailbox.put(work)
        return await work.future

    @staticmethod
    async def _pump(items: asyncio.Queue[PaintProgress | None], on_progress: OnProgress) -> None:
        while (item := await items.get()) is not None:
            try:
                await on_progress(item)
            except Exception:  # a slow or broken listener must not break the painting
                log.exception("on_progress failed for job %s", item.job_id)

    # ------------------------------------------------------------ the inference thread

    def _run(self) -> None:
        while (work := self._mailbox.get()) is not None:
            with self._lock:
                if work.cancel.is_set():
                    continue  # a queued job that was canceled (already resolved)
                work.started = True
            try:
                work.resolve(self._handle(work))
            except PaintError as exc:
                work.resolve(error=exc)
            except Exception as exc:  # keep the thread alive whatever a job does
                log.exception("painter job failed")
                work.resolve(error=PaintError("painting_failed", f"painting failed: {type(exc).__name__}: {exc}"))

    def _ensure_models(self) -> Any:
        if self._models is not None:
            return self._models
        with self._loading:
            if self._models is None:
                self._models = self._load_models()
            return self._models

    def _load_models(self) -> Any:
        from .models import load_models

        self._state, self._reason = "loading", None
        started = time.perf_counter()
        try:
            self._models = load_models(self.config)
        except PaintError as exc:
            self._state, self._reason = "unavailable", exc.message
            raise
        except Exception as exc:
            self._state, self._reason = "unavailable", f"{type(exc).__name__}: {exc}"
            raise PaintError("model_unavailable", self._reason) from exc
        self._state = "ready"
        log.info("painter models loaded in %.1f s (tiny=%s)", time.perf_counter() - started, self.config.tiny)
        return self._models

    def _handle(self, work: _Work) -> Any:
        models = self._ensure_models()
        if work.kind == "load":
            return None
        return self._paint(models, work)

    def _segment(self, models: Any, photo_bytes: bytes, content_type: str | None) -> bytes:
        from . import image as img
        from .segment import find_wall

        photo = img.load_photo(photo_bytes, content_type, self.config.max_bytes, self.config.max_pixels)
        # keep-outs (windows, doors, …) are holes in the wall: the overlay shows what will stay unpainted
        return img.encode_mask(find_wall(models.segmenter, models.seg_processor, photo.image, models.device))

    def _paint(self, models: Any, work: _Work) -> PaintResult:
        from .image import encode_preview
        from .pipeline import Canceled, StepReport, run_job

        request = work.request
        assert request is not None
        started = time.perf_counter()
        progress = work.progress
        interval = self.config.preview_interval_s
        last_preview = started

        def on_step(report: StepReport, canvas: PreviewCanvas | None) -> None:
            nonlocal last_preview
            if progress is None:
                return
            preview = None
            if report.preview is not None and canvas is not None and time.perf_counter() - last_preview >= interval:
                preview = encode_preview(canvas.render(report.preview))
                last_preview = time.perf_counter()
            item = PaintProgress(
                job_id=request.job_id,
                step=report.step,
                total=report.total,
                elapsed_s=round(time.perf_counter() - started, 4),
                preview_jpeg=preview,
            )
            work.loop.call_soon_threadsafe(progress.put_nowait, item)

        try:
            with models.lock:
                return run_job(
                    models,
                    request,
                    max_bytes=self.config.max_bytes,
                    max_pixels=self.config.max_pixels,
                    on_step=on_step if progress is not None else None,
                    should_stop=work.cancel.is_set,
                    preview_every=self.config.preview_every,
                )
        except Canceled:
            raise _canceled(request.job_id) from None
