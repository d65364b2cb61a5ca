"""Browser pages for sheets: the "Painter's sheet / 도안 만들기" fragment of a task page and a post's sheet.

``GET`` on purpose: making a sheet is idempotent (the same inputs give the same stored files), so the
colour picker is a plain form that works without JavaScript (a full page) and, with htmx, swaps only the
sheet in place.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Response, Template

from app.accounts.guards import requires_user
from app.board.deps import provide_board_service, viewer_of
from app.board.service import BoardService
from app.core.errors import AppError
from app.core.i18n import translate
from app.sheets.deps import provide_sheet_service
from app.sheets.schemas import DEFAULT_COLORS, MAX_COLORS, MIN_COLORS
from app.sheets.service import SheetService
from app.tasks.deps import provide_task_service
from app.tasks.service import TaskService
from app.web.request import language


def _number(raw: str | None, default: int, low: int, high: int) -> int | None:
    if raw is None or raw == "":
        return default
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else None


def _alert(message: str) -> Response[Any]:
    return HTMXTemplate(template_name="tasks/_alert.html", context={"message": message}, status_code=200)


class SheetPagesController(Controller):
    include_in_schema = False
    dependencies = {
        "sheets": Provide(provide_sheet_service, sync_to_thread=False),
        "tasks": Provide(provide_task_service, sync_to_thread=False),
        "board": Provide(provide_board_service, sync_to_thread=False),
    }

    @get("/tasks/{task_id:str}/sheet", guards=[requires_user])
    async def task_sheet(
        self,
        task_id: str,
        request: HTMXRequest,
        sheets: SheetService,
        tasks: TaskService,
        result: str | None = Parameter(default=None),
        colors: str | None = Parameter(default=None),
    ) -> Response[Any]:
        lang = language(request)
        row = await tasks.get_owned(task_id, request.user.id)  # 404 for other users' tasks
        chosen_result = _number(result, 1, 1, 4)
        chosen_colors = _number(colors, DEFAULT_COLORS, MIN_COLORS, MAX_COLORS)
        error = None
        sheet = None
        if chosen_colors is None:
            error = translate(lang, "sheet_colors_range", low=MIN_COLORS, high=MAX_COLORS)
        elif chosen_result is None:
            error = translate(lang, "field_invalid")
        else:
            try:
                sheet = await sheets.for_task(row, chosen_result, chosen_colors, lang)
            except AppError as exc:
                if exc.status == 404:
                    raise
                error = exc.errors[0].message if exc.errors else (exc.detail or translate(lang, exc.code))
        if request.htmx:
            if error is not None:
                return _alert(error)
            return HTMXTemplate(template_name="sheets/_sheet.html", context={"sheet": sheet})
        task = await tasks.present(row, lang)
        return Template(
            "sheets/sheet.html",
            context={
                "task": task,
                "sheet": sheet,
                "error": error,
                "chosen_result": chosen_result or 1,
                "chosen_colors": chosen_colors or DEFAULT_COLORS,
            },
            status_code=200 if error is None else 400,
        )

    @get("/board/{post_id:str}/sheet")
    async def post_sheet(
        self, post_id: str, request: HTMXRequest, sheets: SheetService, board: BoardService
    ) -> Response[Any]:
        """The sheet a post's author shows (a fragment for the post page): 404 when the post shows none."""
        lang = language(request)
        found = await board.sheet_source(post_id, viewer_of(request))  # 404 for posts the viewer cannot see
        if found is None:
            raise AppError("not_found", status=404)
        task_id, result, colors = found
        try:
            sheet = await sheets.for_post(task_id, result, colors, lang)
        except AppError as exc:
            if exc.status >= 500:
                raise
            return _alert(translate(lang, "sheet_post_gone"))
        return HTMXTemplate(template_name="sheets/_sheet.html", context={"sheet": sheet})
