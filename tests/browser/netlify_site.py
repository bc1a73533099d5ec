"""Serve a built site the way Netlify would: netlify.toml's `[[headers]]`, 404.html, pretty URLs, MIME types,
and /.netlify/functions/* passed to the site's functions (run in node by tests/functions/harness.mjs).

Used by the browser tests (tests/browser/conftest.py). Header rules match like Netlify's
(ported from @netlify/headers-parser); every matching rule applies and a header set by several matching
rules gets their values joined with a comma; where no rule sets Cache-Control, Netlify's default applies.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import os
import threading
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from wikigen.serve import headers
from wikigen.serve.headers import HeaderRule, header_rules

__all__ = ["HeaderRule", "header_rules", "headers_for", "load_netlify", "serve"]

REPO = Path(__file__).resolve().parents[2]
NETLIFY_DEFAULT_CACHE = "public, max-age=0, must-revalidate"


# ---------------------------------------------------------------- netlify.toml headers, matched like Netlify


def load_netlify(path: Path = REPO / "netlify.toml") -> dict[str, Any]:
    return headers.load_netlify(path)


def headers_for(rules: Iterable[HeaderRule], url_path: str) -> dict[str, str]:
    """The headers Netlify adds to `url_path` (as `wikigen serve` matches them), with Netlify's default
    Cache-Control where no rule sets one."""
    result = headers.headers_for(rules, url_path)
    if "cache-control" not in {name.lower() for name in result}:
        result["Cache-Control"] = NETLIFY_DEFAULT_CACHE
    return result


# ---------------------------------------------------------------- the static server


FUNCTIONS_PATH = "/.netlify/functions/"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class NetlifyLikeHandler(http.server.SimpleHTTPRequestHandler):
    rules: ClassVar[tuple[HeaderRule, ...]] = ()
    functions: ClassVar[tuple[str, int] | None] = None  # where the functions run (host, port)
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

    def do_GET(self) -> None:
        if self.path.startswith(FUNCTIONS_PATH):
            self.to_function()
        else:
            super().do_GET()

    def do_POST(self) -> None:
        if self.path.startswith(FUNCTIONS_PATH):
            self.to_function()
        else:
            self.send_error(405)

    def to_function(self) -> None:
        """Pass the request to the functions' server as Netlify's edge does: the client's address in
        x-nf-client-connection-ip, Host kept, and none of netlify.toml's headers on the answer."""
        if self.functions is None:
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["x-nf-client-connection-ip"] = self.client_address[0]
        connection = http.client.HTTPConnection(*self.functions, timeout=30)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        http.server.BaseHTTPRequestHandler.end_headers(self)  # functions get no [[headers]] on Netlify
        self.wfile.write(data)

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


def serve(
    folder: Path, rules: list[HeaderRule], functions: tuple[str, int] | None = None
) -> tuple[QuietServer, threading.Thread]:
    handler = type("Handler", (NetlifyLikeHandler,), {"rules": tuple(rules), "functions": functions})
    server = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server, thread
