"""Shared helpers: sites are copied to a temporary folder so tests never write into the repository."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Hypothesis's per-example deadline is a timing assertion: on a loaded machine it fails tests whose
# properties hold. Speed is measured in bench/, not here.
settings.register_profile("wikigen", deadline=None)
settings.load_profile("wikigen")

TESTS = Path(__file__).parent
REPO = TESTS.parent

# A shell that starts the suite in the background (`cmd &` without job control) ignores SIGINT, and an
# ignored signal stays ignored in every child: the tests that stop `wikigen` with Ctrl+C would then test
# nothing. Restore the default in this process, so the children start with it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def fixture_sites_stay_untouched() -> Iterator[None]:
    """Tests build copies of the fixture sites: a cache or output folder appearing in one means a test wrote
    into the repository."""
    yield
    written = sorted(str(p.relative_to(REPO)) for name in (".wikigen-cache", "public")
                     for p in (TESTS / "sites").glob(f"*/{name}"))
    assert not written, f"tests wrote into the repository: {written}"


@pytest.fixture
def copy_site(tmp_path: Path):
    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target, symlinks=True)
        return target

    return copy


# One Chromium for the whole session: Playwright's sync API cannot run twice in one process at once, and both the
# browser tests and the dev-server test drive it.
CHROMIUM = Path(os.environ.get("WIKIGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (./setup.sh does, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
