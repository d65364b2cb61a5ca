"""Issue 20, "Making it easy": plain words with a one-line help, example wishes, save and share, done while
away, and the board on the home page, in a real browser on a phone (390×844, touch) and a desktop, Korean and
English. Screenshots of each flow go to tests/artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.board.helpers import make_task
from tests.browser.helpers import DEVICES, Shots, Watch
from tests.browser.test_accessibility import log_in
from tests.support.browser import SCREENSHOTS
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.asyncio(loop_scope="session")]

JARGON = {
    "ko": ("시드", "단계 수", "강도", "변형", "결과 1"),
    "en": ("Seed", "Steps", "Strength", "Variation", "Result 1"),
}


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def open_as(
    browser: Browser, server: Server, device: str, lang: str, user: ApiUser | None, **extra: object
) -> tuple[BrowserContext, Page, Watch]:
    context = await browser.new_context(
        locale="ko-KR" if lang == "ko" else "en-US",
        base_url=server.url,
        accept_downloads=True,
        **DEVICES[device],
        **extra,
    )  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    await context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
    if user is not None:
        await log_in(context, server.url, user)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page, Watch(page, server.url)


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_plain_words_with_help(browser: Browser, server: Server, device: str, lang: str) -> None:
    """The create page's advanced options and the task page say everyday words, each with a one-line help."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
    task_id = await make_task(user, results=2, scene=2)
    context, page, watch = await open_as(browser, server, device, lang, user)
    shot = Shots(device, f"plain-words-{lang}")
    await page.goto("/create")
    await page.locator("#advanced summary").click()
    labels = {
        "ko": ("다듬는 횟수", "그림 번호", "한 번에 그릴 그림 수", "얼마나 바꿀까요"),
        "en": ("Touch-up passes", "Picture number", "Pictures at once", "How much to change"),
    }[lang]
    for field, label in zip(("opt-steps", "opt-seed", "opt-variations", "opt-strength"), labels, strict=True):
        await expect(page.locator(f"label[for={field}]")).to_contain_text(label)
        help_ids = (await page.locator(f"#{field}").get_attribute("aria-describedby") or "").split()
        helps = [await page.locator(f"#{h}").inner_text() for h in help_ids]
        assert any(len(h) > 15 for h in helps), (field, helps)  # a sentence, not a range of numbers
    advanced = await page.locator("#advanced").inner_text()
    assert not [w for w in JARGON[lang] if w in advanced], advanced
    await page.locator("#advanced").scroll_into_view_if_needed()
    await shot(page, "advanced")

    await page.goto(f"/tasks/{task_id}")
    final = page.locator("#task-live[data-status=succeeded]")
    text = await final.inner_text()
    assert not [w for w in JARGON[lang] if w in text], text
    retry = page.locator("[data-retry]")
    await expect(retry).to_contain_text("다른 그림으로 다시 그리기" if lang == "ko" else "Paint another version")
    await expect(page.locator("#" + (await retry.get_attribute("aria-describedby") or "x"))).to_be_visible()
    await expect(page.locator(".variation-pick img").first).to_have_attribute(
        "alt", "그림 1" if lang == "ko" else "Picture 1"
    )
    await shot(page, "result")
    watch.check()
    await context.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_example_wishes_fill_the_field(browser: Browser, server: Server, device: str, lang: str) -> None:
    """Each theme shows its own example wishes; a tap puts one in the wish field (counter included)."""
    from app.themes.wishes import wish_examples

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
    context, page, watch = await open_as(browser, server, device, lang, user)
    shot = Shots(device, f"wish-examples-{lang}")
    await page.goto("/create")
    await expect(page.locator("#wish-examples-none")).to_be_visible()  # no theme yet: a pointer to pick one
    await expect(page.locator("#wish-examples .chip:visible")).to_have_count(0)
    await page.locator("label.theme-card:has(input[value=ocean])").click()
    chips = page.locator("#wish-examples .chip:visible")
    await expect(chips).to_have_text(wish_examples("ocean", lang))
    await expect(page.locator("#wish-examples-none")).to_be_hidden()
    if device == "mobile":
        await chips.nth(1).tap()
        box = await chips.nth(1).bounding_box()
        assert box and box["height"] >= 44, box  # a finger-sized target
    else:
        await chips.nth(1).click()
    await expect(page.locator("#prompt")).to_have_value(wish_examples("ocean", lang)[1])
    await expect(page.locator("#prompt-count")).to_have_text(str(len(wish_examples("ocean", lang)[1])))
    await page.locator("#step-wish").scroll_into_view_if_needed()
    await shot(page, "ocean")
    await page.locator("label.theme-card:has(input[value=space])").click()  # another theme: its own examples
    await expect(chips).to_have_text(wish_examples("space", lang))
    await expect(page.locator("#prompt")).to_have_value(wish_examples("ocean", lang)[1])  # the wish stays
    watch.check()
    await context.close()


