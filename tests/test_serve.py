"""`wikigen serve`: pages get the live.js tag, edits rebuild, check errors show in the status and clear again.

In-process tests build with a stub renderer (one page per article), so they test the dev server, not the
theme; the command-line tests run the real build, whatever state the render stage is in.
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import wikigen.serve.server
from wikigen.index.update import SearchMode
from wikigen.model import OutputFile
from wikigen.render import PACKAGE_THEME
from wikigen.serve import DevServer, inject, previewable
from wikigen.serve.changes import Change, ChangeKind, Layout, detect_change_kind
from wikigen.serve.headers import (
    DEFAULT_CSP,
    DEFAULT_RULES,
    dev_policy,
    for_dev,
    header_rules,
    headers_for,
    load_netlify,
    site_rules,
)
from wikigen.serve.session import Outcome, Session
from wikigen.serve.watch import classify

SITE = Path(__file__).parent / "sites" / "scaffold"
REPO = Path(__file__).resolve().parents[1]
ARTICLE = "content/task-involvement.md"
TAG = '<script src="/__wikigen/live.js"'
DEADLINE = 15.0


@pytest.fixture
def site(copy_site, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the minimal site."""
    return copy_site(SITE)


@pytest.fixture
def server(site: Path) -> Iterator[DevServer]:
    lines: list[str] = []
    dev = DevServer(site, port=0, search=False, log=lines.append)
    dev.log_lines = lines  # type: ignore[attr-defined]
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()
    assert not [t for t in dev.threads if t.is_alive()], "serve threads still running after stop()"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", dev.httpd.server_address[1]), timeout=1):
        pass


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _status(dev: DevServer) -> dict:
    code, headers, body = _get(dev.url + "__wikigen/status")
    assert code == 200 and headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def _wait(dev: DevServer, condition: Callable[[dict], bool]) -> tuple[dict, float]:
    started = time.monotonic()
    while True:
        status = _status(dev)
        if condition(status):
            return status, time.monotonic() - started
        assert time.monotonic() - started < DEADLINE, f"timed out; last status {status}"
        time.sleep(0.05)


def _edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_inject_places_the_tag_in_the_head() -> None:
    page = b"<html><head><title>x</title></HEAD><body></body></html>"
    assert inject(page, 3) == (b'<html><head><title>x</title><script src="/__wikigen/live.js" data-view="3" '
                               b"defer></script></HEAD><body></body></html>")
    assert inject(b"<p>no head</p></body>", 1).startswith(b"<p>no head</p><script")
    assert inject(b"<p>bare</p>", 1).endswith(b"defer></script>")


def _layout(root: Path) -> Layout:
    return Layout(root, root / "content", root / "theme", root / "refs.bib", root / "public")


def test_previews_are_for_a_few_articles_and_ignore_vanished_temporary_files(tmp_path: Path) -> None:
    where = _layout(tmp_path)
    where.content.mkdir()
    articles = [where.content / f"a{n}.md" for n in range(9)]
    for path in articles:
        path.write_text("x", encoding="utf-8")
    (where.content / "figure.png").write_bytes(b"png")

    def changes(*paths: Path) -> list[Change]:
        return classify(paths, where)

    gone = (where.content / "4913", where.content / "a0.md.tmp")
    assert previewable(changes(articles[0], *gone)) == [articles[0]]  # gone again
    assert previewable(changes(articles[0], where.content / "figure.png")) == []  # an asset: the build decides
    assert previewable(changes(*articles[:8])) == articles[:8] and previewable(changes(*articles)) == []  # a checkout
    assert previewable(changes(where.content / "gone.md")) == [where.content / "gone.md"]  # `preview` declines it


def test_serves_pages_with_live_js(server: DevServer, site: Path) -> None:
    status = _status(server)
    assert status["ok"] and status["published"] == 1 and status["failure"] is None, status
    code, headers, body = _get(server.url)
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    assert body.count(TAG.encode()) == 1
    assert b"<script>" not in body  # nothing inline
    assert headers["Cache-Control"] == "no-store"
    on_disk = (site / "public" / "index.html").read_bytes()
    assert TAG.encode() not in on_disk  # the files on disk are untouched

    code, headers, script = _get(server.url + "__wikigen/live.js")
    assert code == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in script and b"/__wikigen/status" in script and b"innerHTML" not in script

    code, _, missing = _get(server.url + "no/such/page")
    assert code == 404 and TAG.encode() in missing
    assert _get(server.url + "__wikigen/nothing")[0] == 404


