"""`wikigen serve`: build, serve the output on 127.0.0.1, rebuild on change and reload open pages.

The site is built into the configured output folder, exactly as `wikigen build` does. An edit to an
article is shown at once as a preview: its page rendered in memory against the last published site (tens of
milliseconds) and served in place of the file on disk, while the build runs. The build publishes the edit
with the previous search index, and a second build brings the index up to date while no other edit waits:
it re-indexes the shard holding the article (about 500 pages, seconds). The dev server adds one thing to the
HTML it sends (never to the files on disk): `<script src="/__wikigen/live.js" defer>`. No inline script, so
pages still work under the site's strict Content-Security-Policy. live.js listens to `/__wikigen/events`
(Server-Sent Events, polling `/__wikigen/status` where SSE is missing), reloads the page when what the server
shows changes (a preview, a published build), and shows check errors as an overlay built with DOM APIs.

Endpoints: `/__wikigen/live.js`, `/__wikigen/status` (JSON: build, published, indexed, previewed and view
counters, diagnostics, failure), `/__wikigen/events` (SSE: a `build` event whenever the build or view counter
moves).
"""

from __future__ import annotations

import contextlib
import html
import http.server
import ipaddress
import json
import mimetypes
import re
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import watchfiles

from wikigen.build import build, output_folder, preview, site_renderer
from wikigen.config import CONFIG_FILE, Config, load_config
from wikigen.index import SearchIndexError
from wikigen.load import stamp
from wikigen.render import SiteRenderer
from wikigen.report import text_line
from wikigen.write import OutputError

PREFIX = "/__wikigen/"
LIVE_JS = "live.js"
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_WATCH_TIMEOUT_MS = 400  # how often the watchers look at the stop flag and re-read the configuration
_SSE_PING_SECONDS = 15.0
_ARM_SECONDS = 5.0  # at most this long for the watchers to start watching
_PREVIEW_LIMIT = 8  # more articles changed at once (a checkout): the build alone

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")


# ---------------------------------------------------------------- state shared by the builder and the handlers


@dataclass
class Status:
    build: int = 0  # finished build attempts
    published: int = 0  # builds that replaced the output folder with new pages (open pages reload)
    indexed: int = 0  # builds that only brought the search index up to date (no reload)
    building: bool = False
    ok: bool = False
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None  # the build crashed or could not write (not a check error)
    seconds: float = 0.0
    search: bool = False  # the Pagefind index is part of the published output
    indexing: bool = False  # the published pages are newer than the search index, which is being rebuilt
    previewed: int = 0  # edits shown as a preview before their build finished
    view: int = 0  # what the server shows changed (a preview shown or withdrawn, a build published): pages reload
    unchanged: list[str] = field(default_factory=list)  # URLs the last view change left as they were: no reload

    @property
    def errors(self) -> int:
        return sum(d["severity"] == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d["severity"] == "warning" for d in self.diagnostics)

    def as_json(self) -> dict[str, Any]:
        return {
            "build": self.build, "published": self.published, "building": self.building, "ok": self.ok,
            "indexed": self.indexed, "errors": self.errors, "warnings": self.warnings, "diagnostics": self.diagnostics,
            "failure": self.failure, "seconds": round(self.seconds, 3), "search": self.search,
            "indexing": self.indexing, "previewed": self.previewed, "view": self.view, "unchanged": self.unchanged,
        }


class _Shared:
    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.status = Status()
        self.output: Path | None = None
        self.stopping = False
        self.previews: dict[str, bytes] = {}  # output path -> page shown instead of the file; replaced, never mutated

    def snapshot(self) -> dict[str, Any]:
        with self.changed:
            return self.status.as_json()


# ---------------------------------------------------------------- live.js

