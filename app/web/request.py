"""Small facts about a request that every HTTP layer needs (language, client address)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from app.core.i18n import Language, pick_language

LANG_COOKIE = "lang"


def language(connection: ASGIConnection[Any, Any, Any, Any]) -> Language:
    cached = connection.scope.get("state", {}).get("lang")
    if cached:
        return cached
    settings = connection.app.state.get("settings")  # absent in apps that mount only a domain's controllers
    default: Language = settings.default_language if settings is not None else "ko"
    lang = pick_language(connection.cookies.get(LANG_COOKIE), connection.headers.get("accept-language"), default)
    connection.scope.setdefault("state", {})["lang"] = lang
    return lang


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.scope.get("client")
    return client[0] if client else "unknown"


def is_api(path: str) -> bool:
    """Machine clients (the app, scrapers, signed-URL fetches) get JSON errors, not login redirects."""
    return path.startswith(("/api/", "/files/")) or path in ("/api", "/metrics")
