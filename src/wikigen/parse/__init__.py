"""Stage 2: turn loaded text into documents (tokens, units, markers, links) and a bibliography."""

from __future__ import annotations

import functools
import html
import itertools
import os
import re
import urllib.parse
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin

from wikigen.model import (
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
)
from wikigen.parse.frontmatter import parse_front_matter, split
from wikigen.parse.markers import markers_plugin
from wikigen.parse.sentences import units_plugin
from wikigen.report import did_you_mean

CONTAINERS = ("example", "framing", "note", "exempt")
UNKNOWN = "unknown"  # the container any other `::: name` opens: reported as F005, its content still checked
# Link destinations as written: inline `](url)`, reference definitions and autolinks.
_INLINE_LINK = r"\]\(\s*(?:<(?P<angle>[^>\n]*)>|(?P<inline>[^)\s]*))"
_AUTOLINK = r"<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>"
_LINK_SOURCES = re.compile(
    _INLINE_LINK + r"|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(?P<reference>\S+?)>?(?:\s|$)|" + _AUTOLINK, re.MULTILINE
)
_PARTS = (re.compile(_INLINE_LINK), re.compile(_AUTOLINK))
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

    md.block.tokenize = guarded  # type: ignore[method-assign,assignment]


@functools.cache
def markdown() -> MarkdownIt:
    """One parser per process. Raw HTML is off; the rest of CommonMark plus tables is on."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    for name in CONTAINERS:
        container_plugin(md, name)
    container_plugin(md, UNKNOWN, validate=lambda params, *_: _container_name(params) not in ("", *CONTAINERS))
    deflist_plugin(md)
    anchors_plugin(md, min_level=2, max_level=4, permalink=False)
    markers_plugin(md)
    units_plugin(md)
    depth_plugin(md)
    return md


def _container_name(params: str) -> str:
    return params.strip().split(" ", 1)[0]


def _unknown_containers(tokens, lines: list[str], line_offset: int) -> list[tuple[int, int, str]]:
    """(line, column, message) of every `::: name` whose name is no container: a typo must not publish a
    literal `:::` paragraph nor change what the block means. Names are case-sensitive, as the plugin reads them."""
    found = []
    for token in tokens:
        if token.type == f"container_{UNKNOWN}_open" and token.map:
            name = _container_name(token.info)
            source = lines[token.map[0]]
            column = source.find(name, source.find(":::") + 3) + 1
            message = (f"unknown container `{name}`{did_you_mean(name, CONTAINERS)}: the containers are "
                       f"{', '.join(f'`{c}`' for c in CONTAINERS)}, in lower case")
            found.append((token.map[0] + line_offset + 1, column, message))
    return found


def slug_of(path: str) -> str:
    return PurePosixPath(path).stem


def link_matches(body: str) -> list[re.Match]:
    """What `_LINK_SOURCES` finds, sooner: a body without `]:` has no reference definition, and
    without that alternative (which tries every line start) each remaining part is searched for by its first
    character. Matches of the two parts that overlap (`](<http://...>)`) fall back to the whole pattern."""
    if "]:" in body:
        return list(_LINK_SOURCES.finditer(body))
    found = sorted((match for part in _PARTS for match in part.finditer(body)), key=lambda match: match.start())
    if any(before.end() > after.start() for before, after in itertools.pairwise(found)):
        return list(_LINK_SOURCES.finditer(body))
    return found


def _links(body: str, line_offset: int) -> list[Link]:
    links = []
    for match in link_matches(body):
        name = match.lastgroup or "inline"
        url = match.group(name)
        if url is None:
            continue
        start = match.start(name)
        line = body.count("\n", 0, start)
        column = start - (body.rfind("\n", 0, start) + 1)
        links.append(Link(html.unescape(urllib.parse.unquote(url)), Pos(line + line_offset + 1, column + 1)))
    return links


def _headings(tokens, line_offset: int) -> tuple[Heading, ...]:
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            pos = Pos(token.map[0] + line_offset + 1, 1) if token.map else None
            found.append(Heading(int(token.tag[1]), text.strip(), token.attrGet("id") or "", pos))
    return tuple(found)


PROSE_FIELDS = ("summary", "evidence.note")  # front-matter prose checked like the body (besides figure.caption)


def _front_prose(md: MarkdownIt, front: FrontMatter | None, name: str, file_lines: list[str], shared: dict) -> tuple:
    """A front-matter text that readers see as prose, parsed with the body's sentence rule: its units, marked
    with their kind (the field's last part), go to the article's units, at their line and column in the file."""
    value = front.data if front else None
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value.strip():
        return ()
    line = front.lines.get(name, Pos(1, 1)).line - 1
    first = value.strip().split("\n")[0][:20]  # a block scalar (`summary: >`) starts on a later line
    start = next((n for n in range(line, min(line + 3, len(file_lines))) if first in file_lines[n]), line)
    env = {"kind": name.rsplit(".", 1)[-1], "lines": file_lines[start:], "line_offset": start, **shared}
    return tuple(md.parseInline(value, env))


def parse_document(source: SourceFile, tokens: bool = True) -> Document:
    """Parse one article. A broken front matter does not stop the body from being parsed. Without `tokens`
    (a check that renders nothing) the document keeps none, and the units are not wrapped in the tokens."""
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
    units: list[Sentence] = []
    stray: list[Marker] = []
    doubts: list[tuple[Pos, str]] = []
    file_lines = text.split("\n")
    shared = {"ids": ids, "units": units, "stray": stray, "doubts": doubts, "tokens": tokens}
    # The lead first: its sources are the first the page shows, so they get the first numbers.
    prose = {name: _front_prose(md, front, name, file_lines, shared) for name in PROSE_FIELDS}
    caption_tokens = _front_prose(md, front, "figure.caption", file_lines, shared)
    env: dict[str, Any] = {"lines": parts.body.split("\n"), "line_offset": parts.body_line, **shared}
    try:
        body = md.parse(parts.body, env)
        if "too_deep" in env:
            message = (f"text nested more than {md.options.maxNesting} levels deep (block quotes, lists) is not "
                       "parsed or checked: flatten it")
            line = env["too_deep"] + parts.body_line + 1
            diagnostics.append(Diagnostic(path, line, 1, "E005", Severity.ERROR, message))
    except RecursionError:
        diagnostics.append(Diagnostic(path, 1, 1, "E005", Severity.ERROR, "nesting is too deep to parse"))
        body = []
    diagnostics.extend(Diagnostic(path, line, column, "F005", Severity.ERROR, message)
                       for line, column, message in _unknown_containers(body, env["lines"], parts.body_line))
    for pos, claim in env.get("exempt_claims", ()):
        message = (f"“{claim if len(claim) <= 60 else claim[:59] + '…'}” makes a claim inside `::: exempt`, which "
                   "may hold only links and code: move the text out of the block and mark it")
        diagnostics.append(Diagnostic(path, pos.line, pos.column, "P007", Severity.ERROR, message))
    diagnostics.extend(Diagnostic(path, pos.line, pos.column, "P008", Severity.WARNING, message)
                       for pos, message in doubts)
    sentences = tuple(units)
    words = sum(len(_WORDS.findall(s.text)) for s in sentences)
    return Document(
        path=path,
        slug=slug_of(path),
        front=front,
        tokens=tuple(body) if tokens else (),
        caption_tokens=caption_tokens if tokens else (),
        front_tokens=tuple((name, found) for name, found in prose.items() if found) if tokens else (),
        sentences=sentences,
        links=tuple(_links(parts.body, parts.body_line)),
        headings=_headings(body, parts.body_line),
        exempt_blocks=env.get("exempt_blocks", 0),
        words=words,
        diagnostics=tuple(diagnostics),
        stray_markers=tuple(stray),
    )


# ---------------------------------------------------------------- the whole site, in parallel

PARALLEL_FROM = 50  # articles; below this, worker start-up costs more than it saves


def worker_count(requested: int, articles: int) -> int:
    """`workers = 0` means one per core; small sites are parsed in this process."""
    wanted = requested or os.cpu_count() or 1
    return 1 if articles < PARALLEL_FROM else max(1, min(wanted, articles // 16 or 1))
