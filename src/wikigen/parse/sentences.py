"""Core rule that finds every checked unit (sentence, table row, caption sentence) and wraps it.

It runs after inline parsing. For each inline token in a checked context it removes the citation
groups from the text, segments what remains, gives each group to the sentence it stands in or
directly follows, and inserts `sentence_open`/`sentence_close` tokens around the sentence (its
badges included). Units go to `state.env["units"]` as model `Sentence`s and every citation token's
`meta["marker"]` becomes a model `Marker`, made once, with source positions: later stages need nothing
from this package, and the renderer nothing but the tokens.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import re
from collections.abc import Callable
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from wikigen.model import Citation, Marker, Pos, Sentence, UnitKind
from wikigen.parse.markers import RawMarker, parse_group
from wikigen.parse.segment import CLOSERS, ends_sentence, split_sentences

OPAQUE = "\ufffc"  # stands in for inline code and images: no words to mark, no boundaries inside
_TERMINAL = re.compile(rf"[.!?…]+[{re.escape(CLOSERS)}]*")
_CONTAINER_MARKER = re.compile(r"\[\s*@[^\]]*\]?")
_WORD = re.compile(r"\w")
# On text whose whitespace is already single spaces: a literal first character lets `re` skip ahead.
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([.!?,;:]+)(?= |$)")
EXEMPT = "exempt"


Locate = Callable[[int], Pos]  # an offset in a group's source text -> its position in the file


class _Located:
    """Maps offsets in an inline token's content to source lines and columns."""

    def __init__(self, content: str, first_line: int, lines: list[str], line_offset: int):
        self.starts, self.columns = [], []
        start = 0
        for number, text in enumerate(content.split("\n")):
            self.starts.append(start)
            start += len(text) + 1
            source = lines[first_line + number] if first_line + number < len(lines) else ""
            found = source.find(text) if text else -1
            self.columns.append(found if found >= 0 else len(source) - len(source.lstrip()))
        self.first_line = first_line + line_offset

    def __call__(self, offset: int) -> Pos:
        index = bisect.bisect_right(self.starts, offset) - 1
        return Pos(self.first_line + index + 1, self.columns[index] + offset - self.starts[index] + 1)


def _nowhere(offset: int) -> Pos:
    return Pos(0, 0)


def _freeze(marker: RawMarker, locate: Locate) -> Marker:
    """The group as the model holds it: offsets become positions in the file."""
    citations = tuple(Citation(c.key, c.locator, locate(c.offset), c.prefix, c.suffix, c.suppress_author)
                      for c in marker.citations)
    problems = tuple((code, locate(at), message) for code, at, message in marker.problems)
    return Marker(marker.raw, locate(marker.offset), citations, marker.llm, problems)


def _freeze_groups(tokens: list[Token], locate: Locate) -> list[Marker]:
    """Freeze the groups among `tokens` in place and return them. Those in an image's description mark no unit
    (nor do those of a heading or an exempt block, frozen with `_nowhere`): no positions needed. A group
    right after another (`[@a][@llm]`, spaces between) that mixes keys and `@llm` with it is P004."""
    found = []
    previous = None
    for token in tokens:
        if token.type == "citation":
            raw = token.meta["marker"]
            if previous is not None and ((previous.llm and raw.citations) or (raw.llm and previous.citations)):
                problem = ("P004", raw.offset, f"`{previous.raw}{raw.raw}` marks one sentence both as sourced and "
                           "as LLM-written: keep the keys and drop `[@llm]`, or the other way round")
                raw = RawMarker(raw.raw, raw.offset, raw.citations, raw.llm, (*raw.problems, problem))
            token.meta = {"marker": _freeze(raw, locate)}
            found.append(token.meta["marker"])
            previous = raw
        else:
            if token.type != "text" or token.content.strip():
                previous = None
            if token.children:
                _freeze_groups(token.children, _nowhere)
    return found


