"""The dev server's HTTP side: the output folder (or a preview in its place) with live.js added, under the
site's production headers, and the `/__wikigen/` endpoints.

Each request reads one `Snapshot`, which the session replaces whole after every transition, so a response
never mixes two states of the server. The HTML it sends (never the files on disk) gets one tag,
`<script src="/__wikigen/live.js" defer>`: no inline script, so pages work under the site's strict
Content-Security-Policy, which the handler sends as `netlify.toml` has it (`headers.for_dev`).
"""

from __future__ import annotations

import html
import http.server
import ipaddress
import json
import mimetypes
import re
import socket
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from wikigen.serve.headers import for_dev, headers_for
from wikigen.serve.redirects import redirect
from wikigen.serve.session import Snapshot

PREFIX = "/__wikigen/"
FUNCTIONS = "/.netlify/functions/"  # Netlify Functions (netlify/functions/) run on Netlify, not here
LIVE_JS = "live.js"
LIVE_SCRIPT = (Path(__file__).parent / LIVE_JS).read_bytes()
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")
_SSE_PING_SECONDS = 15.0

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")


class Board:
    """The snapshot the handlers serve, and the condition the event streams wait on."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.changed = threading.Condition()
        self.snapshot = snapshot
        self.stopping = False

    def post(self, snapshot: Snapshot) -> None:
        """Called with `changed` held."""
        self.snapshot = snapshot
        self.changed.notify_all()


def inject(page: bytes, view: int) -> bytes:
    """The page with the live.js tag before `</head>` (else before `</body>`, else at the end)."""
    tag = f'<script src="{PREFIX}{LIVE_JS}" data-view="{view}" defer></script>'.encode()
    for pattern in (_HEAD_END, _BODY_END):
        if match := pattern.search(page):
            return page[: match.start()] + tag + page[match.start() :]
    return page + tag


def _dev_page(title: str, message: str) -> bytes:
    title, message = html.escape(title), html.escape(message)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"
    ).encode()


class Handler(http.server.SimpleHTTPRequestHandler):
    server: HTTPServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles in a thread after a response
    timeout = 10  # seconds a silent client may hold a connection

    def __init__(self, request: Any, client_address: Any, server: HTTPServer) -> None:
        self.snapshot = server.board.snapshot  # the one state this request is answered from
        super().__init__(request, client_address, server, directory=str(self.snapshot.output or "/nonexistent"))

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _host_allowed(self) -> bool:
        """Refuse foreign Host headers on a loopback server (DNS rebinding)."""
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in _LOOPBACK_NAMES

    def _production_headers(self) -> dict[str, str]:
        path = urllib.parse.urlsplit(self.path).path
        host = (self.headers.get("Host") or "").strip()
        if not _HOST.fullmatch(host):  # it goes into the policy: nothing but a host and a port
            name, port = str(self.server.server_address[0]), self.server.server_address[1]
            host = f"[{name}]:{port}" if ":" in str(name) else f"{name}:{port}"
        return for_dev(headers_for(self.snapshot.headers, path), f"http://{host}", PREFIX)

    def _send(self, status: int, body: bytes, content_type: str, head_only: bool = False,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in {**self._production_headers(), **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._route(head_only=True)

    def do_GET(self) -> None:
        self._route(head_only=False)

    def _route(self, head_only: bool) -> None:
        if not self._host_allowed():
            self._send(403, b"wikigen serve: unexpected Host header\n", "text/plain; charset=utf-8", head_only)
            return
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(PREFIX):
            self._dev(path[len(PREFIX) :], head_only)
        elif path.startswith(FUNCTIONS):
            # No content, rather than a 404 that every article's console would show: the page hides what needs
            # a function (the votes), as it does on a deploy where the function does not answer.
            self._send(204, b"", "text/plain; charset=utf-8", head_only,
                       {"X-Wikigen-Serve": "Netlify Functions run on Netlify only"})
        else:
            self._file(path, head_only)

    def _dev(self, name: str, head_only: bool) -> None:
        if name == LIVE_JS:
            self._send(200, LIVE_SCRIPT, "text/javascript; charset=utf-8", head_only)
        elif name == "status":
            self._send(200, self.snapshot.status, "application/json; charset=utf-8", head_only)
        elif name == "events" and not head_only:
            self._events()
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head_only)

    def _events(self) -> None:
        board = self.server.board
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        for name, value in self._production_headers().items():
            self.send_header(name, value)
        self.end_headers()
        sent = (-1, -1)
        last = time.monotonic()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                with board.changed:
                    if not board.stopping and (board.snapshot.build, board.snapshot.view) == sent:
                        board.changed.wait(timeout=0.5)
                    if board.stopping:
                        return
                    current = (board.snapshot.build, board.snapshot.view)
                if current != sent:
                    sent = current
                    data = json.dumps({"build": current[0], "view": current[1]})
                    self.wfile.write(f"event: build\ndata: {data}\n\n".encode())
                    self.wfile.flush()
                    last = time.monotonic()
                elif time.monotonic() - last > _SSE_PING_SECONDS:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    last = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            return

    def _file(self, path: str, head_only: bool) -> None:
        output, view, previews = self.snapshot.output, self.snapshot.view, self.snapshot.previews
        if output is None or not output.is_dir():
            body = inject(_dev_page("No build yet", "The site has not been built yet; see the terminal or the "
                                    "overlay for the problems. This page reloads when a build succeeds."), view)
            self._send(503, body, "text/html; charset=utf-8", head_only)
            return
        local = Path(self.translate_path(path))
        if local.is_dir():
            if not path.endswith("/"):
                parts = urllib.parse.urlsplit(self.path)
                target = urllib.parse.urlunsplit(("", "", parts.path + "/", parts.query, parts.fragment))
                self._send(301, b"", "text/plain; charset=utf-8", head_only, {"Location": target})
                return
            local = local / "index.html"
        elif not local.exists() and local.with_suffix(".html").is_file() and not path.endswith("/"):
            local = local.with_suffix(".html")
        status = 200
        if not local.is_file() and (rule := redirect(output, path)):
            target, code = rule
            if code in (301, 302, 303, 307, 308):
                query = urllib.parse.urlsplit(self.path).query
                self._send(code, b"", "text/plain; charset=utf-8", head_only,
                           {"Location": target + ("?" + query if query and "?" not in target else "")})
                return
        if not local.is_file():
            status, local = 404, output / "404.html"
            if not local.is_file():
                body = inject(_dev_page("Not found", f"No file for {path} in the output folder."), view)
                self._send(404, body, "text/html; charset=utf-8", head_only)
                return
        try:
            body = previews.get(local.relative_to(output).as_posix()) or local.read_bytes()
        except OSError:  # swapped away by a rebuild between the checks and the read
            self._send(503, b"rebuilding, try again\n", "text/plain; charset=utf-8", head_only, {"Retry-After": "1"})
            return
        content_type = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            body = inject(body, view)
        if content_type.startswith("text/") or content_type in ("application/json", "image/svg+xml"):
            content_type += "; charset=utf-8"
        self._send(status, body, content_type, head_only)


class HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event streams end on `stopping`; an idle browser socket must not delay Ctrl+C

    def __init__(self, address: tuple[str, int], board: Board, verbose: bool) -> None:
        self.board = board
        self.verbose = verbose
        host = address[0]
        try:
            self.loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            self.loopback = False
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
