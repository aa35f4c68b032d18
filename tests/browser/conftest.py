"""Browser tests: the shop served on loopback, driven by Debian's Chromium through Playwright.

Chromium comes from the distribution (``apt-get install chromium``; ``.ci/run`` installs it),
never from Playwright's own download. Without it these tests are skipped outside CI; with CI set
they fail instead, so a CI run cannot pass without them.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(app, app_context):
    """The test app on a free loopback port, in a thread, for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


# A form sent back with what is wrong (422) or refused for too many tries (429) is a page the
# journey expects; Chromium still logs it as a resource that failed to load.
_EXPECTED_STATUS = re.compile(r"^Failed to load resource: the server responded with a status of (422|429) ")


def expected(message) -> bool:
    """A console error that is the browser's note about an expected status, not a failure."""
    return bool(_EXPECTED_STATUS.match(message.text))


# Console errors a test knows about and names (allow_console), per page.
_ALLOWED: dict[int, list[re.Pattern]] = {}


def allow_console(page, pattern: str) -> None:
    """Let ``page`` log errors matching ``pattern`` (a known defect, said in the test)."""
    _ALLOWED.setdefault(id(page), []).append(re.compile(pattern))


def _allowed(page, message) -> bool:
    return expected(message) or any(p.search(message.text) for p in _ALLOWED.get(id(page), []))


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required for browser tests in CI: {CHROMIUM}")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--lang=fr-FR"],
            # The browser's own words (a file input's button, a date's order) follow LANGUAGE on
            # Linux: French, as the shop's customers see them (Debian's chromium-l10n).
            env={**os.environ, "LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"},
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        # Any script error or content-security-policy violation fails the journey.
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not _allowed(page, m) else None)
        yield page
        context.close()
        browser.close()
        _ALLOWED.pop(id(page), None)
        assert not errors, errors
