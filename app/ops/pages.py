"""``/ops``: the admin's view of workers, queue and failures (a page that refreshes its panel with htmx,
and the same snapshot as JSON at ``/ops/status`` for scripts)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Template

from app.accounts.guards import requires_admin
from app.ops.service import STALE_AFTER_S, OpsService, OpsSnapshot


def _ops(request: Request[Any, Any, Any]) -> OpsService:
    return OpsService(request.app.state.services)


class OpsPagesController(Controller):
    path = "/ops"
    guards = [requires_admin]
    include_in_schema = False

    @get("/", operation_id="OpsPage", name="ops:page")
    async def page(self, request: HTMXRequest) -> Template:
        snapshot = await _ops(request).snapshot()
        context = {"ops": snapshot, "stale_after_s": int(STALE_AFTER_S)}
        if request.htmx:
            return HTMXTemplate(template_name="ops/_panel.html", context=context)
        return Template("ops/index.html", context=context)

    @get("/status", operation_id="OpsStatus", name="ops:status")
    async def status(self, request: Request[Any, Any, Any]) -> OpsSnapshot:
        return await _ops(request).snapshot()