def test_netlify_function_paths_answer_no_content(server: DevServer) -> None:
    code, headers, body = _get(server.url + ".netlify/functions/votes?slug=alpha")
    assert (code, body) == (204, b"")
    assert "Netlify" in headers["X-Wikigen-Serve"]


def test_foreign_host_header_is_refused(server: DevServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": "evil.example"})
        response = connection.getresponse()
        response.read()
        assert response.status == 403
    finally:
        connection.close()


def test_event_stream_announces_builds(server: DevServer, site: Path) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=DEADLINE)
    try:
        connection.request("GET", "/__wikigen/events")
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"

        def next_event() -> dict[str, int]:
            while True:
                line = response.fp.readline().decode()
                if line.startswith("data: "):
                    return json.loads(line[6:])

        first = next_event()
        article = site / ARTICLE
        _edit(article, article.read_text(encoding="utf-8") + "\nA new sentence for the stream [@llm].\n")
        shown = next_event()  # the preview: what the server shows changed, no build finished yet
        assert shown == {"build": first["build"], "view": first["view"] + 1}
        assert next_event() == {"build": first["build"] + 1, "view": first["view"] + 2}
    finally:
        connection.close()


def test_edit_rebuilds_errors_show_and_clear(server: DevServer, site: Path) -> None:
    article = site / ARTICLE
    original = article.read_text(encoding="utf-8")
    before = _status(server)
    content_before = sorted(p.name for p in (site / "content").rglob("*"))

    _edit(article, original + "\nClinicians also use it in supervision [@llm].\n")
    status, seconds = _wait(server, lambda s: s["published"] > before["published"])
    assert status["build"] > before["build"] and status["ok"] and seconds < DEADLINE
    assert status["previewed"] == before["previewed"] + 1  # shown first, then published as shown
    assert "/articles/task-involvement/" in status["unchanged"] and status["view"] == before["view"] + 2
    _, _, page = _get(server.url + "articles/task-involvement/")
    assert b"supervision" in page

    _edit(article, original + "\nThis sentence has no marker.\n")
    status, _ = _wait(server, lambda s: s["errors"] > 0)
    assert not status["ok"] and status["published"] == before["published"] + 1
    assert status["previewed"] == before["previewed"] + 1  # an article with errors is not previewed
    [problem] = status["diagnostics"]
    assert (problem["path"], problem["code"], problem["severity"]) == (ARTICLE, "P001", "error")
    assert problem["text"].startswith(f"{ARTICLE}:{original.count(chr(10)) + 2}:1: P001 sentence has no marker")
    assert any("P001" in line for line in server.log_lines)  # printed in the terminal too
    code, _, page = _get(server.url)  # the previous output is still served
    assert code == 200 and TAG.encode() in page

    _edit(article, original + "\nThis sentence now has a marker [@nicholls1984].\n")
    status, _ = _wait(server, lambda s: s["errors"] == 0 and s["ok"])
    assert status["diagnostics"] == [] and status["published"] == before["published"] + 2
    assert status["previewed"] == before["previewed"] + 2  # the fix is previewed: the errors were its own
    assert sorted(p.name for p in (site / "content").rglob("*")) == content_before


def test_an_edit_is_published_before_the_search_index_catches_up(site: Path) -> None:
    lines: list[str] = []
    dev = DevServer(site, port=0, search=True, log=lines.append)
    with dev:
        first = _status(dev)
        assert first["published"] == 1 and first["indexing"] and not first["search"]  # pages first, index next
        indexed, _ = _wait(dev, lambda s: s["indexed"] == 1 and not s["indexing"])
        assert indexed["search"] and indexed["published"] == 1  # no reload for the index alone
        index = site / "public" / "pagefind" / "bundles.json"
        assert index.is_file()
        article = site / ARTICLE
        _edit(article, article.read_text(encoding="utf-8").replace("\n\n", "\n\nAn edit arrives [@llm].\n\n", 1))
        edited, _ = _wait(dev, lambda s: s["published"] == 2)
        if edited["indexing"]:  # the edit is live with the previous index, kept
            assert index.is_file() and edited["search"]
        assert b"An edit arrives" in _get(dev.url + "articles/task-involvement/")[2]
        done, _ = _wait(dev, lambda s: s["indexed"] == 2 and not s["indexing"])
        assert done["search"] and index.is_file()
    assert any("search index updating" in line for line in lines)


