"""axe-core (WCAG 2.2 AA + best practices) on every page, in Korean and English, on a desktop and a phone.

The pages come from the app's own routes: every GET route is either a page listed in ``PAGES`` (with the
URLs and the viewer to open it as) or listed in ``NOT_PAGES`` with the reason, so a new page fails
``test_every_page_route_is_listed`` until it is covered here. One browser; per device and language one
context (and one reused tab) per viewer; axe is injected into each document by an init script, so the
pages' own Content-Security-Policy still applies to everything they load.
"""

from __future__ import annotations

import asyncio
import re
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page

from tests.board.helpers import make_admin, make_task, user_pk
from tests.browser.helpers import DEVICES, photo_file
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.asyncio(loop_scope="session")]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

# GET routes that are not pages a person reads, and why
NOT_PAGE_PREFIXES = {
    "/api/": "the JSON API",
    "/files/": "signed file downloads",
    "/static/": "static files",
    "/schema": "the API's documentation: Swagger UI as published (checked for local origins in tests/web)",
}
NOT_PAGES = {
    "/healthz": "JSON health check",
    "/readyz": "JSON readiness check",
    "/metrics": "Prometheus text",
    "/lang/{code:str}": "a redirect that sets the language cookie",
    "/favicon.ico": "icon",
    "/manifest.webmanifest": "web app manifest",
    "/sw.js": "service worker script",
    "/board/events": "event stream (SSE)",
    "/tasks/{task_id:str}/stream": "event stream (SSE)",
    "/board/{post_id:str}/comments": "htmx fragment: the next comments of a post page",
    "/ops/status": "JSON of the ops page",
    "/tasks/{task_id:str}/results.zip": "a zip download of a task's results",
    "/settings": "a redirect to /account",
    "/auth/oidc/{provider:str}/login": "a redirect to the sign-in provider",
    "/auth/oidc/{provider:str}/callback": "the provider's redirect back (answers with a redirect)",
}
# pages reached only through a flow: check_states opens them
STATE_PAGES = {"/auth/oidc/link": "linking a provider's sign-in to an existing account"}