LIVE_SCRIPT = r"""// wikigen dev server: reload on rebuild, show check errors. Served only by `wikigen serve`.
(() => {
  "use strict";
  const me = document.currentScript;
  let loaded = Number((me && me.dataset.view) || "0");
  const ID = "wikigen-dev-overlay";
  let dismissed = -1;
  let busy = false;
  let again = false;
  let reloading = false;

  function remove() {
    const old = document.getElementById(ID);
    if (old) old.remove();
  }

  function overlay(status) {
    remove();
    const box = document.createElement("section");
    box.id = ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-label", "wikigen build problems");
    Object.assign(box.style, {
      position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647", maxHeight: "50vh",
      overflow: "auto", margin: "0", padding: "1rem 1.25rem", background: "#1f1f1f", color: "#f5f5f5",
      font: "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      borderTop: "4px solid #d93025", boxShadow: "0 -4px 16px rgba(0,0,0,.35)", textAlign: "left",
    });
    const title = document.createElement("strong");
    title.style.display = "block";
    title.style.marginBottom = ".5rem";
    if (status.failure) {
      title.textContent = "wikigen: the build failed; the page shows the previous output";
    } else {
      const n = status.errors;
      title.textContent = "wikigen: build refused, " + n + " error" + (n === 1 ? "" : "s") +
        "; the page shows the previous output";
    }
    box.appendChild(title);
    const list = document.createElement("ul");
    Object.assign(list.style, { margin: "0", padding: "0", listStyle: "none" });
    if (status.failure) {
      const item = document.createElement("li");
      item.style.whiteSpace = "pre-wrap";
      item.textContent = status.failure;
      list.appendChild(item);
    }
    for (const d of status.diagnostics || []) {
      const item = document.createElement("li");
      item.style.whiteSpace = "pre-wrap";
      item.style.color = d.severity === "error" ? "#ffb4ab" : "#ffe08a";
      item.textContent = d.text;
      list.appendChild(item);
    }
    box.appendChild(list);
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    Object.assign(close.style, { marginTop: ".75rem", font: "inherit", cursor: "pointer" });
    close.addEventListener("click", () => { dismissed = status.build; remove(); });
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  async function refresh() {
    if (reloading) return;
    if (busy) {  // an event while the status is on its way: look again once it is here
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch("/__wikigen/status", { cache: "no-store" });
      if (!response.ok) return;
      const status = await response.json();
      if (status.view === loaded + 1 && status.unchanged.includes(window.location.pathname)) {
        loaded = status.view;  // the build published this page as its preview showed it
      } else if (status.view !== loaded && status.view > 0) {
        reloading = true;  // once: a second reload would abort the first
        window.location.reload();
        return;
      }
      if ((status.failure || status.errors > 0) && status.build !== dismissed) overlay(status);
      else if (!status.failure && status.errors === 0) remove();
    } catch (error) {
      // the server is restarting; the next event or poll tries again
    } finally {
      busy = false;
      if (again && !reloading) {
        again = false;
        refresh();
      }
    }
  }

  if (typeof EventSource === "function") {
    const source = new EventSource("/__wikigen/events");
    source.addEventListener("build", refresh);
  } else {
    window.setInterval(refresh, 1000);
  }
  refresh();
})();
"""


def inject(html: bytes, view: int) -> bytes:
    """The page with the live.js tag before `</head>` (else before `</body>`, else at the end)."""
    tag = f'<script src="{PREFIX}{LIVE_JS}" data-view="{view}" defer></script>'.encode()
    for pattern in (_HEAD_END, _BODY_END):
        if match := pattern.search(html):
            return html[: match.start()] + tag + html[match.start() :]
    return html + tag


def _dev_page(title: str, message: str) -> bytes:
    title, message = html.escape(title), html.escape(message)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"
    ).encode()


def previewable(changed: set[Path]) -> list[Path]:
    """The articles to preview for a batch of changed paths: none unless every path still there is an article
    (a `.md` file), and at most a few. Paths gone again are an editor's temporary files (vim's `4913`, a
    `.tmp` renamed over the article) or a deleted asset, which the build that follows reports."""
    articles = sorted(p for p in changed if p.suffix == ".md")
    if len(articles) > _PREVIEW_LIMIT or any(p.suffix != ".md" and p.exists() for p in changed):
        return []
    return articles


def _unchanged(previews: dict[str, bytes], output: Path | None) -> list[str]:
    """The URLs (both spellings) of previewed pages that the build published byte for byte as previewed."""
    urls = []
    for path, content in sorted(previews.items()):
        with contextlib.suppress(OSError):
            if output is not None and (output / path).read_bytes() == content:
                urls.append("/" + path)
                if path.endswith("/index.html"):
                    urls.append("/" + path.removesuffix("index.html"))
    return urls


