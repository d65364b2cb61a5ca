"""The painter's sheet in a real browser: open it from a task page, change the colour count, download both
files. Desktop and 390×844, screenshots under tests/artifacts/screenshots/ (sheet-*)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import DEVICES, Shots, Watch
from tests.support.flow import create_and_upload, wait_terminal, wall_png
from tests.support.server import Server
from tests.support.users import new_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
expect.set_options(timeout=60_000)  # a sheet takes about a second of CPU; the machine is shared


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_sheet_from_task_page(
    browser: Browser, server: Server, client: httpx.AsyncClient, device: str, tmp_path: Path
) -> None:
    user = await new_user(client, "도안가")
    task = await create_and_upload(client, user.headers, wall_png(320, 200))
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            "theme": "nature",
            "prompt": "숲과 사슴",
            "steps": 2,
            "variations": 2,
            "region": {"mode": "box", "box": [20, 16, 280, 160]},
            "wall_size_m": [6, 3],
        },
    )
    assert r.status_code == 202, r.text
    assert (await wait_terminal(client, user.headers, task["id"]))["status"] == "succeeded"

    context = await browser.new_context(locale="ko-KR", accept_downloads=True, base_url=server.url, **DEVICES[device])
    page = await context.new_page()
    watch = Watch(page, server.url)
    shot = Shots(device, "sheet")
    await page.goto("/login")
    await page.fill("#f-email", user.email)
    await page.fill("#f-password", user.password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()
    await page.goto(f"/tasks/{task['id']}")

    section = page.locator("#sheet")
    await expect(section.locator("h3")).to_have_text("도안 만들기")
    await expect(section.locator("[data-sheet-colors]")).to_have_value("12")
    await section.locator("[data-sheet-make]").scroll_into_view_if_needed()
    await shot(page, "picker")
    await section.locator("[data-sheet-make]").click()
    sheet = section.locator("[data-sheet]")
    await expect(sheet).to_be_visible()
    await expect(sheet.locator("[data-sheet-image]")).to_have_attribute("src", re.compile(r"sheet-1-12\.png"))
    first_count = int(await sheet.get_attribute("data-sheet-count") or 0)
    assert 1 <= first_count <= 12
    rows = sheet.locator("tbody tr")
    await expect(rows).to_have_count(first_count)
    await expect(rows.first).to_contain_text("RAL")
    await expect(rows.first).to_contain_text("m²")
    await expect(sheet.locator("tfoot")).to_contain_text("2회 칠")
    assert await page.locator("#task-live[data-status=succeeded]").count() == 1  # swapped in place, no reload
    await sheet.locator("[data-sheet-image]").evaluate("img => img.decode()")
    await shot(page, "sheet-12")

    # fewer colours: the picker alone asks for a new sheet (htmx on change)
    await section.locator("[data-sheet-colors]").select_option("5")
    await expect(sheet.locator("[data-sheet-image]")).to_have_attribute("src", re.compile(r"sheet-1-5\.png"))
    count = int(await section.locator("[data-sheet]").get_attribute("data-sheet-count") or 0)
    assert 1 <= count <= 5
    await expect(section.locator("[data-sheet] tbody tr")).to_have_count(count)
    # the second variation's sheet
    await section.locator("[data-sheet-result]").select_option("2")
    await expect(section.locator("[data-sheet-image]")).to_have_attribute("src", re.compile(r"sheet-2-5\.png"))
    await section.locator("[data-sheet-image]").evaluate("img => img.decode()")
    await shot(page, "sheet-5")

    async with page.expect_download() as info:
        await section.locator("[data-sheet-png]").click()
    png = await info.value
    assert re.fullmatch(r"saekdam-[0-9a-f]{8}-sheet-2-5\.png", png.suggested_filename), png.suggested_filename
    assert Path(await png.path()).read_bytes().startswith(b"\x89PNG")
    async with page.expect_download() as info:
        await section.locator("[data-sheet-pdf]").click()
    pdf = await info.value
    assert pdf.suggested_filename.endswith("-sheet-2-5.pdf")
    assert Path(await pdf.path()).read_bytes().startswith(b"%PDF-")

    # in English, and the page without JavaScript's help (a plain GET of the form)
    await page.goto(f"/tasks/{task['id']}/sheet?colors=8")
    await page.locator("a.lang").click()
    await expect(page.locator("h1")).to_have_text("Painter's sheet")
    await expect(page.locator("[data-sheet] caption")).to_contain_text("RAL Classic")
    await shot(page, "page-en")
    await page.goto(f"/tasks/{task['id']}/sheet?colors=30")
    await expect(page.locator(".alert.error")).to_contain_text("between 4 and 24")
    watch.check(allowed_errors=(r"status of 400 .*sheet\?colors=30",))  # the refused count, on purpose
    await context.close()


async def test_post_shows_its_sheet_when_the_author_allows_it(
    browser: Browser, server: Server, client: httpx.AsyncClient
) -> None:
    user = await new_user(client, "공유가")
    task = await create_and_upload(client, user.headers, wall_png(240, 160))
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            "theme": "ocean",
            "prompt": "바다",
            "steps": 2,
            "region": {"mode": "box", "box": [10, 10, 200, 120]},
            "wall_size_m": [4, 2.4],
        },
    )
    assert r.status_code == 202, r.text
    assert (await wait_terminal(client, user.headers, task["id"]))["status"] == "succeeded"
    context = await browser.new_context(locale="ko-KR", base_url=server.url, **DEVICES["desktop"])
    page = await context.new_page()
    watch = Watch(page, server.url)
    shot = Shots("desktop", "post-sheet")
    await page.goto("/login")
    await page.fill("#f-email", user.email)
    await page.fill("#f-password", user.password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()

    await page.goto(f"/board/new?task={task['id']}")
    await page.fill("#f-title", "바다 벽화와 도안")
    await page.check("[data-show-sheet]")
    await page.select_option("[data-post-sheet-colors]", "7")
    await shot(page, "publish")
    await page.locator("form button[type=submit].wide").click()
    await page.wait_for_url(re.compile(r"/board/[0-9a-f-]{36}$"))
    sheet = page.locator("#post-sheet [data-sheet]")
    await expect(sheet).to_be_visible()
    await expect(sheet.locator("[data-sheet-image]")).to_have_attribute("src", re.compile(r"sheet-1-7\.png"))
    await expect(sheet.locator("tbody tr").first).to_contain_text("RAL")
    await sheet.locator("[data-sheet-image]").evaluate("img => img.decode()")
    await shot(page, "post")

    post_url = page.url
    await page.goto(post_url + "/edit")
    await expect(page.locator("[data-show-sheet]")).to_be_checked()
    await page.uncheck("[data-show-sheet]")
    await page.locator("form button[type=submit].primary").click()
    await page.wait_for_url(post_url)
    await expect(page.locator("h1")).to_be_visible()
    assert await page.locator("#post-sheet").count() == 0
    watch.check()
    await context.close()
