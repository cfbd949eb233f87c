"""The console tests' shared pieces: the seeded store (console_seed.py), a live uvicorn server (live_server.py),
and Debian's chromium driven by Playwright (never a downloaded browser; without chromium the browser tests skip, except under
CI=true, where they fail: .ci/run installs it first)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.conftest import service_unavailable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so the tests can `import console_seed`


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        service_unavailable("chromium is not on PATH (apt-get install chromium); the browser tests need it")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
