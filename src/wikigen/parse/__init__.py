"""Stage 2: turn loaded text into documents (tokens, units, markers, links) and a bibliography."""

from __future__ import annotations

import functools
import html
import os
import re
import urllib.parse
from pathlib import PurePosixPath

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin

from wikigen.model import (
    Citation,
    Diagnostic,
    Document,
    FrontMatter,
    Heading,
    Link,
    Marker,
    Pos,
    Sentence,
    Severity,
    SourceFile,
    UnitKind,
)
from wikigen.parse.frontmatter import parse_front_matter, split
from wikigen.parse.markers import RawMarker, markers_plugin
from wikigen.parse.sentences import Unit, units_plugin

CONTAINERS = ("example", "framing", "note", "exempt")
# Link destinations as written: inline `](url)`, reference definitions and autolinks.
_LINK_SOURCES = re.compile(
    r"\]\(\s*(?:<(?P<angle>[^>\n]*)>|(?P<inline>[^)\s]*))|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(?P<reference>\S+?)>?(?:\s|$)"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>",
    re.MULTILINE,
)
_WORDS = re.compile(r"\w+")


def depth_plugin(md: MarkdownIt) -> None:
    """markdown-it skips, without a word, blocks nested deeper than `maxNesting`: note the first such line in
    `env["too_deep"]` so the text is reported instead of silently escaping the checker."""
    tokenize = md.block.tokenize

    def guarded(state, start: int, end: int) -> None:
        if state.level >= state.md.options.maxNesting and "too_deep" not in state.env:
            line = next((n for n in range(start, end) if not state.isEmpty(n)), None)
            if line is not None:
                state.env["too_deep"] = line
        tokenize(state, start, end)

    md.block.tokenize = guarded


@functools.cache
def markdown() -> MarkdownIt:
    """One parser per process. Raw HTML is off; the rest of CommonMark plus tables is on."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    for name in CONTAINERS:
        container_plugin(md, name)
    deflist_plugin(md)
    anchors_plugin(md, min_level=2, max_level=4, permalink=False)
    markers_plugin(md)
    units_plugin(md)
    depth_plugin(md)
    return md


def slug_of(path: str) -> str:
    return PurePosixPath(path).stem


def _links(body: str, line_offset: int) -> list[Link]:
    links = []
    for match in _LINK_SOURCES.finditer(body):
        name = match.lastgroup or "inline"
        url = match.group(name)
        if url is None:
            continue
        start = match.start(name)
        line = body.count("\n", 0, start)
        column = start - (body.rfind("\n", 0, start) + 1)
        links.append(Link(html.unescape(urllib.parse.unquote(url)), Pos(line + line_offset + 1, column + 1)))
    return links


class _Freezer:
    """Turns the parse plugins' working objects into model values, once each (a container marker is shared)."""

    def __init__(self) -> None:
        self.markers: dict[int, Marker] = {}

    def marker(self, raw: RawMarker, positions: list[tuple[int, int]]) -> Marker:
        if id(raw) not in self.markers:
            group, *rest = (Pos(*p) for p in positions)
            keys, problems = rest[: len(raw.citations)], rest[len(raw.citations) :]
            citations = tuple(Citation(c.key, c.locator, p) for c, p in zip(raw.citations, keys, strict=True))
            issues = tuple((code, p, msg) for (code, _, msg), p in zip(raw.problems, problems, strict=True))
            self.markers[id(raw)] = Marker(raw.raw, group, citations, raw.llm, issues)
        return self.markers[id(raw)]

    def unit(self, unit: Unit) -> Sentence:
        inherited = self.marker(*unit.inherited) if unit.inherited else None
        markers = tuple(self.marker(raw, positions) for raw, positions in unit.markers)
        return Sentence(unit.id, UnitKind(unit.kind), unit.text, Pos(unit.line, unit.column), markers, inherited)

    def tokens(self, tokens, frozen: dict[int, Sentence]) -> None:
        """Point token metadata at model values so later stages need nothing from this package."""
        for token in tokens:
            meta = token.meta
            if meta:  # most tokens carry none: skip the lookups
                if isinstance(meta.get("unit"), Unit):
                    meta["unit"] = frozen[id(meta["unit"])]
                if isinstance(meta.get("marker"), tuple):
                    meta["marker"] = self.marker(*meta["marker"])
                elif isinstance(meta.get("marker"), RawMarker):
                    meta["marker"] = self.markers.get(id(meta["marker"])) or self._loose(meta["marker"])
            if token.children:
                self.tokens(token.children, frozen)

    def _loose(self, raw: RawMarker) -> Marker:
        """A group that marks no unit (in an exempt block, a heading): no positions needed."""
        return self.marker(raw, [(0, 0)] * (1 + len(raw.citations) + len(raw.problems)))


