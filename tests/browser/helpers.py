"""Browser test helpers: devices, a watch on every request and console message, screenshots, photos."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import ConsoleMessage, Page, Request

from app.actors.painter.tiny import make_no_wall_photo, make_wall_photo
from tests.support.browser import SCREENSHOTS

DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}

# records the task page's progress values as the DOM changes (the page is never reloaded in between)
PROGRESS_OBSERVER = """
(() => {
  window.__progress = [];
  const seen = () => {
    const el = document.querySelector('#task-progress [data-step]');
    if (!el) return;
    const value = el.dataset.step + '/' + el.dataset.total;
    if (window.__progress[window.__progress.length - 1] !== value) window.__progress.push(value);
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener('DOMContentLoaded', seen);
})();
"""


class Watch:
    """Every request URL and every console error or uncaught exception of one page."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.base_url = base_url
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} @ {message.location.get('url', '')}")

    def check(self, allowed_errors: tuple[str, ...] = ()) -> None:
        """No request left the app's own origin, and nothing but the expected errors was logged."""
        own = (self.base_url + "/", f"blob:{self.base_url}/")
        foreign = [u for u in self.urls if not u.startswith(own)]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert self.urls, "no requests recorded"
        unexpected = [e for e in self.errors if not any(re.search(p, e) for p in allowed_errors)]
        assert not unexpected, f"console errors: {unexpected}"


class Shots:
    """Numbered full-page screenshots of one flow under tests/artifacts/screenshots/."""

    def __init__(self, device: str, flow: str) -> None:
        self.prefix = f"{device}-{flow}"
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{self.prefix}-*.png"):
            old.unlink()

    async def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{step}.png"
        await page.evaluate("() => window.scrollTo(0, 0)")  # else the sticky header lands mid-page
        await page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path


def photo_file(tmp_path: Path, kind: str = "wall", size: tuple[int, int] = (640, 480), seed: int = 0) -> Path:
    image = make_wall_photo(*size, seed=seed) if kind == "wall" else make_no_wall_photo(*size, seed=seed)
    path = tmp_path / f"{kind}-{uuid.uuid4().hex[:6]}.png"
    image.save(path, format="PNG")
    return path


def image_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


async def sign_up(page: Page, base_url: str, nickname: str = "벽화가") -> str:
    """Sign up through the form; the app then lands on /create."""
    email = f"b{uuid.uuid4().hex[:10]}@example.com"
    await page.goto(base_url + "/create")
    assert "/login" in page.url  # the create page needs a log-in
    await page.goto(base_url + "/signup")
    await page.fill("#f-email", email)
    await page.fill("#f-nickname", nickname)
    await page.fill("#f-password", "correct horse battery")
    await page.check("#f-terms")
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_url(base_url + "/create")
    return email
