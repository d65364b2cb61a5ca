"""Themes: the catalogue shown to users and the style handed to the painter."""

from __future__ import annotations

import hashlib

from app.actors.painter.schemas import ThemeStyle
from app.core.storage import Storage
from app.themes.schemas import ThemeOut
from app.themes.tables import Theme

PREVIEW_PATH = "/static/img/themes/{slug}.svg"


def to_theme_out(theme: Theme) -> ThemeOut:
    return ThemeOut(
        slug=theme.slug,
        name_ko=theme.name_ko,
        name_en=theme.name_en,
        description=theme.description,
        preview_url=PREVIEW_PATH.format(slug=theme.slug),
        default_steps=theme.default_steps,
        default_guide=theme.default_guide or "none",
        has_lora=theme.lora_key is not None,
    )


async def list_themes() -> list[Theme]:
    return await Theme.objects().where(Theme.active.eq(True)).order_by(Theme.sort_order)


async def get_theme(slug: str) -> Theme | None:
    return await Theme.objects().where((Theme.slug == slug) & Theme.active.eq(True)).first()


def style_of(theme: Theme, lora_path: str | None) -> ThemeStyle:
    return ThemeStyle(
        slug=theme.slug,
        prompt_template=theme.prompt_template,
        negative_prompt=theme.negative_prompt,
        lora_path=lora_path,
        lora_weight=theme.lora_weight,
        default_steps=theme.default_steps,
    )


async def attach_lora(slug: str, data: bytes, weight: float, storage: Storage | None = None) -> str:
    """Store a theme's LoRA under a content-addressed key and point the theme at it.

    A new key per file means painters notice the change at their next job and load it under a new
    adapter name, without a restart and without touching a file another job may be reading.
    """
    theme = await Theme.objects().where(Theme.slug == slug).first()
    if theme is None:
        raise LookupError(f"no theme {slug!r}")
    if storage is None:  # the CLI: the configured store, opened for this one call
        from app.core.settings import get_settings
        from app.storage.factory import open_storage

        storage = await open_storage(get_settings())
        try:
            return await attach_lora(slug, data, weight, storage)
        finally:
            await storage.close()
    key = f"loras/{slug}-{hashlib.sha256(data).hexdigest()[:16]}.safetensors"
    if not await storage.exists(key):
        await storage.put(key, data, "application/octet-stream")
    await Theme.update({Theme.lora_key: key, Theme.lora_weight: weight}).where(Theme.id == theme.id)
    return key
