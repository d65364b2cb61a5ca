"""Browser security headers on every response, set once in a ``before_send`` hook (404s and errors too).

- Pages: a Content-Security-Policy of the app's own origin only, no inline script or style (templates link
  static files; per-response geometry is set from ``data-*`` attributes by ``static/js/app.js``), and
  ``frame-ancestors 'none'`` with ``X-Frame-Options: DENY`` so that no other site can frame a page and
  trick a click on like, delete or publish.
- ``/files``: ``Content-Security-Policy: sandbox`` (an uploaded file opened directly runs no script and
  gets an opaque origin, whatever its bytes are); the endpoint sets ``Content-Disposition`` itself.
- ``/admin`` (Piccolo Admin's Vue app) and ``/schema`` (Swagger UI): both run from their own static files
  but set inline styles from script and load ``data:`` images, so they get ``style-src 'unsafe-inline'``
  (styles only; script stays ``'self'``).
- Everywhere: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (signed URLs and task
  ids never leak to other sites in ``Referer``); ``Strict-Transport-Security`` when the app is served over
  https (``public_url`` is https, or the request came over https as a trusted proxy said).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.types import HTTPResponseStartEvent, Message, Scope

from app.core.settings import Settings

HSTS_MAX_AGE_S = 365 * 24 * 3600


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def storage_origins(settings: Settings) -> list[str]:
    """Where signed photo and result URLs point besides the app itself (S3 or its public endpoint)."""
    if not settings.s3_bucket:
        return []
    endpoint = settings.s3_public_endpoint_url or settings.s3_endpoint_url
    return [_origin(endpoint)] if endpoint else ["https://*.amazonaws.com"]


def page_policy(settings: Settings, loose_styles: bool = False) -> str:
    extra = " ".join(storage_origins(settings))
    media = f"'self' data: blob: {extra}".strip()
    styles = "'self' 'unsafe-inline'" if loose_styles else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            f"img-src {media}",
            f"media-src {media}",
            f"connect-src 'self' {extra}".strip(),
            "font-src 'self' data:" if loose_styles else "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "worker-src 'self'",
            "manifest-src 'self'",
        ]
    )


FILES_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
)


def _request_path(scope: Scope) -> str:
    """The path as requested: the router rewrites ``scope["path"]`` to the rest of the path for mounts."""
    raw = scope.get("raw_path")
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(scope["path"])


class SecurityHeaders:
    """The ``before_send`` hook; policies are built once from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.pages = page_policy(settings).encode()
        self.loose = page_policy(settings, loose_styles=True).encode()
        self.https = settings.base_url.startswith("https://")
        self.hsts = f"max-age={HSTS_MAX_AGE_S}".encode()

    def policy_for(self, path: str) -> bytes:
        if path.startswith("/files/"):
            return FILES_POLICY.encode()
        if path == "/admin" or path.startswith(("/admin/", "/schema")):
            return self.loose
        return self.pages

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != "http":
            return
        start: HTTPResponseStartEvent = message
        ours = {
            b"content-security-policy": self.policy_for(_request_path(scope)),
            b"x-frame-options": b"DENY",
            b"x-content-type-options": b"nosniff",
            b"referrer-policy": b"same-origin",
        }
        if self.https or scope.get("scheme") == "https":
            ours[b"strict-transport-security"] = self.hsts
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in ours]
        start["headers"] = [*kept, *ours.items()]
