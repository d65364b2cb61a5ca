"""The create page's wall corners (region "quad") and wall options in a real browser: mouse on the desktop,
touch on the phone, the keyboard on both; screenshots of every step under tests/artifacts/screenshots/."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from app.actors.painter.tiny import make_window_wall_photo, wall_box, window_box
from tests.browser.helpers import DEVICES, Shots
from tests.browser.test_web_app import PAINT_TIMEOUT_MS, TASK_URL, api_json, choose, open_page, sign_up, upload
from tests.support.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]
W, H = 640, 480


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def corner(page: Page, i: int) -> tuple[int, int]:
    handle = page.locator(f".quad-handle[data-corner='{i}']")
    return int(await handle.get_attribute("data-x") or -1), int(await handle.get_attribute("data-y") or -1)


async def move_corner(page: Page, device: str, i: int, to: tuple[float, float]) -> None:
    """Drag corner ``i`` to ``to`` (fractions of the photo) with the mouse, or with a finger on the phone."""
    handle = page.locator(f".quad-handle[data-corner='{i}']")
    await handle.scroll_into_view_if_needed()
    box = await handle.bounding_box()
    stage = await page.locator("#quad-layer").bounding_box()
    assert box is not None and stage is not None
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    x1, y1 = stage["x"] + stage["width"] * to[0], stage["y"] + stage["height"] * to[1]
    path = [(x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8) for k in range(9)]
    if device == "desktop":
        await page.mouse.move(x0, y0)
        await page.mouse.down()
        for x, y in path[1:]:
            await page.mouse.move(x, y)
        await page.mouse.up()
        return
    cdp = await page.context.new_cdp_session(page)  # a real touch: touchstart → pointerdown (pointerType touch)
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for x, y in path[1:]:
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    await cdp.detach()


async def test_quad_handles_and_wall_options(browser: Browser, server: Server, device: str, tmp_path: Path) -> None:
    context, page, watch = await open_page(browser, server, device)
    shot = Shots(device, "quad")
    await sign_up(page, server.url)
    photo = tmp_path / f"window-{uuid.uuid4().hex[:6]}.png"
    make_window_wall_photo(W, H, seed=2).save(photo)
    await upload(page, photo)
    await page.locator("label:has(input[name=region][value=quad])").click()
    await expect(page.locator("#quad-layer")).to_be_visible()
    await expect(page.locator("#quad-status")).to_contain_text("찾은 벽에 맞춰")  # pre-placed at the suggestion
    left, t, r, b = wall_box(W, H)
    tl, br = await corner(page, 0), await corner(page, 2)
    assert abs(tl[0] - left) < 40 and abs(tl[1] - t) < 40 and abs(br[0] - r) < 40 and abs(br[1] - b) < 40, (tl, br)
    await shot(page, "suggested")

    await move_corner(page, device, 0, (0.15, 0.12))
    x, y = await corner(page, 0)
    assert abs(x - 0.15 * W) < 12 and abs(y - 0.12 * H) < 12, (x, y)  # photo pixels, not screen pixels
    await page.locator(".quad-handle[data-corner='1']").focus()
    before = await corner(page, 1)
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("Shift+ArrowDown")
    after = await corner(page, 1)
    assert after[0] < before[0] and after[1] > before[1], (before, after)
    await expect(page.locator("#quad-status")).to_contain_text("오른쪽 위 모서리")

    await move_corner(page, device, 3, (0.5, 0.35))  # concave: refused before sending
    await expect(page.locator("#quad-layer")).to_have_attribute("data-valid", "false")
    await choose(page, "ocean", "고래가 헤엄치는 바다", steps=2)
    await page.click("#submit-button")
    await expect(page.locator("#error-region")).to_contain_text("볼록한 사각형")
    await shot(page, "concave")
    await move_corner(page, device, 3, (0.12, 0.68))
    await expect(page.locator("#quad-layer")).to_have_attribute("data-valid", "true")

    await page.locator("label:has(input[name=blend][value=cover])").click()
    await page.locator("label:has(input[name=blend][value=wall])").click()
    await page.fill("#opt-wall-w", "4")
    await page.fill("#opt-wall-h", "2.5")
    await page.select_option("#opt-detail", "standard")
    await page.select_option("#opt-guide", "lines")
    await shot(page, "options")
    points = [await corner(page, i) for i in range(4)]
    await page.click("#submit-button")
    await page.wait_for_url(TASK_URL)
    task_id = page.url.rsplit("/", 1)[1]
    await expect(page.locator("#task-live[data-status=succeeded]")).to_be_visible(timeout=PAINT_TIMEOUT_MS)
    await expect(page.locator("[data-artwork]")).to_have_count(1)  # the flat mural, downloadable
    await expect(page.locator("#painted-how")).to_contain_text("벽에 칠하기")
    await shot(page, "result")
    async with page.expect_download() as download:
        await page.locator("[data-artwork]").click()
    assert (await download.value).suggested_filename.endswith("-artwork-1.png")

    task = await api_json(page, f"/api/tasks/{task_id}")
    assert task["region"]["mode"] == "quad"
    assert np.abs(np.array(task["region"]["points"]) - np.array(points)).max() <= 1, (task["region"], points)
    assert (task["blend"], task["protect"], task["wall_size_m"], task["detail"], task["guide"]) == (
        "wall",
        True,
        [4.0, 2.5],
        "standard",
        "lines",
    )
    assert len(task["artwork_urls"]) == 1
    art = Image.open(io.BytesIO(await (await page.request.get(task["artwork_urls"][0])).body()))
    assert abs(art.width / art.height - 1.6) <= 0.05
    mask = np.asarray(Image.open(io.BytesIO(await (await page.request.get(task["mask_url"])).body())).convert("L"))
    wl, wt, wr, wb = window_box(W, H)
    assert not (mask[wt:wb, wl:wr] > 0).any() and (mask > 0).mean() > 0.2  # the window was kept out
    watch.check()
    await context.close()


async def test_protect_off_and_cover(browser: Browser, server: Server, tmp_path: Path) -> None:
    context, page, watch = await open_page(browser, server, "desktop")
    shot = Shots("desktop", "options")
    await sign_up(page, server.url)
    photo = tmp_path / "window.png"
    make_window_wall_photo(W, H, seed=4).save(photo)
    await upload(page, photo)
    await expect(page.locator("#region-status")).to_contain_text("벽을 찾았어요")
    await page.locator("label:has(input[name=blend][value=cover])").click()
    await page.locator("#opt-protect").uncheck()
    await page.fill("#opt-wall-w", "0.1")  # out of range: said next to the field, nothing sent
    await choose(page, "nature", "숲과 꽃", steps=2)
    await page.click("#submit-button")
    await expect(page.locator("#error-wall-options")).to_contain_text("0.3–200")
    await shot(page, "wall-size-error")
    await page.fill("#opt-wall-w", "")
    await page.click("#submit-button")
    await page.wait_for_url(TASK_URL)
    task = await api_json(page, f"/api/tasks/{page.url.rsplit('/', 1)[1]}")
    assert (task["blend"], task["protect"], task["wall_size_m"]) == ("cover", False, None)
    watch.check()
    await context.close()
