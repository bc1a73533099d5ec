"""Browser-test fixtures: build the sample wiki once, serve it the way Netlify would, drive Debian's Chromium.

- The sample site (content/, bibliography.bib, theme/, pyproject.toml) is copied to a temporary folder and
  built there with `wikigen.build.build`, so the repository's own public/ is never touched.
- A small threaded http.server (netlify_site.py) serves the output on 127.0.0.1 with the `[[headers]]` of
  the repository's netlify.toml applied, /404.html with status 404 for a missing path, pretty URLs and
  the MIME types Pagefind needs. It passes /.netlify/functions/* to the site's own functions, run in node
  by tests/functions/harness.mjs with @netlify/blobs' BlobsServer behind them (one per test session).
  A Content-Security-Policy the site does not work under therefore fails these tests.
- Every page is watched: console errors, uncaught exceptions, CSP violations (reported by a
  `securitypolicyviolation` listener that an init script installs; init scripts are not subject to the
  page's CSP), failed requests and responses >= 400. Tests assert the log is empty.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from netlify_site import header_rules, load_netlify, serve

from samplewiki import copy_sample
from wikigen.build import build

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 10_000


# ---------------------------------------------------------------- fixtures: the built site and its server


@pytest.fixture(scope="session")
def netlify_config() -> dict[str, Any]:
    return load_netlify()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample wiki built from a copy of the repository's site files; returns the output folder."""
    # One article a shard: the search page must merge several Pagefind bundles, as a large wiki's does.
    root = copy_sample(tmp_path_factory.mktemp("site") / "site", "search_shard_pages = 1")
    result = build(root)
    assert result.published, f"the sample wiki did not build: {result.site.errors} errors"
    output = result.site.config.path("output")
    shards = json.loads((output / "pagefind" / "bundles.json").read_bytes())["bundles"]
    assert len(shards) > 1 and all((output / "pagefind" / s / "pagefind.js").is_file() for s in shards)
    return output


@pytest.fixture(scope="session")
def functions_address() -> Iterator[tuple[str, int]]:
    """The site's Netlify Functions in node, over a fresh BlobsServer; stops when its stdin closes."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "@netlify" / "blobs").is_dir():
        pytest.fail("the votes function needs node and `npm ci` (./setup.sh runs it)")
    process = subprocess.Popen(
        [node, str(REPO / "tests" / "functions" / "harness.mjs")],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            pytest.fail(f"tests/functions/harness.mjs did not start (exit code {process.wait(timeout=10)})")
        url = urllib.parse.urlsplit(json.loads(line)["url"])
        yield url.hostname or "127.0.0.1", url.port or 80
    finally:
        for pipe in (process.stdin, process.stdout):
            if pipe:
                pipe.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def base_url(built_site: Path, netlify_config: dict[str, Any], functions_address: tuple[str, int]) -> Iterator[str]:
    server, thread = serve(built_site, header_rules(netlify_config), functions_address)
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- fixtures: the browser and a watched page


CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__wikigenReport({
    directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
}, true);
"""


@dataclass
class PageLog:
    """Everything that went wrong while a page was open; `problems()` is what tests assert empty."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    expected_404: set[str] = field(default_factory=set)

    def problems(self) -> list[str]:
        found = [f"console error: {text}" for text in self.console_errors]
        found += [f"uncaught exception: {text}" for text in self.page_errors]
        found += [f"CSP violation: {v}" for v in self.csp_violations]
        found += [f"request failed: {text}" for text in self.failed_requests]
        found += [f"HTTP error: {text}" for text in self.bad_responses]
        return found


@dataclass
class Watched:
    page: Any
    log: PageLog


def _watch(context: Any) -> Watched:
    log = PageLog()
    context.expose_binding("__wikigenReport", lambda _source, violation: log.csp_violations.append(violation))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "status of 404" in message.text and urllib.parse.urlsplit(url).path in log.expected_404:
            return  # the browser reports the 404 page's own status; the test asked for that page
        log.console_errors.append(f"{message.text} ({url})")

    def on_response(response: Any) -> None:
        path = urllib.parse.urlsplit(response.url).path
        if response.status >= 400 and path not in log.expected_404:
            log.bad_responses.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("requestfailed", lambda request: log.failed_requests.append(f"{request.url} {request.failure}"))
    page.on("response", on_response)
    return Watched(page, log)


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A factory: `open_page(width=..., color_scheme=..., **context_options)` gives a watched page in a fresh
    browser context (options such as `has_touch=True` or `permissions=[...]` go to `new_context`)."""
    contexts: list[Any] = []

    def factory(width: int = 1280, height: int = 900, color_scheme: str = "light", **options: Any) -> Watched:
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": height}, color_scheme=color_scheme, **options
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        return _watch(context)

    try:
        yield factory
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def watched(open_page: Any) -> Watched:
    return open_page()


@pytest.fixture
def page(watched: Watched) -> Any:
    return watched.page


@pytest.fixture
def page_log(watched: Watched) -> PageLog:
    return watched.log
