"""A real Chromium for journey tests: the system's (Debian's `chromium`), never a download."""

import os
import shutil

import pytest

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
# The sandboxed network refuses Chromium's background calls; these flags keep it quiet and fast.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium found: install Debian's `chromium` or set CHROMIUM=/path")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread, which makes Django refuse
    # ORM calls from the test; they are plain synchronous calls here, so that check is moot.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="bg-BG", extra_http_headers={"Accept-Language": "bg"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    """Signs the browser in with a session made by Django's test client, for tests about what
    comes after the log-in form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
