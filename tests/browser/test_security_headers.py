"""The Content-Security-Policy in a real browser (issue 17, finding 8): the pages, Swagger UI and Piccolo Admin
run under it without a single violation, and a page of another origin cannot frame the app."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.board.helpers import make_admin, make_task
from tests.browser.helpers import DEVICES, Watch
from tests.browser.test_accessibility import log_in
from tests.support.browser import SCREENSHOTS
from tests.support.server import Server
from tests.support.users import new_user

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.asyncio(loop_scope="session")]

# Piccolo Admin's bundle (webpack's `global` shim) tries `new Function("return this")` inside try/catch and falls
# back to `window`: refusing it costs nothing, so the admin keeps script-src 'self' without 'unsafe-eval'
ADMIN_PROBE = re.compile(r"^script-src eval @ .*/admin/assets/index-[\w-]+\.js:\d+$")

# every violation the browser reports, as it happens (console messages alone can be missed)
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' @ ' + e.sourceFile + ':' + e.lineNumber));
"""


async def test_pages_admin_and_docs_run_without_csp_violations(browser: Browser, server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "정책")
        await make_admin(user)
        task_id = await make_task(user, results=2)
        r = await http.post(
            "/api/posts",
            headers=user.headers,
            json={"task_id": task_id, "result_index": 0, "title": "정책 아래 벽화", "content": "고래"},
        )
        assert r.status_code == 201, r.text
        post_id = r.json()["id"]
    context = await browser.new_context(base_url=server.url, service_workers="block", **DEVICES["desktop"])
    await context.add_init_script(RECORD_VIOLATIONS)
    await log_in(context, server.url, user)
    page = await context.new_page()
    watch = Watch(page, server.url)
    violations: list[str] = []
    try:
        for path in (
            "/",
            "/board",
            f"/board/{post_id}",
            "/create",
            "/murals",
            f"/tasks/{task_id}",
            "/account",
            "/ops/",
            "/schema",
            "/admin/",
        ):
            response = await page.goto(path, wait_until="load")
            assert response is not None and response.status == 200, (path, response and response.status)
            if path == "/schema":
                await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Saekdam API", timeout=30_000)
                await page.locator(".opblock").first.click()  # expands: Swagger renders more on demand
            if path == "/admin/":
                await expect(page.locator("#app").first).not_to_be_empty(timeout=30_000)
                await page.wait_for_load_state("networkidle")
                await page.screenshot(path=str(SCREENSHOTS / "csp-admin.png"))
                await page.get_by_text("Themes Theme").first.click()  # a table's rows load and render
                await expect(page.get_by_role("cell", name="nature", exact=True).first).to_be_visible(timeout=30_000)
                await page.screenshot(path=str(SCREENSHOTS / "csp-admin-themes.png"))
            if path == f"/tasks/{task_id}":
                await page.locator("[data-compare-range]").first.fill("20")  # the slider sets its style from script
            await page.wait_for_timeout(300)
            violations += [f"{path}: {v}" for v in await page.evaluate("window.__csp") if not ADMIN_PROBE.search(v)]
    finally:
        await context.close()
    assert not violations, violations
    watch.check()  # and no console error (a refused inline script or style logs one)


async def test_another_origin_cannot_frame_the_app(browser: Browser, server: Server) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    evil = "http://evil.example/"
    await page.route(
        evil,
        lambda route: route.fulfill(
            content_type="text/html", body=f'<iframe id="f" src="{server.url}/board" width="800" height="600"></iframe>'
        ),
    )
    try:
        await page.goto(evil)
        await page.wait_for_timeout(1500)
        framed = [f for f in page.frames if f is not page.main_frame]
        assert framed, "no frame"
        # a refused frame shows the browser's error page instead of the app (its URL is not the app's)
        for frame in framed:
            shown = frame.url.startswith(server.url) and await frame.locator(".site-header").count() > 0
            assert not shown, frame.url
    finally:
        await context.close()
