"""/docs and /redoc in a real headless Chromium: they render the operations from assets
the server serves itself, and no request leaves 127.0.0.1 (an isolated network)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, sync_playwright

from tests.support.live import live_server
from tests.support.server import Server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with live_server(tmp_path_factory.mktemp("docs")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def visit(
    browser: Browser, url: str, find: Callable[[Page], Locator], screenshot: Path
) -> list[str]:
    """Opens ``url`` until what ``find`` finds shows; returns the URLs asked of any other host
    (refused, as on a network without internet). The page's Content-Security-Policy must
    refuse nothing it needs."""
    elsewhere: list[str] = []
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context = browser.new_context()
    try:
        context.route("**/*", only_local)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(url)
        find(page).first.wait_for(state="visible", timeout=20_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screenshot, full_page=False)
    finally:
        context.close()
    # ReDoc always asks Redocly's CDN for its logo: refused on purpose (api/docs.py)
    assert [text for text in refused if "cdn.redoc.ly/redoc/logo" not in text] == []
    return elsewhere


def test_swagger_ui_renders_the_operations_from_local_assets(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    elsewhere = visit(
        browser,
        f"{server.url}/docs",
        lambda page: page.get_by_text("/v1/customers/{customer_id}/extend-trial", exact=True),
        tmp_path / "docs.png",
    )
    assert elsewhere == []


def test_redoc_renders_the_operations_from_local_assets(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    elsewhere = visit(
        browser,
        f"{server.url}/redoc",
        lambda page: page.get_by_role("heading", name="Extend Trial"),
        tmp_path / "redoc.png",
    )
    assert elsewhere == []
