"""``GET /api/me/export`` (api.md: Accounts v1.1); ``DELETE /api/me`` sits with ``/api/me`` in the accounts API."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import Provide
from litestar.response import File

from app.accounts.auth import Auth
from app.accounts.guards import requires_user
from app.accounts.tables import User
from app.privacy.service import PrivacyService
from app.web.request import language


def provide_privacy(state: State) -> PrivacyService:
    return state.services.privacy


def export_response(path: os.PathLike[str] | str) -> File:
    """The zip as a download; the temporary file goes once it was sent."""
    name = f"saekdam-export-{datetime.now(UTC):%Y%m%d}.zip"
    return File(
        path=path,
        filename=name,
        media_type="application/zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(os.unlink, path),
    )


class PrivacyApiController(Controller):
    path = "/api/me"
    tags = ["accounts"]
    guards = [requires_user]
    dependencies = {"privacy": Provide(provide_privacy, sync_to_thread=False)}

    @get(
        "/export",
        operation_id="ExportMyData",
        summary="Everything you have here, as a zip",
        media_type="application/zip",
        response_description="application/zip: profile.json, tasks.json, posts.json, comments.json, files/…",
    )
    async def export(self, request: Request[User, Auth, Any], privacy: PrivacyService) -> File:
        return export_response(await privacy.export(request.user, language(request)))
