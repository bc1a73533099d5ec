"""A fast path for a body's structure when nothing will render it: markdown-it-pyrs (markdown-it in Rust, by
markdown-it-py's maintainer) parses the blocks and inlines, and this module rebuilds from its tree the tokens
that markdown-it-py's core rules read (headings' anchors, the units rule), with the citation groups cut out of
the text as `markers.py` cuts them. markdown-it-py stays the reference: a body holding anything the two might
read differently (an escape, an entity, a block quote, a reference definition, a group split by emphasis,
`[@key](url)`, a nested or indented `:::`) is parsed by it instead, whole, so a fast parse never differs
silently. The tokens made here are not markdown-it-py's in full (no list or paragraph tokens): render none.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from wikigen.parse.markers import is_group, parse_group

try:
    import markdown_it_pyrs
except ImportError:  # no wheel for this platform or Python: every body takes the reference path
    markdown_it_pyrs = None  # type: ignore[assignment]

# Bodies the fast path leaves to markdown-it-py before parsing: tabs (columns), NUL (normalised), reference
# definitions (`[@key]: ...` makes `[@key]` a link), and a line starting with a block quote or with a long run
# of list markup, which the Rust parser would recurse into without limit.
# (Searched in the body after a line feed: a literal first character lets `re` skip ahead.)
_UNSUPPORTED = re.compile(r"\n[ \-*+\d.)]*>|\n[ \-*+\d.)]{60}")
_DEEP = 2000  # more emphasis delimiters than this: the Rust parser's recursion is not bounded
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)
_COLONS = re.compile(r":{3,}")
_INLINE = frozenset({"text", "softbreak", "hardbreak", "em", "strong", "link", "code_inline"})
_PAIRED = {"em": ("em_open", "em_close", "em"), "strong": ("strong_open", "strong_close", "strong"),
           "link": ("link_open", "link_close", "a")}


class Unsupported(Exception):
    """The body holds something the fast path does not vouch for."""


def parse(md: MarkdownIt, body: str, env: dict[str, Any], containers: tuple[str, ...], unknown: str) -> list | None:
    """The body's tokens with the core rules after `inline` run on them (filling `env` as `md.parse` does), or
    None, `env` untouched, when the body is for markdown-it-py."""
    if (markdown_it_pyrs is None or "\t" in body or "\0" in body or "]:" in body or _UNSUPPORTED.search("\n" + body)
            or body.count("*") + body.count("_") > _DEEP):
        return None
    try:
        tokens = _Builder(body).blocks(containers, unknown)
    except Unsupported:
        return None
    state = StateCore(body, md, env)
    state.tokens = tokens
    after = itertools.dropwhile(lambda rule: rule.name != "inline", md.core.ruler.__rules__)
    for rule in list(after)[1:]:
        if rule.enabled:
            rule.fn(state)
    return state.tokens


@functools.cache
def _rust() -> Any:
    """One parser per process, with markdown-it-py's options: CommonMark, tables and definition lists (raw HTML
    is on in the Rust preset, but any HTML node sends the body back)."""
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "deflist"])


class _Builder:
    def __init__(self, body: str):
        self.body = body
        self.lines = body.split("\n")
        self.starts = [0, *itertools.accumulate(len(line) + 1 for line in self.lines)]
        self.offset = 0  # of the part being parsed, in the body
        self.bytes: list[int] | None = None  # the byte offset of each of its characters, unless it is ASCII

    def blocks(self, containers: tuple[str, ...], unknown: str) -> list[Token]:
        """Split the body at its `:::` lines (top level, unnested, as the container plugin reads them), parse each
        part with the Rust parser and wrap the parts in container tokens."""
        if ":::" in self.body and _FENCE.search(self.body):
            raise Unsupported  # a `:::` line in a fence is code
        tokens: list[Token] = []
        first = 0  # the first line of the part not yet parsed
        opened: tuple[Token, int] | None = None  # the container open and its marker's length
        for number, line in enumerate(self.lines):
            if ":::" not in line:
                continue
            colons = _COLONS.match(line)
            if not colons:
                raise Unsupported  # indented, or in the text: what it is depends on the context
            params = line[colons.end() :]
            if opened is not None:
                if params.strip() or colons.end() < opened[1]:
                    raise Unsupported  # nested, or not the close
                self._part(first, number, tokens)
                tokens.append(Token(opened[0].type.replace("_open", "_close"), "div", -1))
                opened, first = None, number + 1
                continue
            name = params.strip().split(" ", 1)[0]
            if not name:
                raise Unsupported  # `:::` alone opens nothing
            self._part(first, number, tokens)
            kind = name if name in containers else unknown
            token = Token(f"container_{kind}_open", "div", 1)
            token.info, token.map, token.markup, token.block = params, [number, number + 1], colons.group(), True
            tokens.append(token)
            opened, first = (token, colons.end()), number + 1
        self._part(first, len(self.lines), tokens)
        if opened is not None:  # the plugin closes a container the document leaves open
            tokens.append(Token(opened[0].type.replace("_open", "_close"), "div", -1))
        return tokens

    def _part(self, first: int, end: int, tokens: list[Token]) -> None:
        if first >= end:
            return
        text = "\n".join(self.lines[first:end])
        self.offset = self.starts[first]
        self.bytes = None if text.isascii() else list(
            itertools.accumulate((len(c.encode()) for c in text), initial=0))
        self._children(_rust().tree(text).children, tokens, 0)

    def _at(self, byte: int) -> int:
        """A byte offset of the part as an offset in the body."""
        return self.offset + (byte if self.bytes is None else bisect.bisect_left(self.bytes, byte))

    def _line(self, at: int) -> int:
        return bisect.bisect_right(self.starts, at) - 1

    def _children(self, nodes: Iterable[Any], tokens: list[Token], depth: int) -> None:
        """Block nodes to tokens; the inline nodes of a tight list item or definition make one paragraph."""
        if depth > 12:
            raise Unsupported  # markdown-it-py would report the nesting (E005)
        run: list[Any] = []
        for node in nodes:
            if node.name in _INLINE:
                run.append(node)
                continue
            if run:
                self._inline(run, self._at(run[0].srcmap[0]), self._at(run[-1].srcmap[1]), tokens)
                run = []
            self._block(node, tokens, depth)
        if run:
            self._inline(run, self._at(run[0].srcmap[0]), self._at(run[-1].srcmap[1]), tokens)

    def _block(self, node: Any, tokens: list[Token], depth: int) -> None:
        name = node.name
        start, end = self._at(node.srcmap[0]), self._at(node.srcmap[1])
        if name == "paragraph":
            self._inline(node.children, start, end, tokens)
        elif name in ("heading", "lheading"):
            tag = f"h{node.meta['level']}"
            tokens.append(_block_token("heading_open", tag, 1, self._line(start)))
            children = node.children
            inner = (self._at(children[0].srcmap[0]), self._at(children[-1].srcmap[1])) if children else (start, start)
            self._inline(children, *inner, tokens)
            tokens.append(_block_token("heading_close", tag, -1))
        elif name in ("bullet_list", "ordered_list", "list_item", "definition_description"):
            self._children(node.children, tokens, depth + 1)
        elif name == "definition_list":
            for child in node.children:
                if child.name == "definition_term":
                    tokens.append(_block_token("dt_open", "dt", 1, self._line(self._at(child.srcmap[0]))))
                    self._children(child.children, tokens, depth + 1)
                    tokens.append(_block_token("dt_close", "dt", -1))
                else:
                    self._block(child, tokens, depth + 1)
        elif name == "table":
            self._table(node, tokens)
        elif name not in ("hr", "code_block", "fence"):  # code and rules hold no units
            raise Unsupported

    def _table(self, node: Any, tokens: list[Token]) -> None:
        for part in node.children:
            section = "thead" if part.name == "thead" else "tbody"
            tokens.append(_block_token(f"{section}_open", section, 1))
            for row in part.children:
                line = self._line(self._at(row.srcmap[0]))
                tokens.append(_block_token("tr_open", "tr", 1, line))
                for cell in row.children:
                    self._inline(cell.children, self._at(cell.srcmap[0]), self._at(cell.srcmap[1]), tokens, line)
                tokens.append(_block_token("tr_close", "tr", -1))
            tokens.append(_block_token(f"{section}_close", section, -1))

    def _inline(self, nodes: list[Any], start: int, end: int, tokens: list[Token], line: int | None = None) -> None:
        """One inline token: its content as markdown-it-py's (lines after the first without their indentation,
        which only shifts offsets that are mapped back to the same columns) and its children."""
        first = self._line(start) if line is None else line
        source = self.body[start:end].split("\n")
        stripped = [source[0], *(text.lstrip(" ") for text in source[1:])]
        stripped[-1] = stripped[-1].rstrip()
        content = "\n".join(stripped)
        # Where each source line of the slice starts in `content`, and how many spaces it lost.
        shifts, at = [], 0
        for raw, text in zip(source, stripped, strict=True):
            shifts.append((at, len(raw) - len(raw.lstrip(" ")) if at else 0))
            at += len(text) + 1
        line_starts = [start, *(start + s for s in itertools.accumulate(len(raw) + 1 for raw in source[:-1]))]

        def offset(at: int) -> int:
            index = bisect.bisect_right(line_starts, at) - 1
            begin, lost = shifts[index]
            return begin + at - line_starts[index] - lost

        token = Token("inline", "", 0)
        token.map, token.content, token.block = [first, first + len(source)], content, True
        token.children = []
        flat = list(_flatten(nodes))
        for index, (kind, node) in enumerate(flat):
            if kind == "text":
                after = flat[index + 1][0] if index + 1 < len(flat) else ""
                self._text(node.meta["content"], offset(self._at(node.srcmap[0])), content, after, token.children)
            else:
                token.children.append(_inline_token(kind, node))
        tokens.append(token)

    @staticmethod
    def _text(text: str, at: int, content: str, after: str, children: list[Token]) -> None:
        """A text node as markdown-it-py's inline rules read it: text, and citation groups where `markers.py`
        finds them. A `[` whose group could reach past the node (into emphasis, code or the next line) is
        not decided here."""
        if not content.startswith(text, at):
            raise Unsupported  # the text is not the source's (an entity, an escape): offsets would differ
        if "[" not in text:
            children.append(_text_token(text))
            return
        done = 0
        for found in re.finditer(r"\[", text):
            pos = found.start()
            if pos < done:
                continue
            end = text.find("]", pos + 1)
            bracket = text.find("[", pos + 1)
            end = bracket if bracket >= 0 and (end < 0 or bracket < end) else end
            if end < 0:  # the group would go on into the next node
                if "@" in text[pos:] or after:
                    raise Unsupported
                continue
            closed = text[end] == "]"
            if closed and end == len(text) - 1 and after == "link_open":
                raise Unsupported  # `[see @a][x](url)`: the next character decides
            if "@" not in text[pos + 1 : end] or not is_group(text, pos + 1, end, closed):
                continue
            if not closed:
                end = text.index("@", pos) + 1
                while end < len(text) and not text[end].isspace() and text[end] not in "[]":
                    end += 1
                if end == len(text):
                    raise Unsupported  # the claimed `[@word` could go on in the next node
            stop = end + 1 if closed else end
            if pos > done:
                children.append(_text_token(text[done:pos]))
            citation = Token("citation", "", 0)
            citation.meta = {"marker": parse_group(text[pos:stop], at + pos, closed)}
            citation.content = text[pos:stop]
            children.append(citation)
            done = stop
        if done < len(text):
            children.append(_text_token(text[done:]))


def _flatten(nodes: Iterable[Any]) -> Iterable[tuple[str, Any]]:
    """Inline nodes in markdown-it-py's order: (token type, node), a pair around what emphasis and links hold.
    A link whose text has `@` in it is a citation group to markdown-it-py (`[@key](url)`)."""
    for node in nodes:
        name = node.name
        if name not in _INLINE:
            raise Unsupported
        if name in _PAIRED:
            opening, closing, _ = _PAIRED[name]
            inner = list(_flatten(node.children))
            if name == "link" and any(kind == "text" and "@" in child.meta["content"] for kind, child in inner):
                raise Unsupported
            yield opening, node
            yield from inner
            yield closing, node
        else:
            yield name, node


def _block_token(kind: str, tag: str, nesting: Any, line: int | None = None) -> Token:
    token = Token(kind, tag, nesting)
    token.block = True
    if line is not None:
        token.map = [line, line + 1]
    return token


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_MAKERS: dict[str, Callable[[Any], Token]] = {
    "softbreak": lambda node: Token("softbreak", "br", 0),
    "hardbreak": lambda node: Token("hardbreak", "br", 0),
    "code_inline": lambda node: Token("code_inline", "code", 0, content="".join(
        child.meta.get("content", "") for child in node.children), markup=node.meta.get("marker", "`")),
}


def _inline_token(kind: str, node: Any) -> Token:
    if kind in _MAKERS:
        return _MAKERS[kind](node)
    _, _, tag = _PAIRED[node.name]
    token = Token(kind, tag, 1 if kind.endswith("_open") else -1)
    if kind == "link_open":
        token.attrs = {"href": node.meta.get("url", "")}
    return token
