"""Tools the PDF and browser tests need from the machine (Debian's chromium, poppler-utils, fonts-thai-tlwg,
and WeasyPrint's Pango): missing on a developer's machine, such a test is skipped with the reason; on CI
(CI=true), where .ci/run installs them, it fails instead, so CI never skips it silently."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
INSTALL_HINT = "apt-get install chromium fonts-thai-tlwg poppler-utils libpango-1.0-0 libpangoft2-1.0-0"


def missing(reason: str) -> None:
    message = f"{reason} (install: {INSTALL_HINT})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run this test: {message}")
    pytest.skip(message)


def need_executable(name: str) -> str:
    path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
    if path is None:
        missing(f"{name} is not installed")
    assert path is not None
    return path


def need_thai_font() -> None:
    """A TH Sarabun-compatible Thai font that fontconfig finds (Laksaman from fonts-thai-tlwg, or Sarabun)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        missing("fontconfig (fc-list) is not installed")
        return
    fonts = subprocess.run([fc_list, ":lang=th", "family"], capture_output=True, text=True, check=False).stdout
    if not any(name in fonts for name in ("Laksaman", "Sarabun", "TH Sarabun")):
        missing("no TH Sarabun-compatible Thai font (Laksaman or Sarabun) is installed")


def need_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        missing(f"WeasyPrint cannot load ({error})")


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """Debian's headless Chromium driven by Playwright (never Playwright's own download)."""
    need_executable(CHROMIUM)
    need_thai_font()
    try:
        from playwright.async_api import async_playwright
    except ImportError as error:
        missing(f"the playwright package is not installed ({error})")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


def watch_errors(page: Any, errors: list[str]) -> Any:
    """Collect the page's console errors and uncaught exceptions into `errors` (a CSP violation is one)."""
    page.on("console", lambda message: errors.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return page


async def new_page(browser: Any, viewport: dict[str, int], errors: list[str]) -> Any:
    """A page of its own (cookies) in Thai, Bangkok time; a phone's when the viewport is narrow."""
    context = await browser.new_context(viewport=viewport, locale="th-TH", timezone_id="Asia/Bangkok",
                                        is_mobile=viewport["width"] < 500, has_touch=viewport["width"] < 500)
    return watch_errors(await context.new_page(), errors)


async def fits(page: Any) -> None:
    """Nothing on the page is wider than the window."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= await page.evaluate("window.innerWidth"), f"the page is {width}px wide"
