"""The browser fixtures: Playwright drives Debian's chromium (headless) against a live Django server on the test
database. A plugin of the root conftest, so that every test in the tree shares the one session-wide browser: a
second `sync_playwright()` in the same thread fails ("Sync API inside the asyncio loop").

Tests save screenshots under `var/screenshots/` with `shot(page, "name")`: look at them. scripts/test.sh installs
chromium (PINCH_BROWSER=1).
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls made from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CHROMIUM = os.environ.get("PINCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        message = "chromium is not installed: run `make test` (it installs it) or apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _new_page(browser, live_server, *, width: int, height: int):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A laptop-sized browser tab on the live server (`page.goto("/")`)."""
    context, page = _new_page(browser, live_server, width=1280, height=860)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A phone-sized tab (360 px wide)."""
    context, page = _new_page(browser, live_server, width=360, height=740)
    yield page
    context.close()


@pytest.fixture
def another_page(browser, live_server, transactional_db):
    """Opens more tabs, each in its own browser context (its own cookies): a second person at the same time."""
    contexts = []

    def open_page(*, width: int = 1280, height: int = 860):
        context, page = _new_page(browser, live_server, width=width, height=height)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as var/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