def _child_offsets(content: str, children: list[Token]) -> list[int]:
    """Where each child starts in the inline source. Citation offsets are exact; text is aligned."""
    offsets, cursor = [], 0
    for child in children:
        if child.type == "citation":
            cursor = child.meta["marker"].offset
            offsets.append(cursor)
            cursor += len(child.content)
            continue
        offsets.append(cursor)
        if child.type == "text" and child.content:
            found = content.find(child.content, cursor)
            if found >= 0:
                offsets[-1] = found
                cursor = found + len(child.content)
        elif child.type == "code_inline":
            found = content.find(child.content, cursor)
            cursor = found + len(child.content) if found >= 0 else cursor
    return offsets


def _flatten(children: list[Token]) -> tuple[str, list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Text for the segmenter, with (buffer start, child index, length) pieces and (buffer offset, child) markers."""
    parts, pieces, markers, size = [], [], [], 0
    for index, child in enumerate(children):
        if child.type == "citation":
            markers.append((size, index))
            continue
        if child.type == "text":
            piece = child.content
        elif child.type in ("softbreak", "hardbreak"):
            piece = "\n"
        elif child.type in ("code_inline", "image"):
            piece = OPAQUE
        else:
            continue
        pieces.append((size, index, len(piece)))
        parts.append(piece)
        size += len(piece)
    return "".join(parts), pieces, markers


def _boundaries(text: str, marker_offsets: list[int], doubts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences of `text`. A group right before terminal punctuation ends a sentence, and so does one right
    after it unless the word before is one the sentence reads on from ("Nemati et al. [@x] used")."""
    cuts = [0]
    for offset in marker_offsets:
        after = _TERMINAL.match(text, offset)
        if after:
            cuts.append(after.end())
        elif ends_sentence(text, cuts[-1], offset):
            cuts.append(offset)
    cuts.append(len(text))
    spans: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(cuts):
        if end > start:
            found: list[tuple[int, int]] = []
            spans.extend((start + a, start + b) for a, b in split_sentences(text[start:end], found))
            doubts.extend((start + a, start + b) for a, b in found)
    return [(a, b) for a, b in spans if _WORD.search(text, a, b)]


def _display(text: str) -> str:
    text = " ".join(text.replace(OPAQUE, "…").split())
    # Most sentences have no space before punctuation: searching first is 6x cheaper than `sub` finding none.
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text) if _SPACE_BEFORE_PUNCTUATION.search(text) else text


# Words too common to tell sentences apart, and the first to come and go in a small edit.
_STOPWORDS = frozenset({
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
    "both", "but", "by", "can", "could", "did", "do", "does", "during", "each", "either", "for", "from", "had",
    "has", "have", "how", "however", "if", "in", "into", "is", "it", "its", "may", "might", "more", "most", "much",
    "must", "no", "nor", "not", "of", "on", "once", "one", "only", "or", "other", "our", "out", "over", "own",
    "same", "shall", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "within", "without",
    "would", "yet", "you", "your",
})
_ID_WORD = re.compile(r"[^\W_]+")
ID_WORDS = 1  # how many of a sentence's words name it: fewer survive more edits, more collide less


@functools.lru_cache(maxsize=1 << 16)
def _id_key(word: str) -> tuple[bytes, str] | None:
    """A casefolded word's place in the fixed hash order (a MinHash order), plural -s dropped; None for a word
    that names nothing (a stopword, a single letter). Cached: the words of a wiki repeat from sentence to sentence."""
    if word in _STOPWORDS or len(word) < 2:
        return None
    word = word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
    return hashlib.blake2b(word.encode(), digest_size=8).digest(), word


def _id_keys(text: str) -> set[tuple[bytes, str]]:
    """The order keys of a sentence's content words: a small edit changes the id only when it adds or removes
    one of the first `ID_WORDS` of them."""
    keys = {_id_key(word) for word in set(_ID_WORD.findall(text.casefold()))}
    keys.discard(None)
    return keys  # type: ignore[return-value]


