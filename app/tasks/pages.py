"""Browser pages for tasks: the create page, the live task page (htmx + SSE partials) and "my murals".

Thin like the JSON API: each handler calls ``TaskService`` and renders a template. The task page's stream
reuses ``task_stream`` (snapshot, resume by ``Last-Event-ID``, ends after the terminal status) and renders
every event into the same ``_``-prefixed fragments the page itself is built from, so a reload and a live
update always show the same thing.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.htmx import ClientRedirect, HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Response, ServerSentEvent, ServerSentEventMessage, Template

from app.accounts.auth import Auth
from app.accounts.guards import requires_user
from app.accounts.service import has_real_email
from app.accounts.streams import CredentialWatch
from app.accounts.tables import User
from app.core.errors import AppError
from app.core.events import Event
from app.core.i18n import translate
from app.core.pagination import DEFAULT_LIMIT
from app.events.slots import stream_slots
from app.events.sse import parse_last_event_id
from app.tasks.api import task_stream
from app.tasks.bundle import results_zip, zip_name
from app.tasks.deps import provide_task_service
from app.tasks.schemas import TERMINAL, ProgressEvent, Task
from app.tasks.service import TaskService
from app.themes.service import list_themes, to_theme_out
from app.themes.wishes import wish_examples
from app.web.request import language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageRequest = HTMXRequest  # request.htmx: truthy for htmx requests (fragments instead of pages)

# what the user can do next after each failure (keys of app.core.i18n; unknown codes fall back to "generic")
FAILURE_ACTIONS = {
    "no_wall_found": "region",
    "invalid_region": "region",
    "mask_missing": "region",
    "unsupported_image": "photo",
    "too_many_pixels": "photo",
    "image_too_large": "photo",
    "image_too_small": "photo",
    "daily_quota_exceeded": "wait",
    "too_many_active_tasks": "wait",
    "model_unavailable": "retry",
    "worker_lost": "retry",
    "storage_error": "retry",
    "internal_error": "retry",
    "unknown_theme": "photo",
    "translation_failed": "photo",
    "fast_mode_unavailable": "photo",
    "invalid_mask": "region",
    "guide_unavailable": "photo",
    "canceled": "retry",
}


# "my murals" filters by state: the filter's value → the task statuses it shows
MURAL_FILTERS: dict[str, tuple[str, ...]] = {
    "draft": ("created",),
    "active": ("queued", "running"),
    "succeeded": ("succeeded",),
    "failed": ("failed", "canceled"),
}


def failure_action(code: str | None) -> str:
    return FAILURE_ACTIONS.get(code or "", "retry")


class TaskPagesController(Controller):
    include_in_schema = False
    guards = [requires_user]
    dependencies = {"tasks": Provide(provide_task_service, sync_to_thread=False)}

    @get("/create")
    async def create_page(
        self,
        request: PageRequest,
        tasks: TaskService,
        theme: str | None = Parameter(query="theme", default=None, max_length=64),
        wish: str | None = Parameter(query="wish", default=None, max_length=2000),
        draft: str | None = Parameter(query="draft", default=None, max_length=64),
    ) -> Response[Any]:
        """``?theme=&wish=`` fill the form in ("make one like this" on a post); unknown themes are ignored.
        ``?draft=<id>`` resumes a task that was never submitted, with its photo."""
        painter = getattr(request.app.state.services, "painter", None)
        themes = [to_theme_out(t) for t in await list_themes()]
        lang = language(request)
        resumed = None
        if draft:
            row = await tasks.get_owned(draft, request.user.id)
            if row.status != "created":  # submitted meanwhile: its own page shows where it is
                return Redirect(f"/tasks/{row.id}", status_code=303)
            resumed = await tasks.present(row, lang)
            if resumed.input_url is None:  # the photo never arrived: nothing to resume, start afresh
                resumed = None
        settings = request.app.state.settings
        return Template(
            "tasks/create.html",
            context={
                "themes": themes,
                "tiny_models": bool(painter is not None and painter.using_tiny_models),
                "max_upload_bytes": settings.max_upload_bytes,
                "max_pixels": settings.max_pixels,
                "draft": resumed,
                "chosen_theme": theme if theme in {t.slug for t in themes} else None,
                "wish": (wish or "").strip()[:500],
                "wish_examples": {t.slug: wish_examples(t.slug, lang) for t in themes},
            },
        )

    @get("/murals")
    async def murals(
        self,
        request: PageRequest,
        tasks: TaskService,
        cursor: str | None = Parameter(default=None),
        status: str | None = Parameter(default=None),
        published: str | None = Parameter(default=None),
    ) -> Template:
        """My murals, newest first, filtered by state (``status``) and by whether they are on the board."""
        lang = language(request)
        user: User = request.user
        status = status if status in MURAL_FILTERS else None
        published = published if published in ("yes", "no") else None
        posted = await request.app.state.services.board.published_tasks(user.id)
        rows, next_cursor = await tasks.list_owned(
            user.id,
            DEFAULT_LIMIT,
            cursor,
            None,
            lang,
            statuses=MURAL_FILTERS.get(status or ""),
            only_ids=posted if published == "yes" else None,
            except_ids=posted if published == "no" else None,
        )
        await tasks.ensure_variants(rows)  # results from before small copies existed get theirs once, here
        query = urlencode({k: v for k, v in (("status", status), ("published", published)) if v})
        context = {
            "items": [await tasks.present(r, lang) for r in rows],
            "next_cursor": next_cursor,
            "themes": await _theme_names(),
            "first_page": cursor is None,
            "posted": posted,
            "status": status or "",
            "published": published or "",
            "filter_query": query,
            "filters": list(MURAL_FILTERS),
        }
        if request.htmx and cursor is not None:  # "more" button: only the next items and the next button
            return HTMXTemplate(template_name="tasks/_mural_items.html", context=context)
        return Template("tasks/murals.html", context=context)

    @post("/tasks/{task_id:str}/delete")
    async def delete_task(self, task_id: str, request: PageRequest, tasks: TaskService) -> Response[Any]:
        """Delete one of my tasks from "my murals" (the page asked for a confirmation first)."""
        await tasks.delete(request.user.id, task_id)
        if request.htmx:
            return Response(content="", status_code=200, media_type="text/html")  # the card is swapped out
        return Redirect("/murals", status_code=303)

    @get("/tasks/{task_id:str}")
    async def task_page(self, task_id: str, request: PageRequest, tasks: TaskService) -> Template:
        lang = language(request)
        row = await tasks.get_owned(task_id, request.user.id)
        task = await tasks.present(row, lang)
        return Template(
            "tasks/task.html",
            context={
                "task": task,
                "themes": await _theme_names(),
                "action": failure_action(task.error.code if task.error else task.status),
                **_notify_context(request.user, row.notify_email),
            },
        )

    @post("/tasks/{task_id:str}/notify-email")
    async def notify_email(self, task_id: str, request: PageRequest, tasks: TaskService, data: Form) -> Response[Any]:
        """The per-task opt-in to a mail on completion (in the page's language), or turning it off again."""
        user: User = request.user
        on = data.get("on") == "1" and has_real_email(user)
        try:
            row = await tasks.set_notify_email(user.id, task_id, language(request) if on else None)
        except AppError as exc:
            if exc.status != 409 or not request.htmx:
                raise
            row = await tasks.get_owned(task_id, user.id)  # finished meanwhile: the "end" event shows it
        if not request.htmx:
            return Redirect(f"/tasks/{task_id}", status_code=303)
        return HTMXTemplate(
            template_name="tasks/_notify_email.html",
            context={"task_id": str(row.id), **_notify_context(user, row.notify_email)},
        )

    @get("/tasks/{task_id:str}/stream")
    async def stream(
        self,
        task_id: str,
        request: PageRequest,
        tasks: TaskService,
        last_event_id: str | None = Parameter(header="Last-Event-ID", default=None),
    ) -> ServerSentEvent:
        """The task's events as HTML fragments for htmx's SSE extension (``sse-swap``)."""
        await tasks.get_owned(task_id, request.user.id)
        lang = language(request)
        slot = stream_slots(request).of(request)
        stream = task_stream(tasks, task_id, parse_last_event_id(last_event_id), lang, CredentialWatch.of(request))
        return ServerSentEvent(
            slot.hold(_html_events(request, tasks, task_id, stream, lang)),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @get("/tasks/{task_id:str}/results.zip")
    async def results_zip(self, task_id: str, request: PageRequest, tasks: TaskService) -> Response[bytes]:
        """ "Save all": every result of the user's finished task in one zip."""
        row = await tasks.get_owned(task_id, request.user.id)
        data = await results_zip(tasks.storage, row)
        return Response(
            data,
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{zip_name(row)}"',
                "Cache-Control": "private, no-store",
            },
        )

    @post("/tasks/{task_id:str}/cancel")
    async def cancel(self, task_id: str, request: PageRequest, tasks: TaskService) -> Response[Any]:
        lang = language(request)
        try:
            row = await tasks.cancel(request.user.id, task_id)
        except AppError as exc:
            if exc.status != 409:  # already finished: show the final state like any other
                raise
            row = await tasks.get_owned(task_id, request.user.id)
        if not request.htmx:
            return Redirect(f"/tasks/{task_id}", status_code=303)
        task = await tasks.present(row, lang)
        return HTMXTemplate(template_name="tasks/_final.html", context=await _final_context(task))

    @post("/tasks/{task_id:str}/retry")
    async def retry(self, task_id: str, request: PageRequest, tasks: TaskService, data: Form) -> Response[Any]:
        """Paint again: a new task with the same photo and options and a new (or the given) seed."""
        lang = language(request)
        raw = (data.get("seed") or "").strip()
        seed = int(raw) if raw.isdigit() and int(raw) <= 4294967295 else random.randrange(0, 2**32)
        try:
            row = await tasks.retry(request.user.id, task_id, seed, lang)
        except AppError as exc:
            if not request.htmx:
                raise
            message = exc.detail or translate(lang, exc.code, **exc.params)
            return HTMXTemplate(
                template_name="tasks/_alert.html",
                context={"message": message},
                status_code=200,
                re_target="#retry-error",
                re_swap="innerHTML",
            )
        target = f"/tasks/{row.id}"
        return ClientRedirect(target) if request.htmx else Redirect(target, status_code=303)


def _notify_context(user: User, notify_email: str | None) -> dict[str, Any]:
    return {"notify_email": bool(notify_email), "mail_to": user.email if has_real_email(user) else None}


async def _theme_names() -> dict[str, Any]:
    return {t.slug: t for t in await list_themes()}


async def _final_context(task: Task) -> dict[str, Any]:
    return {
        "task": task,
        "themes": await _theme_names(),
        "action": failure_action(task.error.code if task.error else task.status),
    }


def _render(request: Request[Any, Any, Any], name: str, context: dict[str, Any]) -> str:
    template = request.app.template_engine.get_template(name)  # type: ignore[union-attr]  # the app is built with a template engine
    html = str(template.render(request=request, **context))
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())  # fewer SSE data lines


