"""Internal link verification over the generated pages, with bounded memory.

Each HTML page contributes its ids and its internal references (href, src, action) as it is rendered;
the check runs once every file is known. Links within a page (badges, back-links, the table of contents:
nine in ten) are verified as the page is scanned, and its ids are kept as one string, so what a
10,000-page site keeps between builds is its cross-page links, not millions of small strings. Only our
own output is scanned, whose attributes are always double-quoted and whose text never holds a raw `"`
(both escapers encode it), so a regex is exact here.
"""

from __future__ import annotations

import html
import posixpath
import re
import sys
import urllib.parse
from dataclasses import dataclass, field

from wikigen.model import Diagnostic, Severity

_REFERENCE = re.compile(r'\s(?:href|src|action)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")  # a URL with a scheme: not a link inside the site


class BrokenLinks(Exception):
    """Internal links of the rendered site that point nowhere (code R001)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics)} broken internal link(s): "
                         + "; ".join(f"{d.path}: {d.message}" for d in diagnostics[:5]))


def page_url(path: str) -> str:
    """Output path -> URL path: `articles/x/index.html` -> `/articles/x/`."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def scan(text: str) -> tuple[str, tuple[str, ...]]:
    """The ids a page defines (NUL-separated) and its internal references but those to its own ids."""
    ids = {html.unescape(v) for v in _ID.findall(text)}
    hrefs: dict[str, None] = {}
    for value in _REFERENCE.findall(text):
        href = html.unescape(value)
        own = href.startswith("#") and urllib.parse.unquote(href[1:]) in ids
        if href and not own and not href.startswith("//") and not SCHEME.match(href):
            hrefs.setdefault(sys.intern(href))  # the same navigation links on every page
    return "\0".join(sorted(ids)), tuple(hrefs)


@dataclass
class LinkChecker:
    files: set[str] = field(default_factory=set)
    ids: dict[str, str] = field(default_factory=dict)  # NUL-separated, as `scan` gives them
    pages: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (output path, source, hrefs)

    def add_file(self, path: str) -> None:
        self.files.add(path)

    def add_scanned(self, path: str, source: str | None, ids: str, hrefs: tuple[str, ...]) -> None:
        """A page as `scan` saw it: rendered here or in a worker process, or kept from the previous build."""
        self.files.add(path)
        self.ids[path] = ids
        self.pages.append((path, source or path, hrefs))

    def _target(self, page: str, href: str) -> tuple[str | None, str]:
        if href.startswith("#"):  # most links of a page: its own badges, back-links and headings
            return page, urllib.parse.unquote(href[1:])
        parts = urllib.parse.urlsplit(href)
        fragment = urllib.parse.unquote(parts.fragment)
        if not parts.path:
            return page, fragment
        base = page_url(page)
        url = urllib.parse.unquote(urllib.parse.urljoin(base, parts.path))
        normal = posixpath.normpath(url)
        if url.endswith("/") and normal != "/":
            normal += "/"
        relative = normal.lstrip("/")
        if relative == "" or relative.endswith("/"):
            return relative + "index.html", fragment
        if relative in self.files:
            return relative, fragment
        if relative + "/index.html" in self.files:
            return relative + "/index.html", fragment
        return relative, fragment

    def _problem(self, page: str, href: str, targets: dict[str, frozenset[str]]) -> str | None:
        """What is wrong with `href` on `page`, if anything; `targets` remembers the ids of pages looked in."""
        target, fragment = self._target(page, href)
        if target not in self.files:
            return "no such page or file"
        if not fragment:
            return None
        ids = targets.get(target)
        if ids is None:
            ids = targets[target] = frozenset(self.ids.get(target, "").split("\0"))
        return None if fragment in ids else f"no element with id `{fragment}`"

    def problems(self) -> list[Diagnostic]:
        """A site-absolute link resolves the same from every page, so each distinct one is looked up once (the
        pages of a 10,000-article site hold 620,000 links, 12,000 of them distinct); the others page by page."""
        targets: dict[str, frozenset[str]] = {}
        distinct: set[str] = set()
        for _, _, hrefs in self.pages:
            distinct.update(hrefs)
        broken = {href: problem for href in distinct
                  if href.startswith("/") and (problem := self._problem("index.html", href, targets))}
        relative = {href for href in distinct if not href.startswith("/")}
        found = []
        for page, source, hrefs in self.pages:
            if broken.keys().isdisjoint(hrefs) and relative.isdisjoint(hrefs):
                continue
            for href in hrefs:
                problem = broken.get(href) or (self._problem(page, href, targets) if href in relative else None)
                if problem:
                    message = f"broken internal link `{href}` on {page_url(page)}: {problem}"
                    found.append(Diagnostic(source, 1, 1, "R001", Severity.ERROR, message))
        return sorted(set(found))
