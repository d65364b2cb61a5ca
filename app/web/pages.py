"""Home page, language switch and health checks."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app.board.deps import provide_board_service
from app.board.schemas import PostQuery
from app.board.service import BoardService
from app.core.i18n import LANGUAGES
from app.web.request import LANG_COOKIE, language

log = logging.getLogger("saekdam.web")
HOME_POSTS = 3


class ShellController(Controller):
    include_in_schema = False

    @get("/", dependencies={"board": Provide(provide_board_service, sync_to_thread=False)})
    async def home(self, request: Request[Any, Any, Any], board: BoardService) -> Template:
        """The pitch, and the board's latest before/afters (a cached list page, so the home page stays cheap)."""
        try:
            page = await board.list_page(PostQuery(sort="latest", limit=HOME_POSTS), language(request))
            recent = page.items
        except Exception:  # the home page never fails because of the board
            log.warning("home: recent posts unavailable", exc_info=True)
            recent = []
        return Template("home.html", context={"recent": recent})

    @get("/lang/{code:str}")
    async def switch_language(self, request: Request[Any, Any, Any], code: str, next: str = "/") -> Response[Any]:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response: Response[Any] = Redirect(target)
        if code in LANGUAGES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/")
        return response


class HealthController(Controller):
    tags = ["system"]

    @get("/healthz", operation_id="Health", exclude_from_auth=True, exclude_from_csrf=True)
    async def healthz(self) -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "ok"}

    @get("/readyz", operation_id="Ready", exclude_from_auth=True)
    async def readyz(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        """Ready: database, storage and queue answer."""
        checks = await request.app.state.services.check_ready()
        ok = all(v == "ok" for k, v in checks.items() if k != "painter")
        return Response(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE,
        )