def _doubt(text: str, start: int, word: int, end: int) -> str:
    """The P008 message for a boundary kept inside the sentence that starts at `start`."""
    first = _display(text[start:end])
    first = first if len(first) <= 60 else "…" + first[-59:]
    before, after = _display(text[word:end]), _display(text[end : end + 40]).split(" ")[0]
    return (f"“{first}” may be a sentence of its own: if it is, give it a marker (`{before} [@key] {after}`); "
            f"if the sentence runs on, put a non-breaking space after the period (`{before}&nbsp;{after}`)")


def _sentence_id(text: str, used: dict[str, int]) -> str:
    """An id that survives small edits (punctuation, a word or two, a marker, which is not in `text`): the hash
    of the sentence's first `ID_WORDS` words in MinHash order. A later sentence whose id is taken extends its
    pick word by word, then counts (`-2`), so ids are unique in an article and follow from its text alone."""
    words = [word for _, word in sorted(_id_keys(text))]
    first = min(ID_WORDS, len(words))
    picks = (words[:size] for size in range(first, len(words) + 1)) if words else iter([[text.casefold()]])
    for pick in picks:
        base = "s-" + hashlib.blake2b(" ".join(pick).encode(), digest_size=4).hexdigest()
        if base not in used:
            used[base] = 1
            return base
    count = used[base] + 1
    used[base] = count
    return f"{base}-{count}"


def _wrap(
    children: list[Token], spans: list[tuple[tuple[int, int], tuple[int, int | None], int, Sentence]]
) -> list[Token]:
    """Insert open/close tokens around each unit.

    A span is (start child, offset), (end child, offset or None for "after it"), the child index of its
    last badge, and the unit. Text children are split at the offsets; a span that would cross an
    emphasis or link boundary is widened until it balances, and one that then overlaps its predecessor
    is merged into it, leaving an anchor so the unit's id still exists.
    """
    cuts: dict[int, set[int]] = {}
    for (sc, so), (ec, eo), _, _ in spans:
        cuts.setdefault(sc, set()).add(so)
        if eo is not None:
            cuts.setdefault(ec, set()).add(eo)
    flat: list[Token] = []
    starts, ends, sizes = [], [], []  # per child: its first piece in `flat`, the piece after it, its text's length
    inside: dict[tuple[int, int], int] = {}  # (child, offset) -> the piece cut there, for the children that are cut
    nested = False
    for index, child in enumerate(children):
        starts.append(len(flat))
        size = len(child.content) if child.type == "text" else 0
        sizes.append(size)
        inner = cuts.get(index) if size else None
        points = sorted({0, size, *(c for c in inner if 0 < c < size)}) if inner else ()
        if len(points) > 2:
            content = child.content
            for a, b in itertools.pairwise(points):
                inside[(index, a)] = len(flat)
                flat.append(_piece(child, content[a:b]))
        else:  # nothing to split: the child itself (the old list is dropped, so no copy is needed)
            flat.append(child)
            nested = nested or child.nesting != 0
        ends.append(len(flat))

    def gap(index: int, offset: int | None) -> int:
        """Where in `flat` the text at `offset` of a child begins (None: after the child)."""
        if offset is not None and sizes[index]:
            return starts[index] if offset == 0 else inside.get((index, offset), ends[index])
        return ends[index]

    depth = list(itertools.accumulate((token.nesting for token in flat), initial=0)) if nested else []
    placed: list[list] = []
    for (sc, so), (ec, eo), badge, unit in spans:
        a = gap(sc, so)
        b = max(gap(ec, eo), ends[badge] if badge >= 0 else 0)
        if nested:  # widen the span until it opens and closes at the same emphasis or link depth
            level = min(depth[a : b + 1])
            while depth[a] > level:
                a -= 1
            while depth[b] > level:
                b += 1
        if placed and a < placed[-1][1]:
            placed[-1][1] = max(placed[-1][1], b)
            placed[-1][3].append(unit)
            continue
        placed.append([a, b, unit, []])
    result: list[Token] = []
    done = 0
    for a, b, unit, merged in placed:
        result.extend(flat[done:a])
        result.append(_unit_token("sentence_open", 1, unit))
        result.extend(_unit_token("sentence_anchor", 0, extra) for extra in merged)
        result.extend(flat[a:b])
        result.append(Token("sentence_close", "span", -1))
        done = b
    result.extend(flat[done:])
    return result


