"""A task is one mural job: its photo, options, state, progress and results."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, BigInt, Boolean, ForeignKey, Integer, Real, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import User


class Task(Table, tablename="tasks_task"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    owner = ForeignKey(references=User, null=False, index=True)
    status = Varchar(length=10, default="created", index=True)
    theme = Varchar(length=32, default="")
    prompt = Text(default="")
    prompt_en = Text(default="")
    region = JSON(default="null")
    seed = BigInt(null=True, default=None)
    variations = Integer(default=1)
    steps = Integer(null=True, default=None)
    strength = Real(default=1.0)
    fast = Boolean(default=False)
    blend = Varchar(length=10, default="wall", help_text="wall: painted on the wall (light, texture kept); cover")
    protect = Boolean(default=True, help_text="Windows, doors, people, plants … kept out of the painted region")
    detail = Varchar(length=10, null=True, default=None, help_text="standard | high; null until the painter chose")
    guide = Varchar(
        length=10, null=True, default=None, help_text="none | lines | depth (the theme's default at submit)"
    )
    wall_size_m = JSON(default="null", help_text="[width, height] of the wall in metres, or null")
    content_type = Varchar(length=20)
    size_bytes = Integer()
    input_key = Varchar(length=200)
    mask_key = Varchar(length=200, null=True, default=None)
    mask_size_bytes = Integer(null=True, default=None)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    result_keys = JSON(default="[]")
    artwork_keys = JSON(default="[]", help_text="quad tasks: the flat murals, tasks/{id}/artwork-{i}.png")
    painted_mask_key = Varchar(
        length=200,
        null=True,
        default=None,
        help_text="the mask actually painted (keep-outs removed), tasks/{id}/painted-mask.png",
    )
    # smaller copies for pages ({"thumbs": [...], "displays": [...], "input": key}; {} until made)
    variants = JSON(default="{}")
    preview_key = Varchar(length=200, null=True, default=None)
    # the content filter (app/actors/painter/safety.py): one verdict per result, clean | flagged | unchecked
    safety = JSON(default="[]", help_text="content filter verdict per result: clean, flagged or unchecked")
    held = Boolean(
        default=False, index=True, help_text="a result is held from the public board (flagged, or could not be checked)"
    )
    released = Boolean(default=False, help_text="an admin reviewed the held results: they may be published")
    progress_step = Integer(default=0)
    progress_total = Integer(default=0)
    message = Text(null=True, default=None)
    error_code = Varchar(length=40, null=True, default=None)
    error_detail = Text(null=True, default=None)
    attempts = Integer(default=0)
    worker = Varchar(length=100, null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)
    retry_of = UUID(null=True, default=None)
    notify_email = Varchar(
        length=2,
        null=True,
        default=None,
        help_text="Mail the owner when it finishes, in this language (ko/en); null: no mail",
    )
    idempotency_key = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    queued_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s (%s)", columns=[cls.id, cls.status])


class TaskUsage(Table, tablename="tasks_usage"):
    """One accepted submit or retry, weighed by the work it asked for: what the daily quota counts.

    Append-only. Deleting a task leaves its usage, so a deleted mural's slot is not given back; ``task_id`` is
    therefore no foreign key. The owner's rows go with the account.
    """

    owner = ForeignKey(references=User, null=False, index=True)
    task_id = UUID(help_text="The task it was for (it may have been deleted since)")
    units = Real(help_text="variations × steps / 25, at least 1: a default mural (1 × 25 steps) is 1")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