def _headings(tokens) -> tuple[Heading, ...]:
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            found.append(Heading(int(token.tag[1]), text.strip(), token.attrGet("id") or ""))
    return tuple(found)


def parse_document(source: SourceFile) -> Document:
    """Parse one article. A broken front matter does not stop the body from being parsed."""
    path, text = source.path, source.text or ""
    diagnostics = []
    parts = split(text)
    front: FrontMatter | None = None
    if parts.problem:
        line, column, message = parts.problem
        diagnostics.append(Diagnostic(path, line, column, "F001", Severity.ERROR, message))
    if parts.yaml_text is not None:
        front, problems = parse_front_matter(parts.yaml_text)
        diagnostics.extend(Diagnostic(path, ln, col, code, Severity.ERROR, msg) for ln, col, code, msg in problems)
    md = markdown()
    ids: dict[str, int] = {}
    units: list[Unit] = []
    stray: list = []
    caption_tokens: list = []
    caption = ((front.data.get("figure") or {}) if front else {}) or {}
    if isinstance(caption, dict) and isinstance(caption.get("caption"), str) and caption["caption"].strip():
        where = front.lines.get("figure.caption", Pos(1, 1))
        file_lines = text.split("\n")
        env = {"kind": "caption", "lines": [file_lines[where.line - 1]], "line_offset": where.line - 1,
               "ids": ids, "units": units, "stray": stray}
        caption_tokens = md.parseInline(caption["caption"], env)
    env = {"lines": parts.body.split("\n"), "line_offset": parts.body_line, "ids": ids, "units": units,
           "stray": stray}
    try:
        tokens = md.parse(parts.body, env)
        if "too_deep" in env:
            message = (f"text nested more than {md.options.maxNesting} levels deep (block quotes, lists) is not "
                       "parsed or checked: flatten it")
            line = env["too_deep"] + parts.body_line + 1
            diagnostics.append(Diagnostic(path, line, 1, "E005", Severity.ERROR, message))
    except RecursionError:
        diagnostics.append(Diagnostic(path, 1, 1, "E005", Severity.ERROR, "nesting is too deep to parse"))
        tokens = []
    freezer = _Freezer()
    frozen = {id(u): freezer.unit(u) for u in units}
    stray_markers = tuple(freezer.marker(raw, positions) for raw, positions in stray)
    freezer.tokens(caption_tokens, frozen)
    freezer.tokens(tokens, frozen)
    sentences = tuple(frozen[id(u)] for u in units)
    words = sum(len(_WORDS.findall(s.text)) for s in sentences)
    return Document(
        path=path,
        slug=slug_of(path),
        front=front,
        tokens=tuple(tokens),
        caption_tokens=tuple(caption_tokens),
        sentences=sentences,
        links=tuple(_links(parts.body, parts.body_line)),
        headings=_headings(tokens),
        exempt_blocks=env.get("exempt_blocks", 0),
        words=words,
        diagnostics=tuple(diagnostics),
        stray_markers=stray_markers,
    )


# ---------------------------------------------------------------- the whole site, in parallel

PARALLEL_FROM = 50  # articles; below this, worker start-up costs more than it saves


def worker_count(requested: int, articles: int) -> int:
    """`workers = 0` means one per core; small sites are parsed in this process."""
    wanted = requested or os.cpu_count() or 1
    return 1 if articles < PARALLEL_FROM else max(1, min(wanted, articles // 16 or 1))