def test_a_fix_is_previewed_and_the_errors_it_fixes_are_cleared(server: DevServer, site: Path, request) -> None:
    article = site / ARTICLE
    original = article.read_text(encoding="utf-8")
    _edit(article, original + "\nThis sentence has no marker.\n")
    broken, _ = _wait(server, lambda s: s["errors"] == 1)
    release = request.getfixturevalue("held")  # from here on, builds wait
    _edit(article, original + "\nThis sentence now has a marker [@llm].\n")
    shown, _ = _wait(server, lambda s: s["previewed"] > broken["previewed"])
    assert (shown["errors"], shown["diagnostics"], shown["build"]) == (0, [], broken["build"])  # before the build
    assert b"now has a marker" in _get(server.url + "articles/task-involvement/")[2]
    release.set()
    _wait(server, lambda s: s["ok"] and s["build"] > broken["build"])


def test_the_first_build_runs_before_any_thread_and_edits_made_meanwhile_are_built(site: Path, monkeypatch) -> None:
    real_build = wikigen.serve.server.build
    threads_seen: list[int] = []
    article = site / ARTICLE

    def first_build(*args, **kwargs):
        if not threads_seen:  # an editor saves while the first build runs
            _edit(article, article.read_text(encoding="utf-8") + "\nSaved during the first build [@llm].\n")
        threads_seen.append(len(dev.threads))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(wikigen.serve.server, "build", first_build)
    dev = DevServer(site, port=0, search=False, log=[].append)
    with dev:
        assert threads_seen[0] == 0  # no watcher, builder or HTTP thread yet: the build may fork its workers
        _wait(dev, lambda s: s["published"] == 2)
        assert b"Saved during the first build" in _get(dev.url + "articles/task-involvement/")[2]


def test_bibliography_and_config_are_watched(server: DevServer, site: Path) -> None:
    bib = site / "bibliography.bib"
    before = _status(server)
    _edit(bib, bib.read_text(encoding="utf-8").replace("{T1}", "{T9}"))
    status, _ = _wait(server, lambda s: s["errors"] > 0)
    assert [d["code"] for d in status["diagnostics"]] == ["B004"]
    _edit(bib, bib.read_text(encoding="utf-8").replace("{T9}", "{T1}"))
    _wait(server, lambda s: s["ok"] and s["published"] > before["published"])

    pyproject = site / "pyproject.toml"
    _edit(pyproject, pyproject.read_text(encoding="utf-8") + "titel = 'typo'\n")
    status, _ = _wait(server, lambda s: s["errors"] > 0)
    assert [d["code"] for d in status["diagnostics"]] == ["C002"]


def test_an_edited_netlify_toml_is_served_after_the_next_build(server: DevServer, site: Path) -> None:
    assert _get(server.url)[1]["Content-Security-Policy"] == DEFAULT_CSP  # the site has none yet
    built = _status(server)["build"]
    (site / "netlify.toml").write_text('[[headers]]\n  for = "/*"\n  [headers.values]\n'
                                       '    Content-Security-Policy = "default-src \'self\'; frame-src \'none\'"\n',
                                       encoding="utf-8")
    _wait(server, lambda s: s["build"] > built and not s["building"])
    assert _get(server.url)[1]["Content-Security-Policy"] == "default-src 'self'; frame-src 'none'"


def test_build_failures_keep_the_server_running(server: DevServer, site: Path, monkeypatch) -> None:
    def broken(self, pages, *rest) -> Iterator[OutputFile]:
        raise RuntimeError("theme exploded")
        yield

    monkeypatch.setattr(importlib.import_module("wikigen.render").SiteRenderer, "site_files", broken)
    article = site / ARTICLE
    before = _status(server)
    _edit(article, article.read_text(encoding="utf-8") + "\nMore text [@llm].\n")
    status, _ = _wait(server, lambda s: s["build"] > before["build"] and s["failure"])
    assert "RuntimeError: theme exploded" in status["failure"] and status["published"] == before["published"]
    assert _get(server.url)[0] == 200  # the previous output is still served
    # the edit was previewed, and the preview withdrawn when its build failed: open pages reload to the output
    assert status["previewed"] == before["previewed"] + 1 and status["view"] == before["view"] + 2
    assert b"More text" not in _get(server.url + "articles/task-involvement/")[2]