SHARE_SHEET = """(() => {  // a phone's share sheet that records what it was given
  window.__shared = [];
  Object.defineProperty(Navigator.prototype, "canShare", {configurable: true, value: (d) =>
    !!(d && d.files && d.files.length && d.files.every((f) => f instanceof File && f.type.startsWith("image/")))});
  Object.defineProperty(Navigator.prototype, "share", {configurable: true, value: async (d) => {
    const f = d.files[0];
    window.__shared.push({name: f.name, type: f.type, size: f.size, text: d.text});
  }});
})();"""
NO_SHARE_SHEET = """(() => {
  Object.defineProperty(Navigator.prototype, "canShare", {configurable: true, value: undefined});
  Object.defineProperty(Navigator.prototype, "share", {configurable: true, value: undefined});
})();"""


async def test_save_and_share_a_finished_mural(browser: Browser, server: Server, device: str) -> None:
    """The board is the primary action; a phone's share sheet gets the picked picture as a file; without a share
    sheet the picture's link is copied; "save all" is one zip of every picture."""
    import io
    import zipfile

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
    task_id = await make_task(user, results=2, scene=1)
    context, page, watch = await open_as(
        browser, server, device, "ko", user, permissions=["clipboard-read", "clipboard-write"]
    )
    await page.add_init_script(SHARE_SHEET if device == "mobile" else NO_SHARE_SHEET)
    shot = Shots(device, "share")
    await page.goto(f"/tasks/{task_id}")
    task = await (await page.request.get(f"/api/tasks/{task_id}")).json()
    publish = page.locator("[data-publish]")
    await expect(publish).to_have_class(re.compile(r"\bprimary\b"))
    await expect(publish).to_have_attribute("href", f"/board/new?task={task_id}")
    primaries = await page.evaluate("""() => [...document.querySelectorAll('.final .button.primary')]
        .filter((b) => !b.closest('.sheet-section')).length""")
    assert primaries == 1  # one primary action for the result (the painter's sheet has its own form)
    share = page.locator("[data-share]")
    status = page.locator("[data-share-status]")
    if device == "mobile":
        await expect(share).to_be_visible()
        await page.locator("[data-pick-index='1']").tap()  # the second picture is the one shared
        await share.tap()
        await page.wait_for_function("() => window.__shared.length === 1")
        shared = (await page.evaluate("() => window.__shared"))[0]
        full = await (await page.request.get(task["result_urls"][1])).body()
        assert shared["name"] == f"saekdam-{task_id[:8]}-2.png" and shared["type"] == "image/png", shared
        assert shared["size"] == len(full), (shared, len(full))  # the full-size picture, not a thumbnail
        assert "whales" in shared["text"]
        await expect(status).to_have_text("")
    else:
        await expect(share).to_be_hidden()  # no share sheet here: the copy link is the way
    await shot(page, "actions")
    await page.locator("[data-copy-link]").click()
    await expect(status).to_contain_text("링크를 복사했어요")
    copied = await page.evaluate("() => navigator.clipboard.readText()")
    picked = 1 if device == "mobile" else 0
    assert copied.split("?")[0] == task["result_urls"][picked].split("?")[0], copied
    assert (await page.request.get(copied)).ok  # the copied link opens the picture
    await shot(page, "copied")

    async with page.expect_download() as info:
        await page.locator("[data-save-all]").click()
    download = await info.value
    assert download.suggested_filename == f"saekdam-{task_id[:8]}.zip"
    with zipfile.ZipFile(io.BytesIO(open(await download.path(), "rb").read())) as archive:
        names = archive.namelist()
        assert names == [f"saekdam-{task_id[:8]}-1.png", f"saekdam-{task_id[:8]}-2.png"], names
        for i, name in enumerate(names):
            assert archive.read(name) == await (await page.request.get(task["result_urls"][i])).body()
    watch.check()
    await context.close()