def _piece(child: Token, content: str) -> Token:
    """`child.copy()` with new content, without `dataclasses.replace` (a third of `_wrap`'s time)."""
    return Token(child.type, child.tag, child.nesting, child.attrs, child.map, child.level, child.children, content,
                 child.markup, child.info, child.meta, child.block, child.hidden)


def _unit_token(kind: str, nesting: Literal[-1, 0, 1], unit: Sentence) -> Token:
    token = Token(kind, "span", nesting)
    token.meta = {"unit": unit}
    return token


class _Annotator:
    def __init__(self, state: StateCore):
        self.env = state.env
        self.lines: list[str] = state.env.setdefault("lines", state.src.split("\n"))
        self.line_offset: int = state.env.get("line_offset", 0)
        self.units: list[Sentence] = state.env.setdefault("units", [])
        self.used: dict[str, int] = state.env.setdefault("ids", {})
        self.stray: list[Marker] = state.env.setdefault("stray", [])
        self.doubts: list[tuple[Pos, str]] = state.env.setdefault("doubts", [])
        self.wrap: bool = state.env.get("tokens", True)  # whether anything will render the tokens

    def _new(self, kind: UnitKind, text: str, pos: Pos, markers: list[Marker], inherited: Marker | None) -> Sentence:
        unit = Sentence(_sentence_id(text, self.used), kind, text, pos, tuple(markers), inherited)
        self.units.append(unit)
        return unit

    def inline(self, token: Token, kind: UnitKind, inherited: Marker | None) -> None:
        children = token.children or []
        locate = _Located(token.content, token.map[0] if token.map else 0, self.lines, self.line_offset)
        text, pieces, marks = _flatten(children)
        doubts: list[tuple[int, int]] = []
        spans = _boundaries(text, [at for at, _ in marks], doubts)
        offsets = _child_offsets(token.content, children) if spans else []  # reads the groups' offsets, so
        markers = _freeze_groups(children, locate)  # before they are frozen
        if not spans:  # a group with no sentence to mark: still checked, so its key is looked up and counted
            self.stray.extend(markers)
            return
        starts = [p[0] for p in pieces]

        def position(at: int, end: bool) -> tuple[int, int | None]:
            start, index, _ = pieces[bisect.bisect_left(starts, at) - 1 if end else bisect.bisect_right(starts, at) - 1]
            return (index, at - start) if children[index].type == "text" else (index, None if end else 0)

        units: list[list[Any]] = []
        for start, end in spans:
            child, inner = position(start, False)
            where = locate(offsets[child] + (inner or 0))
            units.append([start, (child, inner), position(end, True), -1, text[start:end], where, []])
        unit_starts = [u[0] for u in units]  # strictly increasing: spans are disjoint and in order
        for at, index in marks:
            # the last unit starting before the group, else the first: a group glued to the start of a sentence
            # ("world. [@a]Today") marks the one before it
            target = units[max(bisect.bisect_left(unit_starts, at) - 1, 0)]
            target[6].append(children[index].meta["marker"])
            target[3] = max(target[3], index)
        for start, end in doubts:
            child, inner = position(start, False)
            unit = max(bisect.bisect_right(unit_starts, start) - 1, 0)
            self.doubts.append((locate(offsets[child] + (inner or 0)), _doubt(text, units[unit][0], start, end)))
        wrapped = [(first, last, badge, self._new(kind, _display(raw), where, found, inherited))
                   for _, first, last, badge, raw, where, found in units]
        if self.wrap:
            token.children = _wrap(children, wrapped)

    def row(self, cells: list[Token], row_open: Token, inherited: Marker | None) -> None:
        markers = []
        for cell in cells:
            locate = _Located(cell.content, cell.map[0] if cell.map else 0, self.lines, self.line_offset)
            markers.extend(_freeze_groups(cell.children or [], locate))
        first = cells[0] if cells else row_open
        line = (first.map[0] if first.map else 0) + self.line_offset + 1
        source = self.lines[line - 1 - self.line_offset] if line - 1 - self.line_offset < len(self.lines) else ""
        column = len(source) - len(source.lstrip()) + 1
        text = " | ".join(_display(_flatten(c.children or [])[0]) for c in cells)
        row_open.meta = {"unit": self._new(UnitKind.ROW, text, Pos(line, column), markers, inherited)}

    def exempt(self, token: Token) -> None:
        """Inside `::: exempt` only what makes no claim may stand: link text, code, punctuation. The first word
        outside a link is noted in `env["exempt_claims"]` as (position, text), for P007."""
        children = token.children or []
        depth = 0
        for index, child in enumerate(children):
            depth += child.type == "link_open"
            depth -= child.type == "link_close"
            if depth or child.type == "citation" or child.type != "text" or not (word := _WORD.search(child.content)):
                continue
            locate = _Located(token.content, token.map[0] if token.map else 0, self.lines, self.line_offset)
            at = _child_offsets(token.content, children)[index] + word.start()
            self.env.setdefault("exempt_claims", []).append((locate(at), _display(_flatten(children)[0])))
            break
        _freeze_groups(children, _nowhere)

    def container_marker(self, token: Token) -> Marker | None:
        match = _CONTAINER_MARKER.search(token.info)
        if not match or not token.map:
            return None
        source = self.lines[token.map[0]]
        column = max(source.find(match.group(0)), 0)
        line = token.map[0] + self.line_offset + 1
        return _freeze(parse_group(match.group(0), column, match.group(0).endswith("]")), lambda at: Pos(line, at + 1))


