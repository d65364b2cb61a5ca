"""Board tables: posts (with their own image copies), likes, comments, daily views and reports.

Counters on ``Post`` are kept in step with the rows they count inside the same write transaction, so
lists never count rows. Composite and expression indexes are created by the raw migration step.
"""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

USER = LazyTableReference("User", app_name="accounts")


class Post(Table, tablename="board_post"):
    """A published before/after pair. ``author`` always holds the writer, even for anonymous posts."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    author: ForeignKey[Table] = ForeignKey(
        references=USER,
        null=False,
        index=True,
        on_delete=OnDelete.cascade,
        help_text="The writer (kept for anonymous posts too, never shown for them)",
    )
    anonymous = Boolean(default=False, help_text="Shown without an author")
    task_id = UUID(null=True, default=None, help_text="The task it came from (no FK: posts outlive tasks)")
    result_index = Integer(default=0, help_text="Which of the task's results (0-based)")
    source = Varchar(length=64, unique=True, help_text="task id:result index; each result is published once")
    title = Varchar(length=60)
    content = Text(default="")
    wish = Text(default="", help_text="The task's wish (prompt) as written, copied when published")
    theme = Varchar(length=32, default="", index=True)
    before_key = Varchar(length=200, help_text="The board's own copy of the photo")
    after_key = Varchar(length=200, help_text="The board's own copy of the chosen result")
    thumb_key = Varchar(length=200, null=True, default=None, help_text="A small copy of the result for lists")
    display = JSON(default="{}", help_text='Display copies: {"before": key, "after": key, "width": w, "height": h}')
    like_count = Integer(default=0)
    comment_count = Integer(default=0, help_text="Visible comments")
    view_count = Integer(default=0)
    hidden = Boolean(default=False, help_text="Hidden by a moderator: gone from public lists and pages")
    sheet_colors = Integer(
        null=True,
        default=None,
        help_text="The author shows the painter's sheet in this many colours (4–24); null: not shown",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.title])


class PostLike(Table, tablename="board_like"):
    """One like per user per post (unique index on user, post)."""

    id: Serial  # made by Piccolo; declared for the type checker
    post = ForeignKey(references=Post, null=False, index=True, on_delete=OnDelete.cascade)
    user: ForeignKey[Table] = ForeignKey(references=USER, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class Comment(Table, tablename="board_comment"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    post = ForeignKey(references=Post, null=False, index=True, on_delete=OnDelete.cascade)
    author: ForeignKey[Table] = ForeignKey(references=USER, null=False, index=True, on_delete=OnDelete.cascade)
    content = Text()
    hidden = Boolean(default=False, help_text="Hidden by a moderator")
    created_at = Timestamptz(default=TimestamptzNow())

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.content])


class PostView(Table, tablename="board_view"):
    """At most one row per viewer per post per (UTC) day: the basis of ``view_count``."""

    id: Serial  # made by Piccolo; declared for the type checker
    post = ForeignKey(references=Post, null=False, on_delete=OnDelete.cascade)
    viewer = Varchar(length=80, help_text="u:<user id> or a:<keyed hash of the address>")
    day = Date(index=True)


class ReportStatus(enum.StrEnum):
    open = "open"
    resolved = "resolved"
    dismissed = "dismissed"


class Report(Table, tablename="board_report"):
    """A user's report on a post (or one of its comments), reviewed by admins in Piccolo Admin."""

    id: Serial  # made by Piccolo; declared for the type checker
    post = ForeignKey(references=Post, null=False, index=True, on_delete=OnDelete.cascade)
    comment = ForeignKey(references=Comment, null=True, default=None, on_delete=OnDelete.cascade)
    reporter: ForeignKey[Table] = ForeignKey(references=USER, null=False, on_delete=OnDelete.cascade)
    reason = Text()
    status = Varchar(length=10, default=ReportStatus.open, choices=ReportStatus, index=True)
    note = Text(default="", help_text="Moderator's note")
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