@pytest.fixture
def held(server: DevServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """After the server's first build, builds wait for the event (set at teardown too, so that a failing test
    leaves no build waiting)."""
    release = threading.Event()
    real_build = wikigen.serve.server.build

    def held_build(*args, **kwargs):
        assert release.wait(DEADLINE)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(wikigen.serve.server, "build", held_build)
    yield release
    release.set()


def test_an_edit_is_shown_while_its_build_runs(server: DevServer, site: Path, held: threading.Event) -> None:
    article, on_disk = site / ARTICLE, site / "public" / "articles" / "task-involvement" / "index.html"
    before = _status(server)
    _edit(article, article.read_text(encoding="utf-8").replace("\n\n", "\n\nA sentence to preview [@llm].\n\n", 1))
    status, _ = _wait(server, lambda s: s["previewed"] > before["previewed"])
    assert status["view"] == before["view"] + 1 and status["published"] == before["published"]
    code, _, page = _get(server.url + "articles/task-involvement/")
    assert code == 200 and b"A sentence to preview" in page and page.count(TAG.encode()) == 1
    assert b"A sentence to preview" not in on_disk.read_bytes()  # shown from memory; the build has not run
    assert any("preview of articles/task-involvement/index.html" in line for line in server.log_lines)
    held.set()
    status, _ = _wait(server, lambda s: s["published"] > before["published"])
    assert status["view"] == before["view"] + 2 and "/articles/task-involvement/index.html" in status["unchanged"]
    assert b"A sentence to preview" in on_disk.read_bytes()


def _read_line(stream, timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert found, "no output from wikigen serve"
    return found[0]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_serve_runs_and_stops_cleanly(copy_site, stop_signal: int) -> None:
    """The real command, whatever the state of the render stage: it serves and stops on Ctrl+C or SIGTERM."""
    root = copy_site(SITE)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "wikigen", "serve", "--root", str(root), "--port", "0", "--no-search"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = _read_line(process.stdout, DEADLINE)
        assert line.startswith("serving http://127.0.0.1:"), line
        url = line.split()[1]
        code, _, script = _get(url + "__wikigen/live.js")
        assert code == 200 and b"EventSource" in script
        code, _, page = _get(url)
        assert code in (200, 503) and TAG.encode() in page
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=DEADLINE)
        assert process.returncode == 0, err
        assert "stopped" in out and "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_cli_serve_port_in_use(copy_site) -> None:
    root = copy_site(SITE)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "wikigen", "serve", "--root", str(root), "--port", str(port), "--no-search"],
            capture_output=True, text=True, timeout=DEADLINE, check=False,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"wikigen: cannot serve on 127.0.0.1:{port}:") and "Traceback" not in result.stderr


@pytest.mark.browser
def test_browser_overlay_and_reload_under_strict_csp(server: DevServer, site: Path, browser) -> None:
    """In Chromium under the CSP serve sends: an error shows the overlay, fixing it reloads the page; no console
    errors."""
    article = site / ARTICLE
    original = article.read_text(encoding="utf-8")
    problems: list[str] = []
    page = browser.new_page()
    try:
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        response = page.goto(server.url + "articles/task-involvement/")
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_function("() => document.querySelector('script[src=\"/__wikigen/live.js\"]') !== null")

        _edit(article, original + "\nThis sentence has no marker.\n")
        overlay = page.wait_for_selector("#wikigen-dev-overlay", timeout=DEADLINE * 1000)
        assert "P001 sentence has no marker" in overlay.inner_text()

        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        published = _status(server)["published"]
        with page.expect_navigation(timeout=DEADLINE * 1000):
            _edit(article, original + "\nThe fixed sentence is here [@llm].\n")
        page.wait_for_load_state()
        assert "The fixed sentence is here" in page.content()
        assert page.query_selector("#wikigen-dev-overlay") is None
        status, _ = _wait(server, lambda s: s["published"] > published)
        assert status["previewed"] >= 1 and page.url.endswith("/articles/task-involvement/")
        page.wait_for_timeout(1500)  # live.js has heard of the build: it publishes the page as previewed
        assert len(loads) == 1  # one reload, for the preview; none for the build that published the same page
    finally:
        page.close()
    assert problems == []


# ---------------------------------------------------------------- changes, session and headers, without a server


