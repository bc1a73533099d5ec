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
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (output path, source path, href)

    def add_file(self, path: str) -> None:
        self.files.add(path)

    def add_scanned(self, path: str, source: str | None, ids: str, hrefs: tuple[str, ...]) -> None:
        """A page as `scan` saw it: rendered here or in a worker process, or kept from the previous build."""
        self.files.add(path)
        self.ids[path] = ids
        self.references.extend((path, source or path, href) for href in hrefs)

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

    def problems(self) -> list[Diagnostic]:
        found = []
        absolute: dict[str, tuple[str | None, str]] = {}  # site-absolute links resolve the same from every page
        targets: dict[str, frozenset[str]] = {}  # ids of the pages linked to with a fragment
        for page, source, href in self.references:
            if href.startswith("/"):
                if href not in absolute:
                    absolute[href] = self._target(page, href)
                target, fragment = absolute[href]
            else:
                target, fragment = self._target(page, href)
            message = None
            if target not in self.files:
                message = f"broken internal link `{href}` on {page_url(page)}: no such page or file"
            elif fragment and fragment not in (
                targets.get(target) or targets.setdefault(target, frozenset(self.ids.get(target, "").split("\0")))
            ):
                message = f"broken internal link `{href}` on {page_url(page)}: no element with id `{fragment}`"
            if message:
                found.append(Diagnostic(source, 1, 1, "R001", Severity.ERROR, message))
        return sorted(set(found))
