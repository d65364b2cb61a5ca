"""Browser pages for the board: the list (grid or list), a post with its before/after slider, likes and
comments, publishing one of my murals, and editing. htmx does the small updates; one SSE stream per page
(``/board/events``) renders every board event into fragments that swap themselves in by id (OOB), so a
new post appears at the top of the latest list and counts and comments change without a reload.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.htmx import ClientRedirect, HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Response, ServerSentEvent, ServerSentEventMessage, Template

from app.board.api import SSE_HEADERS
from app.board.deps import provide_board_service, viewer_of
from app.board.events import READY, board_stream
from app.board.schemas import CommentCreate, Post, PostCreate, PostQuery, PostUpdate, ReportCreate, Viewer
from app.board.service import BoardService, search_terms, searches_nothing
from app.core.errors import AppError, InvalidInput, NotAuthenticated
from app.core.events import Event
from app.core.i18n import translate
from app.core.validation import collect_errors
from app.events.slots import stream_slots
from app.events.sse import parse_last_event_id
from app.tasks.service import TaskService
from app.themes.service import list_themes
from app.web.request import client_ip, language
from app.web.times import iso_utc, local_text

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageRequest = HTMXRequest
PAGE_SIZE = 24
COMMENT_PAGE = 50
_themes: tuple[float, dict[str, Any]] = (0.0, {})


async def theme_catalogue() -> dict[str, Any]:
    """Theme rows by slug (names for badges and the filter), refreshed every minute."""
    global _themes
    if time.monotonic() - _themes[0] > 60:
        _themes = (time.monotonic(), {t.slug: t for t in await list_themes()})
    return _themes[1]


def helpers(lang: str) -> dict[str, Any]:
    """Template helpers shared by pages and the fragments the SSE stream renders."""
    themes = _themes[1]

    def theme_label(slug: str) -> str:
        theme = themes.get(slug)
        if theme is None:
            return slug
        return theme.name_en if lang == "en" else theme.name_ko

    return {"theme_label": theme_label, "fmt_date": local_text, "iso": iso_utc}


def _render(request: Request[Any, Any, Any], name: str, context: dict[str, Any]) -> str:
    template = request.app.template_engine.get_template(name)  # type: ignore[union-attr]  # the app is built with a template engine
    return str(template.render(request=request, **context)).strip()


def _login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='')}")


def _message(lang: str, exc: AppError) -> str:
    return exc.detail or translate(lang, exc.code, **exc.params)


def _list_url(params: dict[str, str | None], **changes: str | None) -> str:
    merged = {**params, **changes}
    query = {k: v for k, v in merged.items() if v}
    return "/board" + (f"?{urlencode(query)}" if query else "")


class BoardPagesController(Controller):
    include_in_schema = False
    dependencies = {"board": Provide(provide_board_service, sync_to_thread=False)}

    # ------------------------------------------------------------------ the list
    @get("/board")
    async def index(
        self,
        request: PageRequest,
        board: BoardService,
        sort: str = Parameter(default="latest"),
        view: str = Parameter(default="grid"),
        theme: str | None = Parameter(default=None),
        q: str | None = Parameter(default=None),
        author: str | None = Parameter(default=None),
        cursor: str | None = Parameter(default=None),
    ) -> Response[Any]:
        lang = language(request)
        order: Literal["latest", "popular"] = "popular" if sort == "popular" else "latest"
        view = view if view in ("grid", "list") else "grid"
        theme = (theme or "").strip()[:32] or None
        q = (q or "").strip()[:100] or None
        viewer = viewer_of(request)
        author_id = await board.author_id(author) if author else None
        query = PostQuery(
            sort=order,
            theme=theme,
            terms=search_terms(q),
            nothing=searches_nothing(q),
            author=author_id,
            include_anonymous=viewer is not None and author_id == viewer.id,
            cursor=cursor or None,
            limit=PAGE_SIZE,
        )
        try:
            page = await board.list_page(query, lang)
        except InvalidInput:  # a stale or edited cursor: start over
            return Redirect(_list_url({"sort": order, "view": view, "theme": theme, "q": q, "author": author}))
        posts = await board.with_likes(page, viewer)
        params = {"sort": order, "view": view, "theme": theme, "q": q, "author": author}
        themes = await theme_catalogue()
        context = {
            "posts": posts,
            "params": params,
            "view": view,
            "sort": order,
            "theme": theme,
            "q": q or "",
            "themes": list(themes.values()),
            "more_url": _list_url(params, cursor=page.next_cursor) if page.next_cursor else None,
            "filtered": bool(theme or q or author),
            # new posts slide in at the top only where they belong: the first page of the unfiltered latest list
            "live_new": order == "latest" and not (theme or q or author or cursor),
            "list_url": lambda **changes: _list_url(params, **changes),
            **helpers(lang),
        }
        if request.htmx and cursor:
            return HTMXTemplate(template_name="board/_more.html", context=context)
        return Template("board/index.html", context=context)

    @get("/board/events")
    async def events(
        self,
        request: PageRequest,
        board: BoardService,
        post: str | None = Parameter(default=None),
        last_event_id: str | None = Parameter(header="Last-Event-ID", default=None),
    ) -> ServerSentEvent:
        """Board events as HTML fragments for htmx (``sse-swap``); ``?post=`` keeps only one post's events."""
        await theme_catalogue()
        slot = stream_slots(request).of(request)
        stream = board_stream(board.bus, parse_last_event_id(last_event_id))
        return ServerSentEvent(slot.hold(_html_events(request, stream, post)), headers=SSE_HEADERS)

    # ------------------------------------------------------------------ publishing
    @get("/board/new")
    async def new_page(
        self, request: PageRequest, board: BoardService, task: str | None = Parameter(default=None)
    ) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            return _login_redirect(request)
        lang = language(request)
        context = await self._new_context(request, board, viewer, task, lang)
        return Template("board/new.html", context={**context, "form": {}, "errors": {}})

    async def _new_context(
        self, request: Request[Any, Any, Any], board: BoardService, viewer: Viewer, task_id: str | None, lang: str
    ) -> dict[str, Any]:
        tasks: TaskService = board.tasks
        await theme_catalogue()
        context: dict[str, Any] = {"task": None, "choices": [], **helpers(lang)}
        if not task_id:
            rows, _ = await tasks.list_owned(viewer.id, 24, None, "succeeded", lang)
            await tasks.ensure_variants(rows)  # the picker shows thumbnails, made once for older tasks
            context["candidates"] = [await tasks.present(r, lang) for r in rows]
            return context
        task = await tasks.present(await tasks.get_owned(task_id, viewer.id), lang)  # 404 for others' tasks
        published = await board.published_results(task.id)
        context["task"] = task
        thumbs = task.thumbnail_urls or task.result_urls  # the small copies once made
        held = task.held_results or [False] * len(task.result_urls)
        context["choices"] = [
            {"index": i, "url": url, "thumb": thumbs[i], "taken": i in published or held[i], "held": held[i]}
            for i, url in enumerate(task.result_urls)
        ]
        return context

    @post("/board/new")
    async def publish(self, request: PageRequest, board: BoardService, data: Form) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        lang = language(request)
        form: dict[str, Any] = {
            "task_id": data.get("task_id", ""),
            "title": data.get("title", ""),
            "content": data.get("content", ""),
            "result_index": data.get("result_index", ""),
            "anonymous": data.get("anonymous") in ("on", "true", "1"),
            "sheet_colors": sheet_colors_of(data),
        }
        raw = {**form, "result_index": int(form["result_index"]) if str(form["result_index"]).isdigit() else None}
        if raw["result_index"] is None:
            raw.pop("result_index")
        try:
            errors = collect_errors(PostCreate, raw, lang)
            if errors:
                raise InvalidInput(errors=errors)
            created = await board.publish(viewer, msgspec.convert(raw, PostCreate), lang)
        except AppError as exc:
            if exc.status == 404:
                raise
            context = await self._new_context(request, board, viewer, form["task_id"], lang)
            field_errors = {e.field: e.message for e in exc.errors}
            context.update(form=form, errors=field_errors, error=None if field_errors else _message(lang, exc))
            return Template("board/new.html", context=context, status_code=exc.status, headers=exc.headers)
        target = f"/board/{created.id}"
        return ClientRedirect(target) if request.htmx else Redirect(target, status_code=303)

    # ------------------------------------------------------------------ one post
    @get("/board/{post_id:str}")
    async def post_page(self, post_id: str, request: PageRequest, board: BoardService) -> Template:
        viewer = viewer_of(request)
        lang = language(request)
        loaded = await board.get_post(post_id, viewer, board.view_key(viewer, client_ip(request)))
        comments = await board.list_comments(post_id, viewer, COMMENT_PAGE, None, lang)
        await theme_catalogue()
        base = request.app.state.settings.base_url
        context = {
            "post": loaded.post,
            "mine": loaded.mine,
            "hidden": loaded.hidden,
            "viewer": viewer,
            "reported": await board.has_reported(viewer, post_id),
            "comments": comments.items,
            "comments_next": comments.next_cursor,
            "share_url": f"{base}/board/{loaded.post.id}",
            "og_image": await board.share_image_url(loaded.after_key),
            **helpers(lang),
        }
        return Template("board/post.html", context=context)

    @get("/board/{post_id:str}/comments")
    async def more_comments(
        self, post_id: str, request: PageRequest, board: BoardService, cursor: str | None = Parameter(default=None)
    ) -> Template:
        viewer = viewer_of(request)
        lang = language(request)
        comments = await board.list_comments(post_id, viewer, COMMENT_PAGE, cursor, lang)
        context = {
            "comments": comments.items,
            "comments_next": comments.next_cursor,
            "viewer": viewer,
            "post_id": post_id,
            **helpers(lang),
        }
        return HTMXTemplate(template_name="board/_comments_more.html", context=context)

    @post("/board/{post_id:str}/like")
    async def like(self, post_id: str, request: PageRequest, board: BoardService, data: Form) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        lang = language(request)
        on = data.get("on") == "1"
        error = None
        try:
            state = await board.like(viewer, post_id, on)
            liked, count = state.liked_by_me, state.like_count
        except AppError as exc:
            if not request.htmx or exc.status == 404:
                raise
            current = await board.get_post(post_id, viewer)
            liked, count, error = current.post.liked_by_me, current.post.like_count, _message(lang, exc)
        if not request.htmx:
            return Redirect(f"/board/{post_id}", status_code=303)
        return HTMXTemplate(
            template_name="board/_like.html",
            context={"post_id": post_id, "liked": liked, "like_count": count, "viewer": viewer, "like_error": error},
        )

    @post("/board/{post_id:str}/comments")
    async def comment(self, post_id: str, request: PageRequest, board: BoardService, data: Form) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        lang = language(request)
        text = data.get("content", "")
        try:
            created = await board.comment(viewer, post_id, CommentCreate(content=text), lang)
        except AppError as exc:
            if not request.htmx or exc.status == 404:
                raise
            message = exc.errors[0].message if exc.errors else _message(lang, exc)
            return HTMXTemplate(
                template_name="board/_comment_form.html",
                context={"post_id": post_id, "value": text, "comment_error": message},
            )
        if not request.htmx:
            return Redirect(f"/board/{post_id}#comment-{created.id}", status_code=303)
        return HTMXTemplate(
            template_name="board/_comment_posted.html",
            context={"post_id": post_id, "c": created, "viewer": viewer, "value": "", **helpers(lang)},
        )

    @post("/board/comments/{comment_id:str}/delete")
    async def delete_comment(self, comment_id: str, request: PageRequest, board: BoardService) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        await board.delete_comment(viewer, comment_id)
        if request.htmx:
            return Response(content="", media_type="text/html")
        return Redirect(request.headers.get("referer") or "/board", status_code=303)

    @post("/board/{post_id:str}/report")
    async def report(self, post_id: str, request: PageRequest, board: BoardService, data: Form) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        lang = language(request)
        reason = data.get("reason", "").strip()
        try:
            if not 1 <= len(reason) <= 500:
                raise InvalidInput(errors=collect_errors(ReportCreate, {"reason": reason}, lang))
            await board.report(viewer, post_id, ReportCreate(reason=reason))
        except AppError as exc:
            if not request.htmx or exc.status == 404:
                raise
            return HTMXTemplate(
                template_name="board/_report.html",
                context={"post_id": post_id, "report_error": _message(lang, exc), "reason": reason},
            )
        if not request.htmx:
            return Redirect(f"/board/{post_id}", status_code=303)
        return HTMXTemplate(template_name="board/_report.html", context={"post_id": post_id, "reported": True})

    @get("/board/{post_id:str}/edit")
    async def edit_page(self, post_id: str, request: PageRequest, board: BoardService) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            return _login_redirect(request)
        loaded = await board.get_post(post_id, viewer)
        if not loaded.mine:
            raise AppError("forbidden", status=403)
        form = {"title": loaded.post.title, "content": loaded.post.content, "sheet_colors": loaded.post.sheet_colors}
        return Template("board/edit.html", context={"post": loaded.post, "form": form, "errors": {}})

    @post("/board/{post_id:str}/edit")
    async def edit(self, post_id: str, request: PageRequest, board: BoardService, data: Form) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        lang = language(request)
        form: dict[str, Any] = {
            "title": data.get("title", ""),
            "content": data.get("content", ""),
            "sheet_colors": sheet_colors_of(data),
        }
        try:
            errors = collect_errors(PostUpdate, form, lang)
            if errors:
                raise InvalidInput(errors=errors)
            await board.update(viewer, post_id, PostUpdate(**form), lang)
        except AppError as exc:
            if not exc.errors:
                raise
            loaded = await board.get_post(post_id, viewer)
            return Template(
                "board/edit.html",
                status_code=exc.status,
                context={"post": loaded.post, "form": form, "errors": {e.field: e.message for e in exc.errors}},
            )
        return Redirect(f"/board/{post_id}", status_code=303)

    @post("/board/{post_id:str}/delete")
    async def delete(self, post_id: str, request: PageRequest, board: BoardService) -> Response[Any]:
        viewer = viewer_of(request)
        if viewer is None:
            raise NotAuthenticated()
        await board.delete(viewer, post_id)
        return ClientRedirect("/board") if request.htmx else Redirect("/board", status_code=303)


