"""Pandoc citation groups (`[@key]`, `[see @a, p. 12; -@b]`, `[@llm]`) as a markdown-it inline rule.

The grammar is pandoc's: items separated by `;`, each an optional prefix, `@key` (or `-@key`, which
suppresses the author; `@{key}` for a key with any characters but spaces and braces), then a suffix. Of the
suffix, a leading locator (`p. 33`, `pp. 3-5, 8`, `chap. 2`, `33`) is split off as pandoc's citeproc does.
The rule runs before `link`, so a group never costs a failed link lookup, and it records a `citation` token
whose `meta["marker"]` is a parsed group with offsets into the inline content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

LLM_TAG = "llm"
# A key starts with a letter, digit or _, and holds punctuation of :.#$%&-+?<>~/ only between such characters.
KEY = re.compile(r"\w(?:\w|[:.#$%&+?<>~/-](?=\w))*", re.UNICODE)
_BRACED = re.compile(r"\{([^{}\s]+)\}")
_SINGLE = re.compile(r"\[@([^\s,;\]]+)\]")
# An item: prefix, `-`, `@`; the prefix ends with a space (or is empty), as in pandoc.
_AT = re.compile(r"(?:^|(?<=\s))-?@")
_CITED_IN_SUFFIX = re.compile(r"(?:^|[\s,])-?@\w")
# Locator labels of CSL's English terms, long and short, as pandoc's citeproc reads them.
_LABELS = (
    "book|books|bk\\.|bks\\.|chapter|chapters|chap\\.|chaps\\.|column|columns|col\\.|cols\\.|figure|figures|"
    "fig\\.|figs\\.|folio|folios|fol\\.|fols\\.|number|numbers|no\\.|nos\\.|line|lines|l\\.|ll\\.|note|notes|"
    "n\\.|nn\\.|opus|opera|op\\.|opp\\.|page|pages|p\\.|pp\\.|paragraph|paragraphs|para\\.|paras\\.|¶¶|¶|"
    "part|parts|pt\\.|pts\\.|section|sections|sec\\.|secs\\.|§§|§|sub verbo|s\\.v\\.|s\\.vv\\.|verse|verses|"
    "v\\.|vv\\.|volume|volumes|vol\\.|vols\\."
)
_VALUE = r"[*_]*(?:\d[\w.:]*|[ivxlcdmIVXLCDM]+)(?:\s*[-–]\s*\w[\w.:]*)?[*_]*"  # emphasis around it: `**32**`
_NUMBER = r"\d[\w.:]*(?:\s*[-–]\s*\w[\w.:]*)?"
# A locator: a label and values ("pp. 33-35, 38"), or a bare page number ("33"), or one in braces.
_LOCATOR = re.compile(
    rf"\{{(?P<braced>[^{{}}]*)\}}|(?:(?:{_LABELS})\s*(?={_VALUE}))(?:{_VALUE})(?:\s*,\s*{_VALUE}(?![^\W\d]))*"
    rf"|{_NUMBER}(?:\s*,\s*{_NUMBER})*"
)


@dataclass(frozen=True, slots=True)
class RawCitation:
    key: str
    locator: str | None
    offset: int  # of the key's first character in the inline content
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False


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
    if single and KEY.fullmatch(key := single[1]):  # most groups: `[@key]`
        if key.casefold() == LLM_TAG:
            return RawMarker(text, offset, (), True, ())
        return RawMarker(text, offset, (RawCitation(key, None, offset + 2),), False, ())
    return parse_items(text, offset, closed)


def _items(inner: str) -> list[str]:
    """`inner` split at each `;` outside braces (`@{Orlowski;2011}` is one key)."""
    if "{" not in inner:
        return inner.split(";")
    parts, depth, start = [], 0, 0
    for at, char in enumerate(inner):
        depth += (char == "{") - (char == "}")
        if char == ";" and depth <= 0:
            parts.append(inner[start:at])
            start = at + 1
    parts.append(inner[start:])
    return parts


def split_locator(suffix: str) -> tuple[str | None, str]:
    """(locator, the rest) of what follows a key: `, p. 330, "a quote"` -> ("p. 330", '"a quote"'). A leading
    comma and the spaces around either part are dropped, and so is emphasis in the locator (`p. **32**`)."""
    text = suffix.strip()
    text = text[1:].lstrip() if text.startswith(",") else text
    match = _LOCATOR.match(text)
    if not match:
        return None, text
    locator = match["braced"] if match["braced"] is not None else match.group().replace("*", "").replace("_", "")
    rest = text[match.end() :].strip()
    return locator.strip() or None, (rest[1:].lstrip() if rest.startswith(",") else rest)


def parse_items(text: str, offset: int, closed: bool = True) -> RawMarker:
    """`parse_group` item by item, what it does for any group but the simplest."""
    inner = text[1:-1] if closed else text[1:]
    problems: list[tuple[str, int, str]] = []
    if not closed:
        problems.append(("P003", offset, f"unclosed marker `{text.strip()}`: add the closing `]`"))
    citations: list[RawCitation] = []
    llm = False
    start = 1
    for part in _items(inner):
        at = offset + start
        start += len(part) + 1
        found = _AT.search(part)
        stripped = part.strip()
        if not found:
            where = at + len(part) - len(part.lstrip())
            what = f"`{stripped}`" if stripped else "an empty item"
            hint = "write `[@key]` or `[@key, p. 12]`, items separated by `;`"
            problems.append(("P003", where, f"malformed marker: {what} has no `@key`; {hint}"))
            continue
        prefix = part[: found.start()].strip()
        key_at = found.end()
        braced = _BRACED.match(part, key_at)
        key_match = None if braced else KEY.match(part, key_at)
        if braced:
            key, key_at, end = braced[1], key_at + 1, braced.end()
        elif key_match:
            key, end = key_match.group(), key_match.end()
        else:
            following = part[key_at : key_at + 1]
            hint = ("no space is allowed after `@`" if following.isspace() else "the key is missing" if not following
                    or following in ",;]" else f"a key starts with a letter, a digit or `_`, not `{following}`")
            problems.append(("P003", at + key_at - 1, f"malformed marker `{text.strip()}`: {hint}"))
            continue
        rest = part[end:]
        if _CITED_IN_SUFFIX.search(rest):
            problems.append(("P003", at + end, f"malformed marker `{text.strip()}`: separate citations with `;`, "
                             f"as in `[@{key}; @other]`"))
            continue
        if key.casefold() == LLM_TAG:
            llm = True
            if prefix or rest.strip() or found.group().startswith("-"):
                problems.append(("P003", at + key_at, "the LLM tag takes no prefix, locator or suffix: write `[@llm]`"))
            continue
        locator, suffix = split_locator(rest) if rest.strip() else (None, "")
        citations.append(RawCitation(key, locator, at + key_at, prefix, suffix, found.group().startswith("-")))
    if llm and citations:
        problems.append(
            ("P004", offset, "`@llm` shares a group with citations: put sourced keys and `[@llm]` in separate groups")
        )
    return RawMarker(text, offset, tuple(citations), llm, tuple(problems))


def _is_group(src: str, start: int, end: int, closed: bool) -> bool:
    """Whether `src[start:end]` (after a `[`) reads as a citation group: `@` first (after spaces or `-`), or a
    prefix then ` @`/` -@`, in a closed group that is not the text of a link (`[see @a](url)`)."""
    at = start
    while at < end and src[at] in " \t":
        at += 1
    if at < end and (src[at] == "@" or (src[at] == "-" and src[at + 1 : at + 2] == "@")):
        return True
    return closed and src[end + 1 : end + 2] not in ("(", "[") and bool(_AT.search(src, start, end))


def _citation_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    end = pos + 1
    while end < state.posMax and src[end] not in "[]":
        end += 1
    closed = end < state.posMax and src[end] == "]"
    if "@" not in src[pos + 1 : end] or not _is_group(src, pos + 1, end, closed):
        return False
    if not closed:
        # Claim only `[@word` so the rest of the line still renders as text.
        end = src.index("@", pos) + 1
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
