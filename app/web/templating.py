"""Jinja set-up: autoescaping, the ``t()`` translation function and per-request globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import pass_context
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from app.core.i18n import translate
from app.web.request import language

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@pass_context
def _t(ctx: Any, key: str, **params: Any) -> str:
    request = ctx.get("request")
    return translate(language(request) if request is not None else "ko", key, **params)


@pass_context
def _lang(ctx: Any) -> str:
    request = ctx.get("request")
    return language(request) if request is not None else "ko"


@pass_context
def _user(ctx: Any) -> Any:
    request = ctx.get("request")
    return request.scope.get("user") if request is not None else None


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True  # every template, whatever its extension
    env.globals.update(t=_t, lang=_lang, current_user=_user, translate=translate)


def template_config(extra_globals: dict[str, Any] | None = None) -> TemplateConfig[JinjaTemplateEngine]:
    def callback(engine: JinjaTemplateEngine) -> None:
        _configure(engine)
        engine.engine.globals.update(extra_globals or {})

    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=callback)
