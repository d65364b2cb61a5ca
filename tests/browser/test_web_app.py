"""The web app in a real browser (Debian's chromium) against a real ``saekdam serve`` on tiny models.

Each flow runs on a desktop and a phone-sized (390×844) viewport, in Korean, saves a screenshot of every step
under tests/artifacts/screenshots/, and checks that no request left the app's own origin and that nothing
unexpected reached the console.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import DEVICES, PROGRESS_OBSERVER, Shots, Watch, image_size, photo_file, sign_up
from tests.support.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

TASK_URL = re.compile(r"/tasks/[0-9a-f-]{36}$")
PAINT_TIMEOUT_MS = 120_000
expect.set_options(timeout=30_000)  # 2 shared cores: finding the wall can take seconds


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def open_page(browser: Browser, server: Server, device: str) -> tuple[BrowserContext, Page, Watch]:
    context = await browser.new_context(locale="ko-KR", accept_downloads=True, base_url=server.url, **DEVICES[device])
    context.set_default_timeout(20_000)
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page, Watch(page, server.url)


async def upload(page: Page, path: Path) -> None:
    await page.set_input_files("#photo-file", str(path))
    await expect(page.locator("#upload-text")).to_have_text("사진을 올렸어요.")


async def choose(page: Page, theme: str, wish: str, **options: Any) -> None:
    await page.locator(f"label.theme-card:has(input[value={theme}])").click()
    await page.fill("#prompt", wish)
    if options:
        await page.locator("#advanced summary").click()
        if "steps" in options:
            await page.fill("#opt-steps", str(options["steps"]))
        if "seed" in options:
            await page.fill("#opt-seed", str(options["seed"]))
        if "variations" in options:
            await page.select_option("#opt-variations", str(options["variations"]))


async def api_json(page: Page, path: str) -> Any:
    response = await page.request.get(path)
    assert response.ok, await response.text()
    return await response.json()


async def drag(page: Page, selector: str, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """A pointer drag between two points given as fractions of the element's box."""
    await page.locator(selector).scroll_into_view_if_needed()
    box = await page.locator(selector).bounding_box()
    assert box is not None
    x0, y0 = box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1]
    x1, y1 = box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1]
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(x1, y1, steps=steps)
    await page.mouse.up()


