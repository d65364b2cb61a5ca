"""``/terms`` and ``/privacy``: who runs the site (settings), what is stored and for how long, in Korean and
English. Sign-up records ``TERMS_VERSION``, the version these pages show."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from app.accounts.schemas import TERMS_VERSION


def _context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    s = request.app.state.settings
    return {
        "version": TERMS_VERSION,
        "operator_name": s.operator_name,
        "operator_contact": s.operator_contact,
        "retention_days": s.file_retention_days,
        "session_days": s.session_ttl_s // 86400,
        "token_days": s.access_token_ttl_s // 86400,
        "reset_minutes": s.password_reset_ttl_s // 60,
        "providers": request.app.state.services.oidc.labels("en"),
    }


class LegalPagesController(Controller):
    include_in_schema = False

    @get("/terms")
    async def terms(self, request: Request[Any, Any, Any]) -> Template:
        return Template("legal/terms.html", context=_context(request))

    @get("/privacy")
    async def privacy(self, request: Request[Any, Any, Any]) -> Template:
        return Template("legal/privacy.html", context=_context(request))
