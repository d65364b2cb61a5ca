"""``create_app()``: the Litestar application, assembled once from the settings."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, asgi
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.types import Receive, Scope, Send

from app.accounts.account_pages import AccountSettingsPagesController
from app.accounts.admin_gate import AdminGate
from app.accounts.api import AccountApiController
from app.accounts.auth import CSRF_COOKIE, CSRF_HEADER, AuthMiddleware
from app.accounts.oidc.pages import OidcPagesController
from app.accounts.pages import AccountPagesController
from app.accounts.reset_pages import ResetPagesController
from app.admin import build_admin
from app.board.api import BoardApiController
from app.board.pages import BoardPagesController
from app.core.errors import AppError
from app.core.fdlimit import raise_open_files_limit
from app.core.settings import Settings, get_settings
from app.metrics.api import MetricsController
from app.metrics.http import http_metrics_middleware
from app.ops import OpsPagesController
from app.privacy.api import PrivacyApiController
from app.sheets.api import PostSheetApiController, SheetApiController
from app.sheets.pages import SheetPagesController
from app.storage.http import FilesController
from app.tasks.api import TaskApiController, TaskSocketController
from app.tasks.pages import TaskPagesController
from app.themes.api import ThemeApiController
from app.web.access_log import AccessLog, access_log_middleware
from app.web.api_docs import render_plugins
from app.web.assets import StaticAssets, serve_static
from app.web.compression import compression_config
from app.web.errors import app_error_handler, http_error_handler, internal_error_handler, validation_handler
from app.web.input_guard import input_guard_middleware
from app.web.legal import LegalPagesController
from app.web.logging import configure_logging, request_id_middleware
from app.web.openapi import document_errors
from app.web.pages import HealthController, ShellController
from app.web.pwa import WebAppController
from app.web.security import SecurityHeaders
from app.web.templating import template_config
from app.wiring import Services

STATIC_DIR = Path(__file__).resolve().parent / "static"
UNAUTHENTICATED_PATHS = ["^/admin", "^/static", "^/files", "^/healthz", "^/schema"]


def provide_storage(state: State) -> Any:
    """The process's object store (the local store's /files routes need it)."""
    return state.storage


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.debug)
    raise_open_files_limit()  # one socket per stream: 10,000 streams need more than the usual 1,024
    access_log = AccessLog() if settings.access_log else None
    import piccolo_conf  # the engine Piccolo's tables use

    services = Services(settings, piccolo_conf.DB)
    assets = StaticAssets(STATIC_DIR)  # hashed once per process: templates link immutable URLs
    admin_app = AdminGate(
        build_admin(settings, services), services, production=settings.base_url.startswith("https://")
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await services.start()
        # everything loaded so far lives as long as the process: keep it out of the collector's
        # full passes, whose pauses grow with it and show up as tail latency on busy streams
        gc.freeze()
        # and collect the young generation less often: a busy process allocates (per frame, per request)
        # far faster than the default threshold of 700 expects, and most of it is not cyclic garbage
        gc.set_threshold(10_000, 20, 20)
        app.state.services = services
        app.state.accounts = services.accounts
        app.state.storage = services.storage
        app.state.upload_gate = services.tasks.check_upload
        try:
            yield
        finally:
            await services.close()
            if access_log is not None:
                access_log.flush()

    @asgi("/admin", is_mount=True, copy_scope=True, include_in_schema=False)
    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("raw_path", b"").rstrip(b"?") == b"/admin":
            # the admin's page loads its assets relative to /admin/
            await send({"type": "http.response.start", "status": 308, "headers": [(b"location", b"/admin/")]})
            await send({"type": "http.response.body", "body": b""})  # type: ignore[arg-type]  # the TypedDicts want every optional key
            return
        await admin_app(scope, receive, send)  # type: ignore[arg-type]  # Piccolo Admin types ASGI as plain mappings

    app = Litestar(
        route_handlers=[
            ShellController,
            WebAppController,
            HealthController,
            AccountApiController,
            AccountPagesController,
            AccountSettingsPagesController,
            ResetPagesController,
            OidcPagesController,
            PrivacyApiController,
            LegalPagesController,
            ThemeApiController,
            TaskApiController,
            TaskSocketController,
            SheetApiController,
            PostSheetApiController,
            SheetPagesController,
            BoardApiController,
            BoardPagesController,
            TaskPagesController,
            FilesController,
            OpsPagesController,
            MetricsController,
            admin,
            serve_static,
        ],
        lifespan=[lifespan],
        before_send=[SecurityHeaders(settings)],
        on_startup=[document_errors],
        state=State({"settings": settings, "assets": assets}),
        dependencies={"storage": Provide(provide_storage, sync_to_thread=False)},
        middleware=[
            request_id_middleware,
            http_metrics_middleware,
            DefineMiddleware(AuthMiddleware, exclude=UNAUTHENTICATED_PATHS),
            input_guard_middleware,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.base_url.startswith("https://"),
            # anchored: unanchored, "/board/admin/comments" or "/tasks/files/cancel" skipped the check
            exclude=["^/api/", "^/admin(/|$)", "^/files/"],
        ),
        template_config=template_config({"static": assets.url}),
        compression_config=compression_config(),
        plugins=[HTMXPlugin()],
        openapi_config=OpenAPIConfig(
            title="Saekdam API", version="1.0.0", path="/schema", render_plugins=render_plugins(assets.url)
        ),
        exception_handlers={
            AppError: app_error_handler,
            ValidationException: validation_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        debug=False,
    )
    if access_log is not None:  # around everything: 404s and 405s are logged too
        app.asgi_handler = access_log_middleware(access_log)(app.asgi_handler)
    return app