async def test_auto_wall_live_progress_slider_download(
    browser: Browser, server: Server, device: str, tmp_path: Path
) -> None:
    context, page, watch = await open_page(browser, server, device)
    shot = Shots(device, "paint")
    await page.add_init_script(PROGRESS_OBSERVER)
    await page.goto(server.url + "/")
    await expect(page.locator("h1")).to_contain_text("벽화")
    await shot(page, "home")
    await sign_up(page, server.url)
    await expect(page.locator("#tiny-notice")).to_be_visible()  # the test server paints with tiny models
    await expect(page.locator("label.theme-card")).to_have_count(6)
    await shot(page, "create")

    await upload(page, photo_file(tmp_path, "wall", (640, 480)))
    await expect(page.locator("#stage")).to_have_attribute("data-wall", "found")
    await expect(page.locator("#region-status")).to_contain_text("벽을 찾았어요")
    tinted = await page.evaluate("""() => {
        const c = document.getElementById('wall-layer');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n / (c.width * c.height);
    }""")
    assert 0.2 < tinted < 0.9, tinted  # the tiny SegFormer's wall: the bright upper part of the photo
    await shot(page, "wall-overlay")

    await choose(page, "ocean", "고래가 헤엄치는 푸른 바다", steps=14, seed=7)
    await shot(page, "filled")
    await page.click("#submit-button")
    await page.wait_for_url(TASK_URL)
    task_id = page.url.rsplit("/", 1)[1]
    await page.evaluate("() => { window.__samePage = true; }")
    await page.wait_for_function(
        "() => window.__progress.some(v => Number(v.split('/')[0]) > 0)", timeout=PAINT_TIMEOUT_MS
    )
    await shot(page, "painting")

    final = page.locator("#task-live[data-status=succeeded]")
    await expect(final).to_be_visible(timeout=PAINT_TIMEOUT_MS)
    assert await page.evaluate("() => window.__samePage") is True  # updated live, never reloaded
    seen = await page.evaluate("() => window.__progress")
    assert len({v for v in seen if not v.startswith("0/")}) >= 2, seen
    await expect(final).to_contain_text("벽화가 완성되었어요")
    await expect(page.locator(f"a[href='/board/new?task={task_id}']")).to_be_visible()

    slider = page.locator("[data-compare-range]")
    await slider.focus()
    for _ in range(5):
        await page.keyboard.press("ArrowRight")
    assert await slider.input_value() == "55"
    compare = page.locator("[data-compare]")
    assert await compare.evaluate("el => el.style.getPropertyValue('--pos')") == "55%"
    for _ in range(20):
        await page.keyboard.press("ArrowLeft")
    assert await compare.evaluate("el => el.style.getPropertyValue('--pos')") == "35%"
    assert await slider.get_attribute("aria-valuetext") == "원래 벽 35%"
    await shot(page, "result")

    async with page.expect_download() as info:
        await page.locator("[data-download]").first.click()
    download = await info.value
    assert re.fullmatch(r"saekdam-[0-9a-f]{8}-1\.png", download.suggested_filename), download.suggested_filename
    data = Path(await download.path()).read_bytes()
    assert image_size(data) == (640, 480)  # the full-resolution result, the photo's size

    await page.reload()  # the server renders the finished state at once
    await expect(page.locator("#task-live[data-status=succeeded]")).to_be_visible()

    await page.goto(server.url + "/murals")
    card = page.locator(f".mural-card a[href='/tasks/{task_id}']")
    await expect(card).to_contain_text("완성")
    await shot(page, "murals")
    await page.locator("a.lang").click()
    await expect(page.locator("h1")).to_have_text("My murals")
    await expect(card).to_contain_text("Done")
    await shot(page, "murals-en")
    watch.check()
    await context.close()


async def test_brush_mask(browser: Browser, server: Server, device: str, tmp_path: Path) -> None:
    context, page, watch = await open_page(browser, server, device)
    shot = Shots(device, "mask")
    await sign_up(page, server.url)
    await upload(page, photo_file(tmp_path, "wall", (480, 360), seed=3))
    await page.locator("label:has(input[name=region][value=mask])").click()
    await expect(page.locator("#mask-tools")).to_be_visible()
    await drag(page, "#ui-layer", (0.2, 0.3), (0.8, 0.35))
    await drag(page, "#ui-layer", (0.25, 0.5), (0.6, 0.45))
    await page.locator("#ui-layer").focus()  # the keyboard paints too: Space toggles, arrows move
    await page.keyboard.press("Space")
    for _ in range(4):
        await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Space")
    await expect(page.locator("#region-status")).to_have_text("칠하기 꺼짐.")
    await page.locator("button[data-tool=eraser]").click()
    await expect(page.locator("button[data-tool=eraser]")).to_have_attribute("aria-pressed", "true")
    await drag(page, "#ui-layer", (0.2, 0.3), (0.3, 0.3))
    await page.locator("button[data-tool=brush]").click()
    await choose(page, "space", "planets and rockets", steps=3)
    await shot(page, "mask-drawn")
    await page.click("#submit-button")
    await page.wait_for_url(TASK_URL)
    task_id = page.url.rsplit("/", 1)[1]
    await expect(page.locator("#task-live[data-status=succeeded]")).to_be_visible(timeout=PAINT_TIMEOUT_MS)
    await shot(page, "result")

    task = await api_json(page, f"/api/tasks/{task_id}")
    assert task["region"]["mode"] == "mask" and task["mask_url"], task
    mask = await page.request.get(task["mask_url"])
    assert mask.ok
    image = Image.open(io.BytesIO(await mask.body())).convert("L")
    assert image.size == (480, 360)  # the photo's natural size
    painted = sum(1 for v in image.tobytes() if v > 0) / (480 * 360)
    assert 0.02 < painted < 0.6, painted
    assert image.getpixel((int(480 * 0.22), int(360 * 0.3))) == 0  # erased
    watch.check()
    await context.close()