# route → (viewer, URL, label) for each state of the page worth checking; {names} come from Site.ids
PAGES: dict[str, list[tuple[str, str, str]]] = {
    "/": [("anon", "/", "home"), ("user", "/", "home, logged in")],
    "/offline": [("anon", "/offline", "offline page")],
    "/login": [("anon", "/login", "log-in")],
    "/signup": [("anon", "/signup", "sign-up")],
    "/create": [("user", "/create", "create"), ("user", "/create?draft={created}", "create: a resumed draft")],
    "/murals": [
        ("user", "/murals", "my murals"),
        ("user", "/murals?status=failed&published=no", "my murals, filtered"),
        ("user", "/murals?status=active&published=yes", "my murals, nothing matches"),
    ],
    "/tasks/{task_id:str}": [
        ("user", "/tasks/{succeeded}", "task: succeeded, 2 results"),
        ("user", "/tasks/{failed}", "task: failed"),
        ("user", "/tasks/{running}", "task: painting"),
        ("user", "/tasks/{created}", "task: not submitted"),
    ],
    "/board": [
        ("anon", "/board", "board"),
        ("user", "/board?view=list", "board, list view"),
        ("anon", "/board?q=nothing-matches-this", "board, no results"),
    ],
    "/board/new": [
        ("user", "/board/new", "share: pick a mural"),
        ("user", "/board/new?task={succeeded}", "share: form"),
    ],
    "/board/{post_id:str}": [
        ("anon", "/board/{post}", "post, logged out"),
        ("user", "/board/{post}", "post, author"),
        ("admin", "/board/{post}", "post, another user"),
    ],
    "/board/{post_id:str}/edit": [("user", "/board/{post}/edit", "edit post")],
    "/ops": [("admin", "/ops", "operations")],
    "/account": [("user", "/account", "account")],
    "/forgot": [("anon", "/forgot", "forgot password")],
    "/reset": [("anon", "/reset?token=not-a-real-token", "reset password")],
    "/terms": [("anon", "/terms", "terms of use")],
    "/privacy": [("anon", "/privacy", "privacy policy")],
    "/tasks/{task_id:str}/sheet": [("user", "/tasks/{succeeded}/sheet", "painter's sheet")],
    "/board/{post_id:str}/sheet": [],  # an htmx fragment of the post page (checked there when shown)
}
EXTRA = [("anon", "/nowhere-at-all", "not found (404)")]
RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) =>
      n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(0, 2).join(" "))}));
}"""


@dataclass
class Site:
    server: Server
    users: dict[str, ApiUser] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


def page_routes() -> set[str]:
    """Every GET route of the app as Litestar lists it."""
    from litestar.routes import HTTPRoute

    from app.asgi import create_app

    with warnings.catch_warnings():  # Litestar's deprecation notes about handler signatures: not ours to act on here
        warnings.simplefilter("ignore")
        app = create_app()
    return {r.path for r in app.routes if isinstance(r, HTTPRoute) and "GET" in r.methods}


def test_every_page_route_is_listed() -> None:
    routes = {p for p in page_routes() if not p.startswith(tuple(NOT_PAGE_PREFIXES))}
    unlisted = routes - set(PAGES) - set(NOT_PAGES) - set(STATE_PAGES)
    assert not unlisted, f"new GET routes: add each to PAGES (a page: axe checks it) or NOT_PAGES: {sorted(unlisted)}"
    gone = (set(PAGES) | set(NOT_PAGES) | set(STATE_PAGES)) - routes
    assert not gone, f"listed routes that no longer exist: {sorted(gone)}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(server: Server) -> Site:
    """A user with tasks in every state and a published post with a comment, an admin, and the board."""
    from app.tasks.tables import Task

    found = Site(server)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
        admin = await new_user(http, "관리자")
        await make_admin(admin)
        found.users = {"user": user, "admin": admin}
        found.ids["user_pk"] = str(await user_pk(user))
        found.ids["succeeded"] = await make_task(user, results=2, scene=3)
        found.ids["failed"] = await make_task(user, status="failed")
        await Task.update({Task.error_code: "no_wall_found", Task.finished_at: Task.queued_at}).where(
            Task.id == uuid.UUID(found.ids["failed"])
        )
        found.ids["running"] = await make_task(user, status="running")
        await Task.update({Task.progress_step: 2, Task.progress_total: 8}).where(
            Task.id == uuid.UUID(found.ids["running"])
        )
        found.ids["created"] = await make_task(user, status="created")
        shared = await make_task(user, results=1, scene=4)
        r = await http.post(
            "/api/posts",
            headers=user.headers,
            json={
                "task_id": shared,
                "result_index": 0,
                "title": "골목 벽의 고래 벽화",
                "content": "동네 골목 벽이 바다가 됐어요.",
            },
        )
        assert r.status_code == 201, r.text
        found.ids["post"] = r.json()["id"]
        c = await http.post(
            f"/api/posts/{found.ids['post']}/comments", headers=admin.headers, json={"content": "멋져요!"}
        )
        assert c.status_code == 201, c.text
    return found


def link_cookie(site: Site) -> str:
    """The sealed cookie a provider's sign-in leaves when its email belongs to an existing account."""
    from app.accounts.oidc.state import seal
    from app.core.settings import get_settings

    user = site.users["user"]
    pending = {"p": "kakao", "sub": "axe-test", "email": user.email, "uid": int(site.ids["user_pk"]), "next": "/"}
    return seal(get_settings().secret_key, "link", pending, 600)


