"""JSON API for the community board (api.md: Board), including the public SSE stream of board events."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from app.accounts.guards import requires_user
from app.board.deps import provide_board_service, require_viewer, viewer_of
from app.board.events import POST_EVENTS, READY, board_stream
from app.board.schemas import (
    Comment,
    CommentCreate,
    CommentList,
    LikeState,
    Post,
    PostCreate,
    PostList,
    PostQuery,
    PostUpdate,
    ReportCreate,
    ReportReceipt,
)
from app.board.service import BoardService, search_terms, searches_nothing
from app.core.errors import FieldError, InvalidInput
from app.core.i18n import translate
from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, check_limit
from app.events.slots import stream_slots
from app.events.sse import parse_last_event_id, to_sse_message
from app.web.etag import ETAG_HEADERS, NOT_MODIFIED, conditional_json
from app.web.request import client_ip, language

SORTS = ("latest", "popular")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PUBLIC_CACHE = "no-cache"  # the anonymous page: any cache may keep it, but must ask (with its ETag) again


async def build_query(
    request: Request[Any, Any, Any],
    board: BoardService,
    *,
    sort: str | None,
    theme: str | None,
    q: str | None,
    author: str | None,
    cursor: str | None,
    limit: int,
) -> PostQuery:
    """Validate list parameters (every bad one reported at once) into the board's query."""
    lang = language(request)
    errors: list[FieldError] = []
    sort = sort or "latest"
    if sort not in SORTS:
        errors.append(FieldError(field="sort", message=translate(lang, "field_invalid")))
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError(field="limit", message=translate(lang, "field_range", min=1, max=MAX_LIMIT)))
    if theme is not None and len(theme) > 32:
        errors.append(FieldError(field="theme", message=translate(lang, "field_max_length", max=32)))
    if q is not None and len(q) > 100:
        errors.append(FieldError(field="q", message=translate(lang, "field_max_length", max=100)))
    author_id = None
    if author:
        try:
            uuid.UUID(author)
        except ValueError:
            errors.append(FieldError(field="author", message=translate(lang, "field_invalid")))
    if cursor is not None and len(cursor) > 500:
        errors.append(FieldError(field="cursor", message=translate(lang, "field_invalid")))
    if errors:
        raise InvalidInput(errors=errors)
    if author:
        author_id = await board.author_id(author)
    viewer = viewer_of(request)
    return PostQuery(
        sort=sort,  # type: ignore[arg-type]  # sort checked above
        theme=theme or None,
        terms=search_terms(q),
        nothing=searches_nothing(q),
        author=author_id,
        include_anonymous=viewer is not None and author_id == viewer.id,
        cursor=cursor or None,
        limit=limit,
    )


async def board_frames(stream: Any) -> Any:
    async for item in stream:
        if item is READY:
            yield ServerSentEventMessage(comment="ready", data=None)
        else:
            yield to_sse_message(item)


