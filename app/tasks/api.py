"""JSON API for tasks (api.md: Tasks), including the SSE and WebSocket event streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Request, Response, WebSocket, delete, get, post, websocket
from litestar.di import Provide
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Parameter
from litestar.response import ServerSentEvent

from app.accounts.auth import Auth
from app.accounts.guards import requires_user
from app.accounts.streams import CredentialWatch
from app.accounts.tables import User
from app.core.errors import AppError, FieldError, InvalidInput, NotAuthenticated, RateLimited
from app.core.events import Event
from app.core.i18n import translate
from app.core.pagination import DEFAULT_LIMIT, check_limit
from app.events.slots import stream_slots
from app.events.sse import parse_last_event_id, sse_messages, stream_channel
from app.tasks.deps import provide_task_service
from app.tasks.schemas import (
    TERMINAL,
    MaskCreate,
    MaskCreated,
    Task,
    TaskCreate,
    TaskCreated,
    TaskList,
    TaskRetry,
    TaskSubmit,
    WallFound,
)
from app.tasks.service import TaskService, channel, localize_event
from app.tasks.waiting import with_queue_moves
from app.web.etag import ETAG_HEADERS, NOT_MODIFIED, conditional_json
from app.web.request import language

STATUSES = ("created", "queued", "running", "succeeded", "failed", "canceled")


def is_terminal_event(event: Any) -> bool:
    return event.event in ("task", "status") and isinstance(event.data, dict) and event.data.get("status") in TERMINAL


def task_stream(
    tasks: TaskService, task_id: str, last_event_id: int | None, lang: str, watch: CredentialWatch | None = None
) -> Any:
    """The task's events for one client; with ``watch``, only while the client's credential holds."""

    async def snapshot() -> tuple[str, Task] | None:
        row = await tasks.get(task_id)
        return None if row is None else ("task", await tasks.present(row, lang))

    async def localized() -> AsyncGenerator[Event | None, None]:
        source = stream_channel(
            tasks.bus,
            channel(task_id),
            last_event_id=last_event_id,
            snapshot=snapshot,
            is_terminal=is_terminal_event,
            **({"ping_interval_s": watch.ping_interval_s} if watch is not None else {}),
        )
        async with contextlib.aclosing(source) as items:
            async for item in items:
                yield item if item is None else localize_event(item, lang)

    stream = with_queue_moves(tasks, task_id, localized())  # + the position while it waits (one broadcast per move)
    return watch.guard(stream) if watch is not None else stream


async def _until_disconnected(socket: WebSocket[Any, Any, Any]) -> None:
    """Return when the client closed the connection (frames it sends are ignored)."""
    while (await socket.receive())["type"] != "websocket.disconnect":
        pass


async def _until_first(*jobs: Any) -> None:
    """Run the coroutines together until the first one ends; cancel the others; raise its error, if any."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()


