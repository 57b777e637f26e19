"""Browser fixtures: the real studio server (uvicorn in a thread, SQLite in a temporary folder) and a
headless Debian Chromium driven by Playwright. Tests skip with a reason when either is missing."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from goldlabel.store import Database, open_database

#: The documentation's screenshots are rewritten only when asked (``make screenshots``); otherwise the
#: pages are still photographed, into a temporary folder, so a test run leaves the tree as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("GOLDLABEL_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "goldlabel-screenshots"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Studio:
    """A running studio server."""

    url: str
    db: Database


def start_studio(db: Database) -> tuple[Studio, Any, threading.Thread]:
    """Start uvicorn serving the studio over ``db`` on a free loopback port, in a daemon thread."""
    import uvicorn

    from goldlabel.server import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the studio server did not start on port {port}")
        time.sleep(0.05)
    return Studio(url=f"http://127.0.0.1:{port}", db=db), server, thread


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Chromium is not installed (apt install chromium); browser tests need it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    db = open_database(data_dir=tmp_path / "data")
    running, server, thread = start_studio(db)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 860}, accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Save a PNG of the page as <name>.png in :data:`SCREENSHOTS`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