async def _html_events(
    request: Request[User, Auth, Any], tasks: TaskService, task_id: str, stream: Any, lang: str
) -> AsyncIterator[ServerSentEventMessage]:
    """Each bus event becomes one or more named SSE messages whose data is a rendered fragment.

    ``status`` → ``_status.html``, ``progress`` → ``_progress.html``, ``preview`` → ``_preview.html``; the
    terminal status becomes ``end`` (``_final.html``, rendered from a fresh read so that the result URLs
    are signed for this viewer), which swaps out the SSE-connected block and closes the connection.
    """
    async with contextlib.aclosing(stream) as events:
        async for item in events:
            if item is None:
                yield ServerSentEventMessage(comment="ping")
                continue
            for name, html in await _fragments(request, tasks, task_id, item, lang):
                yield ServerSentEventMessage(id=item.id, event=name, data=html)


async def _fragments(
    request: Request[Any, Any, Any], tasks: TaskService, task_id: str, item: Event, lang: str
) -> list[tuple[str, str]]:
    if item.event == "progress":
        progress = msgspec.convert(item.data, ProgressEvent)
        if progress.queue_position is not None:  # the queue moved while it waits: new position and ETA
            waiting = {"status": "queued", "queue_position": progress.queue_position, "message": None}
            return [
                ("status", _render(request, "tasks/_status.html", {"task": waiting})),
                (
                    "progress",
                    _render(
                        request,
                        "tasks/_progress.html",
                        {"progress": progress, "eta": progress.eta_seconds, "status": "queued"},
                    ),
                ),
            ]
        out = [
            (
                "progress",
                _render(
                    request,
                    "tasks/_progress.html",
                    {"progress": progress, "eta": progress.eta_seconds, "status": "running"},
                ),
            )
        ]
        if progress.preview_url:
            out.append(("preview", _render(request, "tasks/_preview.html", {"preview_url": progress.preview_url})))
        return out
    if item.event not in ("task", "status") or not isinstance(item.data, dict):
        return []
    task = msgspec.json.decode(msgspec.json.encode(item.data), type=Task)
    if task.status in TERMINAL:
        row = await tasks.get(task_id)
        if row is not None:
            task = await tasks.present(row, lang)
        return [("end", _render(request, "tasks/_final.html", await _final_context(task)))]
    out = [
        ("status", _render(request, "tasks/_status.html", {"task": task})),
        (
            "progress",
            _render(
                request,
                "tasks/_progress.html",
                {"progress": task.progress, "eta": task.eta_seconds, "status": task.status},
            ),
        ),
    ]
    if task.preview_url:
        out.append(("preview", _render(request, "tasks/_preview.html", {"preview_url": task.preview_url})))
    return out
