"""Issue 20's bugs, each in a real browser (Debian chromium) against the session's ``saekdam serve``.

Succeeded tasks are written straight to the database and the store (tests.board.helpers.make_task), so no
test here waits for painting.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.board.helpers import make_task
from tests.browser.helpers import DEVICES, Shots, Watch
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.asyncio(loop_scope="session")]
expect.set_options(timeout=20_000)


# counts the page's open EventSource connections, so a test acts only once the page listens
OPEN_STREAMS = """
(() => {
  const Native = window.EventSource;
  window.__sseOpen = 0;
  function Watched(url, options) {
    const source = new Native(url, options);
    source.addEventListener("open", () => { window.__sseOpen += 1; });
    return source;
  }
  Watched.prototype = Native.prototype;
  Watched.CONNECTING = 0; Watched.OPEN = 1; Watched.CLOSED = 2;
  window.EventSource = Watched;
})();
"""


async def logged_in(browser: Browser, server: Server, user: ApiUser, device: str = "desktop",
                    locale: str = "ko-KR", **extra: Any) -> tuple[BrowserContext, Page, Watch]:
    """A fresh context logged in through the log-in form as ``user``."""
    context = await browser.new_context(locale=locale, base_url=server.url, **DEVICES[device], **extra)
    context.set_default_timeout(20_000)
    page = await context.new_page()
    watch = Watch(page, server.url)
    await page.goto("/login")
    await page.fill("#f-email", user.email)
    await page.fill("#f-password", user.password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()
    assert "/login" not in page.url, page.url
    return context, page, watch


async def compare_pos(page: Page) -> float:
    value = await page.locator("[data-compare]").evaluate("el => el.style.getPropertyValue('--pos')")
    return float(value.rstrip("%"))


async def test_slider_drags_with_mouse_pen_and_touch(browser: Browser, server: Server,
                                                     client: httpx.AsyncClient) -> None:
    """Bug 1: pressing anywhere on the picture and dragging moves the handle with every kind of pointer."""
    user = await new_user(client, "슬라이더")
    task_id = await make_task(user, scene=1)
    context, page, watch = await logged_in(browser, server, user, "mobile")
    await page.goto(f"/tasks/{task_id}")
    compare = page.locator("[data-compare]")
    await compare.scroll_into_view_if_needed()
    await expect(page.locator("[data-compare-after]")).to_have_attribute("draggable", "false")
    box = await compare.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.5
    at = lambda f: box["x"] + box["width"] * f  # noqa: E731

    # mouse: press on the picture (not on the handle) and drag right
    await page.mouse.move(at(0.3), y)
    await page.mouse.down()
    await page.mouse.move(at(0.85), y, steps=10)
    await page.mouse.up()
    assert abs(await compare_pos(page) - 85) <= 2, await compare_pos(page)

    cdp = await context.new_cdp_session(page)
    # pen: the same drag with a stylus, leftwards
    for kind, f in [("mousePressed", 0.8), *[("mouseMoved", 0.8 - 0.06 * i) for i in range(1, 11)],
                    ("mouseReleased", 0.2)]:
        await cdp.send("Input.dispatchMouseEvent", {"type": kind, "x": at(f), "y": y, "button": "left",
                                                    "buttons": 0 if kind == "mouseReleased" else 1,
                                                    "clickCount": 1, "pointerType": "pen"})
    assert abs(await compare_pos(page) - 20) <= 2, await compare_pos(page)

    # touch: a finger drags right across the picture
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": at(0.25), "y": y}]})
    for i in range(1, 13):
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                    "touchPoints": [{"x": at(0.25 + 0.05 * i), "y": y}]})
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert abs(await compare_pos(page) - 85) <= 2, await compare_pos(page)
    assert await page.locator("[data-compare-range]").input_value() == str(round(await compare_pos(page)))
    await Shots("mobile", "slider")(page, "dragged")
    watch.check()
    await context.close()


async def test_every_admin_table_lists_its_rows(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    """Bug 3: each table's list view in Piccolo Admin shows rows, and nothing throws in the page."""
    from tests.board.helpers import publish
    from tests.support.users import new_admin

    author = await new_user(client, "관리표")
    post = await publish(client, author, title="관리자 목록 확인", content="posts, comments, reports", scene=2)
    r = await client.post(f"/api/posts/{post['id']}/comments", json={"content": "좋아요"}, headers=author.headers)
    assert r.status_code == 201, r.text
    reporter = await new_user(client, "신고자")
    r = await client.post(f"/api/posts/{post['id']}/report", json={"reason": "spam"}, headers=reporter.headers)
    assert r.status_code == 202, r.text
    admin = await new_admin(client)

    context = await browser.new_context(locale="ko-KR", base_url=server.url, **DEVICES["desktop"])
    page = await context.new_page()
    watch = Watch(page, server.url)
    await page.goto("/admin/")
    await page.fill("input[name=username]", admin.email)
    await page.fill("form input[type=password]", admin.password)
    await page.click("form button")
    await page.wait_for_url("**/admin/#/")
    watch.errors.clear()  # the admin asks who is logged in before the log-in: 401s, as it should
    tables = await page.request.get("/admin/api/tables/")
    assert tables.ok, await tables.text()
    names = await tables.json()
    assert {"accounts_user", "themes_theme", "board_post", "board_comment", "board_report"} <= set(names), names
    shot = Shots("desktop", "admin")
    for name in names:
        await page.goto(f"/admin/#/{name}/")
        rows = page.locator("table tr:has(td):visible")
        await expect(rows.first, name).to_be_visible()
        assert await rows.count() >= 1, name
        await shot(page, name)
        assert not watch.errors, (name, watch.errors)
    await page.goto("/admin/#/board_post/")
    await expect(page.locator("table tr:has(td):visible", has_text="관리자 목록 확인")).to_have_count(1)
    watch.check()
    await context.close()