class TaskApiController(Controller):
    path = "/api/tasks"
    tags = ["tasks"]
    # each handler but ``read`` has the guard: ``read`` (the polled one) checks the caller itself, since
    # Litestar copies the handler for every guard call
    dependencies = {"tasks": Provide(provide_task_service, sync_to_thread=False)}

    @post(
        "/",
        guards=[requires_user],
        operation_id="CreateTask",
        status_code=201,
        summary="Start a task: get a signed URL for the photo",
    )
    async def create(self, data: TaskCreate, request: Request[User, Auth, Any], tasks: TaskService) -> TaskCreated:
        row, upload = await tasks.create(request.user.id, data)
        return TaskCreated(task=await tasks.present(row, language(request)), upload=upload)

    @get("/", guards=[requires_user], operation_id="ListTasks", summary="My tasks, newest first")
    async def list_tasks(
        self,
        request: Request[User, Auth, Any],
        tasks: TaskService,
        limit: int = Parameter(default=DEFAULT_LIMIT, description="1–100"),
        cursor: str | None = Parameter(default=None),
        status: str | None = Parameter(default=None),
    ) -> TaskList:
        lang = language(request)
        check_limit(limit, lang)
        if status is not None and status not in STATUSES:
            raise InvalidInput(errors=[FieldError(field="status", message=translate(lang, "field_invalid"))])
        rows, next_cursor = await tasks.list_owned(request.user.id, limit, cursor, status, lang)
        return TaskList(items=[await tasks.present(r, lang) for r in rows], next_cursor=next_cursor)

    @get(
        "/{task_id:str}",
        operation_id="GetTask",
        response_headers=ETAG_HEADERS,
        responses=NOT_MODIFIED,
        summary="One task; with `If-None-Match`, 304 while it is unchanged",
    )
    async def read(self, task_id: str, request: Request[User, Auth, Any], tasks: TaskService) -> Response[Task]:
        user = request.scope.get("user")
        if user is None:  # what requires_user says
            raise NotAuthenticated()
        view = await tasks.view(task_id, user.id, language(request))
        return conditional_json(request, view.body, view.etag)  # type: ignore[return-value]  # pre-encoded JSON; the annotation gives OpenAPI the schema

    @post(
        "/{task_id:str}/mask",
        guards=[requires_user],
        operation_id="CreateMaskUpload",
        status_code=201,
        summary="Get a signed URL for a mask PNG (region mode `mask`)",
    )
    async def mask(
        self, task_id: str, data: MaskCreate, request: Request[User, Auth, Any], tasks: TaskService
    ) -> MaskCreated:
        row = await tasks.get_owned(task_id, request.user.id)
        return MaskCreated(upload=await tasks.create_mask_upload(row, data))

    @post(
        "/{task_id:str}/wall",
        guards=[requires_user],
        operation_id="FindWall",
        status_code=200,
        summary="Find the wall in the uploaded photo (segmentation only), for a preview overlay",
    )
    async def wall(self, task_id: str, request: Request[User, Auth, Any], tasks: TaskService) -> WallFound:
        row = await tasks.get_owned(task_id, request.user.id)
        key, coverage, quad = await tasks.find_wall(row)
        return WallFound(
            mask_url=await tasks.storage.download_url(key, tasks.settings.download_url_ttl_s),
            coverage=coverage,
            quad=quad,
        )

    @post("/{task_id:str}/submit", guards=[requires_user], operation_id="SubmitTask", status_code=202)
    async def submit(
        self,
        task_id: str,
        data: TaskSubmit,
        request: Request[User, Auth, Any],
        tasks: TaskService,
        idempotency_key: str | None = Parameter(header="Idempotency-Key", default=None, max_length=200),
    ) -> Task:
        lang = language(request)
        row = await tasks.submit(request.user.id, task_id, data, idempotency_key, lang)
        return await tasks.present(row, lang)

    @post("/{task_id:str}/cancel", guards=[requires_user], operation_id="CancelTask", status_code=202)
    async def cancel(self, task_id: str, request: Request[User, Auth, Any], tasks: TaskService) -> Task:
        return await tasks.present(await tasks.cancel(request.user.id, task_id), language(request))

    @post("/{task_id:str}/retry", guards=[requires_user], operation_id="RetryTask", status_code=201)
    async def retry(
        self, task_id: str, request: Request[User, Auth, Any], tasks: TaskService, data: TaskRetry | None = None
    ) -> Task:
        lang = language(request)
        row = await tasks.retry(request.user.id, task_id, data.seed if data else None, lang)
        return await tasks.present(row, lang)

    @delete("/{task_id:str}", guards=[requires_user], operation_id="DeleteTask", status_code=204)
    async def remove(self, task_id: str, request: Request[User, Auth, Any], tasks: TaskService) -> None:
        await tasks.delete(request.user.id, task_id)

    @get(
        "/{task_id:str}/events",
        guards=[requires_user],
        operation_id="StreamTaskEvents",
        summary="Server-sent events: a snapshot, then progress and status until the task ends",
    )
    async def events(
        self,
        task_id: str,
        request: Request[User, Auth, Any],
        tasks: TaskService,
        last_event_id: str | None = Parameter(header="Last-Event-ID", default=None),
    ) -> ServerSentEvent:
        await tasks.get_owned(task_id, request.user.id)
        slot = stream_slots(request).of(request)
        stream = task_stream(
            tasks, task_id, parse_last_event_id(last_event_id), language(request), CredentialWatch.of(request)
        )
        return ServerSentEvent(
            slot.hold(sse_messages(stream)), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )


class TaskSocketController(Controller):
    path = "/api/tasks"
    tags = ["tasks"]

    @websocket("/{task_id:str}/ws", dependencies={"tasks": Provide(provide_task_service, sync_to_thread=False)})
    async def socket(self, task_id: str, socket: WebSocket[Any, Any, Any], tasks: TaskService) -> None:
        """The same events as the SSE stream, as JSON text frames ``{"event", "id", "data"}``."""
        # accept, then close with 44xx before any event: clients see why (a refused handshake is a bare 403)
        await socket.accept()
        user = socket.scope.get("user")
        if user is None:
            auth = socket.scope.get("auth")
            if isinstance(auth, Auth) and auth.kind == "cross_origin":  # a session cookie sent by another site
                await socket.close(code=4403, reason="cross_origin")
            else:
                await socket.close(code=4401, reason="not_authenticated")
            return
        try:
            await tasks.get_owned(task_id, user.id)
        except AppError:
            await socket.close(code=4404, reason="not_found")
            return
        try:
            slot = stream_slots(socket).of(socket)
        except RateLimited:
            await socket.close(code=4429, reason="too_many_streams")
            return
        last = parse_last_event_id(socket.query_params.get("last_event_id"))
        watch = CredentialWatch.of(socket)
        stream = task_stream(tasks, task_id, last, language(socket), watch)

        async def pump() -> None:
            async with contextlib.aclosing(stream) as events:
                async for item in events:
                    if item is None:
                        continue
                    await socket.send_text(
                        msgspec.json.encode({"event": item.event, "id": str(item.id), "data": item.data}).decode()
                    )
            if watch.revoked:
                await socket.close(code=4401, reason="token_revoked")
            else:
                await socket.close(code=1000)

        try:
            # a client that leaves is noticed at once (not at the next event or ping): its slot comes back
            await _until_first(pump(), _until_disconnected(socket))
        except WebSocketDisconnect:
            pass
        finally:
            slot.release()
