"""The installable web app in a real browser: the service worker installs with the shell, a page that cannot
load offline shows the offline page (styled from the cache), and the shell's pages and lists are captured
in screenshots (desktop and phone)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.board.helpers import make_task
from tests.browser.helpers import DEVICES, Shots, Watch
from tests.support.server import Server
from tests.support.users import new_user

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_service_worker_shell_and_offline_page(browser: Browser, server: Server, device: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:  # something on the board to show
        user = await new_user(http, "벽화가")
        for scene in (5, 6, 7):
            task_id = await make_task(user, results=1, scene=scene)
            r = await http.post(
                "/api/posts",
                headers=user.headers,
                json={"task_id": task_id, "result_index": 0, "title": f"골목 벽화 {scene}", "content": "고래와 바다"},
            )
            assert r.status_code == 201, r.text
    context = await browser.new_context(locale="ko-KR", base_url=server.url, **DEVICES[device])
    context.set_default_timeout(20_000)
    page = await context.new_page()
    watch = Watch(page, server.url)
    shots = Shots(device, "web-app")
    try:
        await page.goto("/board")
        scope = await page.evaluate("""async () => {
            const registration = await navigator.serviceWorker.ready;
            return registration.scope;
        }""")
        assert scope == server.url + "/"
        await expect(page.locator(".post-card img").first).to_have_attribute("width", "640")
        cards = page.locator(".post-card-media img")
        await expect(cards.first).to_have_js_property("complete", True)
        boxes = [await cards.nth(i).bounding_box() for i in range(3)]
        assert all(b and abs(b["width"] / b["height"] - 4 / 3) < 0.02 for b in boxes), boxes  # one shape
        await shots(page, "board-thumbnails")
        cached = await page.evaluate("""async () => {
            const names = await caches.keys();
            const cache = await caches.open(names.find((n) => n.startsWith("saekdam-shell-")));
            return (await cache.keys()).map((r) => new URL(r.url).pathname);
        }""")
        assert "/offline" in cached and any(p.startswith("/static/css/app.") for p in cached), cached

        await context.set_offline(True)
        await page.goto("/murals")  # not cached: the worker answers with the offline page
        await expect(page.locator("h1")).to_have_text("인터넷에 연결되어 있지 않아요.")
        await expect(page.locator("[lang=en]").first).to_contain_text("You are offline.")
        background = await page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
        assert background == "rgb(247, 245, 241)"  # the shell's stylesheet came from the cache
        await shots(page, "offline")
        await context.set_offline(False)
        await page.goto("/board")
        await expect(page.locator("h1")).to_have_text("커뮤니티 벽화")
    finally:
        await context.close()
    # offline navigation failures are the point of this test; nothing else may be logged
    watch.check(allowed_errors=(r"ERR_INTERNET_DISCONNECTED", r"Failed to fetch"))


async def test_api_docs_page_is_served_locally(browser: Browser, server: Server) -> None:
    context = await browser.new_context(base_url=server.url, **DEVICES["desktop"])
    page = await context.new_page()
    watch = Watch(page, server.url)
    try:
        await page.goto("/schema")
        await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Saekdam API", timeout=30_000)
        await expect(page.locator(".opblock").first).to_be_visible()
        await Shots("desktop", "api-docs")(page, "schema")
    finally:
        await context.close()
    watch.check()  # every request stayed on the app's own origin