def clock(iso: str, zone: str) -> str:
    """``hh:mm`` (12-hour, as Intl's 2-digit hour writes it) of an RFC 3339 time in a time zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{(at.hour % 12) or 12:02d}:{at.minute:02d}"


async def test_times_in_the_viewers_zone_everywhere(browser: Browser, server: Server,
                                                    client: httpx.AsyncClient) -> None:
    """Bug 4: the task page, "내 벽화" and the board write times the same way, in the viewer's zone; the
    server's HTML already has Asia/Seoul (no "UTC")."""
    from tests.board.helpers import publish

    user = await new_user(client, "시간대")
    task_id = await make_task(user, scene=3)
    post = await publish(client, user, title="시간대 확인 벽화", scene=3)
    created = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()["created_at"]
    for zone, locale in [("Asia/Seoul", "ko-KR"), ("America/New_York", "en-US")]:
        context, page, watch = await logged_in(browser, server, user, locale=locale, timezone_id=zone)
        for path in (f"/tasks/{task_id}", "/murals"):
            await page.goto(path)
            shown = page.locator(f"a[href='/tasks/{task_id}'] time, .task-page .meta time").first
            await expect(shown).to_have_attribute("datetime", iso_seconds(created))
            await expect(shown).to_contain_text(clock(created, zone))
            assert "UTC" not in await shown.inner_text()
            html = await (await page.request.get(path)).text()
            assert "UTC</time>" not in html and clock(created, "Asia/Seoul")[3:] in html
        await page.goto(f"/board/{post['id']}")
        stamp = page.locator(".post-meta time")
        await expect(stamp).to_have_attribute("title", re.compile(clock(post["created_at"], zone)))
        if zone == "America/New_York":
            await page.goto("/murals")
            await Shots("desktop", "times")(page, "murals-new-york")
        watch.check()
        await context.close()


def iso_seconds(value: str) -> str:
    from datetime import datetime, timezone

    at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


async def test_waiting_pages_follow_the_queue(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    """Bug 2: when the queue moves, a waiting task's open page and its event stream get the new position and
    ETA (a ``progress`` event with ``queue_position``), without a reload."""
    from tests.board.helpers import SseReader

    user = await new_user(client, "줄서기")
    # queued rows without a job: nobody paints them, so only the cancels below move this part of the line
    first, second, mine = [await make_task(user, status="queued") for _ in range(3)]
    context, page, watch = await logged_in(browser, server, user)
    await page.add_init_script(OPEN_STREAMS)
    await page.goto(f"/tasks/{mine}")
    await page.wait_for_function("() => window.__sseOpen > 0")
    await page.evaluate("() => { window.__samePage = true; }")
    status = page.locator("#task-status .status-text")
    before = (await client.get(f"/api/tasks/{mine}", headers=user.headers)).json()["queue_position"]
    assert before >= 2, before
    await expect(status).to_have_text(f"앞에 {before}개의 작업이 있어요.")
    shot = Shots("desktop", "queue")
    await shot(page, "waiting")

    async with SseReader(client, f"/api/tasks/{mine}/events", user.headers) as events:
        await events.wait_for(lambda e: e["event"] == "task")
        r = await client.post(f"/api/tasks/{first}/cancel", headers=user.headers)
        assert r.status_code == 202, r.text
        moved = await events.wait_for(lambda e: e["event"] == "progress"
                                      and e["data"].get("queue_position") == before - 1)
        assert {"step", "total", "fraction", "eta_seconds"} <= set(moved["data"]), moved
        await expect(status).to_have_text(f"앞에 {before - 1}개의 작업이 있어요.")
        await client.post(f"/api/tasks/{second}/cancel", headers=user.headers)
        await events.wait_for(lambda e: e["event"] == "progress" and e["data"].get("queue_position") == before - 2)
    await expect(status).to_have_text("곧 시작해요." if before == 2 else f"앞에 {before - 2}개의 작업이 있어요.")
    await expect(page.locator("#task-live")).to_have_count(1)
    assert await page.evaluate("() => window.__samePage") is True
    await shot(page, "moved-up")
    await client.post(f"/api/tasks/{mine}/cancel", headers=user.headers)
    await expect(page.locator("#task-live[data-status=canceled]")).to_be_visible()
    watch.check()
    await context.close()