# ---------------------------------------------------------------- HTTP


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles in a thread after a response
    timeout = 10  # seconds a silent client may hold a connection

    def __init__(self, request: Any, client_address: Any, server: _HTTPServer) -> None:
        # `directory` is set per request in `_file` (the output folder is swapped by rebuilds)
        super().__init__(request, client_address, server, directory=str(server.shared.output or "/nonexistent"))

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

    def _send(self, status: int, body: bytes, content_type: str, head_only: bool = False,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
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
        else:
            self._file(path, head_only)

    def _dev(self, name: str, head_only: bool) -> None:
        shared = self.server.shared
        if name == LIVE_JS:
            self._send(200, LIVE_SCRIPT.encode(), "text/javascript; charset=utf-8", head_only)
        elif name == "status":
            body = json.dumps(shared.snapshot(), ensure_ascii=False).encode()
            self._send(200, body, "application/json; charset=utf-8", head_only)
        elif name == "events" and not head_only:
            self._events()
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head_only)

    def _events(self) -> None:
        shared = self.server.shared
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent = (-1, -1)
        last = time.monotonic()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                with shared.changed:
                    if not shared.stopping and (shared.status.build, shared.status.view) == sent:
                        shared.changed.wait(timeout=0.5)
                    if shared.stopping:
                        return
                    current = (shared.status.build, shared.status.view)
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
        shared = self.server.shared
        with shared.changed:
            output, view, previews = shared.output, shared.status.view, shared.previews
        if output is None or not output.is_dir():
            body = inject(_dev_page("No build yet", "The site has not been built yet; see the terminal or the "
                                    "overlay for the problems. This page reloads when a build succeeds."), view)
            self._send(503, body, "text/html; charset=utf-8", head_only)
            return
        self.directory = str(output)
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


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # event streams end on `stopping`; an idle browser socket must not delay Ctrl+C

    def __init__(self, address: tuple[str, int], shared: _Shared, verbose: bool) -> None:
        self.shared = shared
        self.verbose = verbose
        host = address[0]
        try:
            self.loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            self.loopback = False
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


# ---------------------------------------------------------------- the server


