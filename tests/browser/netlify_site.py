"""Serve a built site the way Netlify would: netlify.toml's `[[headers]]`, 404.html, pretty URLs, MIME types.

Used by the browser tests (tests/browser/conftest.py). Header rules match like Netlify's
(ported from @netlify/headers-parser); every matching rule applies and a header set by several matching
rules gets their values joined with a comma; where no rule sets Cache-Control, Netlify's default applies.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parents[2]
NETLIFY_DEFAULT_CACHE = "public, max-age=0, must-revalidate"


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
