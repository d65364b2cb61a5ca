"""The themes a mural can be painted in; seeded by a migration, editable in Piccolo Admin."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, Integer, Real, Serial, Text, Varchar
from piccolo.columns.readable import Readable
from piccolo.table import Table


class GuideChoice(StrEnum):
    """A theme's default geometry guidance (the painter's ``guide``)."""

    none = "none"
    lines = "lines"
    depth = "depth"


class Theme(Table, tablename="themes_theme"):
    id: Serial  # made by Piccolo; declared for the type checker
    slug = Varchar(length=32, unique=True, index=True)
    name_ko = Varchar(length=60)
    name_en = Varchar(length=60)
    description = Text(default="", help_text="Shown on the theme card")
    prompt_template = Text(help_text="Style and trigger words; {wish} is replaced by the user's (English) wish")
    negative_prompt = Text(default="")
    lora_key = Varchar(length=255, null=True, default=None, help_text="Storage key of the theme's LoRA file")
    lora_weight = Real(default=0.8)
    default_steps = Integer(default=25)
    default_guide = Varchar(
        length=10,
        default="none",
        choices=GuideChoice,
        help_text="Geometry guidance when a task does not choose: none, lines (edges) or depth",
    )
    sort_order = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.slug])
