"""The threads of `wikigen serve`: a builder, two watchers and the HTTP server, around one `Session`.

Every decision is the session's (`session.py`); this module runs builds and previews, takes the lock, hands
the session what came of them, and posts the snapshot it leaves to the HTTP handlers.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from wikigen.build import BuildResult, SearchMode, build, preview, site_renderer
from wikigen.config import load_config
from wikigen.index import SearchIndexError
from wikigen.model import Diagnostic
from wikigen.render import SiteRenderer
from wikigen.report import text_line
from wikigen.serve.changes import Change
from wikigen.serve.handler import Board, HTTPServer
from wikigen.serve.headers import site_rules
from wikigen.serve.session import Outcome, Session, Status
from wikigen.serve.watch import Watcher, stamps
from wikigen.write import OutputError, output_folder


class DevServer:
    """Builder, watchers and HTTP server. `start()` returns once the first build finished; `stop()` ends all."""

    def __init__(self, root: Path, port: int = 8000, host: str = "127.0.0.1", *, search: bool = True,
                 verbose: bool = False, log: Callable[[str], None] | None = None, drafts: bool = False) -> None:
        self.root = root.resolve()
        self.drafts = drafts  # `serve --drafts`: drafts are built too, with a banner
        self.session = Session(self.root, search)
        self.board = Board(self.session.snapshot)
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._dirty = threading.Event()
        self._pending: list[Change] = []  # changes since the builder last looked
        self._pending_lock = threading.Lock()
        self._renderer: SiteRenderer | None = None  # the last published site, for previews
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._headers_note: str | None = None
        self.watcher = Watcher(self.root, self._note, self._stop, self._log)
        self.httpd = HTTPServer((host, port), self.board, verbose)  # binds now: a busy port fails early

    @property
    def url(self) -> str:
        host, port = str(self.httpd.server_address[0]), self.httpd.server_address[1]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    @property
    def output(self) -> Path | None:
        return self.board.snapshot.output

    # ---------------- lifecycle

    def start(self) -> None:
        """Build once, then watch and serve. The first build runs before any thread, so that it can fork its
        workers (a cold build takes half the time on two cores); files changed meanwhile cause a second one."""
        before = stamps(self.root)
        self.rebuild()
        self._spawn("wikigen-watch-tree", self.watcher.trees)
        self._spawn("wikigen-watch-files", self.watcher.files)
        self.watcher.wait_armed()
        if stamps(self.root) != before:
            self.watcher.moved()
        self._spawn("wikigen-builder", self._builder)
        self._spawn("wikigen-http", self._serve_http)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=self._guard(target), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._dirty.set()
        with self.board.changed:
            self.board.stopping = True
            self.board.changed.notify_all()
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
        """Edits first: each batch is previewed if the session says so, then built; the search index is brought
        up to date when the session says so."""
        if self._renderer is None and self.session.status.ok:  # the first build changed nothing, so made none
            self._renderer = site_renderer(self.root, self.drafts)
        while not self._stop.is_set():
            with self.board.changed:
                index = self.session.index_now(edits_waiting=self._dirty.is_set())
            if index:
                self.rebuild(index=True)
                continue
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            with self._pending_lock:
                changes, self._pending = self._pending, []
            self._show_preview(changes)
            self.rebuild()

    def _note(self, changes: Sequence[Change]) -> None:
        with self._pending_lock:
            self._pending.extend(changes)
        self._dirty.set()

    def _show_preview(self, changes: Sequence[Change]) -> None:
        """Serve the edited articles' pages rendered in memory until the next build finishes."""
        with self.board.changed:
            articles = self.session.preview_for(changes)
        if self._renderer is None or not articles:
            return
        started = time.perf_counter()
        try:
            pages = preview(self._renderer, articles)
        except Exception:  # the build that follows reports whatever went wrong
            self._log("wikigen serve: preview failed, building:\n" + traceback.format_exc(limit=-3))
            return
        if not pages:
            return
        shown = {path.relative_to(self.root).as_posix() for path in articles if path.is_relative_to(self.root)}
        with self.board.changed:
            self.session.previewed(pages, shown)
            self.board.post(self.session.snapshot)
        self._log(f"[{time.strftime('%H:%M:%S')}] preview of {', '.join(sorted(pages))} in "
                  f"{time.perf_counter() - started:.2f} s; building")

    def _build(self, index: bool) -> tuple[BuildResult | None, str | None, bool]:
        """Run one build: (its result or None, the failure, whether it built the search index)."""
        with self.board.changed:
            search = self.session.begin(index)
            self.board.post(self.session.snapshot)
        try:
            output = output_folder(load_config(self.root).config)
            rules, note = site_rules(self.root)
            if note and note != self._headers_note:
                self._log(f"wikigen serve: {note}")
            self._headers_note = note
            with self.board.changed:
                self.session.serve_from(output, rules)
            try:
                searched = search is SearchMode.BUILD
                return build(self.root, search=search, drafts=self.drafts), None, searched
            except SearchIndexError as exc:
                if search is not SearchMode.BUILD:
                    raise
                with self.board.changed:
                    self.session.search_failed()
                self._log(f"wikigen serve: search index failed, serving without search: {exc}")
                return build(self.root, search=SearchMode.OFF, drafts=self.drafts), None, False
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, OSError | NotImplementedError | OutputError | SearchIndexError):
                failure += "\n" + traceback.format_exc(limit=-3)
            return None, failure, False

    def rebuild(self, index: bool = False) -> Status:
        """Build once, update the status and tell the pages. The search index is rebuilt when `index` is set and
        Pagefind works; otherwise the previous one is kept and an index build becomes due."""
        started = time.perf_counter()
        result, failure, searched = self._build(index)
        problems: tuple[Diagnostic, ...] = (*result.diagnostics, *result.problems) if result else ()
        outcome = Outcome(
            [{"path": d.path, "line": d.line, "column": d.column, "code": d.code, "severity": str(d.severity),
              "message": d.message, "text": text_line(d)} for d in problems] if result else None,
            bool(result and result.published), failure, time.perf_counter() - started)
        with self.board.changed:
            status = self.session.finished(outcome, index, searched, self._read_output)
            self.board.post(self.session.snapshot)
        if result is not None and result.renderer is not None:
            self._renderer = result.renderer
        self._report(status, problems)
        return status

    def _read_output(self, path: str) -> bytes | None:
        output = self.session.output
        with contextlib.suppress(OSError):
            return (output / path).read_bytes() if output is not None else None
        return None

    def _report(self, status: Status, diagnostics: Sequence[Diagnostic]) -> None:
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


def serve(root: Path, port: int = 8000, host: str = "127.0.0.1", *, search: bool = True,
          verbose: bool = False, drafts: bool = False) -> int:
    """Run until Ctrl+C (or SIGTERM). Returns 0."""
    server = DevServer(root, port, host, search=search, verbose=verbose, drafts=drafts)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        print(f"serving {server.url} from {server.output} (Ctrl+C to stop); watching content, "
              "bibliography, theme, pyproject.toml and netlify.toml", flush=True)
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