def _units_rule(state: StateCore) -> None:
    annotate = _Annotator(state)
    unit_kind = UnitKind(state.env.get("kind", UnitKind.SENTENCE))
    tokens = state.tokens
    stack: list = []  # inherited marker (or EXEMPT) per open container
    skip_inline = False
    body = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind.startswith("container_") and kind.endswith("_open"):
            name = kind[len("container_") : -len("_open")]
            if name == EXEMPT:
                state.env["exempt_blocks"] = state.env.get("exempt_blocks", 0) + 1
                stack.append(EXEMPT)
            else:
                own = annotate.container_marker(token)
                token.meta = {"marker": own}
                stack.append(own or (stack[-1] if stack else None))
        elif kind.startswith("container_") and kind.endswith("_close"):
            stack.pop()
        elif kind in ("heading_open", "dt_open", "thead_open"):
            skip_inline = True
        elif kind in ("heading_close", "dt_close", "thead_close"):
            skip_inline = False
        elif kind == "tbody_open":
            body = True
        elif kind == "tbody_close":
            body = False
        inherited = stack[-1] if stack else None
        exempt = EXEMPT in stack
        if kind == "tr_open" and body and not exempt:
            cells, end = [], index
            while tokens[end].type != "tr_close":
                if tokens[end].type == "inline":
                    cells.append(tokens[end])
                end += 1
            annotate.row(cells, token, inherited)
            index = end
        elif kind == "inline" and not skip_inline and not exempt and not body:
            annotate.inline(token, unit_kind, inherited)
        elif kind == "inline" and exempt and not skip_inline:
            annotate.exempt(token)
        elif kind == "inline":
            _freeze_groups(token.children or [], _nowhere)
        index += 1


def units_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("units", _units_rule)
