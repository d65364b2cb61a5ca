"""Jinja set-up: autoescaping, the ``t()`` translation function and per-request globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import pass_context
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from app.core.i18n import translate
from app.web.request import language
from app.web.times import local_time

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


# aspect ratios (width / height) the before/after view has CSS for (app.css: .compare.fit-<ratio × 1000>)
COMPARE_RATIOS = (500, 562, 625, 750, 875, 1000, 1250, 1333, 1500, 1777, 2000)  # 9:16 … 2:1, floored


def compare_shape(width: int | None, height: int | None) -> str:
    """Classes that size a before/after view from its picture's size before the picture loads (no layout
    shift, no inline style): the largest listed ratio not above the picture's caps its width at 75 % of
    the viewport's height times that ratio, so the picture is never taller than that."""
    if not width or not height:
        return ""
    ratio = width * 1000 / height
    fit = max((r for r in COMPARE_RATIOS if r <= ratio), default=COMPARE_RATIOS[0])
    return f"sized fit-{fit}"


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True  # every template, whatever its extension
    env.globals.update(
        t=_t, lang=_lang, current_user=_user, translate=translate, compare_shape=compare_shape, local_time=local_time
    )


def template_config(extra_globals: dict[str, Any] | None = None) -> TemplateConfig[JinjaTemplateEngine]:
    def callback(engine: JinjaTemplateEngine) -> None:
        _configure(engine)
        engine.engine.globals.update(extra_globals or {})

    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=callback)
