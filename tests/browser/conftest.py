"""The browser fixture comes from tests/support/browser.py (shared with the board's browser test)."""

from tests.support.browser import browser  # noqa: F401  (fixture)
