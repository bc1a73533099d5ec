"""Pandoc-style citation groups (`[@key]`, `[@a; @b, p. 12]`, `[@llm]`) as a markdown-it inline rule.

The rule runs before `link`, so a group never costs a failed link lookup, and it records a
`citation` token whose `meta["marker"]` is a parsed group with offsets into the inline content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

LLM_TAG = "llm"
KEY = re.compile(r"[\w][\w:.#$%&+?<>~/-]*", re.UNICODE)
_NOT_LAST = ":.#$%&+?<>~/-"  # may not end a key
_ITEM = re.compile(r"\s*@(?P<key>[^\s,;\]]*)(?P<rest>[^;]*)")
_SINGLE = re.compile(r"\[@([^\s,;\]]+)\]")


@dataclass(frozen=True, slots=True)
class RawCitation:
    key: str
    locator: str | None
    offset: int  # of the key's first character in the inline content


@dataclass(frozen=True, slots=True)
class RawMarker:
    """A group as found in inline content; positions are offsets, turned into lines later."""

    raw: str
    offset: int
    citations: tuple[RawCitation, ...]
    llm: bool
    problems: tuple[tuple[str, int, str], ...]


def parse_group(text: str, offset: int, closed: bool = True) -> RawMarker:
    """Parse the text of one group, `[` included; report every malformed part rather than the first."""
    single = _SINGLE.fullmatch(text) if closed else None
    if single and KEY.fullmatch(key := single[1]) and key[-1] not in _NOT_LAST:  # most groups: `[@key]`
        if key.casefold() == LLM_TAG:
            return RawMarker(text, offset, (), True, ())
        return RawMarker(text, offset, (RawCitation(key, None, offset + 2),), False, ())
    return parse_items(text, offset, closed)


def parse_items(text: str, offset: int, closed: bool = True) -> RawMarker:
    """`parse_group` item by item, what it does for any group but the simplest."""
    inner = text[1:-1] if closed else text[1:]
    problems: list[tuple[str, int, str]] = []
    if not closed:
        problems.append(("P003", offset, f"unclosed marker `{text.strip()}`: add the closing `]`"))
    citations: list[RawCitation] = []
    llm = False
    start = 1
    for part in inner.split(";"):
        at = offset + start
        match = _ITEM.fullmatch(part)
        stripped = part.strip()
        if not match:
            where = at + len(part) - len(part.lstrip())
            what = f"`{stripped}`" if stripped else "an empty item"
            hint = "write `[@key]` or `[@key, p. 12]`"
            problems.append(("P003", where, f"malformed marker: {what} is not `@key`; {hint}"))
        else:
            key, rest = match["key"], match["rest"]
            key_at = at + match.start("key")
            locator = rest.strip().removeprefix(",").strip() or None
            if not key:
                space = part[match.end("key") : match.end("key") + 1].isspace()
                hint = "no space is allowed after `@`" if space else "the key is missing"
                problems.append(("P003", key_at - 1, f"malformed marker `{text.strip()}`: {hint}"))
            elif not KEY.fullmatch(key) or key[-1] in _NOT_LAST:
                problems.append(("P003", key_at, f"malformed citation key `{key}`: use letters, digits and _:.-/"))
            elif rest.strip() and not rest.lstrip().startswith(","):
                problems.append(("P003", key_at, f"malformed marker: put a comma between `@{key}` and its locator"))
            elif key.casefold() == LLM_TAG:
                llm = True
                if locator:
                    problems.append(("P003", key_at, "the LLM tag takes no locator: write `[@llm]`"))
            else:
                citations.append(RawCitation(key, locator, key_at))
        start += len(part) + 1
    if llm and citations:
        problems.append(
            ("P004", offset, "`@llm` shares a group with citations: put sourced keys and `[@llm]` in separate groups")
        )
    return RawMarker(text, offset, tuple(citations), llm, tuple(problems))


def _citation_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    at = pos + 1
    while at < state.posMax and src[at] in " \t":
        at += 1
    if at >= state.posMax or src[at] != "@":
        return False
    end = pos + 1
    while end < state.posMax and src[end] not in "[]":
        end += 1
    closed = end < state.posMax and src[end] == "]"
    if not closed:
        # Claim only `[@word` so the rest of the line still renders as text.
        end = at + 1
        while end < state.posMax and not src[end].isspace() and src[end] not in "[]":
            end += 1
    stop = end + 1 if closed else end
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"marker": parse_group(src[pos:stop], pos, closed)}
        token.content = src[pos:stop]
    state.pos = stop
    return True


def markers_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "citation", _citation_rule)