def test_each_change_is_classified_by_the_layout_alone(tmp_path: Path) -> None:
    where = _layout(tmp_path)
    kinds = {
        "content/a.md": ChangeKind.ARTICLE, "content/deep/b.md": ChangeKind.ARTICLE,
        "content/figure.png": ChangeKind.ASSET, "content": ChangeKind.ASSET,
        "refs.bib": ChangeKind.BIBLIOGRAPHY, "theme/templates/base.html": ChangeKind.THEME,
        "theme/notes.md": ChangeKind.THEME, "pyproject.toml": ChangeKind.CONFIG, "netlify.toml": ChangeKind.CONFIG,
        "": ChangeKind.CONFIG,  # the root: what is watched changed
        "public/index.html": None, "pyproject.toml~": None, "other.bib": None,
    }
    assert {name: detect_change_kind(tmp_path / name, where) for name in kinds} == kinds
    inside = Layout(tmp_path, tmp_path / "content", tmp_path / "theme", tmp_path / "content" / "refs.bib", None)
    assert detect_change_kind(tmp_path / "content" / "refs.bib", inside) is ChangeKind.BIBLIOGRAPHY
    excerpts = Layout(tmp_path, tmp_path / "content", tmp_path / "theme", tmp_path / "refs.bib", None, tmp_path / "ev")
    assert detect_change_kind(tmp_path / "ev" / "key.md", excerpts) is ChangeKind.BIBLIOGRAPHY
    assert tmp_path / "ev" in excerpts.folders


def _diagnostic(path: str, severity: str = "error") -> dict:
    return {"path": path, "line": 1, "column": 1, "code": "P001", "severity": severity, "message": "m", "text": "t"}


def _article(root: Path, name: str, exists: bool = True) -> Change:
    return Change(ChangeKind.ARTICLE, root / "content" / name, exists)


def test_a_preview_only_while_the_errors_are_in_the_articles_edited(tmp_path: Path) -> None:
    session = Session(tmp_path, search=False)
    edit = [_article(tmp_path, "a.md")]
    assert session.preview_for(edit) == [tmp_path / "content" / "a.md"]
    session.status.diagnostics = [_diagnostic("content/a.md"), _diagnostic("content/b.md", "warning")]
    assert session.preview_for(edit) == [tmp_path / "content" / "a.md"]  # save, error, fix
    session.status.diagnostics.append(_diagnostic("content/b.md"))
    assert session.preview_for(edit) == []  # another file blocks the build: it alone decides
    session.status.diagnostics, session.status.failure = [], "OSError: disk full"
    assert session.preview_for(edit) == []
    session.status.failure = None
    assert session.preview_for([*edit, Change(ChangeKind.BIBLIOGRAPHY, tmp_path / "refs.bib", True)]) == []


def _outcome(published: bool = True, diagnostics: list | None = None) -> Outcome:
    return Outcome([] if diagnostics is None else diagnostics, published, None, 0.5)


def test_an_edit_is_published_with_the_old_index_and_indexed_while_no_edit_waits(tmp_path: Path) -> None:
    session = Session(tmp_path, search=True)
    assert session.begin(index=False) is SearchMode.KEEP  # the previous index is kept
    status = session.finished(_outcome(), index=False, searched=False, read=lambda path: None)
    assert (status.published, status.view, status.indexing, session.index_due) == (1, 1, True, True)
    assert not session.index_now(edits_waiting=True) and session.index_now(edits_waiting=False)
    assert session.begin(index=True) is SearchMode.BUILD and not session.index_due  # tried once per edit
    status = session.finished(_outcome(), index=True, searched=True, read=lambda path: None)
    assert (status.published, status.indexed, status.view, status.search, status.indexing) == (1, 1, 1, True, False)
    session.search_failed()
    assert session.begin(index=True) is SearchMode.OFF
    status = session.finished(_outcome(), index=False, searched=False, read=lambda path: None)
    assert (status.search, status.indexing, session.index_due) == (False, False, False)
    assert json.loads(session.snapshot.status)["published"] == 2 and session.snapshot.view == status.view


def test_a_preview_is_kept_when_published_as_shown_and_withdrawn_when_not(tmp_path: Path) -> None:
    session = Session(tmp_path, search=False)
    session.status.diagnostics = [_diagnostic("content/a.md")]
    page = {"articles/a/index.html": b"<p>new</p>"}
    session.previewed(page, {"content/a.md"})
    snapshot = session.snapshot
    assert (snapshot.view, dict(snapshot.previews), session.status.diagnostics) == (1, page, [])
    status = session.finished(_outcome(), index=False, searched=False, read=page.get)
    assert status.unchanged == ["/articles/a/index.html", "/articles/a/"] and status.view == 2
    assert dict(session.snapshot.previews) == {} and dict(snapshot.previews) == page  # a snapshot never changes
    session.previewed(page, set())
    status = session.finished(_outcome(published=False, diagnostics=[_diagnostic("content/b.md")]), index=False,
                              searched=False, read=page.get)
    assert (status.view, status.unchanged, status.ok, status.errors) == (4, [], False, 1)  # withdrawn: pages reload
    session.previewed(page, set())
    status = session.finished(Outcome(None, False, "OSError: no space", 0.1), index=False, searched=False,
                              read=page.get)
    assert (status.view, status.diagnostics, status.failure) == (6, [], "OSError: no space")


