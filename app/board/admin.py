"""The board in Piccolo Admin: posts, comments and reports, plus moderation forms.

Moderation goes through ``BoardService`` (the running process's, found through the mounted app's scope),
so hiding or deleting from the admin updates counters, empties list caches everywhere and tells open pages
at once. Editing the ``hidden`` column or deleting a row in the tables does the same, through hooks.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from piccolo_admin.endpoints import FormConfig, TableConfig
from piccolo_api.crud.endpoints import OrderBy
from piccolo_api.crud.hooks import Hook, HookType
from pydantic import BaseModel, Field
from starlette.requests import Request

from app.board.service import BoardService
from app.board.tables import Comment, Post, Report

MENU = "Board"


def _board(request: Request) -> BoardService:
    """The BoardService of the Litestar app this admin is mounted in."""
    return request.scope["litestar_app"].state.services.board


async def _post_patched(row_id: Any, values: dict[str, Any], request: Request) -> dict[str, Any]:
    if "hidden" in values:
        await _board(request).set_post_hidden(uuid.UUID(str(row_id)), bool(values["hidden"]))
    return values


async def _post_deleted(row_id: Any, request: Request) -> None:
    await _board(request).remove(uuid.UUID(str(row_id)))


async def _comment_patched(row_id: Any, values: dict[str, Any], request: Request) -> dict[str, Any]:
    if "hidden" in values:
        await _board(request).set_comment_hidden(uuid.UUID(str(row_id)), bool(values["hidden"]))
    return values


async def _comment_deleted(row_id: Any, request: Request) -> None:
    await _board(request).remove_comment(uuid.UUID(str(row_id)))


# The title links to the row. The primary key is not listed: Piccolo Admin's schema leaves a UUID primary key out
# of its properties, and a listed column without a property throws in the list view (TypeError in isBoolean)
# unless it is the link column, so the post list stayed blank.
POSTS = TableConfig(
    Post,
    visible_columns=[
        Post.title,
        Post.author,
        Post.anonymous,
        Post.theme,
        Post.hidden,
        Post.like_count,
        Post.comment_count,
        Post.view_count,
        Post.created_at,
    ],
    visible_filters=[Post.hidden, Post.anonymous, Post.theme, Post.author, Post.title],
    menu_group=MENU,
    link_column=Post.title,
    order_by=[OrderBy(Post.created_at, ascending=False)],
    hooks=[Hook(HookType.pre_patch, _post_patched), Hook(HookType.pre_delete, _post_deleted)],
)

COMMENTS = TableConfig(
    Comment,
    visible_columns=[Comment.id, Comment.post, Comment.author, Comment.content, Comment.hidden, Comment.created_at],
    visible_filters=[Comment.hidden, Comment.post, Comment.author],
    menu_group=MENU,
    order_by=[OrderBy(Comment.created_at, ascending=False)],
    hooks=[Hook(HookType.pre_patch, _comment_patched), Hook(HookType.pre_delete, _comment_deleted)],
)

REPORTS = TableConfig(
    Report,
    visible_columns=[
        Report.id,
        Report.status,
        Report.post,
        Report.comment,
        Report.reporter,
        Report.reason,
        Report.created_at,
        Report.resolved_at,
    ],
    visible_filters=[Report.status, Report.post, Report.reporter],
    menu_group=MENU,
    order_by=[OrderBy(Report.created_at, ascending=False)],
)


class HidePost(BaseModel):
    post_id: str = Field(description="The post's id (from the Post table)")
    hidden: bool = Field(default=True, description="Untick to show the post again")


class HideComment(BaseModel):
    comment_id: str = Field(description="The comment's id (from the Comment table)")
    hidden: bool = Field(default=True, description="Untick to show the comment again")


class ReviewReport(BaseModel):
    report_id: int
    action: Literal["hide", "dismiss"] = Field(description="hide the reported post/comment, or dismiss the report")
    note: str = ""


async def hide_post(request: Request, data: HidePost) -> str:
    if not await _board(request).set_post_hidden(data.post_id.strip(), data.hidden):
        raise ValueError("No post with that id")
    return "Post hidden" if data.hidden else "Post visible again"


async def hide_comment(request: Request, data: HideComment) -> str:
    if not await _board(request).set_comment_hidden(data.comment_id.strip(), data.hidden):
        raise ValueError("No comment with that id")
    return "Comment hidden" if data.hidden else "Comment visible again"


async def review_report(request: Request, data: ReviewReport) -> str:
    try:
        status = await _board(request).moderate_report(data.report_id, data.action, data.note)
    except Exception as exc:
        raise ValueError("No report with that id") from exc
    return f"Report {data.report_id}: {status}"


FORMS = [
    FormConfig(
        name="Hide post",
        pydantic_model=HidePost,
        endpoint=hide_post,
        form_group=MENU,
        description="Hide a post from the board (or show it again). Open pages update at once.",
    ),
    FormConfig(
        name="Hide comment",
        pydantic_model=HideComment,
        endpoint=hide_comment,
        form_group=MENU,
        description="Hide a comment (or show it again); the post's comment count follows.",
    ),
    FormConfig(
        name="Review report",
        pydantic_model=ReviewReport,
        endpoint=review_report,
        form_group=MENU,
        description="Resolve a report by hiding what it points at, or dismiss it.",
    ),
]
TABLES = [POSTS, COMMENTS, REPORTS]