async def log_in(context: BrowserContext, base: str, user: ApiUser) -> None:
    """A browser session through the log-in form's own POST (CSRF token included)."""
    r = await context.request.get(base + "/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', await r.text())
    assert token, "no CSRF token on /login"
    done = await context.request.post(
        base + "/login",
        max_redirects=0,
        form={"_csrf_token": token.group(1), "email": user.email, "password": user.password, "next": "/"},
    )
    assert done.status in (302, 303), await done.text()


async def check(page: Page, url: str, label: str, found: list[str]) -> None:
    response = await page.goto(url, wait_until="load")
    assert response is not None and response.status < 500, f"{label}: {url} answered {response and response.status}"
    assert (response.status == 404) == ("(404)" in label), f"{label}: {url} answered {response.status}"
    await page.wait_for_function("() => window.axe && document.readyState === 'complete'")
    for v in await page.evaluate(RUN_AXE, TAGS):
        found.append(f"{label} ({url}): {v['id']} [{v['impact']}] {v['help']}\n      " + "\n      ".join(v["nodes"]))


async def check_states(page: Page, base: str, viewer: str, found: list[str], tmp_path: Path, site: Site) -> None:
    """States a page reaches only through use: a refused log-in, a sign-up with errors, a chosen photo."""
    if viewer == "anon":
        await page.goto(base + "/login")
        await page.fill("#f-email", "nobody@example.com")
        await page.fill("#f-password", "wrong password 123")
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_load_state("load")
        await check_current(page, "log-in refused", found)
        await page.goto(base + "/signup")
        await page.fill("#f-email", "not-an-email")
        await page.click("form[action='/signup'] button[type=submit]")
        await page.wait_for_load_state("load")
        await check_current(page, "sign-up with errors", found)
        await page.context.add_cookies(
            [{"name": "saekdam_oidc_link", "value": link_cookie(site), "url": base + "/auth/oidc"}]
        )
        await check(page, base + "/auth/oidc/link", "link a sign-in to an account", found)
    if viewer == "user":
        await page.goto(base + "/create")
        await page.set_input_files("#photo-file", str(photo_file(tmp_path)))
        await page.wait_for_function("() => !document.querySelector('#photo-preview')?.hidden", timeout=30_000)
        await page.wait_for_timeout(300)
        await check_current(page, "create: photo chosen", found)


async def check_current(page: Page, label: str, found: list[str]) -> None:
    for v in await page.evaluate(RUN_AXE, TAGS):
        found.append(
            f"{label} ({page.url}): {v['id']} [{v['impact']}] {v['help']}\n      " + "\n      ".join(v["nodes"])
        )


async def viewer_pass(browser: Browser, site: Site, device: str, lang: str, viewer: str, tmp_path: Path) -> list[str]:
    base = site.server.url
    context = await browser.new_context(
        locale="ko-KR" if lang == "ko" else "en-US", base_url=base, service_workers="block", **DEVICES[device]
    )
    context.set_default_timeout(30_000)
    await context.add_init_script(path=str(AXE))
    await context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    found: list[str] = []
    try:
        if viewer != "anon":
            await log_in(context, base, site.users[viewer])
        page = await context.new_page()
        targets = [t for states in PAGES.values() for t in states] + EXTRA
        for who, url, label in targets:
            if who == viewer:
                await check(page, base + url.format(**site.ids), label, found)
        await check_states(page, base, viewer, found, tmp_path, site)
    finally:
        await context.close()
    return found


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("device", list(DEVICES))
async def test_no_axe_violations(browser: Browser, site: Site, device: str, lang: str, tmp_path: Path) -> None:
    assert AXE.exists(), "node_modules/axe-core is missing: run `make install-test`"
    results = await asyncio.gather(
        *(viewer_pass(browser, site, device, lang, v, tmp_path) for v in ("anon", "user", "admin"))
    )
    violations = [v for found in results for v in found]
    assert not violations, f"axe-core on {device} in {lang}: {len(violations)} violations\n  " + "\n  ".join(violations)
