"""Shared fixtures: a headless Chromium for the tests that look at pages as a browser shows them
(test_browser.py drives JupyterLab; test_html_builds.py lays out the lecture decks).

Debian's /usr/bin/chromium only (`sudo apt-get install chromium`): a browser is never downloaded.
Without it those tests are skipped, unless CI is set: then they fail.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser test must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed at /usr/bin/chromium: install Debian's package "
                     "with `sudo apt-get install chromium` to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is missing: run `make test` (it installs the course extras)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
