"""Theme shapes (api.md: Themes)."""

from __future__ import annotations

import msgspec


class ThemeOut(msgspec.Struct, kw_only=True):
    slug: str
    name_ko: str
    name_en: str
    description: str
    preview_url: str
    default_steps: int
    default_guide: str  # "none" | "lines" | "depth": the guide used when a task does not choose
    has_lora: bool


class ThemeList(msgspec.Struct, kw_only=True):
    items: list[ThemeOut]
