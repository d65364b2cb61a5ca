"""JSON API for themes (public)."""

from __future__ import annotations

from litestar import Controller, get

from app.themes.schemas import ThemeList
from app.themes.service import list_themes, to_theme_out


class ThemeApiController(Controller):
    path = "/api/themes"
    tags = ["themes"]

    @get("/", operation_id="ListThemes", summary="The themes a mural can be painted in")
    async def list_themes(self) -> ThemeList:
        return ThemeList(items=[to_theme_out(t) for t in await list_themes()])
