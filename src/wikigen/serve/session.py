"""The dev server's state and its transitions, with no thread, socket or build in sight.

What a batch of changes calls for (a preview first, or the build alone), when the search index is brought up
to date, and how each outcome moves the status the pages poll: every rule of `wikigen serve` that is not
plumbing lives here and is unit-tested without a server (tests/test_serve.py). `server.DevServer` calls
these methods under its lock and publishes the `Snapshot` each one leaves, which the HTTP handler serves from.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from wikigen.index.update import SearchMode
from wikigen.serve.changes import Change, ChangeKind
from wikigen.serve.headers import DEFAULT_RULES, HeaderRule

PREVIEW_LIMIT = 8  # more articles changed at once (a checkout): the build alone


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


@dataclass(frozen=True)
class Snapshot:
    """What the HTTP handler serves from, replaced whole after every transition and never changed."""

    output: Path | None = None
    build: int = 0
    view: int = 0
    previews: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))  # output path -> page
    status: bytes = b"{}"  # /__wikigen/status
    headers: tuple[HeaderRule, ...] = DEFAULT_RULES  # the production headers (netlify.toml)


@dataclass(frozen=True)
class Outcome:
    """A finished build attempt, as the status needs it: the diagnostics (None when the build raised) and
    whether it published, or why it failed."""

    diagnostics: list[dict[str, Any]] | None
    published: bool
    failure: str | None
    seconds: float


def previewable(changes: Iterable[Change]) -> list[Path]:
    """The articles to preview for a batch of changes: none unless every changed path still there is an article,
    and at most a few. Paths gone again are an editor's temporary files (vim's `4913`, a `.tmp` renamed over
    the article) or a deleted asset, which the build that follows reports; a deleted article is kept, for
    `preview` to decline."""
    changes = list(changes)
    articles = sorted(c.path for c in changes if c.kind is ChangeKind.ARTICLE)
    if len(articles) > PREVIEW_LIMIT or any(c.kind is not ChangeKind.ARTICLE and c.exists for c in changes):
        return []
    return articles


def unchanged_urls(previews: Mapping[str, bytes], read: Callable[[str], bytes | None]) -> list[str]:
    """The URLs (both spellings) of previewed pages that the build published byte for byte as previewed."""
    urls = []
    for path, content in sorted(previews.items()):
        if read(path) == content:
            urls.append("/" + path)
            if path.endswith("/index.html"):
                urls.append("/" + path.removesuffix("index.html"))
    return urls


class Session:
    """The status, the preview shown, and whether the search index is behind the published pages."""

    def __init__(self, root: Path, search: bool) -> None:
        self.root = root
        self.search = search  # asked for (`--no-search` clears it)
        self.search_broken = False  # Pagefind failed once: the session goes on without search
        self.index_due = False  # pages were published with the previous search index
        self.status = Status()
        self.output: Path | None = None
        self.previews: Mapping[str, bytes] = MappingProxyType({})
        self.headers: tuple[HeaderRule, ...] = DEFAULT_RULES
        self.snapshot = self._snapshot()

    def _snapshot(self) -> Snapshot:
        status = json.dumps(self.status.as_json(), ensure_ascii=False).encode()
        self.snapshot = Snapshot(self.output, self.status.build, self.status.view, self.previews, status, self.headers)
        return self.snapshot

    # ---------------- what changes call for

    def preview_for(self, changes: Iterable[Change]) -> list[Path]:
        """The articles to preview before building: only when nothing but a few articles changed and the last
        build's errors, if any, were in those articles (the usual save, error, fix); otherwise none."""
        articles = previewable(changes)
        blocking = {self.root / d["path"] for d in self.status.diagnostics if d["severity"] == "error"}
        if not articles or self.status.failure or not blocking <= set(articles):
            return []
        return articles

    def index_now(self, edits_waiting: bool) -> bool:
        """Whether the next build brings the search index up to date: only while no edit waits, since Pagefind
        takes seconds a shard."""
        return self.index_due and not edits_waiting

    def begin(self, index: bool) -> SearchMode:
        """A build starts; what it does with the search index: an edit is published with the previous index
        (kept), an index build rebuilds it, each only while Pagefind works. An index build is tried once per
        edit."""
        self.status.building = True
        if index:
            self.index_due = False
        wanted = self.search and not self.search_broken
        self._snapshot()
        if not wanted:
            return SearchMode.OFF
        return SearchMode.BUILD if index else SearchMode.KEEP

    def serve_from(self, output: Path, headers: tuple[HeaderRule, ...]) -> None:
        """The output folder and production headers of the site as now configured."""
        self.output, self.headers = output, headers
        self._snapshot()

    def search_failed(self) -> None:
        self.search_broken = True

    # ---------------- how results move the status

    def previewed(self, pages: Mapping[str, bytes], shown: set[str]) -> None:
        """A preview is served until the next build finishes; the previewed files check clean now, so the last
        build's problems with them are out of date."""
        status = self.status
        self.previews = MappingProxyType(dict(pages))
        status.previewed += 1
        status.view += 1
        status.diagnostics = [d for d in status.diagnostics if d["path"] not in shown]
        self._snapshot()

    def finished(self, outcome: Outcome, index: bool, searched: bool,
                 read: Callable[[str], bytes | None]) -> Status:
        """Count the attempt, take its diagnostics, and move the view: a published build reloads open pages
        (but not those it published exactly as previewed: `unchanged`); a preview the build did not publish is
        withdrawn, so pages show the output again. `read` gives a published file (None when missing). Returns
        a copy of the status, for the terminal."""
        status = self.status
        status.build += 1
        status.building = False
        status.seconds = outcome.seconds
        status.failure = outcome.failure
        published = outcome.diagnostics is not None and outcome.published
        if outcome.diagnostics is None:
            status.diagnostics, status.ok = [], False
        else:
            status.diagnostics, status.ok = outcome.diagnostics, outcome.published
        if published:
            if index:
                status.indexed += 1
            else:
                status.published += 1
                status.view += 1
            self.index_due = self.search and not searched and not self.search_broken
            status.search = searched or (self.index_due and status.search)
            status.indexing = self.index_due
        status.unchanged = []
        if self.previews and published and not index:
            status.unchanged = unchanged_urls(self.previews, read)
        elif self.previews:
            status.view += 1
        self.previews = MappingProxyType({})
        self._snapshot()
        return dataclasses.replace(status, diagnostics=list(status.diagnostics))
