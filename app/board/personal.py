"""One user's board data: everything they wrote for an export, and its erasure when the account goes.

Erasure removes the user's likes, comments, reports and views (keeping every post's counters right) and
then deletes their posts or keeps them anonymized, as the user chose. An anonymized post is handed to the
placeholder account, shows ``author: null`` everywhere and gets new object keys, so that every URL handed
out while it showed its author stops working at once.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Literal

import msgspec

from app.board.service import BoardService, _bool, _dt
from app.board.tables import Comment as CommentRow
from app.board.tables import Post as PostRow
from app.board.tables import PostLike, PostView, Report

log = logging.getLogger("saekdam.board")

PostsChoice = Literal["delete", "anonymize"]


def _display_keys(row: dict[str, Any]) -> dict[str, str]:
    """The post's display copies (``display-before``/``display-after``) by name; none for older posts."""
    shown = row["display"] if isinstance(row["display"], dict) else msgspec.json.decode(row["display"] or "{}")
    return {name: shown[name] for name in ("before", "after") if shown.get(name)}


def _post_export(row: dict[str, Any]) -> dict[str, Any]:
    files = {"before": row["before_key"], "after": row["after_key"]}
    if row["thumb_key"]:
        files["thumbnail"] = row["thumb_key"]
    files |= {f"display_{name}": key for name, key in _display_keys(row).items()}
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "content": row["content"],
        "wish": row.get("wish") or "",
        "theme": row["theme"],
        "anonymous": _bool(row["anonymous"]),
        "hidden": _bool(row["hidden"]),
        "task_id": str(row["task_id"]) if row["task_id"] else None,
        "result_index": int(row["result_index"]),
        "like_count": int(row["like_count"]),
        "comment_count": int(row["comment_count"]),
        "view_count": int(row["view_count"]),
        "created_at": _dt(row["created_at"]).isoformat(),
        "updated_at": _dt(row["updated_at"]).isoformat(),
        "files": files,
    }


async def export_user(board: BoardService, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """The user's posts (anonymous and hidden ones too, with their storage keys), comments and likes."""
    posts = await PostRow.raw(
        "SELECT id, anonymous, hidden, task_id, result_index, title, content, wish, theme, before_key, after_key, "
        "thumb_key, display, like_count, comment_count, view_count, created_at, updated_at FROM board_post "
        "WHERE author = {} ORDER BY created_at, id",
        user_id,
    )
    comments = await CommentRow.raw(
        "SELECT id, post, content, hidden, created_at FROM board_comment WHERE author = {} ORDER BY created_at, id",
        user_id,
    )
    likes = await PostLike.raw('SELECT post, created_at FROM board_like WHERE "user" = {} ORDER BY created_at', user_id)
    return {
        "posts": [_post_export(r) for r in posts],
        "comments": [
            {
                "id": str(r["id"]),
                "post_id": str(r["post"]),
                "content": r["content"],
                "hidden": _bool(r["hidden"]),
                "created_at": _dt(r["created_at"]).isoformat(),
            }
            for r in comments
        ],
        "likes": [{"post_id": str(r["post"]), "created_at": _dt(r["created_at"]).isoformat()} for r in likes],
    }


async def _rekey(board: BoardService, row: dict[str, Any]) -> None:
    """Move a post's objects to fresh keys (same bytes): URLs handed out before stop working."""
    await board.rekey(row)


async def erase_user(board: BoardService, user_id: int, posts: PostsChoice, ghost_id: int) -> None:
    """Remove what the user did on the board; their posts are deleted or anonymized (``posts``)."""
    touched: set[uuid.UUID] = set()
    async with board._atomic():
        liked = await PostLike.select(PostLike.post).where(PostLike.user == user_id)
        touched |= {r["post"] for r in liked}
        await PostRow.raw(
            "UPDATE board_post SET like_count = like_count - 1 "
            'WHERE id IN (SELECT post FROM board_like WHERE "user" = {})',
            user_id,
        )
        await PostLike.delete().where(PostLike.user == user_id)
        commented = await CommentRow.select(CommentRow.post).where(CommentRow.author == user_id)
        touched |= {r["post"] for r in commented}
        await PostRow.raw(
            "UPDATE board_post SET comment_count = comment_count - (SELECT count(*) FROM board_comment c "
            "WHERE c.post = board_post.id AND c.author = {} AND c.hidden = {}) "
            "WHERE id IN (SELECT post FROM board_comment WHERE author = {})",
            user_id,
            False,
            user_id,
        )
        await CommentRow.delete().where(CommentRow.author == user_id)
        await Report.delete().where(Report.reporter == user_id)
        await PostView.delete().where(PostView.viewer == f"u:{user_id}")
    own = await PostRow.raw(
        "SELECT id, before_key, after_key, thumb_key, display FROM board_post WHERE author = {}", user_id
    )
    for row in own:
        pid = row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"]))
        touched.discard(pid)
        if posts == "delete":
            await board.remove(pid)
            continue
        await _rekey(board, row)
        await PostRow.update({PostRow.author: ghost_id, PostRow.anonymous: True, PostRow.task_id: None}).where(
            PostRow.id == pid
        )
        await board._publish_post(pid)
    for pid in touched:  # others' posts whose counts changed
        await board._publish_post(pid if isinstance(pid, uuid.UUID) else uuid.UUID(str(pid)))
    board.forget_author(user_id)
    log.info("board data of user %s erased (posts: %s, %d posts)", user_id, posts, len(own))
