"""Board shapes, exactly as api.md names them (Post, PostCreate, PostUpdate, Comment, …)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from app.accounts.schemas import Author
from app.sheets.schemas import Colors

Sort = Literal["latest", "popular"]
TITLE = msgspec.Meta(min_length=5, max_length=60)
CONTENT = msgspec.Meta(max_length=2000)
COMMENT = msgspec.Meta(min_length=1, max_length=500)
REASON = msgspec.Meta(min_length=1, max_length=500)


class Post(msgspec.Struct, kw_only=True):
    id: str
    title: str
    content: str
    theme: str
    author: Author | None  # null for anonymous posts, everywhere
    before_url: str
    after_url: str
    thumbnail_url: str  # a 4:3 WebP of the result for lists, ≤ 60 KB (falls back to after_url)
    like_count: int
    comment_count: int
    view_count: int
    liked_by_me: bool
    created_at: datetime
    updated_at: datetime
    # v1.1 additions: display copies of before and after (WebP, long side ≤ 1024 px) and the pictures'
    # size; posts made before them give the full-size URLs and null
    display_before_url: str = ""
    display_after_url: str = ""
    width: int | None = None
    height: int | None = None
    sheet_colors: int | None = None  # the author shows the painter's sheet in this many colours, or null
    wish: str = ""  # the wish the mural was painted from (issue 20: "make one like this"); "" for older posts


class PostList(msgspec.Struct, kw_only=True):
    items: list[Post]
    next_cursor: str | None


class PostCreate(msgspec.Struct, kw_only=True):
    task_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    result_index: Annotated[int, msgspec.Meta(ge=0, le=3)]
    title: Annotated[str, TITLE]
    content: Annotated[str, CONTENT] = ""
    anonymous: bool = False
    sheet_colors: Colors | None = None  # show the painter's sheet in this many colours


class PostUpdate(msgspec.Struct, kw_only=True):
    title: Annotated[str, TITLE] | None = None
    content: Annotated[str, CONTENT] | None = None
    sheet_colors: Colors | None | msgspec.UnsetType = msgspec.UNSET  # null hides the sheet; absent keeps it


class LikeState(msgspec.Struct, kw_only=True):
    like_count: int
    liked_by_me: bool


class Comment(msgspec.Struct, kw_only=True):
    id: str
    post_id: str
    author: Author
    content: str
    created_at: datetime


class CommentList(msgspec.Struct, kw_only=True):
    items: list[Comment]
    next_cursor: str | None


class CommentCreate(msgspec.Struct, kw_only=True):
    content: Annotated[str, COMMENT]


class ReportCreate(msgspec.Struct, kw_only=True):
    reason: Annotated[str, REASON]
    comment_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None  # report one comment of the post


class ReportReceipt(msgspec.Struct, kw_only=True):
    id: int
    status: str


class PostDeleted(msgspec.Struct, kw_only=True):
    id: str


class CommentDeleted(msgspec.Struct, kw_only=True):
    id: str
    post_id: str


class Viewer(msgspec.Struct, kw_only=True, frozen=True):
    """Who is asking, as the board needs it (built from the authenticated user)."""

    id: int
    public_id: str
    nickname: str
    is_admin: bool = False


class PostQuery(msgspec.Struct, kw_only=True, frozen=True):
    """A validated list request; also the list cache's key (with the viewer's own-author flag)."""

    sort: Sort = "latest"
    theme: str | None = None
    terms: tuple[str, ...] = ()
    nothing: bool = False  # a search with no words in it (only punctuation) matches nothing
    author: int | None = None  # internal user id behind ?author=
    include_anonymous: bool = False  # only when the viewer asks for their own posts
    cursor: str | None = None
    limit: int = 20
