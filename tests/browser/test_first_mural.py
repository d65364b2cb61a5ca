"""Issue 20's bugs, each in a real browser (Debian chromium) against the session's ``saekdam serve``.

Succeeded tasks are written straight to the database and the store (tests.board.helpers.make_task), so no
test here waits for painting.
"""

from __future__ import annotations

import re
from datetime import UTC
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


async def logged_in(
    browser: Browser, server: Server, user: ApiUser, device: str = "desktop", locale: str = "ko-KR", **extra: Any
) -> tuple[BrowserContext, Page, Watch]:
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


async def test_slider_drags_with_mouse_pen_and_touch(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
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
    for kind, f in [
        ("mousePressed", 0.8),
        *[("mouseMoved", 0.8 - 0.06 * i) for i in range(1, 11)],
        ("mouseReleased", 0.2),
    ]:
        await cdp.send(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": at(f),
                "y": y,
                "button": "left",
                "buttons": 0 if kind == "mouseReleased" else 1,
                "clickCount": 1,
                "pointerType": "pen",
            },
        )
    assert abs(await compare_pos(page) - 20) <= 2, await compare_pos(page)

    # touch: a finger drags right across the picture
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": at(0.25), "y": y}]})
    for i in range(1, 13):
        await cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": at(0.25 + 0.05 * i), "y": y}]}
        )
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


