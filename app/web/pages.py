"""Home page, language switch and health checks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app.core.i18n import LANGUAGES
from app.web.request import LANG_COOKIE


class ShellController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self) -> Template:
        return Template("home.html")

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
        return Response({"status": "ok" if ok else "unavailable", "checks": checks},
                        status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)