NETLIFY_CSP = headers_for(header_rules(load_netlify(REPO / "netlify.toml")), "/")["Content-Security-Policy"]


def test_the_dev_policy_is_production_s_plus_what_live_reload_needs() -> None:
    origin = "http://127.0.0.1:8000"
    assert dev_policy(NETLIFY_CSP, origin, "/__wikigen/") == NETLIFY_CSP.replace("; upgrade-insecure-requests", "")
    assert dev_policy("default-src 'none'; style-src 'self'", origin, "/__wikigen/") == (
        "default-src 'none'; style-src 'self'; script-src http://127.0.0.1:8000/__wikigen/live.js; "
        "connect-src http://127.0.0.1:8000/__wikigen/")
    assert dev_policy("script-src 'none'; img-src *", origin, "/__wikigen/") == (
        "script-src http://127.0.0.1:8000/__wikigen/live.js; img-src *")
    headers = for_dev({"Content-Security-Policy": "default-src 'self'", "Cache-Control": "immutable",
                       "X-Frame-Options": "DENY"}, origin, "/__wikigen/")
    assert headers == {"Content-Security-Policy": "default-src 'self'", "X-Frame-Options": "DENY"}


def test_without_a_readable_netlify_toml_the_strict_default_applies(tmp_path: Path) -> None:
    rules, note = site_rules(tmp_path)
    assert rules == DEFAULT_RULES and note and "no netlify.toml" in note
    (tmp_path / "netlify.toml").write_text("[[headers]\n", encoding="utf-8")
    rules, note = site_rules(tmp_path)
    assert rules == DEFAULT_RULES and note and "cannot read its headers" in note
    assert headers_for(rules, "/any/page/")["Content-Security-Policy"] == DEFAULT_CSP


def test_serve_sends_the_headers_of_netlify_toml(site: Path) -> None:
    (site / "netlify.toml").write_bytes((REPO / "netlify.toml").read_bytes())
    with DevServer(site, port=0, search=False, log=lambda line: None) as dev:
        expected = {name.lower(): value for name, value in headers_for(dev.session.headers, "/").items()
                    if name != "Cache-Control"}
        for path in ("", "articles/task-involvement/", "__wikigen/live.js", "__wikigen/status", "missing/"):
            _, headers, _ = _get(dev.url + path)
            sent = {name.lower(): value for name, value in headers.items()}
            assert sent["cache-control"] == "no-store"
            assert sent["content-security-policy"] == NETLIFY_CSP.replace("; upgrade-insecure-requests", "")
            assert {name: sent[name] for name in expected if name != "content-security-policy"} == {
                name: value for name, value in expected.items() if name != "content-security-policy"}


INLINE = '<script>document.documentElement.dataset.inline = "ran";</script>\n'


@pytest.mark.browser
def test_a_theme_override_with_an_inline_script_is_blocked_as_in_production(site: Path, browser) -> None:
    """The policy Netlify sends is the one the preview runs under: an inline script in a site's own template
    does not run under `serve` (Chromium reports the violation), as it would not on the published site."""
    (site / "netlify.toml").write_bytes((REPO / "netlify.toml").read_bytes())
    override = site / "theme" / "templates" / "partials" / "footer.html"
    override.parent.mkdir(parents=True)
    override.write_text(INLINE + (PACKAGE_THEME / "templates" / "partials" / "footer.html").read_text("utf-8"), "utf-8")
    violations: list[str] = []
    with DevServer(site, port=0, search=False, log=lambda line: None) as dev:
        page = browser.new_page()
        try:
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(dev.url + "articles/task-involvement/")
            page.wait_for_function("() => document.querySelector('script[src=\"/__wikigen/live.js\"]') !== null")
            assert INLINE.strip() in page.content()  # the override is in the page ...
            assert page.evaluate("document.documentElement.dataset.inline") is None  # ... and did not run
        finally:
            page.close()
    assert any("inline script" in text for text in violations), violations
