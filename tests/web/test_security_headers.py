"""Browser security headers (issue 17, finding 8): no page can be framed by another site, no inline script or
style runs, files served from /files are sandboxed, and HSTS is sent when the app is served over https."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import msgspec
import pytest

from app.core.settings import load_settings
from app.web.security import SecurityHeaders
from tests.board.helpers import make_task
from tests.support.users import new_user

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
COMMON = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def directives(policy: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: (d.strip().split(" ", 1) + [""])[1] for d in policy.split(";") if d.strip()}


def assert_common(r: httpx.Response) -> dict[str, str]:
    for name, value in COMMON.items():
        assert r.headers.get(name) == value, (r.url, name, r.headers.get(name))
    assert len(r.headers.get_list("content-security-policy")) == 1, r.headers
    assert "strict-transport-security" not in r.headers  # plain http
    return directives(r.headers["content-security-policy"])


@pytest.mark.db
async def test_pages_api_and_errors_send_a_strict_policy(client: httpx.AsyncClient) -> None:
    for path in (
        "/",
        "/board",
        "/login",
        "/create",
        "/nowhere",
        "/api/themes",
        "/api/nowhere",
        "/healthz",
        "/manifest.webmanifest",
    ):
        r = await client.get(path)
        csp = assert_common(r)
        assert csp["frame-ancestors"] == "'none'", path
        assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'", csp
        assert "unsafe" not in r.headers["content-security-policy"], path
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"


@pytest.mark.db
async def test_files_are_sandboxed_and_named(client: httpx.AsyncClient) -> None:
    user = await new_user(client, "framed")
    task_id = await make_task(user, results=1)
    task = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    for url in (task["input_url"], task["result_urls"][0]):
        r = await client.get(url)
        assert r.status_code == 200, r.text
        csp = assert_common(r)
        assert "sandbox" in csp and csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'none'", csp
        assert r.headers["content-disposition"].startswith(("inline", "attachment")), r.headers
    refused = await client.get(task["input_url"].replace("sig=", "sig=x"))
    assert refused.status_code == 403 and "sandbox" in directives(refused.headers["content-security-policy"])


@pytest.mark.db
async def test_admin_and_api_docs_get_their_own_policy(client: httpx.AsyncClient) -> None:
    for path in ("/admin/", "/schema", "/schema/swagger"):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        csp = assert_common(r)
        assert csp["frame-ancestors"] == "'none'" and csp["script-src"] == "'self'", csp
        assert csp["style-src"] == "'self' 'unsafe-inline'", csp  # styles set from script, see app/web/security.py


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    """What the policy would refuse must not be in the templates: inline <script>/<style>, on* handlers,
    style attributes, javascript: URLs, htmx's hx-on (evaluated script)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"javascript:",
            r"hx-on",
        ):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert not found, found


async def _headers(hook: SecurityHeaders, path: str = "/", scheme: str = "http") -> dict[bytes, bytes]:
    message = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/html"), (b"x-frame-options", b"SAMEORIGIN")],
    }
    await hook(message, {"type": "http", "path": path, "scheme": scheme})  # type: ignore[arg-type]
    names = [k for k, _ in message["headers"]]
    assert len(names) == len(set(names)), names  # replaced, never doubled
    return dict(message["headers"])  # type: ignore[arg-type]


async def test_hsts_only_over_https() -> None:
    plain = SecurityHeaders(load_settings({}, dotenv=None))
    assert b"strict-transport-security" not in await _headers(plain)
    # behind a trusted proxy that said X-Forwarded-Proto: https, uvicorn sets the scope's scheme
    assert (await _headers(plain, scheme="https"))[b"strict-transport-security"].startswith(b"max-age=")
    public = SecurityHeaders(load_settings({"SAEKDAM_PUBLIC_URL": "https://saekdam.example"}, dotenv=None))
    headers = await _headers(public)
    assert headers[b"strict-transport-security"] == b"max-age=31536000" and headers[b"x-frame-options"] == b"DENY"


async def test_s3_origin_is_allowed_for_images_and_uploads() -> None:
    s3 = SecurityHeaders(
        load_settings(
            {
                "SAEKDAM_S3_BUCKET": "b",
                "SAEKDAM_S3_ENDPOINT_URL": "http://minio:9000",
                "SAEKDAM_S3_PUBLIC_ENDPOINT_URL": "https://files.example/x",
            },
            dotenv=None,
        )
    )
    csp = directives((await _headers(s3))[b"content-security-policy"].decode())
    assert "https://files.example" in csp["img-src"] and "https://files.example" in csp["connect-src"]
    assert "minio" not in msgspec.json.encode(csp).decode()