class DevServer:
    """Builder, watchers and HTTP server. `start()` returns once the first build finished; `stop()` ends all."""

    def __init__(self, root: Path, port: int = 8000, host: str = "127.0.0.1", *, search: bool = True,
                 verbose: bool = False, log: Callable[[str], None] | None = None) -> None:
        self.root = root.resolve()
        self.search = search
        self.shared = _Shared()
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._dirty = threading.Event()
        self._pending: set[Path] = set()  # files changed since the builder last looked (the root: anything else)
        self._pending_lock = threading.Lock()
        self._renderer: SiteRenderer | None = None  # the last published site, for previews
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._armed = (threading.Event(), threading.Event())  # each watcher is watching
        self._search_broken = False
        self._index_due = False  # pages were published with the previous search index
        self._force_polling: bool | None = None  # None: watchfiles decides (inotify); True after inotify failed
        self.httpd = _HTTPServer((host, port), self.shared, verbose)  # binds now: a busy port fails early

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    # ---------------- lifecycle

    def start(self) -> None:
        """Build once, then watch and serve. The first build runs before any thread, so that it can fork its
        workers (a cold build takes half the time on two cores); files changed meanwhile cause a second one."""
        before = self._stamp()
        self.rebuild()
        self._spawn("wikigen-watch-tree", self._watch_trees)
        self._spawn("wikigen-watch-files", self._watch_files)
        for armed in self._armed:  # a save before a watcher watches is seen only by the stamps
            armed.wait(_ARM_SECONDS)
        if self._stamp() != before:
            self._note([self.root])
        self._spawn("wikigen-builder", self._builder)
        self._spawn("wikigen-http", self._serve_http)

    def _stamp(self) -> list[tuple[str, tuple[int, ...]]]:
        """Every watched file with its stamp (the one the loader trusts: size, times, inode, device)."""
        folders, files, output = self._targets()
        found = [path for folder in folders for path in folder.rglob("*")
                 if output is None or not path.is_relative_to(output)]
        stamps = []
        for path in sorted({*found, *files}):
            with contextlib.suppress(OSError):
                stamps.append((str(path), stamp(path.stat())))
        return stamps

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=self._guard(target), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._dirty.set()
        with self.shared.changed:
            self.shared.stopping = True
            self.shared.changed.notify_all()
        if any(t.name == "wikigen-http" and t.is_alive() for t in self._threads):
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout)

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        return tuple(self._threads)

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _guard(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception:  # a dev server keeps going; the traceback goes to the terminal
                self._log("wikigen serve: internal error in a background thread:\n" + traceback.format_exc())

        return run

    def _serve_http(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    # ---------------- building

    def _builder(self) -> None:
        """Edits first: an edited article is previewed, then published with the previous search index, and the
        index is brought up to date (a second build that keeps every page and re-indexes the changed shards) only
        while no edit waits, since Pagefind takes seconds a shard."""
        if self._renderer is None and self.shared.status.ok:  # the first build changed nothing, so made none
            self._renderer = site_renderer(self.root)
        while not self._stop.is_set():
            if self._index_due and not self._dirty.is_set():
                self.rebuild(index=True)
                continue
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            with self._pending_lock:
                changed, self._pending = self._pending, set()
            self._show_preview(changed)
            self.rebuild()

    def _note(self, paths: Iterable[Path]) -> None:
        with self._pending_lock:
            self._pending.update(paths)
        self._dirty.set()

    def _show_preview(self, changed: set[Path]) -> None:
        """Serve the edited articles' pages rendered in memory until the next build finishes. Only when nothing
        but a few articles changed and the last build's errors, if any, were in those articles (the usual
        save, error, fix); otherwise the build alone."""
        renderer, articles = self._renderer, previewable(changed)
        if renderer is None or not articles:
            return
        with self.shared.changed:
            status = self.shared.status
            blocking = {self.root / d["path"] for d in status.diagnostics if d["severity"] == "error"}
            if status.failure or not blocking <= set(articles):
                return
        started = time.perf_counter()
        try:
            pages = preview(renderer, articles)
        except Exception:  # the build that follows reports whatever went wrong
            self._log("wikigen serve: preview failed, building:\n" + traceback.format_exc(limit=-3))
            return
        if not pages:
            return
        shown = {path.relative_to(self.root).as_posix() for path in articles if path.is_relative_to(self.root)}
        with self.shared.changed:
            status = self.shared.status
            self.shared.previews = pages
            status.previewed += 1
            status.view += 1
            # the previewed files check clean now: the last build's problems with them are out of date
            status.diagnostics = [d for d in status.diagnostics if d["path"] not in shown]
            self.shared.changed.notify_all()
        self._log(f"[{time.strftime('%H:%M:%S')}] preview of {', '.join(sorted(pages))} in "
                  f"{time.perf_counter() - started:.2f} s; building")

    def rebuild(self, index: bool = False) -> Status:
        """Build once, update the status and tell the pages. The search index is rebuilt when `index` is set and
        Pagefind works; otherwise the previous one is kept and an index build becomes due."""
        shared = self.shared
        with shared.changed:
            shared.status.building = True
        started = time.perf_counter()
        failure = None
        result = None
        wanted = self.search and not self._search_broken
        with_search = index and wanted
        if index:
            self._index_due = False  # tried once per edit, whatever comes of it
        try:
            shared.output = self._output(load_config(self.root).config)
            try:
                result = build(self.root, search=with_search, keep_index=wanted and not with_search)
            except SearchIndexError as exc:
                if not with_search:
                    raise
                self._search_broken = True
                with_search = False
                self._log(f"wikigen serve: search index failed, serving without search: {exc}")
                result = build(self.root, search=False)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, OSError | NotImplementedError | OutputError | SearchIndexError):
                failure += "\n" + traceback.format_exc(limit=-3)
        seconds = time.perf_counter() - started
        with shared.changed:
            status = shared.status
            status.build += 1
            status.building = False
            status.seconds = seconds
            status.failure = failure
            if result is not None:
                status.diagnostics = [
                    {"path": d.path, "line": d.line, "column": d.column, "code": d.code,
                     "severity": str(d.severity), "message": d.message, "text": text_line(d)}
                    for d in (*result.diagnostics, *result.problems)
                ]
                status.ok = result.published
                if result.published:
                    if index:
                        status.indexed += 1
                    else:
                        status.published += 1
                        status.view += 1
                    self._index_due = wanted and not with_search and not self._search_broken
                    status.search = with_search or (self._index_due and status.search)
                    status.indexing = self._index_due
            else:
                status.diagnostics, status.ok = [], False
            status.unchanged = []
            if shared.previews and result and result.published and not index:
                status.unchanged = _unchanged(shared.previews, shared.output)
            elif shared.previews:
                status.view += 1  # a preview the build did not publish is withdrawn: pages show the output again
            shared.previews = {}
            shared.changed.notify_all()
            snapshot = Status(**{**status.__dict__, "diagnostics": list(status.diagnostics)})
        if result is not None and result.renderer is not None:
            self._renderer = result.renderer
        self._report(snapshot, (*result.diagnostics, *result.problems) if result else ())
        return snapshot

    def _report(self, status: Status, diagnostics) -> None:
        for d in diagnostics:
            self._log(text_line(d))
        stamp = time.strftime("%H:%M:%S")
        if status.failure:
            self._log(f"[{stamp}] build #{status.build} failed: {status.failure}")
        elif not status.ok:
            self._log(f"[{stamp}] build #{status.build} refused: {status.errors} errors, {status.warnings} warnings; "
                      "serving the previous output")
        else:
            search = " (search index updating)" if status.indexing else "" if status.search else " (no search index)"
            self._log(f"[{stamp}] build #{status.build} published in {status.seconds:.2f} s, "
                      f"{status.warnings} warnings{search}")

    def _output(self, config: Config) -> Path:
        output = output_folder(config)
        content = config.path("content")
        if output.is_relative_to(content) or content.is_relative_to(output):
            raise OutputError(f"output {output} overlaps the content folder {content}: serve will not write there")
        return output

    # ---------------- watching

    def _targets(self) -> tuple[list[Path], set[Path], Path | None]:
        """Folders to watch recursively, single files to watch, and the output folder to ignore."""
        config = load_config(self.root).config
        folders = [p for p in (config.path("content"), config.path("theme"), config.path("evidence")) if p.is_dir()]
        files = {config.path("bibliography"), (self.root / CONFIG_FILE).resolve()}
        try:
            output = output_folder(config)
        except Exception:
            output = None
        return folders, files, output

    def _changed(self, changes: set[tuple[watchfiles.Change, str]], output: Path | None) -> list[Path]:
        """The changed paths outside the output folder."""
        paths = (Path(raw) for _, raw in changes)
        return [path for path in paths if output is None or not path.is_relative_to(output)]

    def _watch(self, paths: list[Path], **options: Any):
        """watchfiles.watch, falling back to polling when the OS watcher fails (e.g. out of inotify watches)."""
        while True:
            try:
                yield from watchfiles.watch(*paths, stop_event=self._stop, yield_on_timeout=True,
                                            rust_timeout=_WATCH_TIMEOUT_MS, debounce=400, step=30,
                                            force_polling=self._force_polling, **options)
                return
            except OSError as exc:
                if self._force_polling:
                    raise
                self._force_polling = True
                self._log(f"wikigen serve: file watching failed ({exc}); polling for changes instead")

    def _watch_trees(self) -> None:
        """content/ and theme/ recursively; restarts when the configured folders change or appear."""
        while not self._stop.is_set():
            folders, _, output = self._targets()
            if not folders:
                self._armed[0].set()
                self._stop.wait(_WATCH_TIMEOUT_MS / 1000)
                continue
            for changes in self._watch(folders, recursive=True):
                self._armed[0].set()
                if changes and (paths := self._changed(changes, output)):
                    self._note(paths)
                if self._targets()[0] != folders:
                    self._note([self.root])
                    break

    def _watch_files(self) -> None:
        """The bibliography and pyproject.toml: their folders non-recursively (editors replace files on save)."""
        while not self._stop.is_set():
            _, files, _ = self._targets()
            parents = sorted({f.parent for f in files if f.parent.is_dir()})
            if not parents:
                self._armed[1].set()
                self._stop.wait(_WATCH_TIMEOUT_MS / 1000)
                continue
            for changes in self._watch(parents, recursive=False, watch_filter=None):
                self._armed[1].set()
                if watched := [Path(raw) for _, raw in changes if Path(raw) in files]:
                    self._note(watched)
                if self._targets()[1] != files:
                    self._note([self.root])
                    break


def serve(root: Path, port: int = 8000, host: str = "127.0.0.1", *, search: bool = True,
          verbose: bool = False) -> int:
    """Run until Ctrl+C (or SIGTERM). Returns 0."""
    server = DevServer(root, port, host, search=search, verbose=verbose)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        print(f"serving {server.url} from {server.shared.output} (Ctrl+C to stop); watching content, "
              "bibliography, theme and pyproject.toml", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("stopped", flush=True)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
