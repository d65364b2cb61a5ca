"""Render the web app's icons from app/static/img/logo.svg (run once after changing the logo; the PNGs are
committed): 192/512 px "any" icons, a 512 px maskable icon (the glyph inside the safe zone on a full-bleed
background), a 180 px Apple touch icon and a 16/32/48 px favicon.ico. Uses Debian's chromium via Playwright.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

from PIL import Image
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
LOGO = ROOT / "app" / "static" / "img" / "logo.svg"
OUT = ROOT / "app" / "static" / "img" / "icons"
BACKGROUND = "#1d3557"


def maskable_svg(logo: str) -> str:
    """The logo's drawing without its rounded tile, scaled into the maskable safe zone (a centred circle
    of 40 % radius) on a square of the tile's colour."""
    inner = re.sub(r"<rect[^>]*/>", "", logo.split(">", 1)[1].rsplit("</svg>", 1)[0], count=1)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" '
            f'fill="{BACKGROUND}"/><g transform="translate(5.2 5.2) scale(2.8)">{inner}</g></svg>')


async def render(page, svg: str, size: int) -> Image.Image:  # type: ignore[no-untyped-def]
    await page.set_viewport_size({"width": size, "height": size})
    html = ("<html><body style='margin:0;background:transparent'>"
            f"<div style='width:{size}px;height:{size}px'>{svg.replace('<svg ', f'<svg width={size} height={size} ', 1)}"
            "</div></body></html>")
    await page.set_content(html)
    png = await page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
    return Image.open(io.BytesIO(png)).convert("RGBA")


async def main() -> None:
    logo = LOGO.read_text()
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = await browser.new_page()
        for size in (192, 512):
            (await render(page, logo, size)).save(OUT / f"icon-{size}.png", optimize=True)
        (await render(page, maskable_svg(logo), 512)).convert("RGB").save(OUT / "maskable-512.png", optimize=True)
        (await render(page, maskable_svg(logo), 180)).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
        big = await render(page, logo, 48)
        big.save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
        await browser.close()
    for path in sorted(OUT.iterdir()):
        print(path.relative_to(ROOT), path.stat().st_size)


if __name__ == "__main__":
    asyncio.run(main())