async def test_save_all_is_only_for_the_owner(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        owner, other = await new_user(http, "벽화가"), await new_user(http, "이웃")
        task_id = await make_task(owner, results=1)
        running = await make_task(owner, status="running")
        for who, tid, code in ((owner, task_id, 200), (other, task_id, 404), (owner, running, 409)):
            r = await http.get(f"/tasks/{tid}/results.zip", headers=who.headers)
            assert r.status_code == code, (r.status_code, r.text[:200])
        r = await http.get(f"/tasks/{task_id}/results.zip", headers=owner.headers)
        assert r.headers["content-type"] == "application/zip" and r.content[:2] == b"PK"


async def test_home_shows_recent_before_afters_and_post_makes_one_like_it(
    browser: Browser, server: Server, device: str
) -> None:
    """The home page shows the board's latest before/afters in one shape; a post shows its wish, and "make one like
    this" opens the create page with its theme and wish filled in (through the log-in for a visitor)."""
    import uuid

    from app.tasks.tables import Task

    wish = "고래가 헤엄치는 푸른 바다와 등대"
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
        posts = []
        for scene, theme in ((7, "nature"), (8, "space"), (9, "ocean")):
            task_id = await make_task(user, results=1, scene=scene, theme=theme)
            if theme == "ocean":
                await Task.update({Task.prompt: wish}).where(Task.id == uuid.UUID(task_id))
            r = await http.post(
                "/api/posts",
                headers=user.headers,
                json={"task_id": task_id, "result_index": 0, "title": f"우리 동네 벽화 {scene}", "content": ""},
            )
            assert r.status_code == 201, r.text
            posts.append(r.json())
    newest = posts[-1]
    assert newest["wish"] == wish  # the API's Post carries it too

    context, page, watch = await open_as(browser, server, device, "ko", None)
    shot = Shots(device, "home-board")
    await page.goto("/")
    cards = page.locator(".recent-card")
    await expect(cards).to_have_count(3)
    await expect(cards.first).to_contain_text(newest["title"])
    await expect(cards.first.locator("a")).to_have_attribute("href", f"/board/{newest['id']}")
    shots = page.locator(".recent-shot img")
    await expect(shots.last).to_have_js_property("complete", True)
    boxes = [await shots.nth(i).bounding_box() for i in range(await shots.count())]
    assert len(boxes) == 6 and all(b and abs(b["width"] / b["height"] - 4 / 3) < 0.02 for b in boxes), boxes
    assert await shots.first.get_attribute("loading") is None  # the first visible image is not lazy
    await page.locator(".home-recent").scroll_into_view_if_needed()
    await shot(page, "home")

    await page.goto("/board")  # the board's cards are the same shape
    media = page.locator(".post-card-media img")
    await expect(media.first).to_have_js_property("complete", True)
    card_boxes = [await media.nth(i).bounding_box() for i in range(3)]
    assert all(b and abs(b["width"] / b["height"] - 4 / 3) < 0.02 for b in card_boxes), card_boxes

    await page.goto(f"/board/{newest['id']}")
    await expect(page.locator(".post-wish q")).to_have_text(wish)
    await shot(page, "post")
    make = page.locator("[data-make-like]")
    if device == "mobile":
        await make.tap()
    else:
        await make.click()
    await page.wait_for_url(re.compile(r"/login\?"))  # a visitor logs in first, and lands where they were going
    await page.fill("#f-email", user.email)
    await page.fill("#f-password", user.password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/create\?"))
    await expect(page.locator("input[name=theme][value=ocean]")).to_be_checked()
    await expect(page.locator("#prompt")).to_have_value(wish)
    await expect(page.locator("#prompt-count")).to_have_text(str(len(wish)))
    await expect(page.locator("[data-wish-theme=ocean]")).to_be_visible()  # that theme's examples, too
    await page.locator("#step-wish").scroll_into_view_if_needed()
    await shot(page, "create-like-this")
    watch.check()
    await context.close()


AWAY = """(() => {  // a device's notifications, and the page going to the background on request
  window.__notes = []; window.__asked = 0; window.__away = false;
  class FakeNotification {
    constructor(title, options) {
      window.__notes.push({via: "page", title, body: options.body, url: options.data.url});
    }
    static async requestPermission() { window.__asked += 1; FakeNotification.permission = "granted"; return "granted"; }
  }
  FakeNotification.permission = "default";
  window.Notification = FakeNotification;
  if (window.ServiceWorkerRegistration) {
    ServiceWorkerRegistration.prototype.showNotification = async function (title, options) {
      window.__notes.push({via: "sw", title, body: options.body, url: options.data.url});
    };
  }
  Object.defineProperty(Document.prototype, "visibilityState", {configurable: true,
    get() { return window.__away ? "hidden" : "visible"; }});
})();"""


def mails_to(address: str) -> list[Any]:
    """The completion mails the test server wrote to its outbox (no SMTP server set) for ``address``."""
    from email import policy
    from email.parser import BytesParser

    from app.core.settings import get_settings

    folder = get_settings().var_dir / "outbox"
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == address:
            found.append(message)
    return found


async def test_done_while_away_notification_and_mail(browser: Browser, server: Server, device: str) -> None:
    """Asked on a tap only: a notification when the mural is done while the page is in the background, and
    the opted-in mail with the task's link."""
    import asyncio
    import io

    from app.actors.painter.tiny import make_wall_photo
    from tests.support.flow import create_and_upload

    def photo(seed: int) -> bytes:
        buf = io.BytesIO()
        make_wall_photo(480, 360, seed=seed).save(buf, format="PNG")
        return buf.getvalue()

    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        user = await new_user(http, "벽화가")
        # a long task first, so that ours waits in the queue while the page is set up
        blocker = await create_and_upload(http, user.headers, photo(1))
        r = await http.post(
            f"/api/tasks/{blocker['id']}/submit",
            headers=user.headers,
            json={"theme": "play", "prompt": "kids", "region": {"mode": "auto"}, "steps": 50, "variations": 4},
        )
        assert r.status_code == 202, r.text
        mine = await create_and_upload(http, user.headers, photo(2))
        r = await http.post(
            f"/api/tasks/{mine['id']}/submit",
            headers=user.headers,
            json={"theme": "ocean", "prompt": "등대가 있는 바다", "region": {"mode": "auto"}, "steps": 2},
        )
        assert r.status_code == 202, r.text

        context, page, watch = await open_as(browser, server, device, "ko", user)
        await context.add_init_script(AWAY)
        shot = Shots(device, "away")
        await page.goto(f"/tasks/{mine['id']}")
        button = page.locator("[data-notify-browser]")
        await expect(button).to_be_visible()
        assert await page.evaluate("() => window.__asked") == 0  # never asked on its own
        await (button.tap() if device == "mobile" else button.click())
        await expect(page.locator("[data-notify-status]")).to_contain_text("알림을 켰어요")
        assert await page.evaluate("() => window.__asked") == 1
        await expect(button).to_be_hidden()
        await page.locator("[data-notify-email]").click()
        await expect(page.locator("#notify-email")).to_contain_text(user.email)
        await expect(page.locator("[data-notify-email]")).to_have_text(re.compile("이메일 알림 끄기"))
        await shot(page, "waiting")

        await page.evaluate("() => { window.__away = true; }")  # the user switched to another app
        r = await http.post(f"/api/tasks/{blocker['id']}/cancel", headers=user.headers)
        assert r.status_code == 202, r.text
        await expect(page.locator("#task-live[data-status=succeeded]")).to_be_visible(timeout=120_000)
        await page.wait_for_function("() => window.__notes.length > 0")
        notes = await page.evaluate("() => window.__notes")
        assert len(notes) == 1 and notes[0]["title"] == "벽화가 완성되었어요", notes
        assert notes[0]["url"] == f"/tasks/{mine['id']}" and notes[0]["via"] == "sw", notes  # a tap opens the task
        await page.evaluate("() => { window.__away = false; }")
        await shot(page, "done")

        for _ in range(100):  # the mail goes out off the painting path
            if mails_to(user.email):
                break
            await asyncio.sleep(0.1)
        mails = mails_to(user.email)
        assert len(mails) == 1, mails  # one mail: the canceled blocker had none
        assert mails[0]["Subject"] == "[색담] 벽화가 완성되었어요"
        body = mails[0].get_content()
        assert f"{server.url}/tasks/{mine['id']}" in body and "등대가 있는 바다" in body, body
        watch.check()
        await context.close()


async def test_completion_mail_opt_in_is_the_owners(browser: Browser, server: Server) -> None:
    """Only the owner turns the mail on, in the page's language, only while the task is unfinished; off is off."""
    import uuid

    from app.tasks.tables import Task

    async def notify_of(task_id: str) -> str | None:
        row = await Task.select(Task.notify_email).where(Task.id == uuid.UUID(task_id)).first()
        return row["notify_email"] if row else None

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        owner, other = await new_user(http, "벽화가"), await new_user(http, "이웃")
    running = await make_task(owner, status="running")
    done = await make_task(owner, results=1)
    sessions = {}
    for name, who in (("owner", owner), ("other", other)):
        context, _, _ = await open_as(browser, server, "desktop", "en", who)
        csrf = next(c["value"] for c in await context.cookies() if c["name"] == "saekdam_csrf")
        sessions[name] = (context, csrf)
    try:
        for name, tid, on, code, stored in (
            ("other", running, "1", 404, None),
            ("owner", running, "1", 303, "en"),
            ("owner", running, "0", 303, None),
            ("owner", done, "1", 409, None),
        ):
            context, csrf = sessions[name]
            r = await context.request.post(
                f"/tasks/{tid}/notify-email", form={"on": on, "_csrf_token": csrf}, max_redirects=0
            )
            assert r.status == code, (name, on, r.status, (await r.text())[:300])
            assert await notify_of(tid) == stored
    finally:
        for context, _ in sessions.values():
            await context.close()


MASK_PIXELS = """() => {  // the share of the mask layer that is painted
  const c = document.getElementById('mask-layer');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
  return n / (c.width * c.height);
}"""


async def test_mask_starts_from_the_found_wall_with_undo_redo(
    browser: Browser, server: Server, device: str, tmp_path: Path
) -> None:
    """Switching to the brush after the wall was found starts from that wall; the eraser trims it, undo and redo
    step through the changes; the brush size is a number with − and +; the tools stay at hand on the phone and
    keyboard hints show only where there is a keyboard."""
    from tests.browser.helpers import photo_file
    from tests.browser.test_web_app import TASK_URL, choose, drag, upload

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
    context, page, watch = await open_as(browser, server, device, "ko", user)
    shot = Shots(device, "mask-edit")
    await page.goto("/create")
    await upload(page, photo_file(tmp_path, "wall", (480, 360), seed=6))
    await expect(page.locator("#stage")).to_have_attribute("data-wall", "found", timeout=120_000)  # shared cores
    await page.locator("label:has(input[name=region][value=mask])").click()
    await expect(page.locator("#mask-from-wall")).to_be_visible()
    wall_share = await page.evaluate(MASK_PIXELS)
    assert 0.2 < wall_share < 0.95, wall_share  # the found wall, not an empty mask
    await expect(page.locator("[data-mask-undo]")).to_be_disabled()

    await page.locator("button[data-tool=eraser]").click()  # trim the found wall
    await page.locator("[data-brush-step='1']").click()
    await expect(page.locator("#brush-size-out")).to_have_text("9")
    await expect(page.locator("#brush-size")).to_have_attribute("aria-valuetext", "9")
    if device == "mobile":
        cdp = await context.new_cdp_session(page)
        await page.locator("#ui-layer").scroll_into_view_if_needed()
        box = await page.locator("#ui-layer").bounding_box()
        assert box is not None
        y = box["y"] + box["height"] * 0.3
        points = [(box["x"] + box["width"] * (0.1 + 0.1 * k), y) for k in range(8)]
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": y}]})
        for x, _ in points[1:]:
            await cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        await cdp.detach()
    else:
        await drag(page, "#ui-layer", (0.1, 0.3), (0.8, 0.3))
    trimmed = await page.evaluate(MASK_PIXELS)
    assert trimmed < wall_share - 0.01, (trimmed, wall_share)
    undo, redo = page.locator("[data-mask-undo]"), page.locator("[data-mask-redo]")
    await expect(undo).to_be_enabled()
    await shot(page, "trimmed")
    await undo.click()
    assert abs(await page.evaluate(MASK_PIXELS) - wall_share) < 1e-6
    await expect(redo).to_be_enabled()
    await redo.click()
    assert abs(await page.evaluate(MASK_PIXELS) - trimmed) < 1e-6
    await page.locator("[data-mask-action=clear]").click()
    assert await page.evaluate(MASK_PIXELS) == 0
    await undo.click()  # the clear is undone too
    assert abs(await page.evaluate(MASK_PIXELS) - trimmed) < 1e-6

    keys = page.locator("#mask-tools .kbd-hint")
    bar = page.locator(".mask-bar")
    if device == "mobile":
        await expect(keys).to_be_hidden()  # a phone has no keyboard to use these with
        assert await bar.evaluate("el => getComputedStyle(el).position") == "sticky"
        await page.evaluate("""() => { document.getElementById('stage').scrollIntoView({block: 'start'});
                                       window.scrollBy(0, -130); }""")  # the photo at the top, under the header
        stage_box = await page.locator("#stage").bounding_box()
        bar_box = await bar.bounding_box()
        assert stage_box and bar_box, (stage_box, bar_box)
        # the tools are on screen while the photo is, not further down the page
        assert stage_box["y"] < bar_box["y"] and bar_box["y"] + bar_box["height"] <= 844 + 1, (stage_box, bar_box)
        await page.screenshot(path=str(SCREENSHOTS / f"{shot.prefix}-99-sticky-tools.png"), animations="disabled")
    else:
        await expect(keys).to_be_visible()
        await page.locator("#ui-layer").focus()
        await page.keyboard.press("Control+z")  # the keyboard undoes as well
        assert abs(await page.evaluate(MASK_PIXELS) - wall_share) < 1e-6
        await page.keyboard.press("Control+Shift+z")
        assert abs(await page.evaluate(MASK_PIXELS) - trimmed) < 1e-6

    await choose(page, "space", "별이 가득한 밤하늘", steps=2)
    await page.click("#submit-button")  # the wall-based mask counts as painted: it is sent as drawn
    await page.wait_for_url(TASK_URL)
    task = await (await page.request.get(f"/api/tasks/{page.url.rsplit('/', 1)[1]}")).json()
    assert task["region"]["mode"] == "mask", task["region"]
    watch.check()
    await context.close()


MASK_CENTROID = """() => {  // the painted pixels' count and centre, in photo pixels
  const c = document.getElementById('mask-layer');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0, sx = 0, sy = 0;
  for (let i = 3; i < px.length; i += 4) {
    if (px[i] > 0) { n++; sx += ((i - 3) / 4) % c.width; sy += Math.floor((i - 3) / 4 / c.width); }
  }
  return n ? [n, sx / n, sy / n] : [0, -1, -1];
}"""


async def test_pinch_zoom_and_pan_while_editing(browser: Browser, server: Server, device: str, tmp_path: Path) -> None:
    """Two fingers (a phone) or Ctrl+wheel (a desktop) zoom the photo and its overlays around the fingers / the
    pointer; a brush dot and a quad corner then land on the photo pixel under the finger; "Fit" goes back to 1×."""
    from tests.browser.helpers import photo_file
    from tests.browser.test_web_app import upload

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        user = await new_user(http, "벽화가")
    context, page, watch = await open_as(browser, server, device, "ko", user)
    shot = Shots(device, "pinch-zoom")
    await page.goto("/create")
    await upload(page, photo_file(tmp_path, "wall", (480, 360), seed=7))
    await expect(page.locator("#stage")).to_have_attribute("data-wall", "found", timeout=120_000)  # shared cores
    await page.locator("label:has(input[name=region][value=quad])").click()
    handle = page.locator(".quad-handle[data-corner='0']")
    await expect(handle).to_be_visible()
    ax, ay = int(await handle.get_attribute("data-x") or -1), int(await handle.get_attribute("data-y") or -1)
    await page.locator("label:has(input[name=region][value=mask])").click()
    await page.locator("[data-mask-action=clear]").click()
    await page.locator("[data-brush-step='-1']").click()  # a smaller dot: 7 % of the photo
    stage = page.locator("#stage")
    fit = page.locator("[data-zoom-fit]")
    await expect(fit).to_have_text("전체 보기")
    await expect(fit).to_be_disabled()
    await page.evaluate(
        "() => document.getElementById('stage').scrollIntoView({block: 'center'})"
    )  # clear of the header
    box = await page.locator("#ui-layer").bounding_box()
    assert box is not None
    per_px = box["width"] / 480  # screen px per photo px at 1×
    cx, cy = box["x"] + ax * per_px, box["y"] + ay * per_px  # the pinch is around the first quad corner
    wrap0 = await page.locator(".stage-wrap").bounding_box()  # not transformed: tells when the page moves
    cdp = await context.new_cdp_session(page)

    async def touch(kind: str, *points: tuple[float, float]) -> None:
        await cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
        )

    if device == "mobile":  # two fingers spread around the centre: a pinch
        await touch("touchStart", (cx - 20, cy), (cx + 20, cy))
        for k in range(1, 9):
            await touch("touchMove", (cx - 20 - 5 * k, cy), (cx + 20 + 5 * k, cy))
        for k in range(1, 6):  # then both fingers drag: a pan, the photo follows them
            await touch("touchMove", (cx - 60 + 4 * k, cy + 3 * k), (cx + 60 + 4 * k, cy + 3 * k))
        await touch("touchEnd")
        cx, cy = cx + 20, cy + 15
    else:
        await page.mouse.move(cx, cy)
        await page.keyboard.down("Control")
        for _ in range(4):
            await page.mouse.wheel(0, -30)
        await page.keyboard.up("Control")
    await expect(stage).not_to_have_attribute("data-zoom", "1.000")
    scale = float(await stage.get_attribute("data-zoom") or "0")
    assert 1.5 < scale <= 4, scale
    assert await page.evaluate(MASK_CENTROID) == [0, -1, -1]  # the pinch's first finger left no dot

    async def photo_at(x: float, y: float, at: tuple[float, float] | None = None) -> tuple[float, float]:
        """The photo pixel under a screen point, from the pinch alone: the centre's pixel stays under it."""
        wrap = await page.locator(".stage-wrap").bounding_box()
        assert wrap is not None and wrap0 is not None
        wx, wy = at or (wrap["x"], wrap["y"])
        x, y = x - (wx - wrap0["x"]), y - (wy - wrap0["y"])
        return ax + (x - cx) / (scale * per_px), ay + (y - cy) / (scale * per_px)

    tx, ty = cx + 40, cy - 25  # one finger (or the mouse) paints a dot there
    if device == "mobile":
        await touch("touchStart", (tx, ty))
        await touch("touchEnd")
    else:
        await page.mouse.click(tx, ty)
    n, mx, my = await page.evaluate(MASK_CENTROID)
    ex, ey = await photo_at(tx, ty)
    assert n > 100 and abs(mx - ex) < 1.5 and abs(my - ey) < 1.5, (n, mx, my, ex, ey)
    await shot(page, "zoomed-dot")

    # the quad corners are zoomed with the photo, and dragging one lands it under the finger
    await page.locator("label:has(input[name=region][value=quad])").click()
    await expect(page.locator("#quad-status")).to_be_visible()
    await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # laid out
    hx, hy, wx, wy = await page.evaluate("""() => {  // in one go: the layout may still move in between
      const h = document.querySelector(".quad-handle[data-corner='0']").getBoundingClientRect();
      const w = document.querySelector(".stage-wrap").getBoundingClientRect();
      return [h.left + h.width / 2, h.top + h.height / 2, w.left, w.top];
    }""")
    px, py = await photo_at(hx, hy, (wx, wy))
    assert abs(px - ax) < 1.5 and abs(py - ay) < 1.5, (px, py, ax, ay)
    gx, gy = hx + 30, hy + 20
    if device == "mobile":
        await touch("touchStart", (hx, hy))
        for k in range(1, 6):
            await touch("touchMove", (hx + 6 * k, hy + 4 * k))
        await touch("touchEnd")
    else:
        await page.mouse.move(hx, hy)
        await page.mouse.down()
        await page.mouse.move(gx, gy, steps=5)
        await page.mouse.up()
    ex, ey = await photo_at(gx, gy)
    assert abs(int(await handle.get_attribute("data-x") or -1) - ex) <= 1.5, (await handle.get_attribute("data-x"), ex)
    assert abs(int(await handle.get_attribute("data-y") or -1) - ey) <= 1.5, (await handle.get_attribute("data-y"), ey)
    await shot(page, "zoomed-quad")
    await cdp.detach()

    await fit.click()
    await expect(stage).to_have_attribute("data-zoom", "1.000")
    await expect(fit).to_be_disabled()
    after = await page.locator("#ui-layer").bounding_box()
    assert after is not None and abs(after["width"] - box["width"]) < 1, (after, box)
    await shot(page, "fit")
    watch.check()
    await context.close()