class BoardApiController(Controller):
    path = "/api"
    tags = ["board"]
    dependencies = {"board": Provide(provide_board_service, sync_to_thread=False)}

    @get(
        "/posts",
        operation_id="ListPosts",
        summary="Posts, newest first or by popularity (public)",
        response_headers=ETAG_HEADERS,
        responses=NOT_MODIFIED,
    )
    async def list_posts(
        self,
        request: Request[Any, Any, Any],
        board: BoardService,
        sort: str | None = Parameter(default=None, description="latest (default) or popular"),
        theme: str | None = Parameter(default=None, description="a theme slug"),
        q: str | None = Parameter(default=None, description="words to find in title and content"),
        author: str | None = Parameter(default=None, description="a user id"),
        cursor: str | None = Parameter(default=None, description="next_cursor of the previous page"),
        limit: int = Parameter(default=DEFAULT_LIMIT, description="1–100"),
    ) -> Response[PostList]:
        query = await build_query(
            request, board, sort=sort, theme=theme, q=q, author=author, cursor=cursor, limit=limit
        )
        page = await board.list_page(query, language(request))
        viewer = viewer_of(request)
        items = await board.with_likes(page, viewer)
        if items is page.items:  # what every reader who liked none of it gets: body and tag made once
            return conditional_json(request, page.body(), page.etag(), PUBLIC_CACHE)  # type: ignore[return-value]  # pre-encoded JSON; the annotation gives OpenAPI the schema
        body = msgspec.json.encode(PostList(items=items, next_cursor=page.next_cursor))
        return conditional_json(request, body)  # type: ignore[return-value]  # pre-encoded JSON; the annotation gives OpenAPI the schema

    @post(
        "/posts",
        operation_id="CreatePost",
        status_code=201,
        guards=[requires_user],
        summary="Publish one result of my succeeded task",
    )
    async def create(self, data: PostCreate, request: Request[Any, Any, Any], board: BoardService) -> Post:
        return await board.publish(require_viewer(request), data, language(request))

    @get(
        "/posts/{post_id:str}",
        operation_id="GetPost",
        summary="One post (public); counts a view",
        response_headers=ETAG_HEADERS,
        responses=NOT_MODIFIED,
    )
    async def read(self, post_id: str, request: Request[Any, Any, Any], board: BoardService) -> Response[Post]:
        viewer = viewer_of(request)
        loaded = await board.get_post(post_id, viewer, board.view_key(viewer, client_ip(request)))
        return conditional_json(request, msgspec.json.encode(loaded.post))  # type: ignore[return-value]  # pre-encoded JSON; the annotation gives OpenAPI the schema

    @patch("/posts/{post_id:str}", operation_id="UpdatePost", guards=[requires_user], summary="Edit my post")
    async def update(
        self, post_id: str, data: PostUpdate, request: Request[Any, Any, Any], board: BoardService
    ) -> Post:
        return await board.update(require_viewer(request), post_id, data, language(request))

    @delete(
        "/posts/{post_id:str}",
        operation_id="DeletePost",
        status_code=204,
        guards=[requires_user],
        summary="Delete a post (its author or an admin)",
    )
    async def remove(self, post_id: str, request: Request[Any, Any, Any], board: BoardService) -> None:
        await board.delete(require_viewer(request), post_id)

    @put("/posts/{post_id:str}/like", operation_id="LikePost", status_code=200, guards=[requires_user])
    async def like(self, post_id: str, request: Request[Any, Any, Any], board: BoardService) -> LikeState:
        return await board.like(require_viewer(request), post_id, True)

    @delete("/posts/{post_id:str}/like", operation_id="UnlikePost", status_code=200, guards=[requires_user])
    async def unlike(self, post_id: str, request: Request[Any, Any, Any], board: BoardService) -> LikeState:
        return await board.like(require_viewer(request), post_id, False)

    @get("/posts/{post_id:str}/comments", operation_id="ListComments", summary="Comments, oldest first (public)")
    async def comments(
        self,
        post_id: str,
        request: Request[Any, Any, Any],
        board: BoardService,
        cursor: str | None = Parameter(default=None),
        limit: int = Parameter(default=DEFAULT_LIMIT, description="1–100"),
    ) -> CommentList:
        lang = language(request)
        return await board.list_comments(post_id, viewer_of(request), check_limit(limit, lang), cursor, lang)

    @post("/posts/{post_id:str}/comments", operation_id="CreateComment", status_code=201, guards=[requires_user])
    async def create_comment(
        self, post_id: str, data: CommentCreate, request: Request[Any, Any, Any], board: BoardService
    ) -> Comment:
        return await board.comment(require_viewer(request), post_id, data, language(request))

    @delete(
        "/comments/{comment_id:str}",
        operation_id="DeleteComment",
        status_code=204,
        guards=[requires_user],
        summary="Delete a comment (its author or an admin)",
    )
    async def remove_comment(self, comment_id: str, request: Request[Any, Any, Any], board: BoardService) -> None:
        await board.delete_comment(require_viewer(request), comment_id)

    @post(
        "/posts/{post_id:str}/report",
        operation_id="ReportPost",
        status_code=202,
        guards=[requires_user],
        summary="Report a post (or one of its comments) to the moderators",
    )
    async def report(
        self, post_id: str, data: ReportCreate, request: Request[Any, Any, Any], board: BoardService
    ) -> ReportReceipt:
        return await board.report(require_viewer(request), post_id, data)

    @get(
        "/board/events",
        operation_id="StreamBoardEvents",
        summary="Server-sent events: post_created, post_updated, post_deleted (public)",
    )
    async def events(
        self,
        request: Request[Any, Any, Any],
        board: BoardService,
        last_event_id: str | None = Parameter(header="Last-Event-ID", default=None),
    ) -> ServerSentEvent:
        slot = stream_slots(request).of(request)  # 429 too_many_streams past the caps (per user and address)
        stream = board_stream(board.bus, parse_last_event_id(last_event_id), POST_EVENTS)
        return ServerSentEvent(slot.hold(board_frames(stream)), headers=SSE_HEADERS)
