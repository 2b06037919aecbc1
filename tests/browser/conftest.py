"""Headless Chromium for the admin's browser tests: Debian's ``chromium`` driven by Playwright
(``executable_path``, no browser download). ``make test`` installs it first
(``scripts/ensure-chromium.sh``); if it is still missing, the fixture tries that script once and
otherwise skips with the script's reason."""

import subprocess
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ENSURE = Path(__file__).resolve().parents[2] / "scripts" / "ensure-chromium.sh"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        result = subprocess.run(
            [str(ENSURE)], capture_output=True, text=True, timeout=900, check=False
        )
        if not CHROMIUM.exists():
            pytest.skip(f"Debian's chromium could not be installed: {result.stderr.strip()}")
    return str(CHROMIUM)


@contextmanager
def _page(executable_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable_path)
        try:
            yield browser.new_page(viewport={"width": 1440, "height": 900})
        finally:
            browser.close()


@pytest.fixture
def browser(chromium_path):
    """``with browser() as page:`` opens a fresh 1440 x 900 page in headless Chromium.

    Open it after the test's database setup and read the database after it closes: Playwright
    runs an event loop, and Django refuses ORM calls while one runs in the thread."""
    return partial(_page, chromium_path)
