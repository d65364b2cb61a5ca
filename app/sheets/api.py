"""JSON API for sheets (api.md "The painter's sheet (v1.1)"): ``POST /api/tasks/{id}/sheet``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide

from app.accounts.auth import Auth
from app.accounts.guards import requires_user
from app.accounts.tables import User
from app.board.deps import provide_board_service, viewer_of
from app.board.service import BoardService
from app.core.errors import NotFound
from app.sheets.deps import provide_sheet_service
from app.sheets.schemas import Sheet, SheetRequest
from app.sheets.service import SheetService
from app.web.request import language


class SheetApiController(Controller):
    path = "/api/tasks"
    tags = ["sheets"]
    guards = [requires_user]
    dependencies = {"sheets": Provide(provide_sheet_service, sync_to_thread=False)}

    @post(
        "/{task_id:str}/sheet",
        operation_id="MakeSheet",
        status_code=200,
        summary="The painter's sheet of a result: paints, shares, areas, litres, PNG and PDF",
    )
    async def sheet(
        self, task_id: str, request: Request[User, Auth, Any], sheets: SheetService, data: SheetRequest | None = None
    ) -> Sheet:
        body = data or SheetRequest()
        return await sheets.for_owner(request.user.id, task_id, body.result, body.colors, language(request))


class PostSheetApiController(Controller):
    path = "/api/posts"
    tags = ["sheets"]
    dependencies = {
        "sheets": Provide(provide_sheet_service, sync_to_thread=False),
        "board": Provide(provide_board_service, sync_to_thread=False),
    }

    @get(
        "/{post_id:str}/sheet",
        operation_id="GetPostSheet",
        summary="*Public*: the painter's sheet a post's author shows (404 when the post shows none)",
    )
    async def post_sheet(
        self, post_id: str, request: Request[Any, Any, Any], sheets: SheetService, board: BoardService
    ) -> Sheet:
        found = await board.sheet_source(post_id, viewer_of(request))
        if found is None:
            raise NotFound()
        task_id, result, colors = found
        return await sheets.for_post(task_id, result, colors, language(request))