async def test_box_then_cancel_then_retry(browser: Browser, server: Server, device: str, tmp_path: Path) -> None:
    context, page, watch = await open_page(browser, server, device)
    shot = Shots(device, "cancel")
    await sign_up(page, server.url)
    await upload(page, photo_file(tmp_path, "wall", (640, 480), seed=5))
    await page.locator("label:has(input[name=region][value=box])").click()
    await drag(page, "#ui-layer", (0.1, 0.1), (0.7, 0.6))
    x = int(await page.input_value("input[name=box_x]"))
    w = int(await page.input_value("input[name=box_w]"))
    assert 50 <= x <= 80 and 350 <= w <= 420, (x, w)  # photo pixels, not screen pixels
    await page.locator("#ui-layer").focus()
    await page.keyboard.press("ArrowRight")  # the keyboard nudges the box
    assert int(await page.input_value("input[name=box_x]")) > x
    await choose(page, "play", "놀이터에서 노는 아이들", steps=50, variations=4)
    await shot(page, "box")
    await page.click("#submit-button")
    await page.wait_for_url(TASK_URL)
    first = page.url
    await expect(page.locator("#cancel-button")).to_be_visible()
    await shot(page, "running")
    await page.click("#cancel-button")
    final = page.locator("#task-live[data-status=canceled]")
    await expect(final).to_be_visible()
    await expect(final).to_contain_text("그리기를 취소했어요")
    await expect(page.locator(".final-head .badge")).to_have_text("취소됨")
    await shot(page, "canceled")

    await page.locator("[data-retry]").first.click()  # repaint: a new task with another seed
    await page.wait_for_url(lambda url: bool(TASK_URL.search(url)) and url != first)
    await expect(page.locator("#cancel-button")).to_be_visible()
    await page.click("#cancel-button")
    await expect(page.locator("#task-live[data-status=canceled]")).to_be_visible()
    watch.check()
    await context.close()


async def test_photo_without_wall_explains_what_to_do(
    browser: Browser, server: Server, device: str, tmp_path: Path
) -> None:
    context, page, watch = await open_page(browser, server, device)
    shot = Shots(device, "nowall")
    await sign_up(page, server.url)
    await upload(page, photo_file(tmp_path, "dark", (480, 360)))
    status = page.locator("#region-status")
    await expect(status).to_have_attribute("data-kind", "error")
    await expect(status).to_contain_text("벽을 찾지 못했어요")
    await expect(status).to_contain_text("상자 그리기")
    await choose(page, "urban", "골목의 그래피티")
    await page.click("#submit-button")
    await expect(page.locator("#form-error")).to_contain_text("직접 지정")
    assert "/create" in page.url  # nothing was submitted
    await shot(page, "no-wall")

    # the task page's message for the same failure (api.md: 422 at submit when known then, else failed)
    task_id = await page.locator("#create-form").get_attribute("data-task-id")
    csrf = next(c["value"] for c in await context.cookies() if c["name"] == "saekdam_csrf")
    response = await page.request.post(
        f"/api/tasks/{task_id}/submit",
        headers={"x-csrftoken": csrf},
        data={"theme": "urban", "prompt": "graffiti", "region": {"mode": "auto"}, "steps": 2},
    )
    if response.status == 422:
        assert (await response.json())["code"] == "no_wall_found"
    else:
        assert response.status == 202, await response.text()
        await page.goto(f"{server.url}/tasks/{task_id}")
        final = page.locator("#task-live[data-status=failed]")
        await expect(final).to_be_visible(timeout=PAINT_TIMEOUT_MS)
        await expect(final).to_contain_text("벽을 찾지 못했어요")
        await expect(page.locator("[data-error-code=no_wall_found]")).to_contain_text("상자 그리기")
        await expect(final.locator("a[href='/create']")).to_be_visible()
        await shot(page, "failed-task")
    watch.check(allowed_errors=(r"status of 422",))
    await context.close()
