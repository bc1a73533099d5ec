"""Browser-test fixtures: build the sample wiki once, serve it the way Netlify would, drive Debian's Chromium.

- The sample site (content/, bibliography.bib, theme/, pyproject.toml) is copied to a temporary folder and
  built there with `wikigen.build.build`, so the repository's own public/ is never touched.
- A small threaded http.server serves the output on 127.0.0.1 with the `[[headers]]` of the repository's
  netlify.toml applied (matched like Netlify does; values of one header set by several matching rules are
  joined with a comma, as Netlify's CDN does), Netlify's default Cache-Control where no rule sets one,
  /404.html with status 404 for a missing path, pretty URLs and the MIME types Pagefind needs.
  A Content-Security-Policy the site does not work under therefore fails these tests.
- Every page is watched: console errors, uncaught exceptions, CSP violations (reported by a
  `securitypolicyviolation` listener that an init script installs; init scripts are not subject to the
  page's CSP), failed requests and responses >= 400. Tests assert the log is empty.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import tomllib
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from wikigen.build import build

REPO = Path(__file__).resolve().parents[2]
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
SITE_FILES = ("content", "bibliography.bib", "theme", "pyproject.toml")
NETLIFY_DEFAULT_CACHE = "public, max-age=0, must-revalidate"
TIMEOUT_MS = 10_000


# ---------------------------------------------------------------- netlify.toml headers, matched like Netlify


def _part_pattern(part: str) -> str:
    # Ported from @netlify/headers-parser (for_regexp.js).
    if part.startswith(":"):
        return "([^/]+)"
    if part == "*":
        return "?(.*)"
    if "*" in part:
        return "(.*)".join(re.escape(piece) for piece in part.split("*"))
    return re.escape(part)


def for_regexp(path: str) -> re.Pattern[str]:
    parts = [p.rstrip() for p in path.split("/") if p.rstrip()]
    return re.compile("^/" + "/".join(_part_pattern(p) for p in parts) + "/?$", re.IGNORECASE)


@dataclass(frozen=True)
class HeaderRule:
    path: str
    pattern: re.Pattern[str]
    values: dict[str, str]


def load_netlify(path: Path = REPO / "netlify.toml") -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def header_rules(config: dict[str, Any]) -> list[HeaderRule]:
    rules = []
    for rule in config.get("headers", []):
        values = {name.strip(): " ".join(str(value).split()) for name, value in rule.get("values", {}).items()}
        rules.append(HeaderRule(rule["for"], for_regexp(rule["for"]), values))
    return rules


def headers_for(rules: tuple[HeaderRule, ...] | list[HeaderRule], url_path: str) -> dict[str, str]:
    """The headers Netlify adds to `url_path`: every matching rule, repeated names joined with a comma."""
    merged: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for rule in rules:
        if rule.pattern.match(url_path):
            for name, value in rule.values.items():
                names.setdefault(name.lower(), name)
                merged.setdefault(name.lower(), []).append(value)
    result = {names[key]: ", ".join(values) for key, values in merged.items()}
    if "cache-control" not in merged:
        result["Cache-Control"] = NETLIFY_DEFAULT_CACHE
    return result


# ---------------------------------------------------------------- the static server


class NetlifyLikeHandler(http.server.SimpleHTTPRequestHandler):
    rules: ClassVar[tuple[HeaderRule, ...]] = ()
    extensions_map = {  # noqa: RUF012 - as declared by the base class
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
        ".ico": "image/x-icon",
        ".webmanifest": "application/manifest+json",
        ".pagefind": "application/octet-stream",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
        ".pf_filter": "application/octet-stream",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        url_path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        for name, value in headers_for(self.rules, url_path).items():
            self.send_header(name, value)
        super().end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404)  # Netlify never lists a folder

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a connection early is not a test failure


def serve(folder: Path, rules: list[HeaderRule]) -> tuple[QuietServer, threading.Thread]:
    handler = type("Handler", (NetlifyLikeHandler,), {"rules": tuple(rules)})
    server = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server, thread


# ---------------------------------------------------------------- fixtures: the built site and its server


@pytest.fixture(scope="session")
def netlify_config() -> dict[str, Any]:
    return load_netlify()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample wiki built from a copy of the repository's site files; returns the output folder."""
    root = tmp_path_factory.mktemp("site")
    for name in SITE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy2(source, root / name)
    result = build(root)
    assert result.published, f"the sample wiki did not build: {result.site.errors} errors"
    output = result.site.config.path("output")
    assert (output / "pagefind" / "pagefind.js").is_file(), "the build wrote no Pagefind bundle"
    return output


@pytest.fixture(scope="session")
def base_url(built_site: Path, netlify_config: dict[str, Any]) -> Iterator[str]:
    server, thread = serve(built_site, header_rules(netlify_config))
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- fixtures: the browser and a watched page


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
    """A factory: `open_page(width=..., color_scheme=...)` gives a watched page in a fresh browser context."""
    contexts: list[Any] = []

    def factory(width: int = 1280, height: int = 900, color_scheme: str = "light") -> Watched:
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": height}, color_scheme=color_scheme
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
