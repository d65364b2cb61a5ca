"""In a real browser (Debian chromium via Playwright): counts, comments and new posts arrive on open pages
without a reload, and screenshots of the board and a post page for a person to look at."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.board.helpers import publish
from tests.support.browser import SCREENSHOTS
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
SHOTS = SCREENSHOTS

# count the "ready" events of the page's SSE streams, so the test acts only once the page listens
WATCH_STREAMS = """
(() => {
  const Native = window.EventSource;
  window.__sseReady = 0;
  function Watched(url, options) {
    const source = new Native(url, options);
    source.addEventListener("ready", () => { window.__sseReady += 1; });
    return source;
  }
  Watched.prototype = Native.prototype;
  Watched.CONNECTING = 0; Watched.OPEN = 1; Watched.CLOSED = 2;
  window.EventSource = Watched;
})();
"""


async def open_page(
    browser: Browser, url: str, user: ApiUser | None = None, width: int = 1200, live: bool = True
) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR")
    page = await context.new_page()
    await page.add_init_script(WATCH_STREAMS)
    if user is not None:
        await page.goto(url.split("/board")[0] + "/login")
        await page.fill("#f-email", user.email)
        await page.fill("#f-password", user.password)
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
    await page.goto(url)
    if live:
        for _ in range(300):  # polled from here: a string predicate would need 'unsafe-eval' under the app's CSP
            if await page.evaluate("window.__sseReady > 0"):
                break
            await asyncio.sleep(0.1)
    await page.evaluate("window.__notReloaded = true")
    return page


async def test_live_updates_in_open_pages(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    alice = await new_user(client, "벽화장인")
    bob = await new_user(client, "dana")
    carol = await new_user(client, "carol")
    samples = [
        ("할머니 댁 앞 숲길", "초록 숲과 사슴을 그려 봤어요.", "nature", False),
        ("학교 뒷담 우주 여행", "", "space", True),
        ("Neighborhood wall, sunset", "Painted the shop's side wall with a warm sunset.", "urban", False),
    ]
    for i, (title, content, theme, anonymous) in enumerate(samples):
        await publish(
            client,
            bob if i == 2 else alice,
            title=title,
            content=content,
            theme=theme,
            anonymous=anonymous,
            scene=i + 1,
        )
    post = await publish(
        client,
        alice,
        title="골목길 바다 고래 벽화",
        content="오래된 담장이 바다가 됐어요.\n아이들이 제일 좋아해요!",
        theme="ocean",
        scene=0,
    )
    pid = post["id"]
    url = f"{server.url}/board/{pid}"

    watcher = await open_page(browser, url)  # not logged in
    liker = await open_page(browser, url, user=bob)
    likes_on_watcher = watcher.locator(f"#likes-{pid}")
    await expect(likes_on_watcher).to_have_text("0")

    # bob likes in his page (htmx); the other open page follows through the SSE stream
    await liker.click(".like-button")
    await expect(liker.locator(".like-button")).to_have_attribute("aria-pressed", "true")
    await expect(likes_on_watcher).to_have_text("1")
    # a like from the API shows in both pages
    await client.put(f"/api/posts/{pid}/like", headers=carol.headers)
    await expect(likes_on_watcher).to_have_text("2")
    await expect(liker.locator(f"#likes-{pid}")).to_have_text("2")

    # bob comments in his page: it appears once in his list and, live, in the other page
    await liker.fill("#comment-content", "와 정말 멋져요! 고래가 살아있는 것 같아요.")
    await liker.click(".comment-form button[type=submit]")
    await expect(watcher.locator(".comment-text")).to_have_text(["와 정말 멋져요! 고래가 살아있는 것 같아요."])
    await expect(liker.locator(".comment-text")).to_have_count(1)
    await expect(liker.locator("#comment-content")).to_have_value("")
    await expect(watcher.locator(f"#comments-{pid}")).to_have_text("1")
    await client.post(f"/api/posts/{pid}/comments", json={"content": "감사합니다 :)"}, headers=alice.headers)
    await expect(liker.locator(".comment-text")).to_have_count(2)
    await expect(liker.locator(".comment .comment-delete")).to_have_count(1)  # only bob's own comment

    # the before/after slider moves with the keyboard
    slider = watcher.locator("[data-compare-range]")
    await slider.focus()
    for _ in range(3):
        await watcher.keyboard.press("ArrowRight")
    assert "53%" in (await watcher.locator("[data-compare]").get_attribute("style") or "")
    await watcher.locator("[data-compare-range]").fill("35")

    SHOTS.mkdir(parents=True, exist_ok=True)
    await watcher.screenshot(path=str(SHOTS / "post.png"), full_page=True)
    assert await watcher.evaluate("window.__notReloaded") and await liker.evaluate("window.__notReloaded")

    # the board: a new post slides in at the top, counts change in place
    board = await open_page(browser, f"{server.url}/board")
    first_card = board.locator(".post-card").first
    fresh = await publish(
        client, carol, title="방금 올린 놀이터 담벼락", content="알록달록 놀이터 느낌으로", theme="play", scene=4
    )
    await expect(first_card).to_have_attribute("id", f"card-{fresh['id']}")
    await expect(board.locator(f"#card-{fresh['id']}")).to_have_count(1)
    await client.put(f"/api/posts/{fresh['id']}/like", headers=alice.headers)
    await expect(board.locator(f"#likes-{fresh['id']}")).to_have_text("1")
    await client.delete(f"/api/posts/{fresh['id']}", headers=carol.headers)
    await expect(board.locator(f"#card-{fresh['id']}")).to_have_count(0)
    assert await board.evaluate("window.__notReloaded")
    await board.screenshot(path=str(SHOTS / "board.png"), full_page=True)

    listed = await open_page(browser, f"{server.url}/board?view=list", width=390)
    await listed.screenshot(path=str(SHOTS / "board-list-mobile.png"), full_page=True)
    for page in (watcher, liker, board, listed):
        await page.context.close()


async def test_publish_page(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    from tests.board.helpers import make_task

    alice = await new_user(client, "alice")
    task_id = await make_task(alice, results=2, theme="ocean", scene=2)
    page = await open_page(browser, f"{server.url}/board/new?task={task_id}", user=alice, live=False)
    await expect(page.locator(".result-pick")).to_have_count(2)
    await page.fill("#f-title", "abc")
    await page.click(".publish-form button[type=submit]")
    await expect(page.locator(".field-error")).to_have_count(1)  # title too short, the form keeps its values
    await page.fill("#f-title", "우리 집 담장 고래")
    await page.check("input[name=result_index][value='1']")
    await page.check("input[name=anonymous]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "publish.png"), full_page=True)
    await page.click(".publish-form button[type=submit]")
    await page.wait_for_url(f"{server.url}/board/*")
    await expect(page.locator("h1")).to_have_text("우리 집 담장 고래")
    await expect(page.locator(".post-meta .author")).to_have_text("익명")
    await expect(page.locator(".mine-chip")).to_have_count(1)
    await page.context.close()