async def test_times_in_the_viewers_zone_everywhere(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
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
    from datetime import datetime

    at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
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
        moved = await events.wait_for(
            lambda e: e["event"] == "progress" and e["data"].get("queue_position") == before - 1
        )
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


HEADING_LEVELS = "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => Number(h.tagName[1]))"


async def test_small_things_on_the_create_page_and_cards(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
    """Bug 7: the "고급 설정" arrow turns when opened; Tab never lands on the hidden camera input; the logo
    link's name is the page's own words; no page skips a heading level (cards included)."""
    from tests.board.helpers import publish

    user = await new_user(client, "작은것")
    await make_task(user, scene=4)
    await publish(client, user, title="제목 단계 확인 벽화", scene=4)
    context, page, watch = await logged_in(browser, server, user)
    await page.goto("/create")
    summary = page.locator("#advanced summary")
    arrow = "el => { const s = getComputedStyle(el, '::before'); return [s.content, s.transform]; }"
    closed = await summary.evaluate(arrow)
    assert closed[0] not in ("none", "normal", ""), closed
    await summary.click()
    await expect(page.locator("#advanced")).to_have_attribute("open", "")
    # it points another way once open (after its short turn)
    await page.wait_for_function(
        "([t]) => getComputedStyle(document.querySelector('#advanced summary'), '::before').transform !== t",
        arg=[closed[1]],
        timeout=5_000,
    )
    opened = await summary.evaluate(arrow)
    assert opened[1] != closed[1], (closed, opened)
    await Shots("desktop", "advanced")(page, "open")

    await page.locator("body").focus()
    names: list[str] = []
    for _ in range(30):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("""() => { const el = document.activeElement;
            return [el.id, el.tagName, el.getBoundingClientRect().width, el.labels ? el.labels.length : -1]; }""")
        assert focused[0] != "photo-camera", "Tab reached the hidden camera input (no visible button here)"
        if focused[1] == "INPUT" and focused[0].startswith("photo-"):
            assert focused[3] >= 1, focused
        names.append(str(focused[0] or focused[1]))
    assert "photo-file" in names, names

    brand = page.get_by_role("link", name="색담 Saekdam")
    await expect(brand).to_have_count(1)
    for path in ("/", "/create", "/murals", "/board"):
        await page.goto(path)
        levels = await page.evaluate(HEADING_LEVELS)
        assert levels and levels[0] == 1, (path, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not skips, (path, levels)
    watch.check()
    await context.close()


async def test_a_post_is_reported_once(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    """Bug 7: after reporting, the post page (also after a reload) says it was reported, and a second
    report of the same person is the same report."""
    from tests.board.helpers import publish

    author = await new_user(client, "작성자")
    post = await publish(client, author, title="신고 한 번만 확인", scene=5)
    reader = await new_user(client, "신고자")
    context, page, watch = await logged_in(browser, server, reader)
    await page.goto(f"/board/{post['id']}")
    await page.locator("details.report summary").click()
    await page.fill("#report-reason", "광고 같아요")
    await page.locator(".report-form button[type=submit]").click()
    await expect(page.locator(".report-done")).to_be_visible()
    await page.reload()
    await expect(page.locator(".report-done")).to_be_visible()
    await expect(page.locator(".report-form")).to_have_count(0)
    await Shots("desktop", "report")(page, "reported")
    first = await client.post(f"/api/posts/{post['id']}/report", json={"reason": "again"}, headers=reader.headers)
    again = await client.post(f"/api/posts/{post['id']}/report", json={"reason": "again"}, headers=reader.headers)
    assert first.status_code == again.status_code == 202 and first.json()["id"] == again.json()["id"]
    from app.board.tables import Report
    from tests.board.helpers import user_pk

    assert await Report.count().where(Report.reporter == await user_pk(reader)) == 1
    watch.check()
    await context.close()


async def test_ops_page_names_the_device_and_counts_every_finished_job(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
    """Bug 7: /ops shows the painter's device by name (not "auto"), its state in the page's language and how
    many jobs it finished, also past 90."""
    from app.tasks.tables import Task as TaskRow
    from tests.board.helpers import user_pk
    from tests.support.users import new_admin

    admin = await new_admin(client)
    context, page, watch = await logged_in(browser, server, admin)
    await page.goto("/ops/")
    row = page.locator("#ops-workers tr.worker").first
    await expect(row).to_be_visible()
    name = (await row.get_attribute("data-worker") or "").removesuffix(" (in-process)")
    worker = await new_user(client, "일꾼")
    for _ in range(95):
        await make_task(worker, scene=None)
    await TaskRow.update({TaskRow.worker: name}).where(TaskRow.owner == await user_pk(worker))
    await page.reload()
    cells = row.locator("td")
    device = await cells.nth(2).inner_text()
    assert device.strip() and device.strip() != "auto", device
    state = await cells.nth(3).inner_text()
    assert state.split()[0] in ("대기", "준비됨", "그리는", "준비", "사용할"), state
    done = int((await row.locator(".jobs-done").inner_text()).strip())
    assert done >= 95, done
    await Shots("desktop", "ops")(page, "workers")
    watch.check()
    await context.close()


async def test_board_live_updates_without_oob_errors(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
    """Bug 7: a like on a post shown on /board updates its count, and one on a post that is not on the page
    changes nothing; neither reports htmx:oobErrorNoTarget."""
    from tests.board.helpers import publish

    author = await new_user(client, "보드")
    theme = "space"
    shown = await publish(client, author, title="보드 라이브 확인 벽화", scene=6, theme=theme)
    elsewhere = await publish(client, author, title="다른 테마의 벽화", scene=7, theme="nature")
    fan = await new_user(client, "팬클럽")
    context = await browser.new_context(locale="ko-KR", base_url=server.url, **DEVICES["desktop"])
    page = await context.new_page()
    await page.add_init_script(
        OPEN_STREAMS
        + """
      window.__oobErrors = 0;
      document.addEventListener("htmx:oobErrorNoTarget", () => { window.__oobErrors += 1; });"""
    )
    watch = Watch(page, server.url)
    await page.goto(f"/board?theme={theme}")
    await page.wait_for_function("() => window.__sseOpen > 0")
    await expect(page.locator(f"#card-{shown['id']}")).to_be_visible()
    await client.put(f"/api/posts/{elsewhere['id']}/like", headers=fan.headers)
    await client.put(f"/api/posts/{shown['id']}/like", headers=fan.headers)
    await expect(page.locator(f"#likes-{shown['id']}")).to_have_text("1")
    await page.wait_for_timeout(500)
    assert await page.evaluate("() => window.__oobErrors") == 0
    watch.check()
    await context.close()


async def test_lockout_says_minutes(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    """Bug 7: after too many failed logins the page says "약 N분" (about N minutes), not hundreds of seconds."""
    user = await new_user(client, "잠김")
    context = await browser.new_context(locale="ko-KR", base_url=server.url, **DEVICES["desktop"])
    page = await context.new_page()
    for _ in range(11):
        await page.goto("/login")
        await page.fill("#f-email", user.email)
        await page.fill("#f-password", "wrong password!")
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_load_state()
    alert = page.locator(".alert.error")
    await expect(alert).to_contain_text("로그인 실패가 너무 많습니다")
    text = await alert.inner_text()
    assert re.search(r"약 \d+분 후", text) and "초" not in text, text
    await Shots("desktop", "lockout")(page, "locked")
    await context.close()


async def test_drafts_resume_delete_and_filters(browser: Browser, server: Server, client: httpx.AsyncClient) -> None:
    """Bug 5: a draft ("제출 전") resumes on the create page with its photo; "내 벽화" deletes a task after a
    confirmation and filters by state and by whether it is on the board."""
    from tests.board.helpers import publish

    user = await new_user(client, "임시저장")
    draft = await make_task(user, status="created", scene=2)
    done = await make_task(user, scene=3)
    failed = await make_task(user, status="failed")
    await publish(client, user, title="게시판에 올린 벽화", scene=4)
    context, page, watch = await logged_in(browser, server, user, "mobile")
    dialogs: list[str] = []

    async def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await (dialog.accept() if len(dialogs) > 1 else dialog.dismiss())

    page.on("dialog", answer)
    await page.goto("/murals")
    shot = Shots("mobile", "drafts")
    await expect(page.locator(".mural-card")).to_have_count(4)
    await shot(page, "murals")

    await page.goto("/murals?status=draft")
    await expect(page.locator(".mural-card")).to_have_count(1)
    await expect(page.locator(f"#mural-{draft}")).to_be_visible()
    await page.goto("/murals")
    await page.select_option("#murals-published", "yes")
    await page.click(".mural-filters button[type=submit]")
    await expect(page.locator(".mural-card")).to_have_count(1)
    await expect(page.locator(".mural-card .badge.published")).to_have_count(1)
    await page.select_option("#murals-published", "no")
    await page.select_option("#murals-status", "failed")
    await page.click(".mural-filters button[type=submit]")
    await expect(page.locator(".mural-card")).to_have_count(1)
    await expect(page.locator(f"#mural-{failed}")).to_be_visible()
    await shot(page, "filtered")

    # delete: the first answer is "no" (the card stays), the second "yes" (it goes, for good)
    await page.goto("/murals")
    card = page.locator(f"#mural-{done}")
    await card.locator("[data-delete]").click()
    await page.wait_for_timeout(300)
    await expect(card).to_have_count(1)
    await card.locator("[data-delete]").click()
    await expect(card).to_have_count(0)
    assert len(dialogs) == 2 and "지울까요" in dialogs[0], dialogs
    assert (await client.get(f"/api/tasks/{done}", headers=user.headers)).status_code == 404
    await page.reload()
    await expect(page.locator(".mural-card")).to_have_count(3)

    # resume the draft: its photo comes back on the create page, ready for the wish
    await page.locator(f"#mural-{draft} a.mural-link").click()
    await page.wait_for_url(f"**/create?draft={draft}")
    await expect(page.locator("#upload-text")).to_have_text("저장해 둔 사진으로 이어서 만들어요.")
    await expect(page.locator("#create-form")).to_have_attribute("data-task-id", draft)
    await expect(page.locator("#photo-preview")).to_be_visible()
    await shot(page, "resumed")
    await page.locator("label.theme-card:has(input[value=ocean])").click()
    await page.fill("#prompt", "고래와 파도")
    await page.locator("label:has(input[name=region][value=box])").click()
    box = await page.locator("#ui-layer").bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8, steps=6)
    await page.mouse.up()
    await page.click("#submit-button")
    await page.wait_for_url(f"**/tasks/{draft}")
    task = (await client.get(f"/api/tasks/{draft}", headers=user.headers)).json()
    assert task["status"] != "created", task
    await client.post(f"/api/tasks/{draft}/cancel", headers=user.headers)
    watch.check()
    await context.close()


async def test_big_photos_are_shrunk_upright_and_refusals_show_at_the_picker(
    browser: Browser, server: Server, client: httpx.AsyncClient, tmp_path: Any
) -> None:
    """Bug 6: a 48-megapixel phone photo (EXIF: rotated) is redrawn upright within the server's limits before
    it is sent, keeping most of its resolution; a photo the browser cannot read is refused next to the picker,
    focused and announced."""
    import io

    from PIL import Image

    upright = Image.new("RGB", (6000, 8000), (40, 90, 200))  # portrait: red sky on top, blue below
    upright.paste((220, 30, 30), (0, 0, 6000, 1500))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # the camera keeps it sideways (8000×6000) ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... and says "turn 90° clockwise to view"
    big = tmp_path / "phone-48mp.jpg"
    stored.save(big, format="JPEG", quality=85, exif=exif)
    assert stored.size[0] * stored.size[1] > 40_000_000 and big.stat().st_size < 25 * 1048576

    user = await new_user(client, "큰사진")
    context, page, watch = await logged_in(browser, server, user, "mobile")
    await page.goto("/create")
    await page.locator("label:has(input[name=region][value=box])").click()  # no wall search on 36 MP here
    await page.set_input_files("#photo-file", str(big))
    await expect(page.locator("#upload-text")).to_have_text("사진을 올렸어요.", timeout=60_000)
    task_id = await page.locator("#create-form").get_attribute("data-task-id")
    task = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    sent = await client.get(task["input_url"])
    assert sent.status_code == 200 and task["content_type"] == "image/jpeg", task
    photo = Image.open(io.BytesIO(sent.content))
    w, h = photo.size
    assert w * h <= 40_000_000 and w * h >= 0.85 * 40_000_000, (w, h)  # within the limit, most of it kept
    assert abs(w / h - 0.75) < 0.01, (w, h)  # upright, not squeezed
    assert photo.getexif().get(0x0112, 1) == 1
    top, bottom = photo.getpixel((w // 2, h // 20)), photo.getpixel((w // 2, h - h // 20))
    assert top[0] > 150 and top[2] < 100 and bottom[2] > 150, (top, bottom)  # the red band is on top
    await Shots("mobile", "big-photo")(page, "shrunk")

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not really a photo" * 100)
    await page.set_input_files("#photo-file", str(broken))
    error = page.locator("#error-photo")
    await expect(error).to_contain_text("JPEG, PNG, WebP")
    await expect(error).to_be_focused()
    assert await error.get_attribute("role") == "alert"
    assert await error.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    await Shots("mobile", "big-photo")(page, "refused")
    watch.check()
    await context.close()