async def _html_events(
    request: Request[Any, Any, Any], stream: Any, only_post: str | None
) -> AsyncIterator[ServerSentEventMessage]:
    lang = language(request)
    async with contextlib.aclosing(stream) as events:
        async for item in events:
            if item is READY:
                yield ServerSentEventMessage(event="ready", data="")  # pages (and tests) know the stream is live
                continue
            if item is None:
                yield ServerSentEventMessage(comment="ping", data=None)
                continue
            fragment = _fragment(request, item, only_post, lang)
            if fragment is not None:
                yield ServerSentEventMessage(id=item.id, event=item.event, data=fragment)


def sheet_colors_of(data: dict[str, str]) -> int | str | None:
    """The post's painter's-sheet option from its form: the colour count when shown, else None."""
    if data.get("show_sheet") not in ("on", "true", "1"):
        return None
    raw = data.get("sheet_colors", "")
    return int(raw) if raw.isdigit() else raw  # a bad value is named by the schema check


def _as_post(data: dict[str, Any]) -> Post:
    return msgspec.json.decode(msgspec.json.encode(data), type=Post)


def _fragment(request: Request[Any, Any, Any], item: Event, only_post: str | None, lang: str) -> str | None:
    """The HTML an event swaps in; None when this page does not care (another post's events)."""
    data = item.data if isinstance(item.data, dict) else {}
    post_id = str(data.get("post_id") or data.get("id") or "")
    if only_post is not None and post_id != only_post:
        return None
    if item.event == "post_created":
        post = _as_post(data)
        return _render(request, "board/_card.html", {"post": post, **helpers(lang)})
    if item.event == "post_updated":
        post = _as_post(data)
        return _render(request, "board/_post_oob.html", {"post": post})
    if item.event == "post_deleted":
        return _render(request, "board/_post_gone.html", {"post_id": post_id})
    if item.event == "comment_created":
        return _render(request, "board/_comment_oob.html", {"c": data, "viewer": None, **helpers(lang)})
    if item.event == "comment_deleted":
        return f'<div id="comment-{data.get("id", "")}" hx-swap-oob="delete"></div>'
    return None
